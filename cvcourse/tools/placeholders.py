"""The student version of a cell: each solution block replaced by a placeholder that runs.

- By default the placeholder is derived from the code: imports are kept, every name the
  block assigns becomes ``name = ...`` and every function it defines keeps its signature
  and docstring with the body ``return ...`` (the convention of
  :mod:`cvcourse.exercises.core`, whose checks then report *not attempted*);
- when the block contains lines starting with ``# STUDENT:``, exactly those lines with the
  marker removed (a scaffold, e.g. a dict whose values are ``...``). A block indented
  inside a function needs such lines.
"""

from __future__ import annotations

import ast
import textwrap

from .markers import STUDENT, Block, ReleaseError, python_only, split_blocks

PLACEHOLDER_COMMENT = "# YOUR CODE HERE: replace each ... with your answer"


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
    """The lines of a function's placeholder: its signature, its docstring, ``return ...``."""
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


def _placeholder(block: Block, names: list[str], where: str) -> list[str]:
    """The lines that replace one block; adds the names it binds to ``names``."""
    student_lines = [line for line in block.lines if line.strip().startswith(STUDENT)]
    solution = "\n".join(line for line in block.lines if not line.strip().startswith(STUDENT))
    try:
        code = textwrap.dedent(solution)
        tree = ast.parse(python_only(code))
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
    if block.indent:
        raise ReleaseError(
            f"{where}: an indented solution block needs '{STUDENT}' lines giving its "
            "placeholder (e.g. '# STUDENT: return ...')"
        )
    lines, bound = _auto_placeholder(python_only(code))
    names.extend(n for n in bound if n not in names)
    return lines


def strip_solutions(source: str, *, where: str = "cell") -> tuple[str, list[str]]:
    """The student version of one cell's source (str), and the names its solutions bind.

    Raises :class:`~cvcourse.tools.markers.ReleaseError` (naming ``where``) for unbalanced
    markers, an indented block without ``# STUDENT:`` lines, or a result that is not valid
    Python.
    """
    out: list[str] = []
    names: list[str] = []
    for part in split_blocks(source, where=where):
        if isinstance(part, Block):
            out.extend(_placeholder(part, names, where))
        else:
            out.append(part)
    student = _tidy_blank_lines(out)
    try:
        ast.parse(python_only(student))
    except SyntaxError as err:
        raise ReleaseError(
            f"{where}: the student version is not valid Python ({err.msg}, line {err.lineno}):"
            f"\n{student}"
        ) from None
    return student, names
