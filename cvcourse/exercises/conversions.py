"""Checks of a prediction about a chain of image conversions (notebook 00, ``ex00.q3``).

The checker runs the chain itself (:func:`run_chain`) and judges the student's predicted
shape, dtype and value range against what it gives: a prediction is committed before the
chain is run in the notebook, so these checks only need the answers, never the student's
arrays. Split out of :mod:`~cvcourse.exercises.ex00` to keep modules small.
"""

from __future__ import annotations

import functools

import numpy as np

from . import core

CHAIN_SIZE = (64, 96)  # the (height, width) the chain resizes to


@functools.cache
def run_chain() -> tuple[tuple[int, ...], str, float, float]:
    """The chain of q3 run by the checker: (shape, dtype name, min, max) of its result.

    camera (512, 512) uint8 -> stacked to (512, 512, 3) -> tf.image.resize to CHAIN_SIZE
    (float32, still 0-255) -> divided by 255 (float32, [0, 1]) -> a batch axis in front.
    """
    import tensorflow as tf

    from ..datasets import load_sample

    gray = load_sample("camera")  # (512, 512) uint8
    stacked = np.stack([gray, gray, gray], axis=-1)
    small = tf.image.resize(stacked, CHAIN_SIZE).numpy()
    batch = (small / 255)[np.newaxis]
    return batch.shape, batch.dtype.name, float(batch.min()), float(batch.max())


class ChainShape(core.Check):
    """chain_shape: the result's shape, a tuple of whole numbers (batch axis included)."""

    def judge(self, value, name, answers):
        shape = run_chain()[0]
        if hasattr(value, "as_list"):
            value = value.as_list()
        items = list(value) if isinstance(value, (tuple, list)) else None
        given = None if items is None else [core.as_whole_number(v) for v in items]
        if given is None or None in given:
            return f"{name} should be a tuple of whole numbers, not {core.describe(value)}"
        given = tuple(given)
        if given == shape:
            return None
        if given == shape[1:]:
            return f"{name} {given}: you left out an axis that the last step adds"
        if len(given) == len(shape) and given[-1] != shape[-1]:
            return (
                f"{name} {given}: the number of channels is wrong; how many are there "
                "after np.stack, and does resizing change them?"
            )
        if len(given) == len(shape) and given[1:3] != shape[1:3]:
            return (
                f"{name} {given}: the height and width are wrong; tf.image.resize gives "
                "exactly the size it is asked for"
            )
        return f"{name} {given} is not the shape the chain ends with"


_DTYPE_WHY = {
    "uint8": "one of the steps turns the whole numbers into floats",
    "float64": (
        "not what this chain gives: which dtype does tf.image.resize return, and does "
        "dividing an array by a plain Python number change it?"
    ),
    "float16": "no step of the chain asks for half precision",
    "int64": "one of the steps turns the whole numbers into floats",
}


class ChainDtype(core.Check):
    """chain_dtype: a dtype name ("uint8", "float32", ...) or a NumPy dtype."""

    def judge(self, value, name, answers):
        try:
            given = np.dtype(value).name if isinstance(value, (str, np.dtype, type)) else None
        except TypeError:
            given = None
        if given is None:
            return f"{name} should be a dtype name such as 'uint8', not {core.describe(value)}"
        if given == run_chain()[1]:
            return None
        return f"{name} is {given}: " + _DTYPE_WHY.get(given, "not the dtype the chain ends with")


class ChainRange(core.Check):
    """chain_range: (low, high), the scale the result's values are on."""

    def judge(self, value, name, answers):
        _, _, low, high = run_chain()
        scale = (0.0, 1.0) if high <= 1.0 else (0.0, 255.0)
        pair = None
        if isinstance(value, (tuple, list)) and len(value) == 2:
            pair = [core.as_number(v) for v in value]
        if pair is None or None in pair or not np.isfinite(pair).all():
            return f"{name} should be two numbers (low, high), not {core.describe(value)}"
        if np.allclose(pair, scale, atol=0.01):
            return None
        if np.allclose(pair, (0.0, 255.0), atol=0.5):
            return (
                f"{name} {tuple(pair)}: that was the scale before one of the steps; follow "
                "the values through every step"
            )
        return f"{name} {tuple(pair)} is not the scale the values end on"
