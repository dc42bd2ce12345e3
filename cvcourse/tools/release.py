"""Student copies: the solution notebooks with their solutions replaced by placeholders.

``cvcourse release`` calls :func:`release`, which writes ``notebooks/student/NN_*.ipynb``
for every ``notebooks/NN_*.ipynb``; ``cvcourse release --check`` writes nothing and lists
the copies that are missing or out of date. The same input always gives byte-identical
copies, so the check is exact.

How a solution notebook marks its solutions
    Solution code sits between a ``# BEGIN SOLUTION`` line and an ``# END SOLUTION`` line
    in a code cell. In the student copy the block becomes a placeholder that still runs:

    - by default, derived from the code: imports are kept, every name the block assigns
      becomes ``name = ...`` and every function it defines keeps its signature and
      docstring with the body ``return ...`` (the convention of
      :mod:`cvcourse.exercises.core`, whose checks then report *not attempted*);
    - or, when the block contains lines starting with ``# STUDENT:``, exactly those lines
      with the marker removed (a scaffold, e.g. a dict whose values are ``...``). A block
      indented inside a function needs such lines.

Outputs in the student copy
    Students run their copy themselves, so outputs are cleared, with one exception: a cell
    that holds a solution or calls ``<ex>.<q>.check(...)`` keeps, as its stored outputs,
    exactly what its checks show when nothing is attempted. Running the copy under nbval
    therefore proves both that the placeholders run and that every check reports *not
    attempted*. Such a cell must print nothing else outside its solution block (put
    figures of the answer inside the block), and code after an exercise must not rely on
    its answer (or must skip the ``...`` placeholders).
"""

from __future__ import annotations

import ast
import copy
import os
import textwrap
from pathlib import Path

BEGIN = "# BEGIN SOLUTION"
END = "# END SOLUTION"
STUDENT = "# STUDENT:"
NOTEBOOK_GLOB = "[0-9][0-9]_*.ipynb"
PLACEHOLDER_COMMENT = "# YOUR CODE HERE: replace each ... with your answer"


class ReleaseError(ValueError):
    """A solution notebook's solution markers cannot be turned into a student copy."""


# ------------------------------------------------------------------------- source code


def _python_only(source: str) -> str:
    """The cell's source with IPython magics and shell lines blanked, for the ast module."""
    return "\n".join(
        "" if line.lstrip().startswith(("%", "!")) else line for line in source.split("\n")
    )


def _stored_names(node: ast.AST) -> list[str]:
    """Names a statement binds at module level (not inside functions or comprehensions)."""
    found: list[str] = []
    skip = (
        ast.FunctionDef,
        ast.AsyncFunctionDef,
        ast.ClassDef,
        ast.Lambda,
        ast.ListComp,
        ast.SetComp,
        ast.DictComp,
        ast.GeneratorExp,
    )
    stack = [node]
    while stack:
        current = stack.pop(0)
        if isinstance(current, ast.Name) and isinstance(current.ctx, ast.Store):
            found.append(current.id)
        for child in ast.iter_child_nodes(current):
            if not isinstance(child, skip):
                stack.append(child)
    return found


