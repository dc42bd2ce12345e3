"""Data augmentation from Keras preprocessing layers: pipelines, the tf.data way, previews.

Three things, taught in notebook 05 (and reused by 07 and 09):

- :func:`augmentation_pipeline` builds a ``keras.Sequential`` of random layers
  (``RandomFlip``, ``RandomRotation``, ``RandomZoom``, ``RandomTranslation``,
  ``RandomContrast``, ``RandomBrightness``) from a few numbers. Called with
  ``training=True`` (as ``fit`` does for layers inside a model) it changes every image
  differently; called with ``training=False`` (``predict``, ``evaluate``) it returns its
  input unchanged. With ``combine_geometry=True`` the flip, rotation, zoom and shift are
  one :class:`cvcourse.affine.RandomAffine` layer instead: the same random choices in
  one resampling per image, where the separate layers resample once each.
- :func:`augment_dataset` applies a pipeline to the images of a ``tf.data`` dataset in
  parallel, outside the model: the other place augmentation can live.
- :func:`preview` augments one image many times with a fixed seed, so a figure of the
  pipeline's effect is the same on every run.

Pipelines work on images with pixel values 0-255 (as ``image_dataset_from_directory``
gives them), before any ``Rescaling`` layer; they return float32 tensors of the input's
shape. Importing this module imports neither Keras nor TensorFlow; the functions do.
"""

from __future__ import annotations

# Random layers, in the order a pipeline applies them: geometry first, then colour.
LAYER_ORDER = ("flip", "rotation", "zoom", "translation", "contrast", "brightness")


def augmentation_pipeline(
    *,
    flip: str | None = "horizontal",
    rotation: float = 0.0,
    zoom: float = 0.0,
    translation: float = 0.0,
    contrast: float = 0.0,
    brightness: float = 0.0,
    fill_mode: str = "reflect",
    combine_geometry: bool = False,
    seed: int | None = None,
    name: str = "augmentation",
):
    """A ``keras.Sequential`` of random augmentation layers; a setting of 0 or None leaves its layer out.

    - ``flip``: ``"horizontal"``, ``"vertical"``, ``"horizontal_and_vertical"`` or None
      (``RandomFlip``);
    - ``rotation``: the largest rotation as a fraction of a full turn, 0.1 = 36 degrees
      (``RandomRotation``);
    - ``zoom``: the largest zoom in or out as a fraction of the size, 0.2 = 80-120 %, the
      same for height and width so shapes are not stretched (``RandomZoom``);
    - ``translation``: the largest shift as a fraction of the height and width
      (``RandomTranslation``);
    - ``contrast``: multiply each image's deviations from its mean by a factor in
      1 +/- ``contrast`` (``RandomContrast((contrast, contrast))``: given one number,
      Keras 3 draws only factors of 1 or more, raising the contrast, never lowering it);
    - ``brightness``: a brightness shift of up to +/- ``brightness`` of the 0-255 range,
      added to every pixel (``RandomBrightness``);
    - ``fill_mode``: how the geometric layers fill pixels that come from outside the
      image: ``"reflect"`` (Keras' default), ``"nearest"`` (ImageDataGenerator's),
      ``"constant"`` (black) or ``"wrap"``;
    - ``combine_geometry``: False (the default) gives each geometric change its own Keras
      layer, as above. True puts flip, rotation, zoom and translation into one
      :class:`cvcourse.affine.RandomAffine` layer. Its factors mean the same, but each
      image is resampled once instead of once per layer: less blur, and a fraction of the
      time (notebook 05 measures it). Contrast and brightness stay separate layers;
    - ``seed``: each layer gets ``seed + i``, ``i`` its place in :data:`LAYER_ORDER` (the
      combined layer takes the flip's), so a pipeline built with the same seed makes the
      same sequence of random choices.

    Images are batches (batch, height, width, channels) with values 0-255 (for one image,
    add a batch axis: ``pipeline(image[None])[0]``); the output is float32 of the same
    shape. Taught in notebook 05.
    """
    import keras

    if flip not in (None, "horizontal", "vertical", "horizontal_and_vertical"):
        raise ValueError(
            f"flip must be 'horizontal', 'vertical', 'horizontal_and_vertical' or None, got {flip!r}"
        )
    for label, value, top in (
        ("rotation", rotation, 1.0),
        ("zoom", zoom, 1.0),
        ("translation", translation, 1.0),
        ("contrast", contrast, 1.0),
        ("brightness", brightness, 1.0),
    ):
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 <= value <= top:
            raise ValueError(f"{label} must be a number between 0 and {top}, got {value!r}")
    if fill_mode not in ("reflect", "nearest", "constant", "wrap"):
        raise ValueError(
            f"fill_mode must be 'reflect', 'nearest', 'constant' or 'wrap', got {fill_mode!r}"
        )

    def layer_seed(i: int) -> int | None:
        return None if seed is None else int(seed) + i

    layers = []
    if combine_geometry:
        from cvcourse.affine import RandomAffine

        if flip or rotation or zoom or translation:
            layers.append(
                RandomAffine(
                    rotation,
                    zoom,
                    translation,
                    flip=flip,
                    fill_mode=fill_mode,
                    seed=layer_seed(0),
                    name="random_affine",
                )
            )
    else:
        if flip:
            layers.append(keras.layers.RandomFlip(flip, seed=layer_seed(0)))
        if rotation:
            layers.append(
                keras.layers.RandomRotation(rotation, fill_mode=fill_mode, seed=layer_seed(1))
            )
        if zoom:
            layers.append(keras.layers.RandomZoom(zoom, fill_mode=fill_mode, seed=layer_seed(2)))
        if translation:
            layers.append(
                keras.layers.RandomTranslation(
                    translation, translation, fill_mode=fill_mode, seed=layer_seed(3)
                )
            )
    if contrast:
        # A pair: RandomContrast(0.2) alone draws factors in [1, 1.2] only (Keras 3.x).
        layers.append(keras.layers.RandomContrast((contrast, contrast), seed=layer_seed(4)))
    if brightness:
        layers.append(keras.layers.RandomBrightness(brightness, seed=layer_seed(5)))
    return keras.Sequential(layers, name=name)


