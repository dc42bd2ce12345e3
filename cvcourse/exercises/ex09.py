"""Exercises of notebook 09_capstone_sign_language: your own network, judged on unseen images.

- ``q1``: build, train and evaluate a network for rock (A), paper (B) and scissors (V);
  check the trained model ``rps_model``.
- ``q2``: the same for all 24 letters; check ``letters_model``.
- ``q3`` (debug): repair a classmate's reader of the CSV file's rows, ``read_rows(rows)``;
  tried on the checker's own rows.

q1 and q2 judge the trained model, not the code that made it
(:class:`~cvcourse.exercises.trained_model.TrainedModel`), on images the notebook never
hands out: the held-out half of Sign Language MNIST's test file
(:func:`~cvcourse.datasets.sign_mnist.load_sign_mnist_held_out`, 3,594 images, 554 of
them A, B and V), from other recording sessions than the training images and other photos
than the notebook's test images. The checker feeds them as **float32 in [0, 1] of shape
(28, 28, 1)**, the preprocessing of the notebook's ``x_train``; its model must give one
score per class (3 or 24, in the notebook's class order), and its most likely class must
be right for at least 97 % of the images.
"""

from __future__ import annotations

import functools

import numpy as np

from ..datasets.sign_mnist import LETTERS, csv_label_to_class, select_letters
from . import core
from .trained_model import TrainedModel

NOTEBOOK = "09"
COMMON = {"notebook": NOTEBOOK, "notebook_name": "09_capstone_sign_language"}
INPUT_SHAPE = (28, 28, 1)
RPS_LETTERS = "ABV"
RPS_NAMES = ("rock", "paper", "scissors")
RPS_BAR = 0.97
LETTERS_BAR = 0.97


@functools.cache
def _held_out_rows() -> np.ndarray:
    """The held-out half of the test file as CSV rows, int64 (3594, 785), read-only."""
    from ..datasets.sign_mnist import load_sign_mnist_rows

    rows = load_sign_mnist_rows("held_out", progress=False)
    rows.flags.writeable = False
    return rows


def model_input(x: np.ndarray) -> np.ndarray:
    """uint8 images (n, 28, 28) as the checker feeds them: float32 in [0, 1], (n, 28, 28, 1)."""
    return (np.asarray(x, dtype=np.float32) / 255.0)[..., np.newaxis]


@functools.cache
def held_out_images(letters=None) -> tuple[np.ndarray, np.ndarray]:
    """The checker's held-out images, as :func:`model_input` makes them, and their classes.

    ``letters`` (e.g. ``"ABV"``) keeps those letters, labelled 0, 1, ...; None keeps all 24.
    Returns float32 ``(n, 28, 28, 1)`` and int64 ``(n,)``, read-only: 3,594 images (554
    for ``"ABV"``).
    """
    rows = _held_out_rows()
    x = rows[:, 1:].astype(np.uint8).reshape(-1, 28, 28)
    y = csv_label_to_class(rows[:, 0])
    if letters is not None:
        x, y = select_letters(x, y, letters)
    x, y = model_input(x), np.asarray(y, dtype=np.int64)
    x.flags.writeable = y.flags.writeable = False
    return x, y


def _correct(name: str, check: TrainedModel):
    return lambda **answers: f"{name} {check.passed()}"


RPS_CHECK = TrainedModel(
    held_out=lambda: held_out_images(RPS_LETTERS),
    class_names=RPS_NAMES,
    input_shape=INPUT_SHAPE,
    bar=RPS_BAR,
    training_data="x_train_rps",
    advice=(
        "A small convnet (notebook 02) gets there: two Conv2D + MaxPooling2D blocks, "
        "Flatten, Dropout, Dense(3, activation='softmax'), trained for a few epochs."
    ),
)
LETTERS_CHECK = TrainedModel(
    held_out=lambda: held_out_images(None),
    class_names=LETTERS,
    input_shape=INPUT_SHAPE,
    bar=LETTERS_BAR,
    advice=(
        "What closes the gap between the training sessions and the test sessions: "
        "augmentation (random shifts, zoom and small rotations; notebook 05), a bigger "
        "network with BatchNormalization and Dropout, and enough epochs."
    ),
)

