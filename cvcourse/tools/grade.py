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

Which course notebook a submission is
    Students rename files, so the file name is the last resort. In order:

    1. the notebook's metadata ``cvcourse.source`` (``"08_capstone_sign_language.ipynb"``),
       which ``cvcourse release`` writes into every student copy and which Jupyter and
       Colab keep when a notebook is renamed or saved;
    2. the exercise module it imports (``from cvcourse.exercises import ex08 as ex``);
    3. a file name starting with the two-digit notebook number (``08_...``).

    A notebook that none of these identifies is reported and not executed.

Output (written atomically, so an interrupted run never leaves half a table)
    ``grades.csv`` and ``grades.md``: one row per submission, one column per question
    (``correct``, ``incorrect``, ``not attempted``), the number correct and the number of
    questions, the run's status and seconds, and a note (the first error, the timeout...).
    ``executed/``: each executed notebook, so the instructor can read every message.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from ..exercises import core

DEFAULT_TIMEOUT = 1800  # seconds per notebook: a full-profile capstone trains for minutes

# Row statuses.
OK = "ok"  # every cell ran
ERRORS = "errors"  # some cells raised; the rest ran
TIMEOUT = "timed out"
DIED = "kernel died"
FAILED = "could not run"
NOT_A_NOTEBOOK = "not a notebook"
UNKNOWN = "not a course notebook"

LABELS = {
    core.Status.CORRECT: "correct",
    core.Status.INCORRECT: "incorrect",
    core.Status.NOT_ATTEMPTED: "not attempted",
}

_NUMBER = re.compile(r"^(\d{2})_")
_EXERCISE_IMPORT = re.compile(r"cvcourse\.exercises(?:\s+import\s+|\.)ex(\d{2})\b")


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
        return sum(r.correct for r in self.results.values())


# ------------------------------------------------------------------------ discovery


def find_submissions(folder: Path, *, exclude: Path | None = None) -> list[Path]:
    """Every file under ``folder``, sorted; hidden files/folders, checkpoints and ``exclude`` skipped."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder} is not a folder of submissions")
    exclude = exclude.resolve() if exclude is not None else None
    found = []
    for path in sorted(folder.rglob("*")):
        parts = path.relative_to(folder).parts
        if any(p.startswith(".") or p == "__pycache__" or p == ".ipynb_checkpoints" for p in parts):
            continue
        if exclude is not None and (path.resolve() == exclude or exclude in path.resolve().parents):
            continue
        if path.is_file():
            found.append(path)
    return found


def course_notebooks(notebooks_dir: Path | None) -> dict[str, str]:
    """Notebook number -> stem of the course's solution notebooks (``{"08": "08_capstone..."}``)."""
    if notebooks_dir is None or not Path(notebooks_dir).is_dir():
        return {}
    return {p.name[:2]: p.stem for p in sorted(Path(notebooks_dir).glob("[0-9][0-9]_*.ipynb"))}


def identify(nb, file_name: str, known: dict[str, str] | None = None) -> str:
    """The course notebook a submission is (its stem, or its number when the stem is unknown).

    Looks at the ``cvcourse.source`` metadata, then the exercise import, then the file
    name (see the module docstring); returns "" when none of them says.
    """
    known = known or {}
    source = nb.get("metadata", {}).get("cvcourse", {}).get("source", "")
    number = ""
    if isinstance(source, str) and _NUMBER.match(source):
        stem = Path(source).stem
        return known.get(stem[:2], stem)
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        match = _EXERCISE_IMPORT.search(_source(cell))
        if match:
            number = match.group(1)
            break
    if not number:
        match = _NUMBER.match(Path(file_name).name)
        number = match.group(1) if match else ""
    if not number:
        return ""
    return known.get(number, number)


