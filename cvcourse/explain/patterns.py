"""Filter patterns: input images that switch a filter on, found by gradient ascent.

Part of :mod:`cvcourse.explain`, taught in notebook 08.
"""

from __future__ import annotations

import numpy as np

from .features import feature_model
from .layers import _input_shape


def filter_patterns(
    model,
    layer_name: str,
    filter_indices,
    *,
    size: int | None = None,
    steps: int = 40,
    step_size: float = 0.05,
    value_range: tuple[float, float] = (-1.0, 1.0),
    seed: int = 0,
    return_losses: bool = False,
):
    """Input images that switch on filters ``filter_indices`` of ``layer_name``, found by
    gradient ascent in input space.

    Starting from grey with a little noise, each of ``steps`` steps computes, with
    ``tf.GradientTape``, the gradient of the filter's mean activation with respect to the
    input image, scales it to unit root-mean-square, moves every pixel ``step_size`` times
    the width of ``value_range`` along it and clips to ``value_range`` (the range of the
    model's preprocessed input: (-1, 1) for MobileNetV2, (0, 255) for a model that
    rescales inside). All filters are optimised at once, as one batch.

    ``size`` is the image side (default: the model's input size if fixed, else 128).
    Returns float32 (len(filter_indices), size, size, channels) in ``value_range``; with
    ``return_losses``, also the filters' mean activations before each step and after the
    last, shape (steps + 1, len(filter_indices)). ``steps=0`` returns the starting
    images. :func:`pattern_to_image` makes them viewable. Taught in notebook 08.
    """
    import tensorflow as tf

    indices = [int(i) for i in np.atleast_1d(filter_indices)]
    if not indices:
        raise ValueError("name at least one filter")
    if steps < 0:
        raise ValueError(f"steps must be 0 or more, got {steps}")
    low, high = (float(v) for v in value_range)
    if not high > low:
        raise ValueError(f"value_range must be (low, high) with low < high, got {value_range}")
    shape = _input_shape(model)
    height, width, channels = shape[1], shape[2], shape[3]
    if size is None:
        size = height if height is not None and height == width else 128
    if (height is not None and height != size) or (width is not None and width != size):
        raise ValueError(f"the model takes {height}x{width} images; size {size} does not fit")
    extractor = feature_model(model, [layer_name])
    n_filters = int(extractor.outputs[0].shape[-1])
    bad = [i for i in indices if not 0 <= i < n_filters]
    if bad:
        raise ValueError(f"layer {layer_name!r} has filters 0..{n_filters - 1}; got {bad}")
    selector = tf.one_hot(indices, n_filters)  # (n, filters): picks each image's filter

    def mean_activation(x):
        maps = extractor(x, training=False)
        if isinstance(maps, (list, tuple)):
            maps = maps[0]
        if len(maps.shape) == 4:
            maps = tf.reduce_mean(maps, axis=(1, 2))  # (n, filters)
        return tf.reduce_sum(maps * selector, axis=-1)  # (n,): each image's own filter

    span = high - low

    @tf.function
    def ascent_step(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            loss = mean_activation(x)
            total = tf.reduce_sum(loss)  # images are independent: one gradient each
        grads = tape.gradient(total, x)
        rms = tf.sqrt(tf.reduce_mean(tf.square(grads), axis=(1, 2, 3), keepdims=True))
        x = x + step_size * span * grads / (rms + 1e-8)
        return tf.clip_by_value(x, low, high), loss

    rng = np.random.default_rng(seed)
    noise = rng.uniform(-1.0, 1.0, (len(indices), size, size, channels))
    start = (low + high) / 2 + 0.05 * span * noise  # grey, with a little noise
    x = tf.convert_to_tensor(start.astype(np.float32))
    losses = []
    for _ in range(steps):
        x, loss = ascent_step(x)
        losses.append(loss.numpy())
    images = x.numpy()
    if not return_losses:
        return images
    losses.append(mean_activation(x).numpy())
    return images, np.asarray(losses, dtype=np.float32)


def pattern_to_image(pattern, *, contrast: float = 0.15, crop: int = 0) -> np.ndarray:
    """A filter pattern (or a batch of them) as viewable uint8 RGB.

    Each image is centred on its mean, scaled to unit standard deviation times
    ``contrast`` around mid-grey, and clipped: the pattern's shape shows whatever the input
    range was. ``crop`` pixels are cut from each border (gradient ascent leaves artefacts
    there). Takes float (H, W, C) or (N, H, W, C) from :func:`filter_patterns`; returns
    uint8 (H - 2 crop, W - 2 crop, C), or the batch of them. Taught in notebook 08.
    """
    arr = np.asarray(pattern, dtype=np.float32)
    single = arr.ndim == 3
    if single:
        arr = arr[None]
    if arr.ndim != 4:
        raise ValueError(f"expected (H, W, C) or (N, H, W, C), got shape {arr.shape}")
    if crop:
        arr = arr[:, crop:-crop, crop:-crop, :]
    mean = arr.mean(axis=(1, 2, 3), keepdims=True)
    std = arr.std(axis=(1, 2, 3), keepdims=True)
    out = np.clip(0.5 + contrast * (arr - mean) / (std + 1e-5), 0, 1)
    out = (out * 255).round().astype(np.uint8)
    return out[0] if single else out
