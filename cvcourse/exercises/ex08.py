"""Exercises of notebook 08_capstone_sign_language: your own network, judged on unseen images.

- ``q1``: build, train and evaluate a network for rock (A), paper (B) and scissors (V);
  check the trained model ``rps_model``.
- ``q2``: the same for all 24 letters; check ``letters_model``.

Both checks judge the trained model, not the code that made it. What the checker feeds
the model is stated in the exercise: the held-out test images of Sign Language MNIST (the
7,172 of ``sign_mnist_test.csv``, recorded in other sessions than the training images;
1,109 of them for rock, paper and scissors), as **float32 in [0, 1] of shape
(28, 28, 1)**, the same preprocessing as the notebook's ``x_train``. So a model that
rescales inside itself (``keras.layers.Rescaling(1 / 255)``) must have been trained on
0-255 pixels and is told so. The model must take ``(28, 28, 1)`` and give one score per
class (3 or 24, in the notebook's class order); its most likely class is compared with the
true one, and the accuracy must reach the question's bar.
"""

from __future__ import annotations

import functools
import itertools

import numpy as np

from ..datasets.sign_mnist import LETTERS, select_letters
from . import core

NOTEBOOK = "08"
COMMON = {"notebook": NOTEBOOK, "notebook_name": "08_capstone_sign_language"}
INPUT_SHAPE = (28, 28, 1)
RPS_LETTERS = "ABV"
RPS_NAMES = ("rock", "paper", "scissors")
RPS_BAR = 0.97
LETTERS_BAR = 0.97
PREDICT_TIME_LIMIT = 300.0  # seconds for the student's model to classify the test images


@functools.cache
def _test_set() -> tuple[np.ndarray, np.ndarray]:
    """Sign Language MNIST's test images (uint8, (7172, 28, 28)) and classes, read-only."""
    from ..datasets.sign_mnist import load_sign_mnist_test

    x_test, y_test = load_sign_mnist_test(progress=False)
    x_test.flags.writeable = False
    y_test.flags.writeable = False
    return x_test, y_test


def model_input(x: np.ndarray) -> np.ndarray:
    """uint8 images (n, 28, 28) as the checker feeds them: float32 in [0, 1], (n, 28, 28, 1)."""
    return (np.asarray(x, dtype=np.float32) / 255.0)[..., np.newaxis]


def test_images(letters=None) -> tuple[np.ndarray, np.ndarray]:
    """The held-out test images the checks use, as ``model_input`` makes them, and labels.

    ``letters`` (e.g. ``"ABV"``) keeps those letters, labelled 0, 1, ...; None keeps all 24.
    """
    x, y = _test_set()
    if letters is not None:
        x, y = select_letters(x, y, letters)
    return model_input(x), np.asarray(y, dtype=np.int64)


def _predict(model, x: np.ndarray) -> np.ndarray:
    try:
        with core.time_limit(PREDICT_TIME_LIMIT):
            scores = model.predict(x, batch_size=512, verbose=0)
    except Exception as err:  # noqa: BLE001 - the student's model, reported in words
        raise core.Incorrect(
            f"your model raised {type(err).__name__} when asked to classify the test images "
            f"(a float32 array of shape {(len(x), *INPUT_SHAPE)}): {err}"
        ) from None
    scores = np.asarray(scores)
    if scores.ndim != 2 or scores.shape[0] != len(x):
        raise core.Incorrect(
            f"for {len(x)} images your model gave an output of shape {scores.shape}; it should "
            f"give one row of class scores per image."
        )
    if not np.isfinite(scores).all():
        raise core.Incorrect(
            "your model's outputs contain NaN or infinity: the training diverged. Try a smaller "
            "learning rate, and check that the inputs are scaled to [0, 1]."
        )
    return scores


def _best_relabelling(confusion: np.ndarray) -> float:
    """The accuracy the predictions would have if the classes were renamed at best."""
    k = len(confusion)
    if k <= 4:
        best = max(
            sum(confusion[i, p[i]] for i in range(k)) for p in itertools.permutations(range(k))
        )
    else:
        from scipy.optimize import linear_sum_assignment

        rows, cols = linear_sum_assignment(-confusion)
        best = confusion[rows, cols].sum()
    return float(best) / max(float(confusion.sum()), 1.0)


