"""What ``cvcourse grade`` writes: the grade table (CSV, Markdown) and a feedback page per submission.

The table has one row per submission and one column per question (``correct``,
``incorrect``, ``not attempted``, ``error``), then the points scored, the points possible,
the percentage, the seconds the submission took (kernel and judge), the sandbox it ran in
and a note (the first error, a timeout...). A feedback page (:func:`feedback_page`) shows
one submission's verdicts with each question's message, for the student.
"""

from __future__ import annotations

import csv
import html
import io

from ..exercises.results import Status
from .tables import markdown_table

LABELS = {
    Status.CORRECT: "correct",
    Status.INCORRECT: "incorrect",
    Status.NOT_ATTEMPTED: "not attempted",
    Status.ERROR: "error",
}
NUMBERS = {"points", "out of", "percent", "seconds"}


def number(value: float) -> str:
    """A number of points as text: "2", "1.5"."""
    return f"{value:g}"


def _columns(subs) -> list[tuple[str, str]]:
    """(notebook number, question) columns, in notebook then question order."""
    from .judge import question_list

    columns: list[tuple[str, str]] = []
    for nb in sorted({s.number for s in subs if s.number}):
        try:
            names = [q.name for q in question_list(nb)]
        except ValueError:
            names = []
        for s in subs:
            if s.number == nb:
                names += [q for q in s.results if q not in names]
        columns += [(nb, q) for q in names]
    return columns


def table(subs) -> tuple[list[str], list[list[str]]]:
    """(header, rows) of the grade table for a list of :class:`~cvcourse.tools.grade.Submission`."""
    columns = _columns(subs)
    several = len({nb for nb, _ in columns}) > 1
    header = ["submission", "notebook", "status"]
    header += [f"{nb} {q}" if several else q for nb, q in columns]
    header += ["points", "out of", "percent", "seconds", "sandbox", "note"]
    rows = []
    for s in subs:
        cells = []
        for nb, q in columns:
            result = s.results.get(q) if s.number == nb else None
            cells.append(LABELS[result.status] if result is not None else "")
        graded = bool(s.results)
        rows.append(
            [s.name, s.notebook, s.status, *cells]
            + [
                number(s.points),
                number(s.total) if graded else "",
                f"{s.percent:.0f}" if graded else "",
                f"{s.seconds:.1f}" if graded else "",
                s.sandbox,
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
    table_text = markdown_table(header, rows, right=NUMBERS)
    return (f"# {title}\n\n" if title else "") + table_text + "\n"


_COLOURS = {
    Status.CORRECT: "#1a7f37",
    Status.INCORRECT: "#b42318",
    Status.NOT_ATTEMPTED: "#57606a",
    Status.ERROR: "#9a6700",
}


def feedback_page(sub) -> str:
    """One submission's feedback as a standalone HTML page (every text escaped)."""
    e = html.escape
    rows = []
    for name, result in sub.results.items():
        got = sub.points_of(name)
        rows.append(
            f"<tr><td>{e(name)}</td><td>{e(result.title)}</td>"
            f'<td style="color:{_COLOURS[result.status]}"><b>{e(result.status.label)}</b></td>'
            f"<td>{number(got)} / {number(sub.max_points.get(name, 1))}</td>"
            f"<td>{e(result.message)}</td></tr>"
        )
    score = (
        f"{number(sub.points)} of {number(sub.total)} points ({sub.percent:.0f}%)"
        if sub.results
        else "not graded"
    )
    note = f"<p>Note: {e(sub.note)}</p>" if sub.note else ""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>Feedback: {e(sub.name)}</title>"
        "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto;color:#1f2328}"
        "table{border-collapse:collapse}td,th{border:1px solid #d0d7de;padding:4px 8px;"
        "vertical-align:top;text-align:left}</style></head><body>"
        f"<h1>Feedback: {e(sub.name)}</h1>"
        f"<p>Notebook {e(sub.notebook or 'unknown')} &middot; run: {e(sub.status)} &middot; "
        f"<b>{e(score)}</b></p>{note}"
        "<table><tr><th>question</th><th>topic</th><th>verdict</th><th>points</th>"
        f"<th>message</th></tr>{''.join(rows)}</table></body></html>\n"
    )
