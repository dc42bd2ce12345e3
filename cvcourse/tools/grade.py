"""``cvcourse grade``: execute submitted notebooks in a sandbox and score them with checks it runs itself.

Every file in the submissions folder (and its subfolders; hidden files and
``.ipynb_checkpoints`` skipped) is one submission. Which course notebook it is comes from
its metadata, its exercise import or its file name (:mod:`cvcourse.tools.submissions`).
Each one is graded in two processes:

1. **The student's run.** Its stored outputs cleared, the notebook runs in a fresh kernel
   (:func:`cvcourse.tools.runner.main`) inside the sandbox of :mod:`cvcourse.tools.sandbox`
   (scrubbed environment, temporary home and folder, memory and time limits, and with
   bubblewrap no network and no writes outside its folder), ``CVCOURSE_OFFLINE=1``, cells
   that raise not stopping it. ``CVCOURSE_GRADE_EXPORT`` is set, so each
   ``ex.qN.check(...)`` writes the answers it is given to a folder instead of judging
   them (:mod:`cvcourse.exercises.exports`). What the notebook displays is never read
   for a score.
2. **The judge** (:mod:`cvcourse.tools.judge`): a fresh Python process with the course's
   own checkers judges the exported answers of the questions of the identified notebook;
   a student's function is called only in a sandboxed child under a time limit.

A question whose answer was judged gets that verdict, even when the run later crashed or
timed out; one with no answer is *error* when a cell calling its check raised, else *not
attempted*. Points per question come from the exercise module (``points=``, default 1).

Output (written atomically): ``grades.csv`` and ``grades.md`` (:mod:`~cvcourse.tools.grade_report`),
``feedback/<submission>.html`` for each notebook graded, and ``executed/`` with each
executed notebook (the student's side of the story: it may say anything).
"""

from __future__ import annotations

import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ..exercises import core
from . import judge, sandbox
from .files import write_atomic
from .grade_report import LABELS, feedback_page, table, to_csv, to_markdown
from .grade_run import check_errors, run_judge, run_student
from .runner import DIED, ERRORS, FAILED, OK, TIMEOUT
from .submissions import course_notebooks, find_submissions, identify, read_notebook

DEFAULT_TIMEOUT = 1800  # seconds per notebook: a full-profile capstone trains for minutes

# Row statuses: those of the run (OK, ERRORS, TIMEOUT, DIED, FAILED), and
NOT_A_NOTEBOOK = "not a notebook"
UNKNOWN = "not a course notebook"


@dataclass
class Submission:
    """One submitted file's grading outcome."""

    path: Path
    name: str  # the path relative to the submissions folder
    notebook: str = ""  # the course notebook, e.g. "09_capstone_sign_language" ("" if unknown)
    status: str = OK
    seconds: float = 0.0
    note: str = ""
    results: dict[str, core.Result] = field(default_factory=dict)
    max_points: dict[str, float] = field(default_factory=dict)  # question -> points possible
    sandbox: str = ""

    @property
    def number(self) -> str:
        """The course notebook's two-digit number ("" if unknown)."""
        return self.notebook[:2]

    @property
    def correct(self) -> int:
        """How many of its checks are correct."""
        return sum(r.correct for r in self.results.values())

    def points_of(self, question: str) -> float:
        result = self.results.get(question)
        return self.max_points.get(question, 1) if result is not None and result.correct else 0

    @property
    def points(self) -> float:
        return sum(self.points_of(q) for q in self.results)

    @property
    def total(self) -> float:
        return sum(self.max_points.get(q, 1) for q in self.results)

    @property
    def percent(self) -> float:
        return 100.0 * self.points / self.total if self.total else 0.0


# ------------------------------------------------------------------------- grading


