"""The checker core: questions, results, and how they are shown and read back.

In a notebook a student writes::

    from cvcourse.exercises import ex01 as ex
    ex.q1.check(my_kernels)   # correct / incorrect (with the reason) / not attempted
    ex.q1.hint()
    ex.q1.solution()

Writing a question
    Subclass :class:`Question`, set ``notebook``, ``name``, ``title``, ``usage``,
    ``hint_text`` and ``solution_text``, and implement ``check_answer(self, <answer>)``.
    It looks only at public behaviour (shapes, values, layer types, predictions, what a
    function returns) and either returns (correct; optionally a message to show), raises
    :class:`Incorrect` with a reason a student understands, or raises
    :class:`NotAttempted`. Any other exception, whether from the student's code or from the
    checker, is caught and reported as incorrect with a readable reason: ``check()`` never
    raises into the notebook. Call the student's functions through :func:`call_student`.
    List a notebook's questions in its module: ``QUESTIONS = [q1, q2, q3]``.

The placeholder convention (*not attempted*)
    The placeholder is Python's ``...`` (Ellipsis). Solution code sits between
    ``# BEGIN SOLUTION`` and ``# END SOLUTION``; ``cvcourse release`` (see
    :mod:`cvcourse.tools.release`) replaces it in the student copy by a placeholder that still
    runs: every name the solution assigns becomes ``name = ...`` and every function it
    defines keeps its signature (and docstring) with the body ``return ...``. A checker
    therefore reports *not attempted* when the answer is ``...``, when the student's
    function returns ``...``, or when every part of an answer made of parts (a list of
    shapes, a dict of kernels) is still ``...``. Code after an exercise must not use the
    answers (or must skip the ``...`` ones), so the student copy runs top to bottom.

Output
    ``check()`` shows its result as coloured HTML in Jupyter and as one line of text
    elsewhere. In Jupyter it also publishes the result as JSON under the mimetype
    :data:`MIMETYPE` (``{"notebook", "question", "status", "message"}``), so that
    :func:`results_from_notebook` (used by ``cvcourse grade``) can score an executed
    notebook from its outputs. Taught from notebook 00 on.
"""

from __future__ import annotations

import enum
import html
import inspect
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

MIMETYPE = "application/vnd.cvcourse.check+json"
PLACEHOLDER = ...

NOT_ATTEMPTED_MESSAGE = (
    "Replace the ... placeholder(s) in the exercise cell with your answer, then run the cell again."
)


class Status(str, enum.Enum):
    """The three outcomes of a check."""

    CORRECT = "correct"
    INCORRECT = "incorrect"
    NOT_ATTEMPTED = "not_attempted"

    @property
    def label(self) -> str:
        return {"correct": "Correct", "incorrect": "Incorrect", "not_attempted": "Not attempted"}[
            self.value
        ]


_COLORS = {
    Status.CORRECT: ("#1a7f37", "#e6f4ea"),
    Status.INCORRECT: ("#b42318", "#fdecea"),
    Status.NOT_ATTEMPTED: ("#57606a", "#f2f3f5"),
}


class Incorrect(Exception):
    """Raised by a checker: the answer is wrong, and the message says why in plain words."""


class NotAttempted(Exception):
    """Raised by a checker: the answer is still the placeholder ``...``."""


@dataclass(frozen=True)
class Result:
    """One check's outcome: which question, its status and a message for the student."""

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
class _Note:
    """A hint or a solution, shown as HTML in Jupyter and as text elsewhere."""

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


def _show(obj) -> None:
    """Display ``obj`` (a Result or a note): rich output under IPython, text elsewhere."""
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


# ------------------------------------------------------------------- checker helpers


def is_placeholder(value) -> bool:
    """True for the student copy's placeholder ``...``."""
    return value is PLACEHOLDER


def describe(value) -> str:
    """A short description of a value for messages: "an array of shape (3, 3)", "None"..."""
    if value is None:
        return "None"
    if value is PLACEHOLDER:
        return "the placeholder ..."
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        kind = "a tensor" if hasattr(value, "numpy") else "an array"
        return f"{kind} of shape {tuple(value.shape)} and dtype {np.dtype(value.dtype).name}"
    if isinstance(value, (list, tuple, dict, set)):
        n = len(value)
        return f"a {type(value).__name__} of {n} item{'s' if n != 1 else ''}"
    if isinstance(value, str):
        return f"the text {value[:40]!r}"
    if callable(value):
        return f"the function {getattr(value, '__name__', type(value).__name__)}"
    return f"a {type(value).__name__} ({value!r})"[:80]


def as_array(value, what: str = "your answer", *, allow_placeholder: bool = False) -> np.ndarray:
    """``value`` (array, tensor, nested list) as a NumPy array of numbers, or :class:`Incorrect`."""
    if value is PLACEHOLDER and not allow_placeholder:
        raise NotAttempted()
    if value is None:
        raise Incorrect(f"{what} is None: did the code that computes it forget to return it?")
    if hasattr(value, "numpy") and callable(value.numpy):
        try:
            value = value.numpy()
        except Exception as err:  # noqa: BLE001
            raise Incorrect(f"{what} could not be read as numbers ({err}).") from None
    if isinstance(value, (str, bytes, dict, set)) or callable(value):
        raise Incorrect(f"{what} should be an array of numbers, but it is {describe(value)}.")
    try:
        arr = np.asarray(value)
    except Exception as err:  # noqa: BLE001 - ragged lists and the like
        raise Incorrect(f"{what} could not be turned into an array of numbers ({err}).") from None
    if arr.dtype.kind not in "biuf":
        raise Incorrect(f"{what} should hold numbers, but it is {describe(value)}.")
    return arr


