"""The checkers of notebook 03 against their solutions and against wrong answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from test_ex_solutions import run_solution

from cvcourse import training
from cvcourse.exercises import ex03
from cvcourse.exercises.core import Status


def solution_namespace(question) -> dict:
    # the notebook's q1 block also prints a check of its own split
    table = pd.DataFrame({"code": np.repeat(np.arange(15), 10)})
    names = {"np": np, "pd": pd, "train_table": table, "test_table": table}
    return run_solution("03", question.name, **names)


# ------------------------------------------------------------------------------- q1


def test_q1_solution_is_correct():
    ns = solution_namespace(ex03.q1)
    assert ex03.q1.evaluate(ns["is_stratified"]).status is Status.CORRECT


def test_q1_solution_agrees_with_a_real_stratified_split():
    from sklearn.model_selection import train_test_split

    is_stratified = solution_namespace(ex03.q1)["is_stratified"]
    labels = np.repeat(np.arange(15), 100)
    a, b = train_test_split(labels, test_size=0.2, random_state=42, stratify=labels)
    assert is_stratified(a, b)
    skewed = np.sort(labels)
    assert not is_stratified(skewed[:1200], skewed[1200:])


def compares_counts(labels_a, labels_b, tolerance=0.01):
    a = pd.Series(labels_a).value_counts()
    b = pd.Series(labels_b).value_counts()
    return bool(((a - b).abs() <= tolerance).all())


def ignores_missing_classes(labels_a, labels_b, tolerance=0.01):
    a = pd.Series(labels_a).value_counts(normalize=True)
    b = pd.Series(labels_b).value_counts(normalize=True)
    return bool((a - b).abs().max() <= tolerance)  # NaN for a missing class: max skips it


def returns_a_series(labels_a, labels_b, tolerance=0.01):
    a = pd.Series(labels_a).value_counts(normalize=True)
    b = pd.Series(labels_b).value_counts(normalize=True)
    return (a - b).abs() <= tolerance


def crashes(labels_a, labels_b, tolerance=0.01):
    return np.bincount(labels_a).mean()  # strings cannot be counted this way; floats returned


@pytest.mark.parametrize(
    "function, words",
    [
        (compares_counts, "Compare the share"),
        (ignores_missing_classes, "missing from one side"),
        (returns_a_series, "return True or False"),
        (crashes, "return True or False"),
        (42, "function itself"),
    ],
)
def test_q1_wrong_answers_say_what_is_wrong(function, words):
    result = ex03.q1.evaluate(function)
    assert result.status is Status.INCORRECT
    assert words in result.message


def test_q1_placeholder_is_not_attempted():
    def is_stratified(labels_a, labels_b, tolerance=0.01):
        return ...

    assert ex03.q1.evaluate(...).status is Status.NOT_ATTEMPTED
    assert ex03.q1.evaluate(is_stratified).status is Status.NOT_ATTEMPTED


# ------------------------------------------------------------------------------- q2


def test_q2_solution_and_the_package_schedule_are_correct():
    ns = solution_namespace(ex03.q2)
    assert ex03.q2.evaluate(ns["annealer"]).status is Status.CORRECT
    assert ex03.q2.evaluate(training.exponential_decay(1e-3, 0.9)).status is Status.CORRECT


@pytest.mark.parametrize(
    "annealer, words",
    [
        (lambda epoch: 1e-3 * 0.9 ** (epoch + 1), "once too often"),
        (lambda epoch: 1e-3 - 1e-4 * epoch, "straight line"),
        (lambda epoch: 1e-3 * 0.99**epoch, "1e-3 * 0.9 ** 1"),
        (lambda epoch: str(1e-3), "return a number"),
        (lambda epoch: 1e-3 / 0 if epoch else 1e-3, "ZeroDivisionError"),
        (lambda: 1e-3, "raised TypeError"),
    ],
)
def test_q2_wrong_answers_say_what_is_wrong(annealer, words):
    result = ex03.q2.evaluate(annealer)
    assert result.status is Status.INCORRECT
    assert words in result.message


def test_q2_placeholder_is_not_attempted():
    def annealer(epoch):
        return ...

    assert ex03.q2.evaluate(...).status is Status.NOT_ATTEMPTED
    assert ex03.q2.evaluate(annealer).status is Status.NOT_ATTEMPTED


# ------------------------------------------------------------------------------- q3


def test_q3_solution_is_correct_and_matches_the_matrix():
    ns = solution_namespace(ex03.q3)
    result = ex03.q3.evaluate(ns["lowest_recall"], ns["most_common_mistake"], ns["precision_of_10"])
    assert result.status is Status.CORRECT
    frame = ex03.confusion_frame()
    assert frame.loc[1000, 10] == 9  # rows true, columns predicted
    assert list(frame.index) == ex03.CONFUSION_VALUES


def test_q3_accepts_values_as_text_and_percentages():
    assert ex03.q3.evaluate("1000", ("1000", "10"), 81.48).correct


@pytest.mark.parametrize(
    "answers, words",
    [
        ((10, (1000, 10), 44 / 54), "lowest_recall: class 10"),
        ((1000, (10, 1000), 44 / 54), "wrong way round"),
        ((1000, (2, 1), 44 / 54), "not the largest"),
        ((1000, (1000, 10), 44 / 50), "that is the recall"),
        ((1000, (1000, 10), 0.5), "what fraction"),
        (("千", (1000, 10), 44 / 54), "one of the classes"),
        ((1000, 1000, 44 / 54), "two classes"),
        ((1000, (1000, 10), "0.81"), "should be a number"),
    ],
)
def test_q3_wrong_answers_say_what_is_wrong(answers, words):
    result = ex03.q3.evaluate(*answers)
    assert result.status is Status.INCORRECT
    assert words in result.message


def test_q3_placeholder_is_not_attempted():
    assert ex03.q3.evaluate(..., ..., ...).status is Status.NOT_ATTEMPTED
    partly = ex03.q3.evaluate(1000, ..., ...)
    assert partly.status is Status.INCORRECT and "still ..." in partly.message


def test_questions_are_listed_in_order():
    assert [q.name for q in ex03.QUESTIONS] == ["q1", "q2", "q3"]