def _function_placeholder(code: str, node: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    keyword = "async def" if isinstance(node, ast.AsyncFunctionDef) else "def"
    returns = f" -> {ast.unparse(node.returns)}" if node.returns is not None else ""
    lines = [f"{keyword} {node.name}({ast.unparse(node.args)}){returns}:"]
    first = node.body[0]
    if (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    ):
        lines.extend(code.split("\n")[first.lineno - 1 : first.end_lineno])  # as written
    lines.append("    return ...")
    return lines


def _auto_placeholder(code: str) -> tuple[list[str], list[str]]:
    """(placeholder lines, names bound) for dedented solution code."""
    tree = ast.parse(code)
    lines = [PLACEHOLDER_COMMENT]
    names: list[str] = []
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            lines.append(ast.get_source_segment(code, node) or ast.unparse(node))
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            lines.extend(_function_placeholder(code, node))
            lines.extend(["", ""])  # PEP 8's two blank lines after a function
            names.append(node.name)
        elif isinstance(node, ast.ClassDef):
            lines.append(f"{node.name} = ...")
            names.append(node.name)
        else:
            for name in _stored_names(node):
                if name not in names:
                    lines.append(f"{name} = ...")
                    names.append(name)
    return lines, names


def _indent_of(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def _tidy_blank_lines(lines: list[str]) -> str:
    """Join lines with at most two blank lines in a row and none at the end."""
    tidy: list[str] = []
    for line in lines:
        if not line.strip() and len(tidy) >= 2 and not tidy[-1].strip() and not tidy[-2].strip():
            continue
        tidy.append(line)
    while tidy and not tidy[-1].strip():
        tidy.pop()
    return "\n".join(tidy)


def strip_solutions(source: str, *, where: str = "cell") -> tuple[str, list[str]]:
    """The student version of one cell's source, and the names its solutions bind.

    Raises :class:`ReleaseError` (naming ``where``) for unbalanced markers, an indented
    block without ``# STUDENT:`` lines, or a result that is not valid Python.
    """
    out: list[str] = []
    names: list[str] = []
    block: list[str] | None = None
    indent = ""
    for line in source.split("\n"):
        marker = line.strip()
        if marker == BEGIN:
            if block is not None:
                raise ReleaseError(f"{where}: '{BEGIN}' inside another solution block")
            block, indent = [], _indent_of(line)
            continue
        if marker == END:
            if block is None:
                raise ReleaseError(f"{where}: '{END}' without a '{BEGIN}' before it")
            out.extend(_placeholder(block, indent, names, where))
            block = None
            continue
        if block is not None:
            block.append(line)
        else:
            out.append(line)
    if block is not None:
        raise ReleaseError(f"{where}: '{BEGIN}' without a matching '{END}'")
    student = _tidy_blank_lines(out)
    try:
        ast.parse(_python_only(student))
    except SyntaxError as err:
        raise ReleaseError(
            f"{where}: the student version is not valid Python ({err.msg}, line {err.lineno}):"
            f"\n{student}"
        ) from None
    return student, names


def _placeholder(block: list[str], indent: str, names: list[str], where: str) -> list[str]:
    student_lines = [line for line in block if line.strip().startswith(STUDENT)]
    solution = "\n".join(line for line in block if not line.strip().startswith(STUDENT))
    try:
        code = textwrap.dedent(solution)
        tree = ast.parse(_python_only(code))
    except SyntaxError as err:
        raise ReleaseError(f"{where}: the solution block is not valid Python ({err.msg})") from None
    if student_lines:
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.append(node.name)
            else:
                names.extend(n for n in _stored_names(node) if n not in names)
        result = []
        for line in student_lines:
            head, _, rest = line.partition(STUDENT)
            result.append(head + (rest[1:] if rest.startswith(" ") else rest))
        return result
    if indent:
        raise ReleaseError(
            f"{where}: an indented solution block needs '{STUDENT}' lines giving its "
            "placeholder (e.g. '# STUDENT: return ...')"
        )
    lines, bound = _auto_placeholder(_python_only(code))
    names.extend(n for n in bound if n not in names)
    return lines


# ----------------------------------------------------------------------- checks and names


def _exercise_aliases(nb) -> dict[str, str]:
    """alias -> exercise module name (``ex01``), from the notebook's imports."""
    aliases: dict[str, str] = {}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(_python_only(cell.source))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "cvcourse.exercises":
                for item in node.names:
                    aliases[item.asname or item.name] = item.name
            elif isinstance(node, ast.Import):
                for item in node.names:
                    if item.name.startswith("cvcourse.exercises.") and item.asname:
                        aliases[item.asname] = item.name.rsplit(".", 1)[1]
    return aliases


def _check_calls(source: str, aliases: dict[str, str]) -> list[tuple[str, str]]:
    """(module, question) of each ``alias.qN.check(...)`` call in the source, in order."""
    try:
        tree = ast.parse(_python_only(source))
    except SyntaxError:
        return []
    calls = []
    for node in ast.walk(tree):
        func = getattr(node, "func", None)
        if (
            isinstance(node, ast.Call)
            and isinstance(func, ast.Attribute)
            and func.attr == "check"
            and isinstance(func.value, ast.Attribute)
            and isinstance(func.value.value, ast.Name)
            and func.value.value.id in aliases
        ):
            calls.append((node.lineno, node.col_offset, func.value.value.id, func.value.attr))
    return [(aliases[alias], question) for _, _, alias, question in sorted(calls)]


def _not_attempted_outputs(calls, where: str) -> list:
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
    aliases = _exercise_aliases(student)
    for index, cell in enumerate(student.cells):
        if cell.cell_type != "code":
            continue
        where = f"{label}, cell {index}"
        if any(line.strip() == BEGIN for line in cell.source.split("\n")):
            cell.source, _ = strip_solutions(cell.source, where=where)
        outputs = _not_attempted_outputs(_check_calls(cell.source, aliases), where)
        if outputs and cell.get("execution_count") is not None:
            cell.outputs = outputs  # compared by nbval: every check says "not attempted"
        else:
            cell.outputs, cell.execution_count = [], None  # nbval only checks that it runs
        cell.metadata.pop("execution", None)  # the solution run's timestamps
    student.metadata["cvcourse"] = {"student_copy": True}
    if source_name:
        student.metadata["cvcourse"]["source"] = source_name
    import nbformat

    nbformat.validate(student)
    return student


def _dumps(nb) -> str:
    import nbformat

    text = nbformat.writes(nb, version=4)
    return text if text.endswith("\n") else text + "\n"


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    os.replace(tmp, path)


def release(notebooks_dir: Path, student_dir: Path, *, check: bool = False) -> list[Path]:
    """Write (or, with ``check=True``, only compare) the student copy of every notebook.

    Each copy is also tidied (:mod:`cvcourse.tools.tidy`: its own Colab link, normalised
    metadata). Without ``check``: writes ``student_dir/NN_*.ipynb`` for every
    ``notebooks_dir/NN_*.ipynb`` whose copy is missing or differs, deletes student copies
    whose solution notebook no longer exists, and returns the paths it wrote or deleted.
    With ``check``: writes nothing and returns the stale paths (missing, different, or
    without a solution notebook); an empty list means everything is up to date.
    """
    import nbformat

    from . import tidy

    notebooks_dir, student_dir = Path(notebooks_dir), Path(student_dir)
    if not notebooks_dir.is_dir():
        raise FileNotFoundError(f"{notebooks_dir} is not a folder of notebooks")
    expected: dict[Path, str] = {}
    for source in sorted(notebooks_dir.glob(NOTEBOOK_GLOB)):
        nb = nbformat.read(source, as_version=4)
        target = student_dir / source.name
        try:  # the copy's own path in the repository, for its "Open in Colab" link
            relative = target.resolve().relative_to(notebooks_dir.resolve().parent).as_posix()
        except ValueError:
            relative = f"notebooks/student/{source.name}"
        copy = tidy.tidy(make_student_copy(nb, source_name=source.name), relative)
        expected[target] = _dumps(copy)
    orphans = (
        [p for p in sorted(student_dir.glob(NOTEBOOK_GLOB)) if p not in expected]
        if student_dir.is_dir()
        else []
    )
    changed = [
        path
        for path, text in expected.items()
        if not path.is_file() or path.read_text(encoding="utf-8") != text
    ]
    if check:
        return changed + orphans
    student_dir.mkdir(parents=True, exist_ok=True)
    for path in changed:
        _write_atomic(path, expected[path])
    for path in orphans:
        path.unlink()
    return changed + orphans
