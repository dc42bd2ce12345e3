"""Exercises of notebook 03_chinese_mnist_project: ``q1`` ``is_stratified(labels_a, labels_b,
tolerance)`` on the checker's splits; ``q2`` ``annealer(epoch)``, on epochs 0-30 and inside
``LearningRateScheduler``; ``q3`` read :data:`CONFUSION` (lowest recall, most common
mistake, precision of 10); ``q4`` (predict) when ``EarlyStopping(patience=3)`` stops on
:data:`EARLY_VAL_LOSS`, the reference being Keras' own callback, driven here.
"""

from __future__ import annotations

import functools

import numpy as np

from . import core

NOTEBOOK = "03"
COMMON = {"notebook": NOTEBOOK, "notebook_name": "03_chinese_mnist_project"}

# ------------------------------------------------------------------------------- q1


# what a split tests -> (labels_a, labels_b) as (classes, counts), tolerance, the answer
_C, _B, _ZH = [0, 1, 2], ([0, 1, 2], [60, 30, 10]), ["零", "一"]
_ELEVEN, _TEN = (range(11), [9] * 10 + [10]), (range(10), [10] * 10)
_SPLITS = {
    "a stratified 100 / 20 split": (_B, (_C, [12, 6, 2]), 0.01, True),
    "a split with other shares": (_B, (_C, [8, 8, 4]), 0.01, False),
    "a split that lacks class 2": (_B, ([0, 1], [14, 6]), 0.01, False),
    "a split that lacks class 10, all else within 0.01": (_ELEVEN, _TEN, 0.02, False),
    "shares within the tolerance (0.60 vs 0.59)": (_B, (_C, [59, 31, 10]), 0.02, True),
    "shares just outside the tolerance (0.60 vs 0.57)": (_B, (_C, [57, 33, 10]), 0.02, False),
    "labels that are strings, in another order": (
        (_ZH, [50, 50]),
        (_ZH[::-1], [10, 10]),
        0.01,
        True,
    ),
}


def _split_cases() -> list[core.Case]:
    """Cases (labels_a, labels_b, tolerance) with the right answer and what they test."""
    labels = lambda side: np.repeat(list(side[0]), side[1])  # noqa: E731
    return [core.Case((labels(a), labels(b), t), ok, w) for w, (a, b, t, ok) in _SPLITS.items()]


class Stratified(core.Function):
    """is_stratified(labels_a, labels_b, tolerance) -> True or False."""

    cases = _split_cases()  # the arrays are copied before each call

    def convert(self, out, case, name):
        if isinstance(out, (bool, np.bool_)):
            return bool(out)
        raise core.Incorrect(
            f"on {case.what} {name} returned {core.describe(out)}; return True or False "
            "(bool(...) turns a NumPy comparison into one)."
        )

    def explain(self, got, expected, case, name):
        return f"on {case.what} (tolerance {case.args[2]}) {name} returned {got}, not {expected}: compare shares, a missing class counting as 0."


q1 = core.Answers(
    **COMMON,
    name="q1",
    title="check that a split is stratified",
    usage="ex.q1.check(is_stratified)",
    hints=(
        "Compare shares, not counts: the share of a class is its count divided by the "
        "number of labels on that side. A class missing from one side has share 0 there.",
        "pd.Series(labels).value_counts(normalize=True) gives the shares; line the two up on "
        "the same classes with .reindex(all_classes, fill_value=0); the split is stratified "
        "when the largest absolute difference is at most tolerance.",
    ),
    parts={"is_stratified": Stratified()},
    correct="is_stratified is right on every split tried.",
)


# ------------------------------------------------------------------------------- q2

ANNEALER_START, ANNEALER_FACTOR = 1e-3, 0.9


def expected_rate(epoch: int) -> float:
    """The rate q2 asks for: 1e-3 at epoch 0, 10% less every epoch after."""
    return ANNEALER_START * ANNEALER_FACTOR**epoch


class Annealer(core.Function):
    """annealer(epoch) -> the learning rate, 1e-3 * 0.9 ** epoch, also inside Keras."""

    cases = [core.Case((epoch,)) for epoch in range(31)]
    reference = staticmethod(expected_rate)
    rtol = 1e-6

    def convert(self, out, case, name):
        if (number := core.as_number(out)) is None:
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
            reason = "you take 10% of the first rate off every epoch; take 10% of the current one"
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
        "Keras counts epochs from 0, so annealer(0) must be 1e-3 itself. 10% lower than the "
        "previous epoch's rate, not 10% of the first rate less.",
        "Shrinking by 10% means multiplying by 0.9 once per epoch: after `epoch` epochs "
        "that is 1e-3 * 0.9 ** epoch.",
    ),
    parts={"annealer": Annealer()},
    correct="annealer gives 1e-3, 9e-4, 8.1e-4, ... and Keras' LearningRateScheduler accepts it.",
)


# ------------------------------------------------------------------------------- q3

# Rows: true class, columns: predicted class, in the order of CONFUSION_VALUES.
CONFUSION_VALUES = [1, 2, 10, 1000]
CONFUSION = np.array([[48, 2, 0, 0], [3, 45, 1, 1], [0, 0, 44, 6], [0, 1, 9, 40]])
_TEN, _V = CONFUSION_VALUES.index(10), CONFUSION_VALUES


def confusion_frame():
    """:data:`CONFUSION` as a DataFrame labelled with the values, as the notebook shows it."""
    import pandas as pd

    labels = {"index": CONFUSION_VALUES, "columns": CONFUSION_VALUES}
    return pd.DataFrame(CONFUSION, **labels).rename_axis(index="true", columns="predicted")


