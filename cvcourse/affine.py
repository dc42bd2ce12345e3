"""RandomAffine: random flips, rotations, zooms and shifts of a batch of images, in one resampling.

Keras has one layer per geometric augmentation (``RandomFlip``, ``RandomRotation``,
``RandomZoom``, ``RandomTranslation``). Chained, each of them resamples every image: three
interpolations per image, three times the blur and three times the work. The old
``ImageDataGenerator`` combined its changes into one matrix and resampled once.
:class:`RandomAffine` does the same with Keras ops. It draws the four layers' random
choices, with the same meaning for their factors, multiplies them into one affine
transform per image, and calls ``keras.ops.image.affine_transform`` once.

Build it through :func:`cvcourse.augment.augmentation_pipeline` with
``combine_geometry=True``. Taught in notebook 05, which times it against the separate
layers.

This module imports Keras (in a notebook, call ``runtime.quiet_tensorflow_logs()`` first).
The layer is registered with Keras as ``cvcourse>RandomAffine``, so a saved ``.keras``
model that holds it loads again once ``cvcourse.affine`` has been imported.
"""

from __future__ import annotations

import math

import keras
from keras import ops

FLIPS = (None, "horizontal", "vertical", "horizontal_and_vertical")
FILL_MODES = ("reflect", "nearest", "constant", "wrap")


def affine_transforms(angle, zoom, shift_x, shift_y, sign_x, sign_y, height, width):
    """One affine transform per image, as the (batch, 8) rows ``ops.image.affine_transform`` reads.

    Every argument but ``height`` and ``width`` (the image size in pixels) is a (batch,)
    tensor:

    - ``angle``: a rotation in radians, about the image centre;
    - ``zoom``: how much of the input one output pixel spans (above 1 zooms out and shows
      more of the image, below 1 zooms in);
    - ``shift_x``, ``shift_y``: shifts in pixels;
    - ``sign_x``, ``sign_y``: -1 mirrors that axis (left-right, up-down), 1 leaves it.

    A row ``[a0, a1, a2, b0, b1, b2, 0, 0]`` makes the output pixel at column x and row y
    read the input at column ``a0 x + a1 y + a2`` and row ``b0 x + b1 y + b2``. Here that
    point is ``c + F R z (p - c - s)``: the output point ``p``, less the shift ``s``,
    measured from the centre ``c``, then scaled by ``zoom``, rotated, and mirrored (F).
    """
    cos, sin = ops.cos(angle), ops.sin(angle)
    a0, a1 = sign_x * cos * zoom, -sign_x * sin * zoom
    b0, b1 = sign_y * sin * zoom, sign_y * cos * zoom
    cx, cy = (width - 1) / 2, (height - 1) / 2  # pixel centres are at whole numbers
    x0, y0 = cx + shift_x, cy + shift_y
    a2 = cx - a0 * x0 - a1 * y0
    b2 = cy - b0 * x0 - b1 * y0
    zeros = ops.zeros_like(a0)
    return ops.stack([a0, a1, a2, b0, b1, b2, zeros, zeros], axis=1)


@keras.saving.register_keras_serializable(package="cvcourse")
class RandomAffine(keras.layers.Layer):
    """Random flip, rotation, zoom and shift per image, applied in one resampling.

    The factors mean what they mean for the Keras layers that do each change alone:

    - ``flip``: ``"horizontal"`` (mirror left-right half of the time), ``"vertical"``,
      ``"horizontal_and_vertical"`` (each axis on its own coin) or None (``RandomFlip``);
    - ``rotation``: the largest rotation as a fraction of a full turn, so 0.1 = 36 degrees
      either way (``RandomRotation(rotation)``);
    - ``zoom``: zoom in or out by up to this fraction, the same for height and width
      (``RandomZoom(zoom)``);
    - ``translation``: shift by up to this fraction of the height and of the width
      (``RandomTranslation(translation, translation)``);
    - ``fill_mode``: how pixels from outside the image are filled: ``"reflect"`` (Keras'
      default), ``"nearest"``, ``"constant"`` (``fill_value``) or ``"wrap"``;
    - ``interpolation``: ``"bilinear"`` (as the Keras layers) or ``"nearest"``;
    - ``seed``: the random choices repeat for the same seed.

    Each image gets its own draw. Called with ``training=True`` (what ``fit`` does, and the
    default when called directly) it transforms; with ``training=False`` (``predict``,
    ``evaluate``) it returns its input unchanged. Input: a batch (batch, height, width,
    channels) or one image (height, width, channels), any real dtype, usually 0-255;
    output: the same shape in the layer's dtype (float32).
    """

    def __init__(
        self,
        rotation: float = 0.0,
        zoom: float = 0.0,
        translation: float = 0.0,
        flip: str | None = "horizontal",
        fill_mode: str = "reflect",
        interpolation: str = "bilinear",
        fill_value: float = 0.0,
        seed: int | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        for label, value in (("rotation", rotation), ("zoom", zoom), ("translation", translation)):
            if (
                not isinstance(value, (int, float))
                or isinstance(value, bool)
                or not 0 <= value <= 1
            ):
                raise ValueError(f"{label} must be a number between 0 and 1, got {value!r}")
        if flip not in FLIPS:
            raise ValueError(f"flip must be one of {FLIPS}, got {flip!r}")
        if fill_mode not in FILL_MODES:
            raise ValueError(f"fill_mode must be one of {FILL_MODES}, got {fill_mode!r}")
        if interpolation not in ("bilinear", "nearest"):
            raise ValueError(
                f"interpolation must be 'bilinear' or 'nearest', got {interpolation!r}"
            )
        self.rotation, self.zoom, self.translation = (
            float(rotation),
            float(zoom),
            float(translation),
        )
        self.flip, self.fill_mode, self.interpolation = flip, fill_mode, interpolation
        self.fill_value, self.seed = float(fill_value), seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, images, training=True):
        images = ops.cast(images, self.compute_dtype)
        if not training:
            return images
        one_image = len(images.shape) == 3
        if one_image:
            images = ops.expand_dims(images, 0)
        shape = ops.shape(images)
        height, width = ops.cast(shape[1], "float32"), ops.cast(shape[2], "float32")
        # One draw of six uniform numbers in [-1, 1) per image: angle, zoom, two shifts, two coins.
        u = keras.random.uniform((shape[0], 6), -1.0, 1.0, seed=self.seed_generator)
        angle = u[:, 0] * (self.rotation * 2 * math.pi)
        zoom = 1.0 + u[:, 1] * self.zoom
        shift_x = u[:, 2] * (self.translation * width)
        shift_y = u[:, 3] * (self.translation * height)
        flip_x = self.flip in ("horizontal", "horizontal_and_vertical")
        flip_y = self.flip in ("vertical", "horizontal_and_vertical")
        sign_x = ops.where(u[:, 4] < 0, -1.0, 1.0) if flip_x else ops.ones_like(angle)
        sign_y = ops.where(u[:, 5] < 0, -1.0, 1.0) if flip_y else ops.ones_like(angle)
        transforms = affine_transforms(angle, zoom, shift_x, shift_y, sign_x, sign_y, height, width)
        out = ops.image.affine_transform(
            images,
            transforms,
            interpolation=self.interpolation,
            fill_mode=self.fill_mode,
            fill_value=self.fill_value,
        )
        return out[0] if one_image else out

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {
            **super().get_config(),
            "rotation": self.rotation,
            "zoom": self.zoom,
            "translation": self.translation,
            "flip": self.flip,
            "fill_mode": self.fill_mode,
            "interpolation": self.interpolation,
            "fill_value": self.fill_value,
            "seed": self.seed,
        }
