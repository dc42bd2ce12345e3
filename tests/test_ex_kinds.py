"""The kinds of check in the core: each says correct, incorrect (why) or not attempted.

Small questions declared with each kind, as an exercise module declares them.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from cvcourse.exercises import core

CORRECT, INCORRECT = core.Status.CORRECT, core.Status.INCORRECT
NOT_ATTEMPTED = core.Status.NOT_ATTEMPTED
COMMON = {"notebook": "99", "notebook_name": "99_kinds", "title": "t"}


def status_and_message(question, *args):
    result = question.evaluate(*args)
    assert result.message
    return result.status, result.message


# ------------------------------------------------------------------------------ Value

MEAN = core.Answers(
    **COMMON,
    name="q1",
    usage="ex.q1.check(means)",
    parts={"means": core.Value(expected=[1.0, 2.0, 3.0], atol=0.01, rtol=0.0)},
    correct="right.",
)
NUMBER = core.Answers(
    **COMMON,
    name="q2",
    usage="ex.q2.check(rate)",
    parts={"rate": core.Value(bounds=(1e-5, 1e-4))},
    correct=lambda rate: f"{rate:g} works.",
)


@pytest.mark.parametrize("answer", [[1.0, 2.0, 3.0], np.array([1.005, 2, 3]), (1, 2, 3)])
def test_value_correct_within_the_tolerance(answer):
    assert status_and_message(MEAN, answer) == (CORRECT, "right.")


@pytest.mark.parametrize(
    "answer, words",
    [
        ([1.0, 2.0, 3.1], "off by up to 0.1"),  # outside the tolerance
        ([1.0, 2.0], "shape (2,), but it should have shape (3,)"),
        ([[1.0, 2.0, 3.0]], "shape (1, 3)"),
        ([1.0, np.nan, 3.0], "NaN or infinity"),
        ([1.0, np.inf, 3.0], "NaN or infinity"),
        ("1, 2, 3", "array of numbers"),
        ([True, False, True], "True/False"),
        (None, "None"),
    ],
)
def test_value_incorrect_says_what_is_wrong_without_the_answer(answer, words):
    status, message = status_and_message(MEAN, answer)
    assert status is INCORRECT and words in message
    assert "[1. 2. 3.]" not in message and "1.0, 2.0, 3.0" not in message


def test_value_not_attempted():
    assert MEAN.evaluate(...).status is NOT_ATTEMPTED


@pytest.mark.parametrize(
    "answer, expected",
    [
        (5e-5, (CORRECT, "5e-05 works.")),
        (np.float32(1e-5), CORRECT),
        (1e-3, INCORRECT),
        (-1, INCORRECT),
        (float("nan"), INCORRECT),
        (float("-inf"), INCORRECT),
        (True, INCORRECT),
        ([5e-5], INCORRECT),
        (..., NOT_ATTEMPTED),
    ],
)
def test_value_within_bounds(answer, expected):
    status, message = status_and_message(NUMBER, answer)
    if isinstance(expected, tuple):
        assert (status, message) == expected
    else:
        assert status is expected


# ------------------------------------------------------------------------------ Items


class Squares(core.Items):
    expected = [1, 4, 9]
    labels = ("1 squared", "2 squared", "3 squared")
    example = "whole numbers"
    count_words = "squares"
    item_words = "a whole number"

    def parse(self, item):
        return core.as_whole_number(item)


SQUARES = core.Answers(**COMMON, name="q3", parts={"squares": Squares()}, correct="all right.")


def test_items_correct_and_not_attempted():
    assert SQUARES.evaluate([1, 4.0, np.int64(9)]).correct
    assert SQUARES.evaluate(...).status is NOT_ATTEMPTED
    assert SQUARES.evaluate([..., ..., ...]).status is NOT_ATTEMPTED


@pytest.mark.parametrize(
    "answer, words",
    [
        ([1, 4, 10], "3 squared: 10 is not right."),
        ([1, ..., 9], "2 squared is still ..."),
        ([1, "four", 9], "2 squared: give a whole number, not the text 'four'"),
        ([1, 4], "there are 3 squares but squares has 2 entries"),
        ({1, 4, 9}, "should be a list of 3 whole numbers"),
        ([2, 5, 9], "1 squared: 2 is not right | 2 squared: 5 is not right."),
    ],
)
def test_items_incorrect_lists_every_wrong_item(answer, words):
    status, message = status_and_message(SQUARES, answer)
    assert status is INCORRECT and words in message


# --------------------------------------------------------------------------- Function

SORTER = core.Answers(
    **COMMON,
    name="q4",
    usage="ex.q4.check(sort_values)",
    parts={
        "sort_values": core.Function(
            cases=[
                core.Case((np.array([3, 1, 2]),), what="three numbers"),
                core.Case((np.array([5.0, -1.0]),), what="negative numbers"),
            ],
            reference=np.sort,
        )
    },
    correct="sorted.",
)


def test_function_correct_and_not_attempted():
    assert SORTER.evaluate(sorted).correct
    assert SORTER.evaluate(np.sort).correct
    assert SORTER.evaluate(...).status is NOT_ATTEMPTED
    assert SORTER.evaluate(lambda x: ...).status is NOT_ATTEMPTED


@pytest.mark.parametrize(
    "fn, words",
    [
        (lambda x: x, "on three numbers returned"),  # wrong values
        (lambda x: sorted(x, reverse=True), "which is not right"),
        (lambda x: x.sort(), "None"),  # sorts in place, returns None
        (lambda x: x[99], "raised IndexError"),  # a raise in the student's code
        (lambda x, y: x, "raised TypeError"),  # the wrong signature
        ([1, 2, 3], "needs your function itself"),
    ],
)
def test_function_incorrect_never_raises(fn, words):
    status, message = status_and_message(SORTER, fn)
    assert status is INCORRECT and words in message


def test_function_cannot_change_the_cases():
    def spoil(x):
        x[:] = 0
        return np.sort(x)

    assert SORTER.evaluate(spoil).status is INCORRECT  # sorted zeros are not the answer
    assert SORTER.evaluate(sorted).correct  # the cases are as they were


def test_a_student_function_that_hangs_is_stopped():
    quick = core.Answers(
        **COMMON,
        name="q5",
        parts={"f": core.Function(cases=[core.Case((1,), 1)], limit=0.2)},
        correct="ok",
    )

    def forever(x):
        while True:
            time.sleep(0.01)

    start = time.perf_counter()
    status, message = status_and_message(quick, forever)
    assert time.perf_counter() - start < 5
    assert status is INCORRECT and "did not finish within 0.2 seconds" in message
    assert quick.evaluate(lambda x: x).correct  # the alarm is off again


def test_time_limit_inside_another_limit_leaves_it_alone():
    with core.time_limit(5), core.time_limit(0.05):
        time.sleep(0.1)  # the inner limit defers to the outer one
    with pytest.raises(core.TimeLimitExceeded), core.time_limit(0.05):
        time.sleep(1)


# ----------------------------------------------------------------------------- Choice

PICK = core.Answers(
    **COMMON,
    name="q6",
    usage="ex.q6.check(largest)",
    parts={
        "largest": core.Choice(
            options=[1, 2, 10],
            answer=10,
            parse=lambda v: core.as_whole_number(v, text_ok=True),
            why={1: "1 is the smallest"},
        )
    },
    correct="yes.",
)


def test_choice():
    assert PICK.evaluate(10).correct and PICK.evaluate("10").correct
    assert PICK.evaluate(...).status is NOT_ATTEMPTED
    assert status_and_message(PICK, 1) == (INCORRECT, "1 is the smallest.")
    status, message = status_and_message(PICK, 2)
    assert status is INCORRECT and "2 is not the right choice" in message
    for answer in (5, "ten", [10], None):
        status, message = status_and_message(PICK, answer)
        assert status is INCORRECT and "should be one of 1, 2, 10" in message


# -------------------------------------------------------------------------- Selection

SETS = core.Answers(
    **COMMON,
    name="q7",
    usage="ex.q7.check(evens, odds)",
    parts={
        "evens": core.Selection(
            options=("a", "b", "c", "d"), must={"b": "b is even"}, must_not={"a": "a is odd"}
        ),
        "odds": core.Selection(
            options=("A", "B", "C"),
            must={"A": "A is odd"},
            text_ok=True,
            normalise=str.upper,
            option_words="letters",
        ),
    },
    correct="good.",
)


def test_selection():
    assert SETS.evaluate({"b"}, "a, c").correct  # "c" may go either way; text is fine
    assert SETS.evaluate(["b", "d"], ("a",)).correct
    assert SETS.evaluate(..., ...).status is NOT_ATTEMPTED
    cases = [
        (({"a", "b"}, {"A"}), "evens has a, but a is odd."),
        (({"c"}, {"A"}), "evens leaves out b, which helps: b is even."),
        (({"b"}, ...), "odds is still ..."),
        (("b", {"A"}), "evens should be a set of options"),
        (({"b", "z"}, {"A"}), "z in evens: the options are a, b, c, d."),
        (({"b"}, "A, Q"), "Q in odds: the letters are A, B, C."),
    ]
    for args, words in cases:
        status, message = status_and_message(SETS, *args)
        assert status is INCORRECT and words in message, message


# ---------------------------------------------------------------------------- Answers


def test_answers_context_and_partial_placeholders():
    question = core.Answers(
        **COMMON,
        name="q8",
        context=("data",),
        parts={"mean": core.Value(expected=lambda a: np.mean(a["data"]))},
        correct=lambda data, mean: f"the mean of {len(data)} values.",
    )
    assert question.evaluate([1, 2, 3], 2.0).message == "the mean of 3 values."
    assert question.evaluate(..., 2.0).status is NOT_ATTEMPTED  # built on an earlier answer
    assert question.evaluate([1, 2, 3], ...).status is NOT_ATTEMPTED
    status, message = status_and_message(question, [1, 2, 3])
    assert status is INCORRECT and "call it as" in message
    assert "mean" in str(question.signature())


def test_join_problems():
    assert core.join_problems(["a"]) == "a."
    assert core.join_problems(["a?"]) == "a?"
    assert core.join_problems(["a.", "b"]) == "a | b."
    assert core.join_problems(["a", "b is still ..."]) == "a | b is still ..."
