"""Exercises of notebook 05_data_augmentation.

- ``q1``: build an augmentation pipeline from a description; checked on what it does:
  the layers asked for, shapes and dtype kept, training images changed, inference images
  left alone.
- ``q2``: which augmentations suit handwritten digits and which suit photos of cats and
  dogs (no horizontal flip for characters): two :class:`~core.Selection` answers.
- ``q3``: spot the setups in which augmentation reaches the validation data (a
  :class:`~core.Selection` of letters).
"""

from __future__ import annotations

import numpy as np

from . import core

NOTEBOOK = "05"
COMMON = {"notebook": NOTEBOOK, "notebook_name": "05_data_augmentation"}

# ------------------------------------------------------------------------------- q1

# The description the notebook gives, as the check reads it: layer -> expected settings.
Q1_DESCRIPTION = (
    "flip images left-right at random; rotate them by up to 5% of a full turn (18 degrees) "
    "either way; zoom in or out by up to 15%; change the contrast by up to 20%"
)


def _probe_images() -> np.ndarray:
    """Six 40x40 RGB images with structure in every direction, values 0-255, float32."""
    rng = np.random.default_rng(5)
    rows = np.linspace(0, 200, 40, dtype=np.float32)[:, None]
    cols = np.linspace(0, 55, 40, dtype=np.float32)[None, :] ** 1.2
    base = (rows + cols)[None, :, :, None] * np.ones((6, 1, 1, 3), np.float32)
    noise = rng.uniform(0, 40, size=(6, 40, 40, 3)).astype(np.float32)
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
    import re

    text = re.sub(r"\x1b\[[0-9;]*m", "", str(err))
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) > 1 and lines[0].startswith("Exception encountered when calling"):
        return f"{type(err).__name__}: {lines[1]}"
    return f"{type(err).__name__}: {lines[0] if lines else ''}".rstrip(": ")


# layer, its setting, the value the description asks for, and what that value means
_SETTINGS = [
    ("RandomRotation", "factor", 0.05, "18 degrees is 18 / 360 = 0.05 of a full turn"),
    ("RandomZoom", "height_factor", 0.15, "up to 15% in or out is 0.15"),
    ("RandomContrast", "factor", 0.2, "up to 20% is 0.2"),
]


class Pipeline(core.Check):
    """my_augmentation: the four layers of :data:`Q1_DESCRIPTION`, and how they behave."""

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
            close = self._close_contrast if layer_name == "RandomContrast" else self._close
            if not close(value, expected):
                problems.append(f"the {layer_name} factor is {value}; {meaning}")
        extra = sorted(set(kinds) - {"RandomFlip", *(entry[0] for entry in _SETTINGS)})
        if extra:
            problems.append(f"the description asks for no {', '.join(extra)}")
        if problems:
            return core.join_problems(problems)
        return self._check_behaviour(my_augmentation)

    @staticmethod
    def _close(value, expected: float) -> bool:
        span = _factor_range(value)
        return span is not None and np.allclose(span, (-expected, expected), atol=1e-6)

    @staticmethod
    def _close_contrast(value, expected: float) -> bool:
        # RandomContrast(0.2) stores (0, 0.2) and RandomContrast((0.2, 0.2)) stores (0.2, 0.2):
        # the factor is drawn from [1 - low, 1 + high]; both mean "up to 20%".
        span = _factor_range(value)
        return (
            span is not None
            and np.isclose(span[1], expected)
            and span[0] >= -1e-9
            and (np.isclose(span[0], 0) or np.isclose(span[0], expected))
        )

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
        if trained.shape != images.shape or inferred.shape != images.shape:
            raise core.Incorrect(
                f"a batch of shape {images.shape} came back with shape {trained.shape}; "
                "augmentation must keep the images' shape."
            )
        if trained.dtype != np.float32:
            raise core.Incorrect(f"float32 images came back as {trained.dtype}.")
        if np.allclose(trained, images):
            raise core.Incorrect("with training=True the images came back unchanged.")
        if not np.allclose(inferred, images):
            raise core.Incorrect(
                "with training=False (predict, evaluate) the images were changed: "
                "augmentation must only happen during training."
            )


q1 = core.Answers(
    **COMMON,
    name="q1",
    title="an augmentation pipeline from a description",
    usage="ex.q1.check(my_augmentation)",
    hints=(
        "Make a keras.Sequential of four layers: RandomFlip('horizontal'), "
        "RandomRotation(0.05), RandomZoom(0.15) and RandomContrast(0.2). The rotation "
        "factor is a fraction of a full turn; the zoom factor a fraction of the size. "
        "Or call augment.augmentation_pipeline with the right settings."
    ),
    parts={"my_augmentation": Pipeline()},
    correct=(
        "your pipeline has the four layers with the right settings; it changes training "
        "images, leaves inference images alone, and keeps their shape and dtype."
    ),
)


# ------------------------------------------------------------------------------- q2