def _describe_args(args, kwargs) -> str:
    parts = [describe(a) for a in args] + [f"{k}={describe(v)}" for k, v in kwargs.items()]
    return ", ".join(parts) if parts else "no arguments"


def call_student(fn, *args, what: str | None = None, **kwargs):
    """Call the student's function; a crash becomes :class:`Incorrect`, ``...`` NotAttempted.

    Arrays passed in are copied first, so a function that changes its input in place cannot
    spoil the checker's own data.
    """
    name = what or f"your function {getattr(fn, '__name__', '')}".rstrip()
    if fn is PLACEHOLDER:
        raise NotAttempted()
    if not callable(fn):
        raise Incorrect(f"expected a function, but got {describe(fn)}.")
    args = tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)
    try:
        out = fn(*args, **kwargs)
    except Exception as err:  # noqa: BLE001 - the student's bug, reported in words
        raise Incorrect(
            f"{name} raised {type(err).__name__}: {err} "
            f"(called with {_describe_args(args, kwargs)})."
        ) from None
    if out is PLACEHOLDER:
        raise NotAttempted()
    return out


# ------------------------------------------------------------------------- questions


class Question:
    """One exercise question. Subclasses implement :meth:`check_answer`; see the module doc."""

    notebook: ClassVar[str] = ""
    name: ClassVar[str] = ""
    title: ClassVar[str] = ""
    usage: ClassVar[str] = ""  # how to call the check, e.g. "ex.q1.check(my_kernels)"
    hint_text: ClassVar[str] = ""
    solution_text: ClassVar[str] = ""
    correct_message: ClassVar[str] = "Well done."

    def check_answer(self, *args, **kwargs) -> str | None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _result(self, status: Status, message: str) -> Result:
        return Result(self.notebook, self.name, status, message, self.title)

    def not_attempted_result(self) -> Result:
        """What a check of the untouched student copy shows."""
        return self._result(Status.NOT_ATTEMPTED, NOT_ATTEMPTED_MESSAGE)

    def evaluate(self, *args, **kwargs) -> Result:
        """Check an answer and return the :class:`Result` without showing it (for tests)."""
        try:
            bound = inspect.signature(self.check_answer).bind(*args, **kwargs)
        except TypeError:
            usage = self.usage or f"ex.{self.name}.check(...)"
            return self._result(
                Status.INCORRECT, f"the check was called the wrong way: call it as {usage}."
            )
        values = list(bound.arguments.values())
        if values and all(v is PLACEHOLDER for v in values):
            return self.not_attempted_result()
        try:
            message = self.check_answer(*bound.args, **bound.kwargs)
        except NotAttempted:
            return self.not_attempted_result()
        except Incorrect as err:
            return self._result(Status.INCORRECT, str(err))
        except Exception as err:  # noqa: BLE001 - a check never raises into the notebook
            return self._result(
                Status.INCORRECT,
                f"your answer could not be checked ({type(err).__name__}: {err}). "
                "Make sure it has the form the question asks for.",
            )
        return self._result(Status.CORRECT, message or self.correct_message)

    def check(self, *args, **kwargs) -> None:
        """Check an answer and show the result; never raises into the notebook."""
        try:
            result = self.evaluate(*args, **kwargs)
        except Exception as err:  # noqa: BLE001 - belt and braces
            result = self._result(Status.INCORRECT, f"the check failed ({err}).")
        _show(result)

    def hint(self) -> None:
        """Show a hint."""
        _show(_Note(f"Hint for {self.name}", self.hint_text or "No hint for this question."))

    def solution(self) -> None:
        """Show a solution (try the question first!)."""
        _show(_Note(f"Solution to {self.name}", self.solution_text.strip(), code=True))

    def __repr__(self) -> str:
        return f"<question {self.notebook} {self.name}: {self.title}>"


# ---------------------------------------------------------------------------- grading


def _question_order(name: str):
    digits = re.findall(r"\d+", name)
    return (int(digits[0]) if digits else 0, name)


def results_from_notebook(nb, questions=None) -> dict[str, Result]:
    """The check results recorded in an executed notebook, by question (last one wins).

    ``nb`` is an nbformat notebook (or a dict, or a path to an .ipynb). With
    ``questions`` (e.g. ``ex01.QUESTIONS``), questions never checked are included as
    *not attempted*. Ordered q1, q2, ... For ``cvcourse grade``.
    """
    from ..results import custom_outputs

    if isinstance(nb, (str, Path)):
        import nbformat

        nb = nbformat.read(str(nb), as_version=4)
    found: dict[str, Result] = {}
    for _, payload in custom_outputs(nb, MIMETYPE):
        try:
            result = Result.from_dict(payload)
        except (KeyError, ValueError, TypeError, AttributeError):
            continue  # a damaged record counts as no record
        found[result.question] = result
    for q in questions or []:
        found.setdefault(q.name, q.not_attempted_result())
    return {name: found[name] for name in sorted(found, key=_question_order)}
