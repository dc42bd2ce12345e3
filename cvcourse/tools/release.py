"""Student copies: the solution notebooks with their solutions replaced by placeholders.

``cvcourse release`` calls :func:`release`, which writes ``notebooks/student/NN_*.ipynb``
for every ``notebooks/NN_*.ipynb`` and the solution texts
``cvcourse/exercises/solutions.json`` (:mod:`cvcourse.tools.solutions`);
``cvcourse release --check`` writes nothing and lists the files that are missing or out of
date. The same input always gives byte-identical files, so the check is exact.

How a solution notebook marks its solutions
    Solution code sits between a ``# BEGIN SOLUTION`` line and an ``# END SOLUTION`` line
    in a code cell (:mod:`cvcourse.tools.markers`). In the student copy the block becomes
    a placeholder that still runs (:mod:`cvcourse.tools.placeholders`): derived from the
    code (``name = ...``, functions with ``return ...``), or the block's ``# STUDENT:``
    lines. Each block belongs to one question (:func:`cvcourse.tools.solutions.attribute_blocks`),
    whose ``solution()`` shows its code.

Outputs in the student copy
    A student copy reads like the lesson: every cell that does not depend on an exercise's
    answer keeps the full run's outputs (figures, tables, printed results). Cells that
    depend on an answer (:mod:`cvcourse.tools.dependence`: a solution block, or a cell that
    reads a name a solution binds) and the cells of the ``## Exercises`` section are cleared, with one exception: a cell
    that holds a solution or calls ``<ex>.<q>.check(...)`` keeps, as its stored outputs,
    exactly what its checks show when nothing is attempted. Running the copy under nbval
    therefore proves both that the placeholders run and that every check reports *not
    attempted*. Such a cell must print nothing else outside its solution block (put
    figures of the answer inside the block), and code after an exercise must not rely on
    its answer (or must skip the ``...`` placeholders).
"""

from __future__ import annotations

import copy
from pathlib import Path

from .course import NOTEBOOK_GLOB
from .dependence import cleared_cells
from .files import write_atomic
from .markers import BEGIN, END, STUDENT, ReleaseError, check_calls, exercise_aliases, has_solution
from .placeholders import PLACEHOLDER_COMMENT, strip_solutions
from .solutions import solutions_json

__all__ = [
    "BEGIN",
    "END",
    "PLACEHOLDER_COMMENT",
    "STUDENT",
    "ReleaseError",
    "make_student_copy",
    "release",
    "strip_solutions",
]


def _not_attempted_outputs(calls: list[tuple[str, str]], where: str) -> list:
    """The display outputs that the checks ``calls`` ((module, question) pairs) show when
    nothing is attempted; raises ``ReleaseError`` naming ``where`` for an unknown question."""
    import importlib

    import nbformat

    outputs = []
    for module_name, question in calls:
        try:
            module = importlib.import_module(f"cvcourse.exercises.{module_name}")
            q = getattr(module, question)
        except (ImportError, AttributeError):
            raise ReleaseError(
                f"{where}: calls {question}.check() but cvcourse.exercises.{module_name} has "
                f"no question {question}"
            ) from None
        bundle = q.not_attempted_result()._repr_mimebundle_()
        outputs.append(nbformat.v4.new_output("display_data", data=bundle, metadata={}))
    return outputs


# ----------------------------------------------------------------------------- notebooks


def make_student_copy(nb, *, source_name: str | None = None):
    """The student copy of a solution notebook (a new notebook; ``nb`` is not changed).

    ``source_name`` (the solution notebook's file name) is recorded in the copy's metadata.
    Raises :class:`ReleaseError` when the solution markers are malformed.
    """
    student = copy.deepcopy(nb)
    label = source_name or "notebook"
    aliases = exercise_aliases(student)
    dependent = cleared_cells(student)
    for index, cell in enumerate(student.cells):
        if cell.cell_type != "code":
            continue
        where = f"{label}, cell {index}"
        if has_solution(cell.source):
            cell.source, _ = strip_solutions(cell.source, where=where)
        outputs = _not_attempted_outputs(check_calls(cell.source, aliases), where)
        if outputs and cell.get("execution_count") is not None:
            cell.outputs = outputs  # compared by nbval: every check says "not attempted"
        elif index in dependent or not cell.get("outputs"):
            cell.outputs, cell.execution_count = [], None  # nbval only checks that it runs
        # else: a lesson cell keeps the full run's outputs (figures, tables, results)
        cell.metadata.pop("execution", None)  # the solution run's timestamps
    student.metadata["cvcourse"] = {"student_copy": True}
    if source_name:
        student.metadata["cvcourse"]["source"] = source_name
    import nbformat

    nbformat.validate(student)
    return student


def _dumps(nb) -> str:
    """A notebook as the exact text stored (nbformat v4, a trailing newline)."""
    import nbformat

    text = nbformat.writes(nb, version=4)
    return text if text.endswith("\n") else text + "\n"


def _stale(path: Path, text: str) -> bool:
    """True when the file at ``path`` is missing or its bytes are not ``text`` in UTF-8."""
    return not path.is_file() or path.read_bytes() != text.encode("utf-8")


def release(
    notebooks_dir: Path,
    student_dir: Path,
    *,
    solutions_file: Path | None = None,
    check: bool = False,
) -> list[Path]:
    """Write (or, with ``check=True``, only compare) the student copies and the solution texts.

    Takes the folder of solution notebooks, the folder of student copies and, optionally,
    the ``solutions.json`` to write (:func:`cvcourse.tools.solutions.solutions_json`).
    Each copy is also tidied (:mod:`cvcourse.tools.tidy`: its own Colab link, normalised
    metadata). Without ``check``: writes ``student_dir/NN_*.ipynb`` for every
    ``notebooks_dir/NN_*.ipynb`` whose copy is missing or differs (and ``solutions_file``
    when it differs), deletes student copies whose solution notebook no longer exists, and
    returns the paths it wrote or deleted. With ``check``: writes nothing and returns the
    stale paths (missing, different, or without a solution notebook); an empty list means
    everything is up to date. Raises ``FileNotFoundError`` for a missing ``notebooks_dir``
    and ``ReleaseError`` for malformed solution markers.
    """
    import nbformat

    from . import tidy

    notebooks_dir, student_dir = Path(notebooks_dir), Path(student_dir)
    if not notebooks_dir.is_dir():
        raise FileNotFoundError(f"{notebooks_dir} is not a folder of notebooks")
    expected: dict[Path, str] = {}
    sources = []
    for source in sorted(notebooks_dir.glob(NOTEBOOK_GLOB)):
        nb = nbformat.read(source, as_version=4)
        sources.append((source.name, nb))
        target = student_dir / source.name
        try:  # the copy's own path in the repository, for its "Open in Colab" link
            relative = target.resolve().relative_to(notebooks_dir.resolve().parent).as_posix()
        except ValueError:
            relative = f"notebooks/student/{source.name}"
        student = tidy.tidy(make_student_copy(nb, source_name=source.name), relative)
        expected[target] = _dumps(student)
    orphans = (
        [p for p in sorted(student_dir.glob(NOTEBOOK_GLOB)) if p not in expected]
        if student_dir.is_dir()
        else []
    )
    if solutions_file is not None:
        expected[Path(solutions_file)] = solutions_json(sources)
    changed = [path for path, text in expected.items() if _stale(path, text)]
    if check:
        return changed + orphans
    for path in changed:
        write_atomic(path, expected[path])
    for path in orphans:
        path.unlink()
    return changed + orphans
