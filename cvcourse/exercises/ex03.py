"""Exercises of notebook 03_chinese_mnist_project.

- ``q1``: write ``is_stratified(labels_a, labels_b, tolerance)``, which says whether two
  sets of labels hold every class in the same proportions; tried on splits with known
  answers (:class:`~core.Function`).
- ``q2``: write the annealer ``annealer(epoch)``, a learning rate that starts at 1e-3 and
  shrinks by 10% every epoch; checked on epochs 0 to 30 and inside Keras'
  ``LearningRateScheduler`` (:class:`~core.Function`).
- ``q3``: read a confusion matrix (:data:`CONFUSION` below, shown in the notebook): the
  class with the lowest recall (:class:`~core.Choice`), the most common mistake, and one
  class's precision (:class:`~core.Value`).
"""

from __future__ import annotations

import numpy as np

from . import core

NOTEBOOK = "03"
COMMON = {"notebook": NOTEBOOK, "notebook_name": "03_chinese_mnist_project"}

# ------------------------------------------------------------------------------- q1


def _split_cases() -> list[core.Case]:
    """Cases (labels_a, labels_b, tolerance) with the right answer and what they test."""
    balanced = np.repeat([0, 1, 2], [60, 30, 10])
    rep = np.repeat
    return [
        core.Case(
            (balanced, rep([0, 1, 2], [12, 6, 2]), 0.01), True, "a stratified 100 / 20 split"
        ),
        core.Case((balanced, rep([0, 1, 2], [8, 8, 4]), 0.01), False, "a split with other shares"),
        core.Case((balanced, rep([0, 1], [14, 6]), 0.01), False, "a split that lacks class 2"),
        core.Case(
            (rep(np.arange(11), [9] * 10 + [10]), rep(np.arange(10), 10), 0.02),
            False,
            "a split that lacks class 10 (0.10 of the other side), all else within 0.01",
        ),
        core.Case(
            (balanced, rep([0, 1, 2], [59, 31, 10]), 0.02),
            True,
            "shares within the tolerance (0.60 vs 0.59)",
        ),
        core.Case(
            (balanced, rep([0, 1, 2], [57, 33, 10]), 0.02),
            False,
            "shares just outside the tolerance (0.60 vs 0.57)",
        ),
        core.Case(
            (rep(["零", "一"], [50, 50]), rep(["一", "零"], [10, 10]), 0.01),
            True,
            "labels that are strings, in another order",
        ),
    ]


class Stratified(core.Function):
    """is_stratified(labels_a, labels_b, tolerance) -> True or False."""

    def case_list(self, answers):
        return _split_cases()

    def convert(self, out, case, name):
        if not isinstance(out, (bool, np.bool_)):
            raise core.Incorrect(
                f"on {case.what} {name} returned {core.describe(out)}; return True or "
                "False (bool(...) turns a NumPy comparison into one)."
            )
        return bool(out)

    def explain(self, got, expected, case, name):
        return (
            f"on {case.what} (tolerance {case.args[2]}) {name} returned {got}, but the "
            f"answer is {expected}. Compare the share of each class, not the counts, and "
            "count a class missing from one side as a share of 0."
        )


q1 = core.Answers(
    **COMMON,
    name="q1",
    title="check that a split is stratified",
    usage="ex.q1.check(is_stratified)",
    hints=(
        "Turn each set of labels into the share of every class: pd.Series(labels)"
        ".value_counts(normalize=True). Line the two up on the same classes (a class missing "
        "from one side has share 0 there: .reindex(all_classes, fill_value=0)) and compare: "
        "the split is stratified when the largest absolute difference is at most tolerance."
    ),
    parts={"is_stratified": Stratified()},
    correct="is_stratified is right on every split tried.",
)


# ------------------------------------------------------------------------------- q2

ANNEALER_START = 1e-3
ANNEALER_FACTOR = 0.9


def expected_rate(epoch: int) -> float:
    """The rate q2 asks for: 1e-3 at epoch 0, 10% less every epoch after."""
    return ANNEALER_START * ANNEALER_FACTOR**epoch


class Annealer(core.Function):
    """annealer(epoch) -> the learning rate, 1e-3 * 0.9 ** epoch, also inside Keras."""

    cases = [core.Case((epoch,)) for epoch in range(31)]
    reference = staticmethod(expected_rate)
    rtol = 1e-6

    def convert(self, out, case, name):
        number = core.as_number(out)
        if number is None:
            raise core.Incorrect(
                f"{self.call_text(case, name)} returned {core.describe(out)}; return a number."
            )
        return number

    def explain(self, got, want, case, name):
        (epoch,) = case.args
        if epoch == 0:
            reason = "the first epoch (epoch 0) should use 1e-3 itself"
            if np.isclose(got, want * ANNEALER_FACTOR):
                reason += ": you shrank it once too often (use 0.9 ** epoch, not ** (epoch + 1))"
        elif np.isclose(got, ANNEALER_START - 1e-4 * epoch):
            reason = (
                "you take 10% of the first rate off every epoch (a straight line); take 10% "
                "of the current rate instead (multiply by 0.9)"
            )
        else:
            reason = f"it should be 1e-3 * 0.9 ** {epoch} = {want:.3g}"
        return f"{self.call_text(case, name)} returned {got:.3g}: {reason}."

    def after(self, annealer, name, answers):
        import keras

        model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
        model.compile(optimizer=keras.optimizers.SGD(0.5), loss="mse")
        scheduler = keras.callbacks.LearningRateScheduler(annealer)
        x = np.zeros((4, 2), dtype="float32")
        try:
            with core.time_limit(core.STUDENT_TIME_LIMIT):
                history = model.fit(x, x[:, :1], epochs=3, callbacks=[scheduler], verbose=0)
        except Exception as err:  # noqa: BLE001 - the student's function failed inside Keras
            return (
                f"Keras' LearningRateScheduler could not use {name} ({type(err).__name__}: {err})."
            )
        rates = history.history.get("learning_rate", [])
        if not np.allclose(rates, [expected_rate(e) for e in range(3)], rtol=1e-5):
            return f"inside Keras' LearningRateScheduler the rates came out as {rates}."
        return None


