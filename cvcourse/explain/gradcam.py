"""Grad-CAM (Selvaraju et al., 2017): where in an image the evidence for a class lies.

Part of :mod:`cvcourse.explain`, taught in notebook 08.
"""

from __future__ import annotations

import numpy as np

from .features import _as_batch, feature_model
from .layers import last_feature_map_layer


def _single_output_score(pred, class_index):
    """Score for a one-unit output read as P(class 1): the output itself, or minus it."""
    import tensorflow as tf

    value = pred[:, 0]
    return value if class_index == 1 else tf.negative(value)


def predicted_class(prediction) -> int:
    """The class a prediction (one image's output vector) stands for.

    Several outputs: the index of the largest. One output (a sigmoid): 1 when it is at
    least 0.5, else 0 (an output outside [0, 1] is taken as a logit: 1 when positive).
    Takes an array-like (k,) or (1,); returns an int. Used by Grad-CAM and exercise 08.
    """
    values = np.asarray(prediction, dtype=np.float64).reshape(-1)
    if values.size == 1:
        value = float(values[0])
        threshold = 0.5 if 0.0 <= value <= 1.0 else 0.0
        return int(value >= threshold)
    return int(np.argmax(values))


def grad_cam(model, image, class_index: int | None = None, layer_name: str | None = None):
    """Grad-CAM heatmap: where in ``image`` the evidence for ``class_index`` lies.

    The gradient of the class score with respect to the feature maps of ``layer_name``
    (default: :func:`last_feature_map_layer`), averaged over the map, weighs each
    channel; the weighted sum of the channels, with negative values set to zero, is the
    heatmap (Selvaraju et al., 2017). The score is the model's output for the class (after
    a softmax, if the model ends with one). For a one-unit output read as P(class 1),
    class 0's score is minus that output.

    ``image`` is one input (H, W, C), scaled as the model expects. ``class_index``
    defaults to the predicted class. Returns float32 (h, w) in [0, 1], the size of the
    feature maps (7x7 for MobileNetV2 at 224x224); all zeros when nothing in the image
    speaks for the class. ``layer_name`` is one of ``model``'s own layers (see
    :func:`~cvcourse.explain.feature_model`): for a layer inside a nested base, it raises a
    ValueError with the public recipe of notebook 08, section 5. Taught in notebook 08.
    """
    import tensorflow as tf

    layer_name = layer_name or last_feature_map_layer(model)
    batch, single = _as_batch(model, image)
    if not single or batch.shape[0] != 1:
        raise ValueError("grad_cam takes one image (H, W, C), not a batch")
    extractor = feature_model(model, [layer_name], include_output=True)
    x = tf.convert_to_tensor(batch)
    with tf.GradientTape() as tape:
        tape.watch(x)  # record every operation, even those of frozen layers
        maps, prediction = extractor(x, training=False)
        if len(maps.shape) != 4:
            raise ValueError(
                f"layer {layer_name!r} outputs shape {tuple(maps.shape)}; Grad-CAM needs "
                "4-D feature maps (batch, height, width, channels)"
            )
        n_outputs = int(prediction.shape[-1])
        if class_index is None:
            class_index = predicted_class(prediction[0])
        class_index = int(class_index)
        limit = 2 if n_outputs == 1 else n_outputs
        if not 0 <= class_index < limit:
            raise ValueError(f"class_index must be in 0..{limit - 1}, got {class_index}")
        if n_outputs == 1:
            score = _single_output_score(prediction, class_index)
        else:
            score = prediction[:, class_index]
    grads = tape.gradient(score, maps)
    if grads is None:
        raise ValueError(f"the prediction does not depend on layer {layer_name!r}")
    weights = tf.reduce_mean(grads, axis=(1, 2))  # (1, channels): one weight per map
    cam = tf.einsum("bhwc,bc->bhw", maps, weights)[0]
    cam = np.maximum(cam.numpy(), 0.0)
    peak = float(cam.max())
    if peak > 0:
        cam = cam / peak
    return cam.astype(np.float32)


def upsample(heatmap, size) -> np.ndarray:
    """A heatmap resized to ``size = (height, width)`` with bilinear interpolation.

    Takes a 2-D heatmap (h, w) and ``size`` (two ints); returns float32 (height, width)
    within the heatmap's range. Used by ``plotting`` to overlay Grad-CAM (notebook 08).
    """
    import tensorflow as tf

    arr = np.asarray(heatmap, dtype=np.float32)
    if arr.ndim != 2:
        raise ValueError(f"expected a 2-D heatmap, got shape {arr.shape}")
    out = tf.image.resize(arr[..., None], tuple(int(s) for s in size), method="bilinear")
    return np.clip(out.numpy()[..., 0], arr.min(), arr.max())
