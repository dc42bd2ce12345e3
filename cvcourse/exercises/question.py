"""The question base class, calling student code under a time limit, hints and solutions.

A question looks only at public behaviour (shapes, values, layer types, predictions, what
a function returns). Its check either returns (correct; optionally a message), raises
:class:`Incorrect` with a reason a student understands, or raises :class:`NotAttempted`.
Any other exception, whether from the student's code or from the checker, is caught and
reported as incorrect: ``check()`` never raises into the notebook. Student functions are
called through :func:`call_student`, which also stops them after a time limit. Most
questions are declared with a kind of check (:mod:`~cvcourse.exercises.answers`) rather
than written as a subclass. Taught from notebook 00 on.
"""

from __future__ import annotations

import inspect
import os

import numpy as np

from . import exports, solutions
from .limits import Interrupts, TimeLimitExceeded, capped, student_exit, time_limit
from .parsers import describe
from .results import (
    NOT_ATTEMPTED_MESSAGE,
    PLACEHOLDER,
    Incorrect,
    NotAttempted,
    Note,
    Result,
    Status,
    show,
)


def apply_settings(obj, settings: dict) -> None:
    """Set each keyword setting on ``obj``; a name its class does not declare is a TypeError."""
    for key, value in settings.items():
        if key.startswith("_") or not hasattr(type(obj), key):
            raise TypeError(
                f"{type(obj).__name__} has no setting {key!r}: check its spelling "
                "against the class's documented settings."
            )
        setattr(obj, key, value)


STUDENT_TIME_LIMIT = 60.0  # seconds one call of a student's function may take


def _describe_args(args, kwargs) -> str:
    parts = [describe(a) for a in args] + [f"{k}={describe(v)}" for k, v in kwargs.items()]
    return ", ".join(parts) if parts else "no arguments"


def call_student(fn, *args, what: str | None = None, limit: float | None = None, **kwargs):
    """Call the student's function ``fn(*args, **kwargs)`` and return what it returns.

    ``...`` (the function itself or what it returns) raises NotAttempted; a function that
    raises, or runs longer than ``limit`` seconds (default :data:`STUDENT_TIME_LIMIT`),
    raises :class:`Incorrect` naming ``what`` and the error. Arrays passed in are copied
    first, so a function that changes its input cannot spoil the checker's own data.
    """
    name = what or f"your function {getattr(fn, '__name__', '')}".rstrip()
    if fn is PLACEHOLDER:
        raise NotAttempted()
    if not callable(fn):
        raise Incorrect(f"expected a function, but got {describe(fn)}.")
    args = tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)
    seconds = capped(STUDENT_TIME_LIMIT if limit is None else limit)
    try:
        with Interrupts.watch(), time_limit(seconds):
            out = fn(*args, **kwargs)
    except TimeLimitExceeded:
        raise Incorrect(
            f"{name} did not finish within {seconds:g} seconds (called with "
            f"{_describe_args(args, kwargs)}): is there a loop that never ends?"
        ) from None
    except Exception as err:  # noqa: BLE001 - the student's bug, reported in words
        raise Incorrect(
            f"{name} raised {type(err).__name__}: {err} "
            f"(called with {_describe_args(args, kwargs)})."
        ) from None
    except (SystemExit, KeyboardInterrupt) as err:
        raise Incorrect(f"{name} {student_exit(err)}.") from None
    if out is PLACEHOLDER:
        raise NotAttempted()
    return out