def grade_file(
    path: Path,
    name: str,
    *,
    timeout: float,
    profile: str,
    known: dict[str, str],
    executed_dir: Path | None = None,
    memory: int | None = sandbox.DEFAULT_MEMORY,
    hide=(),
) -> Submission:
    """Grade one submitted file (any file: a non-notebook gets a row that says so).

    ``timeout`` limits the student's run and, separately, the judge (seconds); ``known``
    maps notebook numbers to stems; ``hide`` lists folders the sandbox hides. Never raises
    for the student's code.
    """
    import nbformat

    sub = Submission(path=path, name=name, sandbox=sandbox.sandbox_label())
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
        qs = judge.question_list(sub.notebook)
    except ValueError as err:
        sub.status, sub.note = UNKNOWN, str(err)
        return sub
    for cell in nb.cells:  # only what this run shows counts
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="cvcourse-grade-") as root:
        run_dir, judge_dir = Path(root) / "run", Path(root) / "judge"
        run_dir.mkdir()
        judge_dir.mkdir()
        run = dict(timeout=timeout, profile=profile, hide=hide)
        sub.status, sub.note, executed = run_student(nb, run_dir, memory=memory, **run)
        verdicts = run_judge(run_dir, judge_dir, sub.number, **run)
    sub.seconds = round(time.monotonic() - start, 1)
    errors = check_errors(executed) if executed is not None else {}
    for q in qs:
        sub.max_points[q.name] = float(getattr(q, "points", 1))
        record = verdicts["records"].get(q.name)
        status = record.get("status") if record else judge.ABSENT
        if record and status != judge.ABSENT and status in core.Status._value2member_map_:
            result = core.Result(
                q.notebook, q.name, core.Status(status), record["message"], q.title
            )
        elif not record and verdicts["stopped"]:
            result = core.Result(
                q.notebook, q.name, core.Status.ERROR, verdicts["stopped"], q.title
            )
        elif q.name in errors:
            message = f"the cell of this check raised before the check ran ({errors[q.name]})."
            result = core.Result(q.notebook, q.name, core.Status.ERROR, message, q.title)
        else:
            result = q.not_attempted_result()
        sub.results[q.name] = result
    if verdicts["stopped"] and not sub.note:
        sub.note = verdicts["stopped"]
    if executed_dir is not None and executed is not None:
        target = executed_dir / name
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, nbformat.writes(executed))
    return sub


# ------------------------------------------------------------------------------ main


def grade(
    submissions_dir: Path,
    out_dir: Path,
    *,
    profile: str = "full",
    timeout: float = DEFAULT_TIMEOUT,
    notebooks_dir: Path | None = None,
    jobs: int = 1,
    memory: int | None = sandbox.DEFAULT_MEMORY,
    echo=print,
) -> list[Submission]:
    """Grade every file in ``submissions_dir`` (``jobs`` at a time) into ``out_dir``.

    Writes ``grades.csv``, ``grades.md``, ``feedback/`` and ``executed/``; ``notebooks_dir``
    (the course's ``notebooks/``) gives full notebook names and is hidden from the
    sandbox, as are the submissions and the output. Returns the submissions in file order.
    Never stops at a bad submission.
    """
    submissions_dir, out_dir = Path(submissions_dir), Path(out_dir)
    paths = find_submissions(submissions_dir, exclude=out_dir)
    known = course_notebooks(notebooks_dir)
    hide = [submissions_dir.resolve(), out_dir.resolve()]
    if notebooks_dir is not None and Path(notebooks_dir).is_dir():
        hide.append(Path(notebooks_dir).resolve())
    echo(f"Sandbox: {sandbox.sandbox_label()}")

    def one(path: Path) -> Submission:
        name = path.relative_to(submissions_dir).as_posix()
        sub = grade_file(
            path,
            name,
            timeout=timeout,
            profile=profile,
            known=known,
            executed_dir=out_dir / "executed",
            memory=memory,
            hide=hide,
        )
        if sub.results:
            page = out_dir / "feedback" / f"{name}.html"
            page.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(page, feedback_page(sub))
        score = f"{sub.points:g}/{sub.total:g} points, {sub.seconds:.1f} s" if sub.results else ""
        echo(
            f"{name}: {sub.status}"
            + (f", {score}" if score else "")
            + (f": {sub.note}" if sub.note else "")
        )
        return sub

    with ThreadPoolExecutor(max_workers=max(1, int(jobs))) as pool:
        subs = list(pool.map(one, paths))
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
    "LABELS",
    "NOT_A_NOTEBOOK",
    "OK",
    "TIMEOUT",
    "UNKNOWN",
    "Submission",
    "feedback_page",
    "grade",
    "grade_file",
    "table",
    "to_csv",
    "to_markdown",
]
