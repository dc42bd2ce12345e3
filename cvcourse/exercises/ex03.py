"""Exercises of notebook 03_chinese_mnist_project.

- ``q1``: write ``is_stratified(labels_a, labels_b, tolerance)``, which says whether two
  sets of labels hold every class in the same proportions; tried on splits with known
  answers.
- ``q2``: write the annealer ``annealer(epoch)``, a learning rate that starts at 1e-3 and
  shrinks by 10% every epoch; checked on epochs 0 to 30 and inside Keras'
  ``LearningRateScheduler``.
- ``q3``: read a confusion matrix (:data:`CONFUSION` below, shown in the notebook): the
  class with the lowest recall, the most common mistake, and one class's precision.
"""

from __future__ import annotations

import numpy as np

from . import core

NOTEBOOK = "03"

# ------------------------------------------------------------------------------- q1


def _split_cases() -> list[tuple[np.ndarray, np.ndarray, float, bool, str]]:
    """(labels_a, labels_b, tolerance, expected answer, what the case tests)."""
    balanced = np.repeat([0, 1, 2], [60, 30, 10])
    return [
        (balanced, np.repeat([0, 1, 2], [12, 6, 2]), 0.01, True, "a stratified 100 / 20 split"),
        (balanced, np.repeat([0, 1, 2], [8, 8, 4]), 0.01, False, "a split with other shares"),
        (balanced, np.repeat([0, 1], [14, 6]), 0.01, False, "a split that lacks class 2"),
        (
            np.repeat(np.arange(11), [9] * 10 + [10]),
            np.repeat(np.arange(10), 10),
            0.02,
            False,
            "a split that lacks class 10 (0.10 of the other side), all else within 0.01",
        ),
        (
            np.repeat([0, 1, 2], [60, 30, 10]),
            np.repeat([0, 1, 2], [59, 31, 10]),
            0.02,
            True,
            "shares within the tolerance (0.60 vs 0.59)",
        ),
        (
            np.repeat([0, 1, 2], [60, 30, 10]),
            np.repeat([0, 1, 2], [57, 33, 10]),
            0.02,
            False,
            "shares just outside the tolerance (0.60 vs 0.57)",
        ),
        (
            np.repeat(["零", "一"], [50, 50]),
            np.repeat(["一", "零"], [10, 10]),
            0.01,
            True,
            "labels that are strings, in another order",
        ),
    ]


class IsStratified(core.Question):
    notebook = NOTEBOOK
    name = "q1"
    title = "check that a split is stratified"
    usage = "ex.q1.check(is_stratified)"
    hint_text = (
        "Turn each set of labels into the share of every class: pd.Series(labels)"
        ".value_counts(normalize=True). Line the two up on the same classes (a class missing "
        "from one side has share 0 there: .reindex(all_classes, fill_value=0)) and compare: "
        "the split is stratified when the largest absolute difference is at most tolerance."
    )
    solution_text = """
def is_stratified(labels_a, labels_b, tolerance=0.01):
    \"\"\"True when every class has (nearly) the same share in labels_a and labels_b.\"\"\"
    share_a = pd.Series(labels_a).value_counts(normalize=True)
    share_b = pd.Series(labels_b).value_counts(normalize=True)
    classes = share_a.index.union(share_b.index)  # a class missing on one side counts as 0
    gap = (share_a.reindex(classes, fill_value=0) - share_b.reindex(classes, fill_value=0)).abs()
    return bool(gap.max() <= tolerance)
"""

    def check_answer(self, is_stratified):
        if not callable(is_stratified):
            raise core.Incorrect(
                f"the check needs your function itself, but got {core.describe(is_stratified)}."
                " Call it as ex.q1.check(is_stratified)."
            )
        for labels_a, labels_b, tolerance, expected, what in _split_cases():
            got = core.call_student(
                is_stratified, labels_a, labels_b, tolerance, what="is_stratified"
            )
            if not isinstance(got, (bool, np.bool_)):
                raise core.Incorrect(
                    f"on {what} is_stratified returned {core.describe(got)}; return True or "
                    "False (bool(...) turns a NumPy comparison into one)."
                )
            if bool(got) != expected:
                raise core.Incorrect(
                    f"on {what} (tolerance {tolerance}) is_stratified returned {bool(got)}, "
                    f"but the answer is {expected}. Compare the share of each class, not the "
                    "counts, and count a class missing from one side as a share of 0."
                )
        return "is_stratified is right on every split tried."


