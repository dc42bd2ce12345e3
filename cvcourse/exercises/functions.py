"""A kind of check for a function the student writes: call it on the checker's own cases.

:class:`Function` calls the student's function on each :class:`Case` through
:func:`~cvcourse.exercises.question.call_student` (arrays copied, a time limit, a raise
reported as *incorrect* with the error named), compares what it returns with the
case's expected value or with a reference function, and stops at the first case that
goes wrong, saying what the case tests. The student never sees the cases' answers
unless a module's :meth:`Function.explain` shows them. Taught from notebook 00 on.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .answers import Check
from .parsers import describe
from .question import call_student
from .results import PLACEHOLDER, NotAttempted

REFERENCE = object()  # a case's expected value when the reference function computes it


@dataclass
class Case:
    """One call of the student's function: its arguments, the right result, and words.

    ``what`` says what the case tests ("a matrix whose largest numbers are on the
    diagonal"); ``call`` is how to write the call in messages ("f(3, 3, 8)"; default:
    built from the arguments); ``atol`` is this case's tolerance for numbers.
    """

    args: tuple = ()
    expected: Any = REFERENCE
    what: str = ""
    call: str = ""
    atol: float | None = None
    kwargs: dict = field(default_factory=dict)


class Function(Check):
    """The student's function, right when it returns the expected result on every case.

    Settings: ``cases`` (a list of :class:`Case`, or a function of the check's arguments
    returning one), ``reference`` (a function computing a case's expected result from its
    arguments, when the case has none), ``rtol`` and ``atol`` (for results that are
    numbers or arrays) and ``limit`` (seconds per call; None: the course default). Hooks:
    :meth:`convert` (what the function returned, in the form to compare, or Incorrect),
    :meth:`compare`, :meth:`explain` (the message for a wrong case) and :meth:`after`
    (checks once every case has passed, e.g. inside Keras).
    """

    cases: Any = ()
    reference: Callable | None = None
    rtol: float = 1e-7
    atol: float = 0.0
    limit: float | None = None

    def case_list(self, answers: Mapping) -> list[Case]:
        """The cases to try (by default the ``cases`` setting, resolved)."""
        return list(self.resolve(self.cases, answers))

    def call_text(self, case: Case, name: str) -> str:
        """How the call is written in messages: ``name(1, 2)`` for small arguments."""
        if case.call:
            return case.call
        if all(isinstance(a, (int, float, str)) for a in case.args) and not case.kwargs:
            return f"{name}({', '.join(repr(a) for a in case.args)})"
        return name

    def convert(self, out, case: Case, name: str):
        """What the function returned, as :meth:`compare` takes it (raise Incorrect if unfit)."""
        return out

    def compare(self, got, expected, case: Case) -> bool:
        """True when ``got`` is right: close for numbers and arrays, equal otherwise."""
        if isinstance(expected, (bool, np.bool_, str, tuple, set, frozenset)):
            return got == expected
        try:
            atol = self.atol if case.atol is None else case.atol
            return bool(np.allclose(got, expected, rtol=self.rtol, atol=atol))
        except (TypeError, ValueError):
            return False

    def explain(self, got, expected, case: Case, name: str) -> str:
        """The message for a case that went wrong (by default: the case, not its answer)."""
        on = f" on {case.what}" if case.what else ""
        return f"{self.call_text(case, name)}{on} returned {describe(got)}, which is not right."

    def after(self, fn, name: str, answers: Mapping) -> str | None:
        """A problem found once every case has passed, or None."""
        return None

    def judge(self, value, name: str, answers: Mapping) -> str | None:
        if value is PLACEHOLDER:
            raise NotAttempted()
        if not callable(value):
            return (
                f"the check needs your function itself, but got {describe(value)}. Pass "
                f"{name} without parentheses after it (not {name}(...))."
            )
        for case in self.case_list(answers):
            out = call_student(
                value,
                *case.args,
                what=self.call_text(case, name),
                limit=self.limit,
                **case.kwargs,
            )
            got = self.convert(out, case, name)
            expected = case.expected
            if expected is REFERENCE:
                expected = self.reference(*case.args, **case.kwargs)
            if not self.compare(got, expected, case):
                return self.explain(got, expected, case, name)
        return self.after(value, name, answers)
