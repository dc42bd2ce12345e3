"""The checkers of notebook 02 against their solutions and against wrong answers."""

from __future__ import annotations

import numpy as np
import pytest
from test_ex_solutions import run_solution

from cvcourse import models
from cvcourse.exercises import ex02
from cvcourse.exercises.core import Status


def solution_namespace(question) -> dict:
    return run_solution("02", question.name, np=np)


# ------------------------------------------------------------------------------- q1


def test_q1_counts_agree_with_keras():
    import keras

    layers = [
        (keras.layers.Conv2D(16, kernel_size=5), (28, 28, 3)),
        (keras.layers.Dense(100), (7 * 7 * 32,)),
        (keras.layers.Conv2D(32, kernel_size=1), (12, 12, 64)),
    ]
    for (layer, shape), count in zip(layers, ex02.expected_counts()):
        layer.build((None, *shape))
        assert layer.count_params() == count


def test_q1_solution_is_correct():
    ns = solution_namespace(ex02.q1)
    assert ex02.q1.evaluate(ns["param_counts"]).status is Status.CORRECT


@pytest.mark.parametrize(
    "answer, words",
    [
        ([1200, 156900, 2080], "biases"),  # A without biases
        ([(5 * 5 + 1) * 16, 156900, 2080], "every one of the 3 input channels"),
        ([1216, 156900, (12 * 12 * 64 + 1) * 32], "height and width"),
        ([1216, 156800, 2080], "biases"),
        ([1216, 156900], "3 layers"),
        ("1216", "list"),
        ([1216, "many", 2080], "whole number"),
    ],
)
def test_q1_wrong_answers_say_what_is_wrong(answer, words):
    result = ex02.q1.evaluate(answer)
    assert result.status is Status.INCORRECT
    assert words in result.message


def test_q1_placeholder_is_not_attempted():
    assert ex02.q1.evaluate(...).status is Status.NOT_ATTEMPTED
    assert ex02.q1.evaluate([..., ..., ...]).status is Status.NOT_ATTEMPTED
    partly = ex02.q1.evaluate([1216, ..., 2080])
    assert partly.status is Status.INCORRECT and "still ..." in partly.message


# ------------------------------------------------------------------------------- q2


def test_q2_expected_shapes_come_from_the_real_model():
    model = models.mnist_convnet((32, 32, 3))
    assert ex02.expected_shapes() == ((4, 4, 64), 1024)
    assert model.get_layer("flatten").output.shape[-1] == 1024


def test_q2_solution_is_correct():
    ns = solution_namespace(ex02.q2)
    result = ex02.q2.evaluate(ns["conv3_shape"], ns["flatten_length"])
    assert result.status is Status.CORRECT
    # a TensorShape with its batch axis is fine too
    model = models.mnist_convnet((32, 32, 3))
    assert ex02.q2.evaluate(model.get_layer("conv3").output.shape, 1024).correct


@pytest.mark.parametrize(
    "shape, length, words",
    [
        ((5, 5, 64), 1600, "rounds down"),
        ((4, 4, 3), 48, "one channel per filter"),
        ((8, 8, 64), 4096, "two 2x2 poolings"),
        ((4, 4, 64), 1000, "flatten_length is 1000"),
        ((4, 4, 64), float("inf"), "NaN or infinity"),
        ("4x4x64", 1024, "three whole numbers"),
        ((4, 4, 64), "1024", "should be a number"),
    ],
)
def test_q2_wrong_answers_say_what_is_wrong(shape, length, words):
    result = ex02.q2.evaluate(shape, length)
    assert result.status is Status.INCORRECT
    assert words in result.message


def test_q2_placeholder_is_not_attempted():
    assert ex02.q2.evaluate(..., ...).status is Status.NOT_ATTEMPTED
    assert ex02.q2.evaluate((4, 4, 64), ...).status is Status.INCORRECT


# ------------------------------------------------------------------------------- q3


def test_q3_solution_is_correct():
    ns = solution_namespace(ex02.q3)
    assert ex02.q3.evaluate(ns["most_confused_pair"]).status is Status.CORRECT


def including_diagonal(cm):
    row, col = np.unravel_index(np.argmax(cm), cm.shape)
    return int(row), int(col)


def swapped(cm):
    off = np.array(cm, copy=True)
    np.fill_diagonal(off, 0)
    row, col = np.unravel_index(np.argmax(off), off.shape)
    return int(col), int(row)


def crashes(cm):
    return cm.fill_diagonal(0)  # arrays have no such method


def returns_the_count(cm):
    off = np.array(cm, copy=True)
    np.fill_diagonal(off, 0)
    return int(off.max())


@pytest.mark.parametrize(
    "function, words",
    [
        (including_diagonal, "on the diagonal"),
        (swapped, "swapped"),
        (crashes, "raised AttributeError"),
        (returns_the_count, "return two class indices"),
        ("(1, 2)", "function itself"),
    ],
)
def test_q3_wrong_answers_say_what_is_wrong(function, words):
    result = ex02.q3.evaluate(function)
    assert result.status is Status.INCORRECT
    assert words in result.message


def test_q3_does_not_let_the_student_change_the_checkers_matrices():
    def spoils(cm):
        cm[:] = 0
        return (0, 1)

    ex02.q3.evaluate(spoils)
    assert ex02.q3.evaluate(solution_namespace(ex02.q3)["most_confused_pair"]).correct


def test_q3_placeholder_is_not_attempted():
    def placeholder(cm):
        return ...

    assert ex02.q3.evaluate(...).status is Status.NOT_ATTEMPTED
    assert ex02.q3.evaluate(placeholder).status is Status.NOT_ATTEMPTED


def test_questions_are_listed_in_order():
    assert [q.name for q in ex02.QUESTIONS] == ["q1", "q2", "q3"]
    assert all(q.notebook == "02" for q in ex02.QUESTIONS)
