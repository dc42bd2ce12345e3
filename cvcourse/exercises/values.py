"""Two kinds of check: a value within a tolerance, and a list of items judged one by one.

:class:`Value` takes a number or an array (a tensor, a nested list), rejects NaN and
infinity, checks the shape and compares with the checker's own reference within
``atol`` / ``rtol`` (or checks that a number lies within ``bounds``). :class:`Items`
takes a list of answers, one per layer or case, and lists every wrong one. Both are
parts of an :class:`~cvcourse.exercises.answers.Answers` question. Taught from notebook
00 on.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .answers import Check, join_problems
from .parsers import as_array, describe
from .results import PLACEHOLDER, Incorrect, NotAttempted


class Value(Check):
    """A number or an array, right when it is close to the reference.

    Settings: ``expected`` (the reference, or a function of the check's arguments
    returning it), ``atol`` and ``rtol`` (as in ``np.allclose``), or instead ``bounds``
    ``(low, high)`` for a number that is right anywhere in that range; ``advice``
    (added to the message for wrong values). Hooks: :meth:`prepare` (turn an accepted
    form into the reference's form, or raise Incorrect), :meth:`wrong_shape` and
    :meth:`diagnose` (the message for a common mistake, or None).
    """

    expected: Any = None
    atol: float = 1e-8
    rtol: float = 1e-5
    bounds: tuple[float, float] | None = None
    advice: str = ""

    def reference(self, answers: Mapping):
        """The right value (by default the ``expected`` setting, resolved)."""
        return self.resolve(self.expected, answers)

    def prepare(self, arr: np.ndarray, name: str, answers: Mapping) -> np.ndarray:
        """The answer as the array to compare (float64 by default)."""
        return arr.astype(np.float64)

    def wrong_shape(self, arr: np.ndarray, expected: np.ndarray, name: str) -> str | None:
        """The message for an answer of the wrong shape (None: the generic one)."""
        return None

    def diagnose(self, arr, expected, name: str, answers: Mapping) -> str | None:
        """The message for wrong values that a common mistake explains (None: generic)."""
        return None

    def accepts(self, arr: np.ndarray, expected) -> bool:
        if self.bounds is not None:
            low, high = self.bounds  # widened by rtol, so float32(1e-5) meets a bound of 1e-5
            return bool(low - abs(low) * self.rtol <= float(arr) <= high + abs(high) * self.rtol)
        return bool(np.allclose(arr, expected, atol=self.atol, rtol=self.rtol))

    def judge(self, value, name: str, answers: Mapping) -> str | None:
        expected = None if self.bounds is not None else self.reference(answers)
        if expected is not None:
            expected = np.asarray(expected, dtype=np.float64)
        scalar = expected is None or expected.ndim == 0
        if scalar and (
            isinstance(value, (str, bytes, bool, np.bool_, dict, set)) or callable(value)
        ):
            return f"{name} should be a number, not {describe(value)}."
        arr = as_array(value, name)
        if arr.dtype.kind == "b":
            return f"{name} should hold numbers, not True/False values ({describe(value)})."
        if not np.isfinite(arr).all():
            return (
                f"{name} holds NaN or infinity, which is never a right answer: look for a "
                "division by zero, a log of 0 or an overflow in the code that computes it."
            )
        arr = self.prepare(arr, name, answers)
        if scalar and arr.ndim != 0:
            return self.wrong_shape(arr, expected, name) or (
                f"{name} should be one number, not {describe(value)}."
            )
        if not scalar and arr.shape != expected.shape:
            return self.wrong_shape(arr, expected, name) or (
                f"{name} has shape {arr.shape}, but it should have shape {expected.shape}."
            )
        if self.accepts(arr, expected):
            return None
        message = self.diagnose(arr, expected, name, answers)
        if message:
            return message
        if scalar:
            message = f"{name} is {float(arr):.6g}, which is not right."
        else:
            error = float(np.abs(arr - expected).max())
            message = (
                f"{name} has the right shape, but its values are not right: some are off "
                f"by up to {error:.3g}."
            )
        return f"{message} {self.advice}".strip()


class Items(Check):
    """A list of answers (one per layer, case...), each compared with its reference.

    Settings: ``expected`` (the list of right items, or a function of the arguments),
    ``labels`` (what each item is called in messages, e.g. "layer A"), ``example``
    (what the list holds, e.g. "tuples like (30, 30, 16)"), ``count_words`` ("layers (A
    to D)") and ``item_words`` (the form of one item, e.g. "a whole number"). Hooks:
    :meth:`parse` (an item in its checked form, or None) and :meth:`judge_item`. The
    answer is *not attempted* while every item is ``...``.
    """

    expected: Any = ()
    labels: tuple[str, ...] = ()
    example: str = "items"
    count_words: str = "items"
    item_words: str = "a value of the form the question asks for"

    def reference(self, answers: Mapping) -> list:
        """The right items (by default the ``expected`` setting, resolved)."""
        return list(self.resolve(self.expected, answers))

    def parse(self, item):
        """An item in the form :meth:`judge_item` compares, or None when it is not."""
        return item

    def judge_item(self, index: int, label: str, given, expected) -> list[str]:
        """The problems of one item (empty when it is right)."""
        return [] if given == expected else [f"{label}: {given} is not right"]

    def label(self, index: int) -> str:
        return self.labels[index] if index < len(self.labels) else f"item {index + 1}"

    def judge(self, value, name: str, answers: Mapping) -> str | None:
        expected = self.reference(answers)
        if not isinstance(value, (list, tuple)):
            return (
                f"{name} should be a list of {len(expected)} {self.example}, but it is "
                f"{describe(value)}."
            )
        if value and all(item is PLACEHOLDER for item in value):
            raise NotAttempted()
        if len(value) != len(expected):
            return (
                f"there are {len(expected)} {self.count_words} but {name} has {len(value)} entries."
            )
        problems = []
        for index, (item, right) in enumerate(zip(value, expected, strict=True)):
            label = self.label(index)
            if item is PLACEHOLDER:
                problems.append(f"{label} is still ...")
                continue
            try:
                given = self.parse(item)
            except Incorrect as err:
                problems.append(str(err))
                continue
            if given is None:
                problems.append(f"{label}: give {self.item_words}, not {describe(item)}")
                continue
            problems.extend(self.judge_item(index, label, given, right))
        return join_problems(problems) if problems else None