q1 = core.Answers(
    **COMMON,
    name="q1",
    title="your network for rock, paper and scissors",
    usage="ex.q1.check(rps_model)",
    hints=(
        "Notebook 02's MNIST convnet fits these 28 x 28 gray images as it is, with 3 outputs "
        "instead of 10. Its labels are 0, 1, 2 (not one-hot), so the loss is "
        "'sparse_categorical_crossentropy'. Train on x_train_rps, y_train_rps with "
        "validation_data=(x_val_rps, y_val_rps), and evaluate once on x_test_rps, y_test_rps.",
        "Step by step: (1) keras.Input(shape=(28, 28, 1)), Conv2D(32, 3, activation='relu'), "
        "MaxPooling2D(), Conv2D(64, 3, activation='relu'), MaxPooling2D(), Flatten(), "
        "Dropout(0.5), Dense(3, activation='softmax'). (2) compile(optimizer='adam', "
        "loss='sparse_categorical_crossentropy', metrics=['accuracy']). (3) fit for "
        "rps_epochs epochs, batch_size=batch_size, verbose=2, and watch the curves "
        "(notebooks 02 and 03). (4) rps_test_accuracy from model.evaluate(x_test_rps, "
        "y_test_rps): the check measures the same on images of its own.",
    ),
    parts={"rps_model": RPS_CHECK},
    correct=_correct("rps_model", RPS_CHECK),
)

q2 = core.Answers(
    **COMMON,
    name="q2",
    title="your network for all 24 letters",
    usage="ex.q2.check(letters_model)",
    hints=(
        "The baseline shows the problem: near-perfect on validation images from the training "
        "sessions, much worse on the test sessions. Show the network, while it trains, the "
        "differences between sessions (shifts, zoom, small rotations: sign_augmentation), "
        "and give it the capacity to fit such harder images: more filters, "
        "BatchNormalization, Dropout, and a decaying learning rate.",
        "(1) Put sign_augmentation right after keras.Input(shape=(28, 28, 1)). (2) Three "
        "blocks of Conv2D(filters, 3, padding='same', activation='relu') + MaxPooling2D() + "
        "BatchNormalization(momentum=0.9) with 32, 64 and 128 filters, then Flatten, "
        "Dropout(0.3), Dense(128, activation='relu'), Dropout(0.3), Dense(24, "
        "activation='softmax'). (3) Compile as in q1 and train for letters_epochs epochs on "
        "x_train, y_train with validation_data=(x_val, y_val) and "
        "callbacks=[keras.callbacks.LearningRateScheduler(decay)]. (4) Evaluate once on "
        "x_test, y_test.",
    ),
    parts={"letters_model": LETTERS_CHECK},
    correct=_correct("letters_model", LETTERS_CHECK),
)


# ------------------------------------------------------------------------------- q3


def _row_cases(answers) -> list[core.Case]:
    """The checker's rows: one of each letter, a single row, then all held-out rows."""
    rows = _held_out_rows()
    firsts = [int(np.flatnonzero(rows[:, 0] == label)[0]) for label in np.unique(rows[:, 0])]
    return [
        core.Case((rows[firsts].copy(),), True, "24 rows, one of each letter"),
        core.Case((rows[firsts[-1:]].copy(),), True, "a single row (a Y)"),
        core.Case((rows.copy(),), True, f"the checker's {len(rows):,} held-out rows"),
    ]


