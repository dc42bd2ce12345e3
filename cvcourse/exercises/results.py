"""What a check answers, and how it is shown: :class:`Status`, :class:`Result`, notes.

``check()`` shows its :class:`Result` as coloured HTML in Jupyter and as one line of text
elsewhere. In Jupyter it also publishes the result as JSON under the mimetype
:data:`MIMETYPE` (``{"notebook", "question", "status", "message"}``), so that
:func:`cvcourse.exercises.core.results_from_notebook` can summarise an executed notebook
(``cvcourse grade`` judges exported answers itself instead). :attr:`Status.ERROR` is
``cvcourse grade``'s verdict for a question whose check cell raised before the check ran.
Taught from notebook 00 on.
"""

from __future__ import annotations

import enum
import html
from dataclasses import dataclass
from typing import Any

MIMETYPE = "application/vnd.cvcourse.check+json"
PLACEHOLDER = ...  # what the student copy puts where an answer goes

NOT_ATTEMPTED_MESSAGE = (
    "Replace the ... placeholder(s) in the exercise cell with your answer, then run the cell again."
)


class Incorrect(Exception):
    """Raised by a checker: the answer is wrong, and the message says why in plain words."""


class NotAttempted(Exception):
    """Raised by a checker: the answer is still the placeholder ``...``."""


class Status(str, enum.Enum):
    """The outcomes of a check (``ERROR`` only in ``cvcourse grade``)."""

    CORRECT = "correct"
    INCORRECT = "incorrect"
    NOT_ATTEMPTED = "not_attempted"
    ERROR = "error"  # cvcourse grade: the check's cell raised before the check ran

    @property
    def label(self) -> str:
        """The outcome as a student reads it: "Correct", "Incorrect", "Not attempted"..."""
        return {
            "correct": "Correct",
            "incorrect": "Incorrect",
            "not_attempted": "Not attempted",
            "error": "Error",
        }[self.value]


_COLORS = {
    Status.CORRECT: ("#1a7f37", "#e6f4ea"),
    Status.INCORRECT: ("#b42318", "#fdecea"),
    Status.NOT_ATTEMPTED: ("#57606a", "#f2f3f5"),
    Status.ERROR: ("#9a6700", "#fff8c5"),
}


@dataclass(frozen=True)
class Result:
    """One check's outcome: which notebook and question, its status and a message."""

    notebook: str
    question: str
    status: Status
    message: str
    title: str = ""

    @property
    def correct(self) -> bool:
        return self.status is Status.CORRECT

    def to_dict(self) -> dict[str, str]:
        """The machine-readable record published under :data:`MIMETYPE`."""
        return {
            "notebook": self.notebook,
            "question": self.question,
            "status": self.status.value,
            "message": self.message,
        }

    @classmethod
    def from_dict(cls, data: dict) -> Result:
        """The inverse of :meth:`to_dict`; KeyError/ValueError for a damaged record."""
        return cls(
            notebook=str(data.get("notebook", "")),
            question=str(data["question"]),
            status=Status(data["status"]),
            message=str(data.get("message", "")),
        )

    def _heading(self) -> str:
        return f"{self.question}" + (f" ({self.title})" if self.title else "")

    def text(self) -> str:
        """One line of plain text, as shown outside Jupyter."""
        return f"{self.status.label} - {self._heading()}: {self.message}"

    def html(self) -> str:
        """A coloured box, as shown in Jupyter."""
        fg, bg = _COLORS[self.status]
        return (
            f'<div style="border-left: 6px solid {fg}; background: {bg}; color: #1f2328; '
            f'padding: 6px 10px; margin: 4px 0;">'
            f'<b style="color: {fg};">{self.status.label}</b> &middot; '
            f"{html.escape(self._heading())}: {html.escape(self.message)}</div>"
        )

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, Any]:
        return {"text/plain": self.text(), "text/html": self.html(), MIMETYPE: self.to_dict()}

    def __str__(self) -> str:
        return self.text()

    def __repr__(self) -> str:
        return self.text()


@dataclass(frozen=True)
class Note:
    """A hint or a solution: ``heading`` and ``body`` (code when ``code``), HTML or text."""

    heading: str
    body: str
    code: bool = False

    def text(self) -> str:
        return f"{self.heading}:\n{self.body}"

    def html(self) -> str:
        body = html.escape(self.body)
        body = f"<pre><code>{body}</code></pre>" if self.code else f"<p>{body}</p>"
        return (
            '<div style="border-left: 6px solid #0969da; background: #eef4fc; color: #1f2328; '
            f'padding: 6px 10px; margin: 4px 0;"><b>{html.escape(self.heading)}</b>{body}</div>'
        )

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, str]:
        return {"text/plain": self.text(), "text/html": self.html()}

    def __repr__(self) -> str:
        return self.text()


def show(obj: Result | Note) -> None:
    """Display a Result or a Note: rich output under IPython, one text line elsewhere."""
    try:
        from IPython import get_ipython

        shell = get_ipython()
    except Exception:  # noqa: BLE001 - no IPython: plain text
        shell = None
    if shell is None:
        print(obj.text())
        return
    try:
        from IPython.display import display

        display(obj._repr_mimebundle_(), raw=True)
    except Exception:  # noqa: BLE001 - never raise into the notebook
        print(obj.text())
