"""``cvcourse grade``: execute a folder of submitted student notebooks and tabulate the checks.

Every file in the submissions folder (and its subfolders; hidden files and
``.ipynb_checkpoints`` skipped) is one submission. Each notebook runs, one at a time, in a
fresh kernel in a temporary working folder, with its stored outputs cleared first (only
what the grading run itself shows counts), a time limit for the whole notebook, the chosen
profile, and ``CVCOURSE_OFFLINE=1``: data comes from the cache or the class mirror, never
from the internet. A cell that raises does not stop the run (as with Jupyter's "run all,
ignoring errors"), so every question the student answered is still checked; the row
records the first error. The check results are read back from the executed notebook
(:func:`cvcourse.exercises.core.results_from_notebook`); a question never checked counts
as *not attempted*.

The notebook runs through :func:`cvcourse.tools.runner.execute`, as ``cvcourse build``'s do.
Which course notebook a submission is comes from its metadata, its exercise import or its
file name (:mod:`cvcourse.tools.submissions`); a notebook that none of these identifies is
reported and not executed.

Output (written atomically, so an interrupted run never leaves half a table)
    ``grades.csv`` and ``grades.md``: one row per submission, one column per question
    (``correct``, ``incorrect``, ``not attempted``), the number correct and the number of
    questions, the run's status and seconds, and a note (the first error, the timeout...).
    ``executed/``: each executed notebook, so the instructor can read every message.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..exercises import core
from .files import write_atomic
from .runner import DIED, ERRORS, FAILED, OK, TIMEOUT, execute
from .submissions import course_notebooks, find_submissions, identify, read_notebook
from .tables import markdown_table

DEFAULT_TIMEOUT = 1800  # seconds per notebook: a full-profile capstone trains for minutes

# Row statuses: those of the run (OK, ERRORS, TIMEOUT, DIED, FAILED), and
NOT_A_NOTEBOOK = "not a notebook"
UNKNOWN = "not a course notebook"

LABELS = {
    core.Status.CORRECT: "correct",
    core.Status.INCORRECT: "incorrect",
    core.Status.NOT_ATTEMPTED: "not attempted",
}


@dataclass
class Submission:
    """One submitted file's grading outcome."""

    path: Path
    name: str  # the path relative to the submissions folder
    notebook: str = ""  # the course notebook, e.g. "08_capstone_sign_language" ("" if unknown)
    status: str = OK
    seconds: float = 0.0
    note: str = ""
    results: dict[str, core.Result] = field(default_factory=dict)

    @property
    def number(self) -> str:
        """The course notebook's two-digit number ("" if unknown)."""
        return self.notebook[:2]

    @property
    def correct(self) -> int:
        """How many of its checks are correct."""
        return sum(r.correct for r in self.results.values())


# ------------------------------------------------------------------------- grading


def grade_file(
    path: Path,
    name: str,
    *,
    timeout: float,
    profile: str,
    known: dict[str, str],
    executed_dir: Path | None = None,
) -> Submission:
    """Grade one submitted file (any file: a non-notebook gets a row that says so).

    Takes the file's ``path`` and ``name`` (relative to the submissions folder), the
    notebook's time limit ``timeout`` (seconds), the ``profile``, ``known`` (notebook number
    -> stem, :func:`~cvcourse.tools.submissions.course_notebooks`) and the folder for the
    executed notebook; returns its :class:`Submission`. Never raises for the student's code.
    """
    import nbformat

    from ..exercises import questions

    sub = Submission(path=path, name=name)
    if path.suffix.lower() != ".ipynb":
        sub.status, sub.note = NOT_A_NOTEBOOK, f"a {path.suffix or 'file'} file, not an .ipynb"
        return sub
    try:
        nb = read_notebook(path)
    except ValueError as err:
        sub.status, sub.note = NOT_A_NOTEBOOK, str(err)
        return sub
    sub.notebook = identify(nb, path.name, known)
    if not sub.notebook:
        sub.status = UNKNOWN
        sub.note = "no cvcourse metadata, exercise import or NN_ file name"
        return sub
    try:
        qs = questions(sub.notebook)
    except ValueError as err:
        sub.status, sub.note = UNKNOWN, str(err)
        return sub
    for cell in nb.cells:  # only what this run shows counts
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    env = {**os.environ, "CVCOURSE_PROFILE": profile, "CVCOURSE_OFFLINE": "1"}
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    with tempfile.TemporaryDirectory(prefix="cvcourse-grade-") as workdir:
        # The kernel's own messages (TensorFlow's log lines) are not the instructor's
        # business: quiet_kernel sends them to the null device.
        run = execute(
            nb, cwd=Path(workdir), env=env, timeout=timeout, keep_going=True, quiet_kernel=True
        )
    sub.status, sub.note, sub.seconds = run.status, run.error, round(run.seconds, 1)
    sub.results = core.results_from_notebook(nb, qs)
    if executed_dir is not None:
        target = executed_dir / name
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, nbformat.writes(nb))
    return sub