def _reference_rows(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = (rows[:, 1:].astype(np.float32) / 255.0).reshape(-1, 28, 28, 1)
    return x, csv_label_to_class(rows[:, 0]).astype(np.int64)


class ReadRows(core.Function):
    """read_rows(rows) -> (x, y): float32 (n, 28, 28, 1) in [0, 1], classes 0-23 (n,)."""

    def convert(self, out, case, name):
        (rows,) = case.args
        n, call = len(rows), f"{name}(rows) on {case.what}"
        if not isinstance(out, (tuple, list)) or len(out) != 2:
            raise core.Incorrect(
                f"{call} returned {core.describe(out)}; return two arrays: return x, y."
            )
        x, y = (core.as_array(part, f"{call}: {which}") for part, which in zip(out, "xy"))
        if x.shape == (n, 28, 28):
            raise core.Incorrect(
                f"{call}: x has shape {x.shape}, one gray channel short: the networks take "
                f"(n, 28, 28, 1)."
            )
        if x.shape != (n, 28, 28, 1):
            raise core.Incorrect(
                f"{call}: x has shape {x.shape} for {n} rows; the networks take images of "
                "shape (n, 28, 28, 1)."
            )
        if not np.issubdtype(x.dtype, np.floating):
            raise core.Incorrect(
                f"{call}: x holds {x.dtype.name} numbers; the networks take float32 pixels "
                "in [0, 1]."
            )
        if not np.isfinite(x).all():
            raise core.Incorrect(f"{call}: x contains NaN or infinity.")
        if x.min() < 0 or x.max() > 1:
            raise core.Incorrect(
                f"{call}: x runs from {x.min():g} to {x.max():g}; scale the pixels to [0, 1]."
            )
        want_x, want_y = _reference_rows(rows)
        if not np.allclose(x, want_x, atol=1e-6):
            shifted = (rows[:, :784].astype(np.float32) / 255.0).reshape(-1, 28, 28, 1)
            if np.allclose(x, np.clip(shifted, 0, 1), atol=1e-6):
                raise core.Incorrect(
                    f"{call}: x is off by one column: the first number of each row is its "
                    "label, not a pixel."
                )
            raise core.Incorrect(
                f"{call}: x is not the rows' pixels (the 784 numbers after the label, row "
                "by row) scaled to [0, 1]."
            )
        if y.shape != (n,) or not np.array_equal(y, np.round(y)):
            raise core.Incorrect(
                f"{call}: y should hold one whole number per row, shape ({n},), not "
                f"{core.describe(out[1])}."
            )
        wrong = sorted({LETTERS[c] for c in want_y[y != want_y]})
        if wrong:
            labels = rows[:, 0]
            if np.array_equal(y, labels):
                reason = "y keeps the file's labels, with their gap at J"
            else:
                reason = f"y gives the wrong class to {', '.join(wrong)}"
            raise core.Incorrect(
                f"{call}: {reason}. The classes must run 0-23, class c being the letter "
                "datasets.SIGN_LETTERS[c]."
            )
        return True

    def compare(self, got, expected, case):
        return got is True

    def case_list(self, answers):
        return _row_cases(answers)


q3 = core.Answers(
    **COMMON,
    name="q3",
    title="repair a reader of the CSV rows (debug)",
    usage="ex.q3.check(read_rows)",
    hints=(
        "Compare what broken_read_rows gives with what the networks take, one thing at a "
        "time: which columns of a row are pixels, the shape of x, its dtype and range, and "
        "the letter (datasets.SIGN_LETTERS) of each class it gives, next to the letter "
        "the row's label names in the file.",
        "Four bugs. The label is column 0 and the pixels are columns 1 to 784 (rows[:, 1:]); "
        "x needs its channel axis (reshape(-1, 28, 28, 1)) and float32 pixels divided by "
        "255; and only the labels after J (9) move down by one: labels 10-24 become "
        "classes 9-23, labels 0-8 stay as they are.",
    ),
    parts={"read_rows": ReadRows()},
    correct=lambda read_rows: (
        "read_rows gives float32 images of shape (n, 28, 28, 1) in [0, 1] and the right "
        f"class for every letter, on the checker's {len(_held_out_rows()):,} held-out rows."
    ),
)

QUESTIONS = ("q1", "q2", "q3")
