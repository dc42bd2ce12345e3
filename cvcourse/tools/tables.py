"""Markdown tables: the one writer behind build's ``results.md``, grade's ``grades.md`` and
the README's syllabus and results tables."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence


def _cell(value) -> str:
    """One cell's text: ``str(value)`` on one line, ``|`` escaped, "-" when empty."""
    text = " ".join(str(value).splitlines()).replace("|", "\\|")
    return text or "-"


def markdown_table(
    header: Sequence[str], rows: Iterable[Sequence], *, right: Collection[str] = ()
) -> str:
    """A GitHub-flavoured Markdown table; the lines joined by ``\\n``, no newline at the end.

    Takes the column names ``header`` (strings), ``rows`` (sequences of values, one per
    column, each shown with ``str``; an empty cell shows "-", a ``|`` is escaped, a newline
    becomes a space) and ``right``, the names of the columns to right-align (numbers).
    Raises ``ValueError`` when a row has a different number of cells than the header or
    ``right`` names a column that is not in it.
    """
    header = list(header)
    unknown = [name for name in right if name not in header]
    if unknown:
        raise ValueError(f"right-aligned column(s) {unknown} are not in the header {header}")
    lines = [
        "| " + " | ".join(_cell(h) for h in header) + " |",
        "| " + " | ".join("---:" if h in right else "---" for h in header) + " |",
    ]
    for number, row in enumerate(rows, 1):
        row = list(row)
        if len(row) != len(header):
            raise ValueError(
                f"row {number} has {len(row)} cells but the header has {len(header)}: {row}"
            )
        lines.append("| " + " | ".join(_cell(c) for c in row) + " |")
    return "\n".join(lines)