AUGMENTATIONS = {
    "horizontal_flip": "mirror the image left-right",
    "vertical_flip": "turn the image upside down (mirror top-bottom)",
    "small_rotation": "rotate by up to about 15 degrees",
    "large_rotation": "rotate by up to 180 degrees",
    "shift": "move the image by up to 10% of its size",
    "zoom": "zoom in or out by up to 15%",
    "brightness": "make the whole image a little brighter or darker",
}

# For each dataset: augmentations that must be chosen, and ones that must not be, with why.
Q2_RULES = {
    "digits": {
        "must": {
            "small_rotation": "people write digits slightly tilted",
            "shift": "a digit is not always in the centre of its box",
        },
        "must_not": {
            "horizontal_flip": "a mirrored 2, 3, 4, 5, 7 or 9 is not a digit any more (and "
            "mirrored characters are a different writing)",
            "vertical_flip": "a 6 upside down reads as a 9, so the label would be wrong",
            "large_rotation": "a 6 rotated half a turn is a 9, so the label would be wrong",
        },
    },
    "cats_and_dogs": {
        "must": {
            "horizontal_flip": "a cat facing left is as much a cat as one facing right",
            "small_rotation": "photos are taken slightly tilted",
            "shift": "the animal is not always in the centre",
            "zoom": "the animal is photographed from near and far",
        },
        "must_not": {
            "vertical_flip": "photos of pets are hardly ever upside down, so the model would "
            "spend its capacity on images it never meets",
            "large_rotation": "photos are hardly ever rotated by a quarter or half turn",
        },
    },
}


def _augmentations(key: str) -> core.Selection:
    rules = Q2_RULES[key]
    return core.Selection(
        options=tuple(AUGMENTATIONS),
        must=rules["must"],
        must_not=rules["must_not"],
        example="{'shift', 'zoom'}",
        option_words="names",
    )


q2 = core.Answers(
    **COMMON,
    name="q2",
    title="augmentations for digits and for cats and dogs",
    usage="ex.q2.check(for_digits, for_cats_and_dogs)",
    hints=(
        "Ask of each transformation: would a person still give the transformed image the "
        "same label, and does the transformed image look like something the camera (or the "
        "pen) really produces? A 6 turned upside down is a 9."
    ),
    parts={
        "for_digits": _augmentations("digits"),
        "for_cats_and_dogs": _augmentations("cats_and_dogs"),
    },
    correct=(
        "right: label-preserving, realistic changes only. Digits keep their orientation "
        "(no flips, no large turns); photos of pets may be mirrored but not turned over."
    ),
)


# ------------------------------------------------------------------------------- q3

SETUPS = {
    "A": "The augmentation layers are the first layers of the model; "
    "model.fit(train_ds, validation_data=val_ds).",
    "B": "train_ds = augment.augment_dataset(train_ds, pipeline) and "
    "val_ds = augment.augment_dataset(val_ds, pipeline), then model.fit(train_ds, "
    "validation_data=val_ds) with a model without augmentation layers.",
    "C": "Ten augmented copies of each of the 2,500 labelled images are written to disk "
    "(25,000 files), shuffled, then split 80/20 into training and validation folders.",
    "D": "train_ds = augment.augment_dataset(train_ds, pipeline); val_ds is used as it is; "
    "the model has no augmentation layers.",
    "E": "The augmentation layers are inside the model, and the validation accuracy is "
    "computed by hand with model(x_val, training=True).",
}
Q3_ANSWER = {"B", "C", "E"}
Q3_WHY = {
    "A": "layers inside the model are only active in training; Keras evaluates the "
    "validation data in inference mode, so they pass it through unchanged",
    "B": "augment_dataset was applied to val_ds too, so the validation images are "
    "augmented: the score is noisy and measures something other than real images",
    "C": "copies of the same photo land on both sides of the split, so the model is "
    "validated on near-duplicates of its training images: a real leak, the validation "
    "accuracy is too optimistic",
    "D": "only the training data go through the augmentation; this is the tf.data way done right",
    "E": "training=True switches the random layers (and dropout) on, so the validation "
    "images are augmented",
}


q3 = core.Answers(
    **COMMON,
    name="q3",
    title="spot the augmentation that reaches the validation data",
    usage="ex.q3.check(touches_validation)",
    hints=(
        "For each setup, follow one validation image from disk to the score: is it ever "
        "changed at random, or is it a copy of a training image? Random layers are active "
        "with training=True (fit's training steps) and inactive otherwise."
    ),
    parts={
        "touches_validation": core.Selection(
            options=tuple(SETUPS),
            must={x: Q3_WHY[x] for x in sorted(Q3_ANSWER)},
            must_not={x: Q3_WHY[x] for x in sorted(set(SETUPS) - Q3_ANSWER)},
            text_ok=True,
            normalise=lambda text: text.strip().upper(),
            example="{'A', 'D'}",
            option_words="setups",
            chosen_wrongly="{option} is fine: {why}",
            missed="you missed {option}: {why}",
        )
    },
    correct="right: " + "; ".join(f"{x}: {Q3_WHY[x]}" for x in sorted(Q3_ANSWER)) + ".",
)

QUESTIONS = [q1, q2, q3]