def _source(cell) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _read_notebook(path: Path):
    """The notebook at ``path`` (nbformat v4), or raise ValueError saying why it is not one."""
    import nbformat

    try:
        text = path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError) as err:
        raise ValueError(f"cannot be read as text ({type(err).__name__})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise ValueError(f"not valid JSON (line {err.lineno})") from None
    if not isinstance(data, dict) or "cells" not in data:
        raise ValueError("JSON, but not a Jupyter notebook (no cells)")
    try:  # no strict schema check: a notebook saved by an older Jupyter still runs
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. cells without ids
            nb = nbformat.reads(text, as_version=4)
    except Exception as err:  # noqa: BLE001 - nbformat raises several kinds
        raise ValueError(f"not a readable notebook ({type(err).__name__})") from None
    if not isinstance(nb.get("cells"), list) or any(
        not isinstance(c, dict) or "cell_type" not in c for c in nb.cells
    ):
        raise ValueError("JSON, but its cells are not notebook cells")
    return nb


# ------------------------------------------------------------------------- execution


def _first_error(nb) -> str:
    """'cell N: Name: message' for the first cell whose output is an error, or ""."""
    code_index = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        code_index += 1
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                message = f"{output.get('ename', 'Error')}: {output.get('evalue', '')}".strip()
                return f"code cell {code_index}: {_shorten(message)}"
    return ""


def _shorten(text: str, limit: int = 160) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _where(nb, cell) -> str:
    """' in code cell N' for the cell that was running (counting code cells from 1), or ''."""
    number = 0
    for c in nb.cells:
        if c.cell_type == "code":
            number += 1
        if c is cell:
            return f" in code cell {number}"
    return ""


def run_submission(
    nb,
    *,
    timeout: float,
    profile: str,
    workdir: Path,
    kernel_name: str = "python3",
) -> tuple[str, str]:
    """Execute ``nb`` in place in a fresh kernel; (status, note). Never raises for the student's code.

    ``timeout`` limits the whole notebook (the time left is the limit of each cell).
    """
    import nbclient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    deadline = time.monotonic() + timeout
    current = {"cell": None}

    def time_left(cell) -> int:
        current["cell"] = cell
        return max(1, int(deadline - time.monotonic()))

    env = dict(os.environ)
    env.update(
        {
            "CVCOURSE_PROFILE": profile,
            "CVCOURSE_OFFLINE": "1",
            "TF_CPP_MIN_LOG_LEVEL": env.get("TF_CPP_MIN_LOG_LEVEL", "2"),
        }
    )
    client = nbclient.NotebookClient(
        nb,
        timeout_func=time_left,
        kernel_name=kernel_name,
        allow_errors=True,
        interrupt_on_timeout=False,
        resources={"metadata": {"path": str(workdir)}},
    )
    # The kernel's own messages (TensorFlow's C++ log lines, warnings) are not the
    # instructor's business: they go to the null device instead of the terminal.
    with open(os.devnull, "w") as null:
        try:
            client.execute(env=env, cwd=str(workdir), stderr=null)
        except CellTimeoutError:
            return TIMEOUT, f"stopped after the {timeout:.0f} s limit{_where(nb, current['cell'])}"
        except DeadKernelError:
            return DIED, (
                f"the kernel died{_where(nb, current['cell'])} (out of memory, or the code "
                "ended Python)"
            )
        except Exception as err:  # noqa: BLE001 - a kernel that does not start, a bad kernelspec
            return FAILED, _shorten(f"{type(err).__name__}: {err}")
    error = _first_error(nb)
    return (ERRORS, error) if error else (OK, "")


def grade_file(
    path: Path,
    name: str,
    *,
    timeout: float,
    profile: str,
    known: dict[str, str],
    executed_dir: Path | None = None,
) -> Submission:
    """Grade one submitted file (any file: a non-notebook gets a row that says so)."""
    import nbformat

    from ..exercises import questions

    sub = Submission(path=path, name=name)
    if path.suffix.lower() != ".ipynb":
        sub.status, sub.note = NOT_A_NOTEBOOK, f"a {path.suffix or 'file'} file, not an .ipynb"
        return sub
    try:
        nb = _read_notebook(path)
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
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="cvcourse-grade-") as workdir:
        sub.status, sub.note = run_submission(
            nb, timeout=timeout, profile=profile, workdir=Path(workdir)
        )
    sub.seconds = round(time.perf_counter() - start, 1)
    sub.results = core.results_from_notebook(nb, qs)
    if executed_dir is not None:
        target = executed_dir / name
        target.parent.mkdir(parents=True, exist_ok=True)
        _write_atomic(target, nbformat.writes(nb))
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
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def to_markdown(header: list[str], rows: list[list[str]], *, title: str = "") -> str:
    def cell(text: str) -> str:
        return (text or "-").replace("|", "\\|").replace("\n", " ")

    numeric = {"correct", "questions", "seconds"}
    lines = [f"# {title}", ""] if title else []
    lines.append("| " + " | ".join(header) + " |")
    lines.append("| " + " | ".join("---:" if h in numeric else "---" for h in header) + " |")
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    with open(tmp, "w", encoding="utf-8", newline="") as f:
        f.write(text)
    os.replace(tmp, path)


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
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
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
    _write_atomic(out_dir / "grades.csv", to_csv(header, rows))
    _write_atomic(out_dir / "grades.md", to_markdown(header, rows, title=title))
    return subs


__all__ = [
    "DEFAULT_TIMEOUT",
    "Submission",
    "find_submissions",
    "grade",
    "grade_file",
    "identify",
    "run_submission",
    "table",
]
