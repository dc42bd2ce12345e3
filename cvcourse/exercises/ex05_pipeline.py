"""The check of notebook 05's first exercise (q1): an augmentation pipeline from a description.

:class:`Pipeline` judges ``my_augmentation`` by the layers inside it (a left-right
RandomFlip, RandomRotation(0.05), RandomZoom(0.15) and RandomContrast((0.2, 0.2)), which
lowers or raises the contrast by up to 20%: given one number, Keras 3's RandomContrast only
raises it) and by what it does to the checker's own batch of six 40x40 RGB float32 images
(changed with ``training=True``, unchanged with ``training=False``, shape and dtype kept).
Declared as ``ex05.q1``; taught in notebook 05, sections 2 and 4.
"""

from __future__ import annotations

import re

import numpy as np

from . import core


def _probe_images() -> np.ndarray:
    """Six 40x40 RGB images with structure in every direction, values 0-255, float32."""
    rows, cols = np.linspace(0, 200, 40)[:, None], np.linspace(0, 55, 40)[None, :] ** 1.2
    base = (rows + cols)[None, :, :, None] * np.ones((6, 1, 1, 3))
    noise = np.random.default_rng(5).uniform(0, 40, size=(6, 40, 40, 3))
    return np.clip(base + noise, 0, 255).astype(np.float32)


def _factor_range(value) -> tuple[float, float] | None:
    """A Keras factor (a number f, meaning -f..f, or a pair) as (low, high), else None."""
    number = core.as_number(value)
    if number is not None:
        return (-abs(number), abs(number))
    pair = [core.as_number(v) for v in value] if isinstance(value, (list, tuple)) else []
    return tuple(sorted(pair)) if len(pair) == 2 and None not in pair else None


def _short_error(err: Exception) -> str:
    """The gist of an error, without the wrapping Keras adds around errors inside layers."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", str(err))
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) > 1 and lines[0].startswith("Exception encountered when calling"):
        return f"{type(err).__name__}: {lines[1]}"
    return f"{type(err).__name__}: {lines[0] if lines else ''}".rstrip(": ")


def _factor_ok(value, expected: float) -> bool:
    """Does a layer's factor (a number f, meaning -f..f, or a pair) mean (-expected, expected)?"""
    span = _factor_range(value)
    return span is not None and bool(np.allclose(span, (-expected, expected), atol=1e-6))


def _contrast_problem(value, expected: float) -> str | None:
    """What is wrong with a RandomContrast factor, for "lower or raise by up to ``expected``".

    Keras stores the factor as a pair (low, high) and draws the contrast factor from
    [1 - low, 1 + high]; ``RandomContrast(0.2)`` becomes (0, 0.2): it only raises the
    contrast. Lowering and raising by up to 0.2 is (0.2, 0.2). None when right.
    """
    pair = [core.as_number(v) for v in value] if isinstance(value, (list, tuple)) else []
    if len(pair) != 2 or None in pair:
        return f"the RandomContrast factor is {value}; the description asks for 0.8 to 1.2"
    low, high = pair
    if np.allclose((low, high), (expected, expected), atol=1e-6):
        return None
    if np.isclose(low, 0) and np.isclose(high, expected):
        return (
            f"the RandomContrast factor is {tuple(value)}: given one number, RandomContrast "
            f"only raises the contrast (factors from 1 to {1 + high:g}), never lowers it; "
            "section 2's table says how to ask for both"
        )
    return (
        f"the RandomContrast factor is {tuple(value)}, which draws factors from {1 - low:g} "
        f"to {1 + high:g}; the description asks for 0.8 to 1.2"
    )


# layer, its setting, the value the description asks for, and what that value means
_SETTINGS = [
    ("RandomRotation", "factor", 0.05, "18 degrees is 18 / 360 = 0.05 of a full turn"),
    ("RandomZoom", "height_factor", 0.15, "up to 15% in or out is 0.15"),
    ("RandomContrast", "factor", 0.2, "from 0.8 to 1.2"),
]


class Pipeline(core.Check):
    """my_augmentation: flip, rotate 18 degrees, zoom 15%, contrast 0.8-1.2; and its behaviour."""

    def judge(self, my_augmentation, name, answers):
        if my_augmentation is None or not callable(my_augmentation):
            return (
                f"{name} should be a keras.Sequential of random layers (something you "
                f"can call on a batch of images), but it is {core.describe(my_augmentation)}."
            )
        kinds = {
            type(layer).__name__: layer for layer in core.layers_of(my_augmentation, nested=True)
        }
        problems = []
        flip = kinds.get("RandomFlip")
        if flip is None:
            problems.append("there is no RandomFlip: the description flips images left-right")
        elif flip.get_config().get("mode") != "horizontal":
            problems.append(
                f"the RandomFlip has mode {flip.get_config().get('mode')!r}; left-right only "
                "is mode 'horizontal' (an upside-down cat is not what the camera sees)"
            )
        for layer_name, key, expected, meaning in _SETTINGS:
            layer = kinds.get(layer_name)
            if layer is None:
                problems.append(f"there is no {layer_name}")
                continue
            value = layer.get_config().get(key)
            if layer_name == "RandomContrast":
                problems.append(_contrast_problem(value, expected))
            elif not _factor_ok(value, expected):
                problems.append(f"the {layer_name} factor is {value}; {meaning}")
        extra = sorted(set(kinds) - {"RandomFlip", *(entry[0] for entry in _SETTINGS)})
        if extra:
            problems.append(f"the description asks for no {', '.join(extra)}")
        problems = [problem for problem in problems if problem]
        if problems:
            return core.join_problems(problems)
        return self._check_behaviour(my_augmentation)

    @staticmethod
    def _check_behaviour(pipeline) -> None:
        images = _probe_images()
        try:
            with core.time_limit(core.STUDENT_TIME_LIMIT):
                trained = np.asarray(pipeline(images, training=True))
                inferred = np.asarray(pipeline(images, training=False))
        except Exception as err:  # noqa: BLE001 - the student's pipeline failed on images
            raise core.Incorrect(
                f"calling your pipeline on a batch of images of shape {images.shape} failed: "
                f"{_short_error(err)}"
            ) from None
        problem = None
        if trained.shape != images.shape or inferred.shape != images.shape:
            problem = (
                f"a batch of shape {images.shape} came back with shape {trained.shape}; "
                "augmentation must keep the images' shape."
            )
        elif trained.dtype != np.float32:
            problem = f"float32 images came back as {trained.dtype}."
        elif np.allclose(trained, images):
            problem = "with training=True the images came back unchanged."
        elif not np.allclose(inferred, images):
            problem = (
                "with training=False (predict, evaluate) the images were changed: "
                "augmentation must only happen during training."
            )
        if problem:
            raise core.Incorrect(problem)