def augment_dataset(dataset, pipeline, *, prefetch: bool = True):
    """``dataset`` of (images, labels) batches with ``pipeline`` applied to the images.

    Takes a ``tf.data.Dataset`` of (images (batch, H, W, C) 0-255, labels) and a pipeline;
    returns a dataset of the same batches with float32 augmented images, prefetched
    unless ``prefetch=False``.

    The augmentation runs in the input pipeline (``Dataset.map`` with parallel calls),
    on the CPU, while the model trains on the previous batch; the model itself then holds
    no random layers. Apply it to the training dataset only: validation and test images
    are never augmented. Taught in notebook 05.
    """
    import tensorflow as tf

    def augment(images, labels):
        return pipeline(images, training=True), labels

    dataset = dataset.map(augment, num_parallel_calls=tf.data.AUTOTUNE)
    return dataset.prefetch(tf.data.AUTOTUNE) if prefetch else dataset


def _reseeded(pipeline, seed: int):
    """A fresh copy of ``pipeline`` in which random layer ``i`` has the seed ``seed + i``."""
    import keras

    layers = []
    for i, layer in enumerate(pipeline.layers):
        config = layer.get_config()
        if "seed" in config:
            config["seed"] = int(seed) + i
        layers.append(layer.__class__.from_config(config))
    return keras.Sequential(layers, name=pipeline.name)


def preview(pipeline, image, *, n: int = 9, seed: int = 0):
    """``n`` augmented versions of one image, the same on every run: an (n, H, W, C) uint8 array.

    Takes a pipeline (a ``keras.Sequential``, e.g. from :func:`augmentation_pipeline`) and
    ``image``, (H, W, C) with values 0-255 (uint8 or float). A copy of the pipeline with
    its random layers reseeded from ``seed`` (the original's random state is untouched)
    is applied with ``training=True`` to ``n`` copies of the image in one batch, each
    getting its own random transformation. Returns uint8 (n, H, W, C). Taught in
    notebook 05, used in 09.
    """
    import numpy as np

    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    image = np.asarray(image)
    if image.ndim != 3:
        raise ValueError(f"image must be (height, width, channels), got shape {image.shape}")
    batch = np.repeat(image[None].astype("float32"), n, axis=0)
    out = _reseeded(pipeline, seed)(batch, training=True)
    out = np.asarray(out)
    return np.clip(np.round(out), 0, 255).astype(np.uint8)


def legacy_random_transform(
    image,
    rng,
    *,
    rotation_range: float = 0.0,
    width_shift_range: float = 0.0,
    height_shift_range: float = 0.0,
    zoom_range: float = 0.0,
    horizontal_flip: bool = False,
    fill_mode: str = "nearest",
):
    """One random transformation of one image, the way the old ``ImageDataGenerator`` did it.

    NumPy and SciPy only, one image at a time: draw a rotation (degrees, up to
    ``rotation_range``), a shift (fractions of the width and height), a zoom (1 +/-
    ``zoom_range``, drawn separately for each axis, as the old class did), combine them
    into one affine matrix, resample each channel with ``scipy.ndimage.affine_transform``
    (bilinear), then flip left-right half of the time. ``image`` is (H, W, C); the result
    is float32 of the same shape. ``rng`` is a ``numpy.random.Generator``.

    Kept to measure the old way against ``tf.data`` with Keras layers in notebook 05;
    new code uses :func:`augmentation_pipeline`.
    """
    import numpy as np
    from scipy import ndimage

    x = np.asarray(image, dtype=np.float32)
    if x.ndim != 3:
        raise ValueError(f"image must be (height, width, channels), got shape {x.shape}")
    height, width = x.shape[:2]
    theta = np.deg2rad(rng.uniform(-rotation_range, rotation_range))
    shift = np.array(
        [
            rng.uniform(-height_shift_range, height_shift_range) * height,
            rng.uniform(-width_shift_range, width_shift_range) * width,
        ]
    )
    zoom = rng.uniform(1 - zoom_range, 1 + zoom_range, size=2)
    # Output pixel (row, col) reads input pixel matrix @ (row, col) + offset.
    rotation = np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
    matrix = rotation @ np.diag(zoom)
    center = np.array([height, width]) / 2 - 0.5
    offset = center - matrix @ center + shift
    channels = [
        ndimage.affine_transform(x[..., c], matrix, offset, order=1, mode=fill_mode)
        for c in range(x.shape[-1])
    ]
    out = np.stack(channels, axis=-1)
    if horizontal_flip and rng.random() < 0.5:
        out = out[:, ::-1]
    return np.ascontiguousarray(out, dtype=np.float32)