# ---------------------------------------------------------------------------- tables


def _columns(subs: list[Submission]) -> list[tuple[str, str]]:
    """(notebook, question) columns, in notebook then question order."""
    from ..exercises import questions

    numbers = sorted({s.number for s in subs if s.number})
    columns: list[tuple[str, str]] = []
    for number in numbers:
        try:
            names = [q.name for q in questions(number)]
        except ValueError:
            names = []
        for s in subs:
            if s.number == number:
                names += [q for q in s.results if q not in names]
        columns += [(number, q) for q in names]
    return columns


def table(subs: list[Submission]) -> tuple[list[str], list[list[str]]]:
    """(header, rows) of the grade table: one row per submission, one column per question."""
    columns = _columns(subs)
    several = len({nb for nb, _ in columns}) > 1
    header = ["submission", "notebook", "status"]
    header += [f"{number} {q}" if several else q for number, q in columns]
    header += ["correct", "questions", "seconds", "note"]
    rows = []
    for s in subs:
        ran = bool(s.results)
        cells = []
        for number, q in columns:
            result = s.results.get(q) if s.number == number else None
            cells.append(LABELS[result.status] if result is not None else "")
        rows.append(
            [s.name, s.notebook, s.status, *cells]
            + [
                str(s.correct) if ran else "0",
                str(len(s.results)),
                f"{s.seconds:.1f}" if ran else "",
                s.note,
            ]
        )
    return header, rows


def to_csv(header: list[str], rows: list[list[str]]) -> str:
    """The grade table as CSV text (``\\n`` line ends): the header, then the rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def to_markdown(header: list[str], rows: list[list[str]], *, title: str = "") -> str:
    """The grade table as Markdown (numbers right-aligned), under ``# title`` when given."""
    table_text = markdown_table(header, rows, right={"correct", "questions", "seconds"})
    return (f"# {title}\n\n" if title else "") + table_text + "\n"


# ------------------------------------------------------------------------------ main


def grade(
    submissions_dir: Path,
    out_dir: Path,
    *,
    profile: str = "full",
    timeout: float = DEFAULT_TIMEOUT,
    notebooks_dir: Path | None = None,
    echo=print,
) -> list[Submission]:
    """Grade every file in ``submissions_dir``; write ``grades.csv``, ``grades.md``, ``executed/``.

    ``notebooks_dir`` (the course's ``notebooks/``) gives full notebook names in the table.
    Returns the submissions in the order graded. Never stops at a bad submission.
    """
    submissions_dir, out_dir = Path(submissions_dir), Path(out_dir)
    paths = find_submissions(submissions_dir, exclude=out_dir)
    known = course_notebooks(notebooks_dir)
    subs = []
    for i, path in enumerate(paths, 1):
        name = path.relative_to(submissions_dir).as_posix()
        echo(f"[{i}/{len(paths)}] {name} ...")
        sub = grade_file(
            path,
            name,
            timeout=timeout,
            profile=profile,
            known=known,
            executed_dir=out_dir / "executed",
        )
        subs.append(sub)
        score = f"{sub.correct}/{len(sub.results)} correct" if sub.results else ""
        echo(
            f"      {sub.status}"
            + (f", {score}" if score else "")
            + (f": {sub.note}" if sub.note else "")
        )
    header, rows = table(subs)
    title = f"Grades ({profile} profile, {len(subs)} submission{'s' if len(subs) != 1 else ''})"
    write_atomic(out_dir / "grades.csv", to_csv(header, rows))
    write_atomic(out_dir / "grades.md", to_markdown(header, rows, title=title))
    return subs


__all__ = [
    "DEFAULT_TIMEOUT",
    "DIED",
    "ERRORS",
    "FAILED",
    "NOT_A_NOTEBOOK",
    "OK",
    "TIMEOUT",
    "UNKNOWN",
    "Submission",
    "grade",
    "grade_file",
    "table",
    "to_csv",
    "to_markdown",
]
