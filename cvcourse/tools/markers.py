"""Reading a solution notebook's code: solution blocks, exercise imports and check calls.

Solution code sits between a ``# BEGIN SOLUTION`` line and an ``# END SOLUTION`` line in a
code cell (lines starting with ``# STUDENT:`` inside give the student copy's placeholder,
see :mod:`cvcourse.tools.placeholders`). A notebook imports its exercise module as
``from cvcourse.exercises import ex01 as ex`` and checks an answer with ``ex.q1.check(...)``.
:mod:`cvcourse.tools.release` and :mod:`cvcourse.tools.solutions` read cells only through
these functions.
"""

from __future__ import annotations

import ast
import textwrap
from dataclasses import dataclass

BEGIN = "# BEGIN SOLUTION"
END = "# END SOLUTION"
STUDENT = "# STUDENT:"


class ReleaseError(ValueError):
    """A solution notebook's solution markers cannot be turned into a student copy."""


@dataclass
class Block:
    """One solution block: its ``lines`` between the markers and the markers' ``indent``."""

    lines: list[str]
    indent: str

    def solution_code(self) -> str:
        """The block's solution: dedented, without ``# STUDENT:`` lines or blank ends (str)."""
        kept = [line for line in self.lines if not line.strip().startswith(STUDENT)]
        return textwrap.dedent("\n".join(kept)).strip("\n")


def python_only(source: str) -> str:
    """The cell's source with IPython magics and shell lines blanked, for the ast module."""
    return "\n".join(
        "" if line.lstrip().startswith(("%", "!")) else line for line in source.split("\n")
    )


def has_solution(source: str) -> bool:
    """True when a cell's source (str) has a ``# BEGIN SOLUTION`` line."""
    return any(line.strip() == BEGIN for line in source.split("\n"))


def split_blocks(source: str, *, where: str = "cell") -> list[str | Block]:
    """A cell's source as a list of its lines outside solution blocks (str) and its blocks.

    Raises :class:`ReleaseError` naming ``where`` for a ``BEGIN`` inside a block, an
    ``END`` without a ``BEGIN`` or a ``BEGIN`` without its ``END``.
    """
    parts: list[str | Block] = []
    block: Block | None = None
    for line in source.split("\n"):
        marker = line.strip()
        if marker == BEGIN:
            if block is not None:
                raise ReleaseError(f"{where}: '{BEGIN}' inside another solution block")
            block = Block([], line[: len(line) - len(line.lstrip())])
        elif marker == END:
            if block is None:
                raise ReleaseError(f"{where}: '{END}' without a '{BEGIN}' before it")
            parts.append(block)
            block = None
        elif block is not None:
            block.lines.append(line)
        else:
            parts.append(line)
    if block is not None:
        raise ReleaseError(f"{where}: '{BEGIN}' without a matching '{END}'")
    return parts


def exercise_aliases(nb) -> dict[str, str]:
    """alias -> exercise module name (``{"ex": "ex01"}``), from a notebook's imports."""
    aliases: dict[str, str] = {}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        try:
            tree = ast.parse(python_only(cell.source))
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


def check_calls(source: str, aliases: dict[str, str]) -> list[tuple[str, str]]:
    """(module, question) of each ``alias.qN.check(...)`` call in ``source``, in reading order.

    ``aliases`` comes from :func:`exercise_aliases`; a source that is not valid Python
    has no calls.
    """
    try:
        tree = ast.parse(python_only(source))
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