def _answers() -> tuple[int, tuple[int, int], float]:
    lowest = CONFUSION_VALUES[int(np.argmin(np.diag(CONFUSION) / CONFUSION.sum(axis=1)))]
    row, col = np.unravel_index(np.argmax(CONFUSION - np.diag(np.diag(CONFUSION))), CONFUSION.shape)
    precision_10 = CONFUSION[_TEN, _TEN] / CONFUSION[:, _TEN].sum()
    return lowest, (CONFUSION_VALUES[row], CONFUSION_VALUES[col]), float(precision_10)


class Mistake(core.Check):
    """most_common_mistake: (true class, predicted class), as values or as text."""

    def judge(self, value, name, answers):
        pair = core.as_pair(value, text_ok=True)
        mistake = _answers()[1]
        if pair is None:
            return f"{name} should be two classes, (true, predicted), not {core.describe(value)}"
        if pair == mistake[::-1]:
            return f"{name} {pair} is read the wrong way round: rows are the true class"
        if pair != mistake:
            return f"{name} {pair} is not the largest number off the diagonal"
        return None


class Precision(core.Value):
    """precision_of_10: a fraction (or a percentage) within 0.005."""

    atol = 0.005
    rtol = 0.0

    def reference(self, answers):
        return _answers()[2]

    def prepare(self, arr, name, answers):  # a percentage is fine
        return arr / 100 if arr.ndim == 0 and arr > 1 else arr.astype(np.float64)

    def diagnose(self, value, expected, name, answers):
        if abs(float(value) - CONFUSION[_TEN, _TEN] / CONFUSION[_TEN].sum()) <= self.atol:
            return f"{name} {answers[name]}: that is the recall of 10 (its row); precision reads the column"
        return f"{name} {answers[name]}: of all examples predicted as 10 (the column), what fraction are 10?"


q3 = core.Answers(
    **COMMON,
    name="q3",
    title="read a confusion matrix",
    usage="ex.q3.check(lowest_recall, most_common_mistake, precision_of_10)",
    hints=(
        "Rows are the true class, columns the predicted class: a row holds every image of "
        "one class, a column every image predicted as one class.",
        "Recall of a class: its diagonal count divided by its row's total. The most common "
        "mistake is the largest number off the diagonal, read as (row's class, column's "
        "class). Precision of a class: its diagonal count divided by its column's total.",
    ),
    parts={
        "lowest_recall": core.Choice(
            options=CONFUSION_VALUES,
            answer=lambda answers: _answers()[0],
            parse=lambda answer: core.as_whole_number(answer, text_ok=True),
            why={
                v: f"lowest_recall {v}: divide each diagonal count by its row's total" for v in _V
            },
        ),
        "most_common_mistake": Mistake(),
        "precision_of_10": Precision(),
    },
    correct=lambda **_: (
        "right: class {} has the lowest recall, {} is most often taken for {}, and precision "
        "of 10 is {:.3f}.".format(_answers()[0], *_answers()[1], _answers()[2])
    ),
)


# ------------------------------------------------------------------------------- q4

EARLY_VAL_LOSS = [0.50, 0.41, 0.38, 0.39, 0.37, 0.40, 0.42, 0.39, 0.45, 0.36]


@functools.cache
def early_stopping_epochs() -> dict[str, int]:
    """Keras' EarlyStopping fed :data:`EARLY_VAL_LOSS` as fit would: epochs from 1."""
    import keras

    stopper = keras.callbacks.EarlyStopping(monitor="val_loss", patience=3)
    stopper.set_model(keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)]))
    stopper.model.stop_training = False  # as fit sets it
    stopper.on_train_begin()
    for epoch, loss in enumerate(EARLY_VAL_LOSS):
        stopper.on_epoch_end(epoch, {"val_loss": loss})
        if stopper.model.stop_training:
            break
    best = int(np.argmin(EARLY_VAL_LOSS[: epoch + 1])) + 1
    return {"last_epoch": epoch + 1, "best_epoch": best, "weights_epoch": epoch + 1}


def _epoch(name: str, slips: dict) -> core.Choice:
    """An epoch from 1 to 10, right when it is Keras' ``name``; ``slips``: wrong -> why."""
    return core.Choice(
        options=range(1, len(EARLY_VAL_LOSS) + 1),
        answer=lambda answers: early_stopping_epochs()[name],
        parse=lambda answer: core.as_whole_number(answer, text_ok=True),
        why={
            e: f"{name} {e}: {slips.get(e, 'replay the table epoch by epoch')}" for e in range(11)
        },
    )


q4 = core.Answers(
    **COMMON,
    name="q4",
    title="predict when EarlyStopping stops",
    usage="ex.q4.check(last_epoch, best_epoch, weights_epoch)",
    hints=(
        "EarlyStopping keeps the best val_loss so far and counts the epochs since it "
        "improved; when that count reaches the patience, training stops after that epoch. "
        "Epochs it never runs cannot be best.",
        "Go down the table with a counter: reset it to 0 at a new lowest val_loss, add 1 "
        "otherwise; stop at 3. Without restore_best_weights=True the model keeps the "
        "weights of the epoch it ran last.",
    ),
    parts={
        "last_epoch": _epoch("last_epoch", {10: "training never gets that far", 7: "one too few"}),
        "best_epoch": _epoch("best_epoch", {10: "training has stopped before that epoch"}),
        "weights_epoch": _epoch("weights_epoch", {5: "restore_best_weights is False here"}),
    },
    correct=lambda **_: (
        "right: training stops after epoch {last_epoch}, the best of those epochs is "
        "{best_epoch}, and the model keeps the weights of epoch {weights_epoch} (pass "
        "restore_best_weights=True to get the best ones back).".format(**early_stopping_epochs())
    ),
)

QUESTIONS = ("q1", "q2", "q3", "q4")