# ------------------------------------------------------------------------------- q2

ANNEALER_START = 1e-3
ANNEALER_FACTOR = 0.9


def expected_rate(epoch: int) -> float:
    """The rate q2 asks for: 1e-3 at epoch 0, 10% less every epoch after."""
    return ANNEALER_START * ANNEALER_FACTOR**epoch


class WriteAnnealer(core.Question):
    notebook = NOTEBOOK
    name = "q2"
    title = "write the annealer"
    usage = "ex.q2.check(annealer)"
    hint_text = (
        "Keras counts epochs from 0, so annealer(0) must be 1e-3 itself. Shrinking by 10% "
        "means multiplying by 0.9 once per epoch: after `epoch` epochs that is 0.9 ** epoch."
    )
    solution_text = """
def annealer(epoch):
    \"\"\"The learning rate for an epoch (counted from 0): 1e-3, then 10% less each epoch.\"\"\"
    return 1e-3 * 0.9**epoch
"""

    def check_answer(self, annealer):
        if not callable(annealer):
            raise core.Incorrect(
                f"the check needs your function itself, but got {core.describe(annealer)}. "
                "Call it as ex.q2.check(annealer)."
            )
        for epoch in range(31):
            got = core.call_student(annealer, epoch, what="annealer")
            if isinstance(got, bool) or not isinstance(got, (int, float, np.integer, np.floating)):
                raise core.Incorrect(
                    f"annealer({epoch}) returned {core.describe(got)}; return a number."
                )
            want = expected_rate(epoch)
            if np.isclose(float(got), want, rtol=1e-6, atol=0):
                continue
            if epoch == 0:
                reason = "the first epoch (epoch 0) should use 1e-3 itself"
                if np.isclose(float(got), want * ANNEALER_FACTOR):
                    reason += (
                        ": you shrank it once too often (use 0.9 ** epoch, not ** (epoch + 1))"
                    )
            elif np.isclose(float(got), ANNEALER_START - 1e-4 * epoch):
                reason = "you take 10% of the first rate off every epoch (a straight line); take 10% of the current rate instead (multiply by 0.9)"
            else:
                reason = f"it should be 1e-3 * 0.9 ** {epoch} = {want:.3g}"
            raise core.Incorrect(f"annealer({epoch}) returned {float(got):.3g}: {reason}.")
        self._check_in_keras(annealer)
        return "annealer gives 1e-3, 9e-4, 8.1e-4, ... and Keras' LearningRateScheduler accepts it."

    @staticmethod
    def _check_in_keras(annealer) -> None:
        import keras

        model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
        model.compile(optimizer=keras.optimizers.SGD(0.5), loss="mse")
        scheduler = keras.callbacks.LearningRateScheduler(annealer)
        x = np.zeros((4, 2), dtype="float32")
        try:
            history = model.fit(x, x[:, :1], epochs=3, callbacks=[scheduler], verbose=0)
        except Exception as err:  # noqa: BLE001 - the student's function failed inside Keras
            raise core.Incorrect(
                f"Keras' LearningRateScheduler could not use annealer ({type(err).__name__}: "
                f"{err})."
            ) from None
        rates = history.history.get("learning_rate", [])
        if not np.allclose(rates, [expected_rate(e) for e in range(3)], rtol=1e-5):
            raise core.Incorrect(
                f"inside Keras' LearningRateScheduler the rates came out as {rates}."
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


def _as_value(answer):
    """A class given as its value (1000) or as text ("1000"); None when it is neither."""
    if isinstance(answer, bool):
        return None
    if isinstance(answer, str) and answer.strip().isdigit():
        return int(answer.strip())
    if isinstance(answer, (int, np.integer)):
        return int(answer)
    if isinstance(answer, (float, np.floating)) and float(answer).is_integer():
        return int(answer)
    return None


class ReadConfusionMatrix(core.Question):
    notebook = NOTEBOOK
    name = "q3"
    title = "read a confusion matrix"
    usage = "ex.q3.check(lowest_recall, most_common_mistake, precision_of_10)"
    hint_text = (
        "Rows are the true class, columns the predicted class. Recall of a class: its "
        "diagonal count divided by its row's total. The most common mistake is the largest "
        "number off the diagonal, read as (row's class, column's class). Precision of a "
        "class: its diagonal count divided by its column's total."
    )
    solution_text = """
lowest_recall = 1000  # recall 40 / 50 = 0.80: 1 -> 0.96, 2 -> 0.90, 10 -> 0.88
most_common_mistake = (1000, 10)  # 9 examples of 千 (1000) were called 十 (10)
precision_of_10 = 44 / (0 + 1 + 44 + 9)  # column 10: 54 predictions, 44 of them right
"""

    def check_answer(self, lowest_recall, most_common_mistake, precision_of_10):
        lowest, mistake, precision = _answers()
        problems = []
        if lowest_recall is core.PLACEHOLDER:
            problems.append("lowest_recall is still ...")
        elif _as_value(lowest_recall) not in CONFUSION_VALUES:
            problems.append(
                f"lowest_recall should be one of the classes {CONFUSION_VALUES}, not "
                f"{core.describe(lowest_recall)}"
            )
        elif _as_value(lowest_recall) != lowest:
            problems.append(
                f"lowest_recall: class {_as_value(lowest_recall)} is not the one; divide each "
                "diagonal count by its row's total (all examples of that class) and take the "
                "smallest"
            )
        if most_common_mistake is core.PLACEHOLDER:
            problems.append("most_common_mistake is still ...")
        else:
            pair = (
                tuple(_as_value(v) for v in most_common_mistake)
                if isinstance(most_common_mistake, (tuple, list)) and len(most_common_mistake) == 2
                else None
            )
            if pair is None or None in pair:
                problems.append(
                    "most_common_mistake should be two classes, (true, predicted), e.g. (2, 1), "
                    f"not {core.describe(most_common_mistake)}"
                )
            elif pair == mistake[::-1]:
                problems.append(
                    f"most_common_mistake {pair} is the right cell read the wrong way round: "
                    "rows are the true class, columns the predicted class"
                )
            elif pair != mistake:
                problems.append(
                    f"most_common_mistake {pair} is not the largest number off the diagonal"
                )
        if precision_of_10 is core.PLACEHOLDER:
            problems.append("precision_of_10 is still ...")
        elif isinstance(precision_of_10, bool) or not isinstance(
            precision_of_10, (int, float, np.integer, np.floating)
        ):
            problems.append(
                f"precision_of_10 should be a number, not {core.describe(precision_of_10)}"
            )
        else:
            value = float(precision_of_10)
            if value > 1:
                value /= 100  # a percentage is fine
            ten = CONFUSION_VALUES.index(10)
            recall_10 = CONFUSION[ten, ten] / CONFUSION[ten].sum()
            if abs(value - precision) <= 0.005:
                pass
            elif abs(value - recall_10) <= 0.005:
                problems.append(
                    f"precision_of_10 {precision_of_10}: that is the recall of 10 (its row); "
                    "precision reads down the column: of everything predicted as 10, how much "
                    "is 10"
                )
            else:
                problems.append(
                    f"precision_of_10 {precision_of_10} is not right: of all the examples "
                    "predicted as 10 (the column), what fraction are really 10?"
                )
        if len(problems) == 3 and all("still ..." in p for p in problems):
            raise core.NotAttempted()
        if problems:
            raise core.Incorrect(" | ".join(problems))
        return (
            f"right: class {lowest} has the lowest recall, {mistake[0]} is most often taken for "
            f"{mistake[1]}, and precision of 10 is {precision:.3f}."
        )


q1 = IsStratified()
q2 = WriteAnnealer()
q3 = ReadConfusionMatrix()
QUESTIONS = [q1, q2, q3]