class TrainedModel(core.Check):
    """A trained Keras model, judged by its accuracy on held-out test images.

    Settings: ``letters`` (the letters it tells apart), ``class_names`` (what its outputs
    mean, in order), ``bar`` (the accuracy to reach) and ``advice`` (said when it falls
    short).
    """

    letters: str = LETTERS
    class_names: tuple[str, ...] = tuple(LETTERS)
    bar: float = 0.9
    advice: str = ""

    def _names(self) -> str:
        return ", ".join(f"{i} = {name}" for i, name in enumerate(self.class_names[:3])) + (
            ", ..." if len(self.class_names) > 3 else ""
        )

    def judge(self, model, name, answers):
        import keras

        k = len(self.class_names)
        if not isinstance(model, keras.Model):
            return (
                f"{name} should be a trained Keras model (e.g. made with "
                f"keras.Sequential), but it is {core.describe(model)}."
            )
        try:
            input_shape = model.input_shape
        except Exception:  # noqa: BLE001 - a model that was never built or called
            return (
                f"{name} does not know the shape of its input yet. Start it with "
                "keras.Input(shape=(28, 28, 1)), then compile and train it."
            )
        if isinstance(input_shape, list) or not isinstance(input_shape, tuple):
            return f"{name} takes several inputs; it should take one batch of images."
        if tuple(input_shape[1:]) != INPUT_SHAPE:
            return (
                f"{name} takes inputs of shape {tuple(input_shape[1:])}, but the "
                "images are float32 arrays of shape (28, 28, 1): height, width and one gray "
                "channel. Start the model with keras.Input(shape=(28, 28, 1))."
            )
        output_shape = model.output_shape
        if isinstance(output_shape, list) or tuple(output_shape[1:]) != (k,):
            return (
                f"{name} gives outputs of shape {output_shape[1:] if isinstance(output_shape, tuple) else output_shape} "
                f"per image; it should give {k} numbers, one score per class "
                f"({self._names()}): end with keras.layers.Dense({k}, activation='softmax')."
            )
        x, y = test_images(self.letters if k < len(LETTERS) else None)
        n = len(y)
        predicted = _predict(model, x).argmax(axis=1)
        accuracy = float((predicted == y).mean())
        if accuracy >= self.bar:
            return None
        raw = _predict(model, x * 255.0).argmax(axis=1)
        if float((raw == y).mean()) >= self.bar:
            return (
                f"on images scaled to [0, 1], as the exercise asks, {name} gets only "
                f"{accuracy:.1%} right, but on 0-255 pixels it would pass: it was trained on "
                "unscaled images (or rescales them itself). Train it on x / 255, the "
                "notebook's x_train, or drop its Rescaling layer."
            )
        confusion = np.zeros((k, k), dtype=np.int64)
        np.add.at(confusion, (y, predicted), 1)
        if _best_relabelling(confusion) >= self.bar:
            return (
                f"{name} separates the classes well but calls them by other numbers "
                f"(accuracy {accuracy:.1%}). Keep the notebook's labels: {self._names()}."
            )
        counts = np.bincount(predicted, minlength=k)
        if counts.max() >= 0.8 * n:
            top = self.class_names[int(counts.argmax())]
            return (
                f"{name} answers {top!r} for {counts.max():,} of the {n:,} test images: "
                "it has not learned much yet. Was it trained (model.fit), and on the right labels?"
            )
        return (
            f"{name} recognises {accuracy:.1%} of the {n:,} held-out test images; the "
            f"bar is {self.bar:.0%}. {self.advice}"
        )


def _correct(name: str, check: TrainedModel):
    def message(**answers) -> str:
        k = len(check.class_names)
        n = len(test_images(check.letters if k < len(LETTERS) else None)[1])
        return (
            f"{name} recognises at least {check.bar:.0%} of the {n:,} held-out test "
            "images, taken in other sessions than the training images."
        )

    return message


RPS_CHECK = TrainedModel(
    letters=RPS_LETTERS,
    class_names=RPS_NAMES,
    bar=RPS_BAR,
    advice=(
        "A small convnet (notebook 02) gets there: two Conv2D + MaxPooling2D blocks, "
        "Flatten, Dropout, Dense(3, activation='softmax'), trained for a few epochs."
    ),
)
LETTERS_CHECK = TrainedModel(
    letters=LETTERS,
    class_names=tuple(LETTERS),
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
        "Step by step, with the notebooks that taught each step. "
        "(1) The model, as in notebook 02's MNIST convnet: keras.Input(shape=(28, 28, 1)), "
        "Conv2D(32, 3, activation='relu'), MaxPooling2D(), Conv2D(64, 3, activation='relu'), "
        "MaxPooling2D(), Flatten(), Dropout(0.5), Dense(3, activation='softmax'). "
        "(2) Compile it (notebook 02): optimizer='adam', "
        "loss='sparse_categorical_crossentropy' because the labels are 0, 1, 2 and not "
        "one-hot, metrics=['accuracy']. "
        "(3) Train it on x_train_rps, y_train_rps with validation_data=(x_val_rps, y_val_rps), "
        "epochs=rps_epochs, verbose=2, and watch the curves (notebooks 02 and 03). "
        "(4) Evaluate it once on x_test_rps, y_test_rps (notebook 03): that is the number to "
        "report, and what this check measures."
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
        "The baseline above shows the problem: near-perfect on validation images from the "
        "training sessions, much worse on the test sessions. (1) Augment (notebook 05): put "
        "the notebook's sign_augmentation (random shifts, zoom and small rotations, no "
        "flips) right after keras.Input(shape=(28, 28, 1)). (2) A bigger network: three "
        "blocks of Conv2D(filters, 3, padding='same', activation='relu') + MaxPooling2D() + "
        "BatchNormalization(momentum=0.9) with 32, 64 and 128 filters, then Flatten, "
        "Dropout(0.3), Dense(128, activation='relu'), Dropout(0.3), Dense(24, "
        "activation='softmax'). (3) Compile as in q1 and train for letters_epochs epochs on "
        "x_train, y_train with validation_data=(x_val, y_val) and a "
        "keras.callbacks.LearningRateScheduler(training.exponential_decay(1e-3, 0.85)) "
        "(notebook 03). (4) Evaluate once on x_test, y_test."
    ),
    parts={"letters_model": LETTERS_CHECK},
    correct=_correct("letters_model", LETTERS_CHECK),
)

QUESTIONS = [q1, q2]