q2 = core.Answers(
    **COMMON,
    name="q2",
    title="write the annealer",
    usage="ex.q2.check(annealer)",
    hints=(
        "Keras counts epochs from 0, so annealer(0) must be 1e-3 itself. Shrinking by 10% "
        "means multiplying by 0.9 once per epoch: after `epoch` epochs that is 0.9 ** epoch."
    ),
    parts={"annealer": Annealer()},
    correct="annealer gives 1e-3, 9e-4, 8.1e-4, ... and Keras' LearningRateScheduler accepts it.",
)


# ------------------------------------------------------------------------------- q3

# Rows: true class, columns: predicted class, in the order of CONFUSION_VALUES.
CONFUSION_VALUES = [1, 2, 10, 1000]
CONFUSION = np.array(
    [
        [48, 2, 0, 0],
        [3, 45, 1, 1],
        [0, 0, 44, 6],
        [0, 1, 9, 40],
    ]
)


def confusion_frame():
    """:data:`CONFUSION` as a DataFrame labelled with the values, as the notebook shows it."""
    import pandas as pd

    index = pd.Index(CONFUSION_VALUES, name="true")
    columns = pd.Index(CONFUSION_VALUES, name="predicted")
    return pd.DataFrame(CONFUSION, index=index, columns=columns)


def _answers() -> tuple[int, tuple[int, int], float]:
    recall = np.diag(CONFUSION) / CONFUSION.sum(axis=1)
    lowest = CONFUSION_VALUES[int(np.argmin(recall))]
    off = CONFUSION.copy()
    np.fill_diagonal(off, 0)
    row, col = np.unravel_index(np.argmax(off), off.shape)
    ten = CONFUSION_VALUES.index(10)
    precision_10 = CONFUSION[ten, ten] / CONFUSION[:, ten].sum()
    return lowest, (CONFUSION_VALUES[row], CONFUSION_VALUES[col]), float(precision_10)


class LowestRecall(core.Choice):
    """lowest_recall: one of the classes, as its value (1000) or as text ("1000")."""

    options = CONFUSION_VALUES
    parse = staticmethod(lambda answer: core.as_whole_number(answer, text_ok=True))

    def not_an_option(self, value, options, name):
        return f"{name} should be one of the classes {CONFUSION_VALUES}, not {core.describe(value)}"

    def wrong(self, option, name, answers):
        return (
            f"{name}: class {option} is not the one; divide each diagonal count by its row's "
            "total (all examples of that class) and take the smallest"
        )


class Mistake(core.Check):
    """most_common_mistake: (true class, predicted class), as values or as text."""

    def judge(self, value, name, answers):
        pair = core.as_pair(value, text_ok=True)
        mistake = _answers()[1]
        if pair is None:
            return (
                f"{name} should be two classes, (true, predicted), e.g. (2, 1), not "
                f"{core.describe(value)}"
            )
        if pair == mistake[::-1]:
            return (
                f"{name} {pair} is the right cell read the wrong way round: rows are the true "
                "class, columns the predicted class"
            )
        if pair != mistake:
            return f"{name} {pair} is not the largest number off the diagonal"
        return None


class Precision(core.Value):
    """precision_of_10: a fraction (or a percentage) within 0.005."""

    atol = 0.005
    rtol = 0.0

    def reference(self, answers):
        return _answers()[2]

    def prepare(self, arr, name, answers):
        value = arr.astype(np.float64)
        return value / 100 if value.ndim == 0 and value > 1 else value  # a percentage is fine

    def diagnose(self, value, expected, name, answers):
        ten = CONFUSION_VALUES.index(10)
        recall_10 = CONFUSION[ten, ten] / CONFUSION[ten].sum()
        given = answers[name]
        if abs(float(value) - recall_10) <= self.atol:
            return (
                f"{name} {given}: that is the recall of 10 (its row); precision reads down "
                "the column: of everything predicted as 10, how much is 10"
            )
        return (
            f"{name} {given} is not right: of all the examples predicted as 10 (the column), "
            "what fraction are really 10?"
        )


def _q3_correct(lowest_recall, most_common_mistake, precision_of_10) -> str:
    lowest, mistake, precision = _answers()
    return (
        f"right: class {lowest} has the lowest recall, {mistake[0]} is most often taken for "
        f"{mistake[1]}, and precision of 10 is {precision:.3f}."
    )


q3 = core.Answers(
    **COMMON,
    name="q3",
    title="read a confusion matrix",
    usage="ex.q3.check(lowest_recall, most_common_mistake, precision_of_10)",
    hints=(
        "Rows are the true class, columns the predicted class. Recall of a class: its "
        "diagonal count divided by its row's total. The most common mistake is the largest "
        "number off the diagonal, read as (row's class, column's class). Precision of a "
        "class: its diagonal count divided by its column's total."
    ),
    parts={
        "lowest_recall": LowestRecall(answer=lambda answers: _answers()[0]),
        "most_common_mistake": Mistake(),
        "precision_of_10": Precision(),
    },
    correct=_q3_correct,
)

QUESTIONS = [q1, q2, q3]
