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
        (compares_counts, "compare shares"),
        (ignores_missing_classes, "a missing class counting as 0"),
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
        (lambda epoch: 1e-3 - 1e-4 * epoch, "10% of the current one"),
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
        ((10, (1000, 10), 44 / 54), "lowest_recall 10: divide"),
        ((1000, (10, 1000), 44 / 54), "wrong way round"),
        ((1000, (2, 1), 44 / 54), "not the largest"),
        ((1000, (1000, 10), 44 / 50), "that is the recall"),
        ((1000, (1000, 10), 0.5), "what fraction"),
        (("千", (1000, 10), 44 / 54), "should be one of 1, 2, 10, 1000"),
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


# ------------------------------------------------------------------------------- q4


def test_q4_solution_is_correct_and_the_reference_is_keras_own():
    ns = run_solution("03", "q4")
    assert ex03.q4.evaluate(ns["last_epoch"], ns["best_epoch"], ns["weights_epoch"]).correct
    # replayed by hand: best 0.37 at epoch 5, then 0.40, 0.42, 0.39 without improvement
    assert ex03.early_stopping_epochs() == {"last_epoch": 8, "best_epoch": 5, "weights_epoch": 8}


def test_q4_keras_fit_stops_where_the_checker_says():
    keras = pytest.importorskip("keras")

    class Losses(keras.callbacks.Callback):  # reports the table's val_loss, as if measured
        def on_epoch_end(self, epoch, logs=None):
            logs["val_loss"] = ex03.EARLY_VAL_LOSS[epoch]

    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    stopper = keras.callbacks.EarlyStopping(monitor="val_loss", patience=3)
    x = np.zeros((4, 1), dtype="float32")
    history = model.fit(x, x, epochs=10, callbacks=[Losses(), stopper], verbose=0)
    assert len(history.epoch) == ex03.early_stopping_epochs()["last_epoch"]


@pytest.mark.parametrize(
    "answers, words",
    [
        ((10, 10, 10), "last_epoch 10: training never gets that far"),
        ((7, 5, 7), "last_epoch 7: one too few"),
        ((8, 10, 8), "best_epoch 10: training has stopped before that epoch"),
        ((8, 5, 5), "weights_epoch 5: restore_best_weights is False"),
        ((8, 5, 0), "should be one of 1, 2"),
        (("eight", 5, 8), "should be one of"),
    ],
)
def test_q4_wrong_answers_say_what_is_wrong(answers, words):
    result = ex03.q4.evaluate(*answers)
    assert result.status is Status.INCORRECT and words in result.message


def test_q4_placeholder_is_not_attempted():
    assert ex03.q4.evaluate(..., ..., ...).status is Status.NOT_ATTEMPTED
    assert "still ..." in ex03.q4.evaluate(8, ..., ...).message


def test_questions_listed_and_hinted_in_two_levels():
    assert ex03.QUESTIONS == ("q1", "q2", "q3", "q4")
    for name in ex03.QUESTIONS:
        question = getattr(ex03, name)
        assert question.name == name and question.notebook == "03"
        assert len(question.hint_texts()) >= 2


# ------------------------------------------------- the shared contract (test_exercises_all)


def _q1_solution():
    return (solution_namespace(ex03.q1)["is_stratified"],), {}


def _q2_solution():
    return (solution_namespace(ex03.q2)["annealer"],), {}


def _q3_solution():
    ns = solution_namespace(ex03.q3)
    return (ns["lowest_recall"], ns["most_common_mistake"], ns["precision_of_10"]), {}


def _q4_solution():
    ns = run_solution("03", "q4")
    return (ns["last_epoch"], ns["best_epoch"], ns["weights_epoch"]), {}


ANSWERS = {
    "q1": {
        "solution": _q1_solution,
        "mistakes": [lambda: ((compares_counts,), {}), lambda: ((ignores_missing_classes,), {})],
    },
    "q2": {
        "solution": _q2_solution,
        "mistakes": [
            lambda: ((lambda epoch: 1e-3 * 0.9 ** (epoch + 1),), {}),  # shrunk once too often
            lambda: ((lambda epoch: 1e-3 - 1e-4 * epoch,), {}),  # a straight line
        ],
    },
    "q3": {
        "solution": _q3_solution,
        "mistakes": [
            lambda: ((10, (1000, 10), 44 / 54), {}),  # the lowest precision, not recall
            lambda: ((1000, (10, 1000), 44 / 50), {}),  # rows and columns swapped
        ],
    },
    "q4": {
        "solution": _q4_solution,
        "mistakes": [
            lambda: ((10, 10, 10), {}),  # as if training ran all its epochs
            lambda: ((8, 5, 5), {}),  # as if the best weights came back
        ],
    },
}


@pytest.mark.parametrize("name", sorted(ANSWERS))
def test_answers_contract(name):
    question = getattr(ex03, name)
    args, kwargs = ANSWERS[name]["solution"]()
    assert question.evaluate(*args, **kwargs).correct
    for mistake in ANSWERS[name]["mistakes"]:
        args, kwargs = mistake()
        assert question.evaluate(*args, **kwargs).status is Status.INCORRECT
