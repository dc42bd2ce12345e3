"""Judging a repaired Keras model by its behaviour, untrained (notebook 02, ``ex02.q4``).

:class:`RepairedModel` calls the student's model (under the course's time limit) on the
checker's own small batch of 28 x 28 x 1 images and judges what comes out: one row of
``num_classes`` numbers per image, probabilities (nothing negative, each row adding up to
1), and the parameter count of the intended model, so that a model redesigned from
scratch is not taken for the repaired one. No training is needed. Split out of
:mod:`~cvcourse.exercises.ex02` to keep modules small.
"""

from __future__ import annotations

import functools

import numpy as np

from . import core


@functools.cache
def probe_batch(count: int = 4, shape: tuple[int, ...] = (28, 28, 1)) -> np.ndarray:
    """The checker's own input: (count, *shape) float32 in [0, 1], read-only."""
    batch = np.random.default_rng(2).uniform(0.0, 1.0, size=(count, *shape)).astype("float32")
    batch[0] = 0.0  # an all-black image as well
    batch.flags.writeable = False
    return batch


class RepairedModel(core.Check):
    """A Keras model taking ``input_shape`` images and returning class probabilities.

    Settings: ``input_shape`` ((28, 28, 1)), ``num_classes`` (10) and ``params`` (the
    repaired model's parameter count, or a function of the check's arguments).
    """

    input_shape: tuple[int, ...] = (28, 28, 1)
    num_classes: int = 10
    params: object = None

    def judge(self, model, name, answers):
        import keras

        if not isinstance(model, keras.Model):
            return (
                f"{name} should be a Keras model (a keras.Sequential, say), not "
                f"{core.describe(model)}."
            )
        try:
            takes = tuple(model.inputs[0].shape[1:])
        except (AttributeError, IndexError, TypeError, ValueError):
            takes = None  # not built yet: the call below builds it
        if takes is not None and takes != tuple(self.input_shape):
            return (
                f"{name} takes inputs of shape {takes}, but MNIST digits are "
                f"{tuple(self.input_shape)}: keep the broken model's Input."
            )
        batch = probe_batch(4, tuple(self.input_shape))
        shape_text = f"({len(batch)}, {', '.join(str(n) for n in self.input_shape)})"
        out = core.call_student(
            lambda x: model(x, training=False),
            np.array(batch),
            what=f"{name} on a batch of shape {shape_text}",
        )
        arr = core.as_array(out, f"what {name} returned")
        if arr.ndim != 2 or arr.shape[0] != len(batch):
            return (
                f"on a batch of {len(batch)} images {name} returns shape {arr.shape}; a "
                f"classifier returns one row per image, ({len(batch)}, {self.num_classes})."
            )
        if arr.shape[1] != self.num_classes and arr.shape[1] % self.num_classes:
            return (
                f"{name} gives {arr.shape[1]} numbers per image; a classifier gives one per "
                f"class, {self.num_classes}."
            )
        if arr.shape[1] != self.num_classes:
            return (
                f"{name} gives {arr.shape[1]} numbers per image; a classifier of "
                f"{self.num_classes} digits gives {self.num_classes}. Where does the Dense "
                "layer see each image as one vector?"
            )
        if not np.isfinite(arr).all():
            return f"{name} returns NaN or infinity on the checker's images."
        sums = arr.astype(np.float64).sum(axis=1)
        if (arr < 0).any() or not np.allclose(sums, 1.0, atol=1e-4):
            return (
                f"{name}'s outputs are not probabilities: each row should be at least 0 "
                f"everywhere and add up to 1, but a row adds up to {sums[1]:.3g}. Which "
                "activation does the last layer of a classifier need?"
            )
        expected = self.resolve(self.params, answers)
        count = model.count_params()
        if expected is not None and count != expected:
            return (
                f"{name} has {count:,} parameters, not the number the broken model has once "
                "repaired: keep its layers (the same convolutions, poolings and one Dense "
                f"layer of {self.num_classes} units) and fix only what is wrong."
            )
        return None
