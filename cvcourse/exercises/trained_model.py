"""A kind of check for a trained Keras classifier, judged on held-out data the checker loads.

:class:`TrainedModel` takes the student's trained model, checks its input and output
shapes, has it classify held-out images that its ``held_out`` setting loads (never the
student's variables), and passes it when its accuracy reaches ``bar``. When it falls
short, the message says why in a student's words: trained on 0-255 pixels, classes in
another order, one answer for everything, or simply not accurate enough. Used by notebook
09 (``ex09.q1``, ``ex09.q2``), and ready for any notebook that grades a trained network.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np

from . import core

PREDICT_TIME_LIMIT = 300.0  # seconds for the student's model to classify the held-out images


def _predict(model, x: np.ndarray, input_shape) -> np.ndarray:
    try:
        with core.time_limit(PREDICT_TIME_LIMIT):
            scores = model.predict(x, batch_size=512, verbose=0)
    except Exception as err:  # noqa: BLE001 - the student's model, reported in words
        raise core.Incorrect(
            f"your model raised {type(err).__name__} when asked to classify the held-out images "
            f"(a float32 array of shape {(len(x), *input_shape)}): {err}"
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
    """A trained Keras classifier, judged by its accuracy on held-out images.

    Settings: ``held_out`` (a function returning the checker's own ``(x, y)``: float32
    images as the exercise states them, shape ``(n, *input_shape)``, and int classes
    ``(n,)``; it is called at each check, so cache it), ``class_names`` (what the outputs
    mean, in order), ``input_shape`` (one image, e.g. ``(28, 28, 1)``), ``bar`` (the
    accuracy to reach), ``training_data`` (the notebook's name for the training images,
    said in messages) and ``advice`` (said when the model falls short).
    """

    held_out: Callable[[], tuple[np.ndarray, np.ndarray]] | None = None
    class_names: tuple[str, ...] = ()
    input_shape: tuple[int, ...] = (28, 28, 1)
    bar: float = 0.9
    training_data: str = "x_train"
    advice: str = ""

    def _names(self) -> str:
        return ", ".join(f"{i} = {name}" for i, name in enumerate(self.class_names[:3])) + (
            ", ..." if len(self.class_names) > 3 else ""
        )

    def _shape_problem(self, model, name: str) -> str | None:
        import keras

        k, shape = len(self.class_names), tuple(self.input_shape)
        start = f"keras.Input(shape={shape})"
        if not isinstance(model, keras.Model):
            return (
                f"{name} should be a trained Keras model (e.g. made with "
                f"keras.Sequential), but it is {core.describe(model)}."
            )
        try:
            input_shape, output_shape = model.input_shape, model.output_shape
        except Exception:  # noqa: BLE001 - a model that was never built or called
            return (
                f"{name} does not know the shape of its input yet. Start it with "
                f"{start}, then compile and train it."
            )
        if not isinstance(input_shape, tuple) or not all(
            d is None or isinstance(d, int) for d in input_shape
        ):
            return f"{name} takes several inputs; it should take one batch of images."
        if tuple(input_shape[1:]) != shape:
            return (
                f"{name} takes inputs of shape {tuple(input_shape[1:])}, but the images are "
                f"float32 arrays of shape {shape} (height, width, channels). Start the model "
                f"with {start}."
            )
        per_image = output_shape[1:] if isinstance(output_shape, tuple) else output_shape
        if not isinstance(output_shape, tuple) or tuple(per_image) != (k,):
            return (
                f"{name} gives outputs of shape {per_image} per image; it should give {k} "
                f"numbers, one score per class ({self._names()}): end with "
                f"keras.layers.Dense({k}, activation='softmax')."
            )
        return None

    def judge(self, model, name, answers):
        problem = self._shape_problem(model, name)
        if problem:
            return problem
        k = len(self.class_names)
        x, y = self.held_out()
        n = len(y)
        predicted = _predict(model, x, self.input_shape).argmax(axis=1)
        accuracy = float((predicted == y).mean())
        if accuracy >= self.bar:
            return None
        raw = _predict(model, x * 255.0, self.input_shape).argmax(axis=1)
        if float((raw == y).mean()) >= self.bar:
            return (
                f"on images scaled to [0, 1], as the exercise asks, {name} gets only "
                f"{accuracy:.1%} right, but on 0-255 pixels it would pass: it was trained on "
                f"unscaled images (or rescales them itself). Train it on x / 255, the "
                f"notebook's {self.training_data}, or drop its Rescaling layer."
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
                f"{name} answers {top!r} for {counts.max():,} of the {n:,} held-out images: "
                "it has not learned much yet. Was it trained (model.fit), and on the right labels?"
            )
        return (
            f"{name} recognises {accuracy:.1%} of the {n:,} held-out images; the bar is "
            f"{self.bar:.0%}. {self.advice}"
        ).strip()

    def passed(self) -> str:
        """The *correct* message's end: what the model was judged on."""
        n = len(self.held_out()[1])
        return (
            f"recognises at least {self.bar:.0%} of the checker's {n:,} held-out images, "
            "which the notebook never showed you."
        )