class Question:
    """One exercise question: ``check``, ``hint`` and ``solution`` for the notebook.

    Settings (class attributes, or keyword arguments to the constructor): ``notebook``
    ("01"), ``notebook_name`` ("01_convolution_relu_pooling", named where no solution text
    is installed), ``name`` ("q1", also its attribute name in the module ``ex01``),
    ``title``, ``usage`` ("ex.q1.check(my_kernels)"), ``hints`` (one text, or several for
    ``hint(2)``...), ``correct_message`` and ``points`` (what a correct answer scores in
    ``cvcourse grade``, default 1). A subclass implements :meth:`check_answer`.
    """

    notebook: str = ""
    notebook_name: str = ""
    name: str = ""
    title: str = ""
    usage: str = ""
    hints: str | tuple[str, ...] = ""
    correct_message: str = "Well done."
    points: float = 1

    def __init__(self, **settings):
        apply_settings(self, settings)

    # --------------------------------------------------------------- to implement

    def check_answer(self, *args, **kwargs) -> str | None:  # pragma: no cover - abstract
        raise NotImplementedError

    def signature(self) -> inspect.Signature:
        """The arguments that ``check`` takes (by default those of :meth:`check_answer`)."""
        return inspect.signature(self.check_answer)

    def answer_names(self) -> tuple[str, ...]:
        """The arguments that are answers; all of them ``...`` means *not attempted*."""
        return tuple(self.signature().parameters)

    def judge(self, arguments: dict) -> str | None:
        """Judge the bound arguments (name -> value); by default calls check_answer."""
        return self.check_answer(**arguments)

    # ---------------------------------------------------------------- the student's API

    def _result(self, status: Status, message: str) -> Result:
        return Result(self.notebook, self.name, status, message, self.title)

    def not_attempted_result(self) -> Result:
        """What a check of the untouched student copy shows."""
        return self._result(Status.NOT_ATTEMPTED, NOT_ATTEMPTED_MESSAGE)

    def evaluate(self, *args, **kwargs) -> Result:
        """Check an answer and return the :class:`Result` without showing it (for tests)."""
        try:
            bound = self.signature().bind(*args, **kwargs)
        except TypeError:
            usage = self.usage or f"ex.{self.name}.check(...)"
            return self._result(
                Status.INCORRECT, f"the check was called the wrong way: call it as {usage}."
            )
        bound.apply_defaults()
        arguments = dict(bound.arguments)
        answers = [arguments[n] for n in self.answer_names() if n in arguments]
        if answers and all(v is PLACEHOLDER for v in answers):
            return self.not_attempted_result()
        try:
            with Interrupts.watch():
                message = self.judge(arguments)
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
        except (SystemExit, KeyboardInterrupt) as err:
            return self._result(Status.INCORRECT, f"your code {student_exit(err)}.")
        return self._result(Status.CORRECT, message or self.correct_message)

    def check(self, *args, **kwargs) -> None:
        """Check an answer and show the result; never raises into the notebook.

        Under ``cvcourse grade`` (``CVCOURSE_GRADE_EXPORT`` names a folder) the answer is
        written there for the grader's own judge instead (:mod:`~cvcourse.exercises.exports`).
        """
        if os.environ.get(exports.EXPORT_VARIABLE):
            show(exports.export_check(self, args, kwargs))
            return
        try:
            result = self.evaluate(*args, **kwargs)
        except Exception as err:  # noqa: BLE001 - belt and braces
            result = self._result(Status.INCORRECT, f"the check failed ({err}).")
        show(result)

    def hint_texts(self) -> tuple[str, ...]:
        """Every hint, in order (empty when there is none)."""
        return (self.hints,) if isinstance(self.hints, str) else tuple(self.hints)

    def hint(self, number: int = 1) -> None:
        """Show hint ``number`` (1, 2, ...); the last one when there are fewer."""
        texts = [t for t in self.hint_texts() if t]
        if not texts:
            show(Note(f"Hint for {self.name}", "No hint for this question."))
            return
        index = min(max(int(number), 1), len(texts))
        heading = f"Hint for {self.name}" + (f" ({index} of {len(texts)})" if index > 1 else "")
        show(Note(heading, texts[index - 1]))

    def solution_text(self) -> str | None:
        """The solution code from ``solutions.json``, or None where it is not installed."""
        code, _ = solutions.solution_code(f"ex{self.notebook}", self.name)
        return code

    def solution(self) -> None:
        """Show the solution (try the question first!), or say where to find it."""
        code, reason = solutions.solution_code(f"ex{self.notebook}", self.name)
        if code is not None:
            show(Note(f"Solution to {self.name}", code, code=True))
            return
        where = f"{self.notebook_name}.ipynb" if self.notebook_name else f"notebook {self.notebook}"
        show(
            Note(
                f"Solution to {self.name}",
                f"No solution text is available here ({reason}): the solution is in the "
                f"solution notebook {where}, in the course repository's notebooks/ folder.",
            )
        )

    def __repr__(self) -> str:
        return f"<question {self.notebook} {self.name}: {self.title}>"
