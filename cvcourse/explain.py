"""Looking inside a convnet: intermediate activations, filter patterns, Grad-CAM.

Arrays in, arrays out, no drawing (:mod:`cvcourse.plotting` draws the results)::

    maps = explain.activations(model, image, ["conv1", "conv2"])   # name -> (h, w, channels)
    patterns = explain.filter_patterns(base, "block_3_expand", [0, 1, 2], steps=40)
    heatmap = explain.grad_cam(model, image)          # (h, w) in [0, 1], the feature-map size

``image`` is one image shaped like the model's input without the batch axis, e.g.
(224, 224, 3), already scaled the way the model expects (``preprocess_input`` for an
ImageNet base; raw 0-255 pixels for a model that starts with a ``Rescaling`` layer).

Which models
    Sequential models built with an explicit ``keras.Input`` and functional models,
    including models that hold another model as one layer (a pretrained base inside a
    classifier: ``outputs = head(base(inputs))``). A layer is named by its name; a layer
    inside a nested model may be named by its name alone (``"Conv_1"``) or by the path
    ``"mobilenetv2_1.00_160/Conv_1"``. Subclassed models (a custom ``call``) cannot be
    looked into.

Nested models
    ``keras.Model(model.inputs, model.get_layer(name).output)`` is how one reads a layer's
    output in Keras 3, and it fails for a layer inside a nested model: that layer's
    ``output`` belongs to the nested model's own graph, which starts at the nested model's
    own input, so Keras answers that the output is not connected to the inputs.
    :func:`feature_model` instead runs the outer model layer by layer on a fresh
    ``keras.Input`` (a functional model through Keras' own graph runner) and, when it
    reaches the nested model, runs a copy of it that also returns the inner outputs it
    was asked for. The result is an ordinary Keras model from the outer input to those
    outputs (and, if asked, the prediction), sharing the original weights.

Taught in notebook 07.
"""

from __future__ import annotations

import functools
import weakref

import numpy as np

POOLING_LAYERS = ("MaxPooling2D", "AveragePooling2D")
PATH_SEPARATOR = "/"

# model -> {(layer names, include_output): feature model}; entries go when the model does
_FEATURE_MODELS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


# ------------------------------------------------------------------------------ layers


def _is_model(layer) -> bool:
    import keras

    return isinstance(layer, keras.Model)


def _is_sequential(model) -> bool:
    import keras

    return isinstance(model, keras.Sequential)


def _is_functional(model) -> bool:
    # Functional models (and keras.applications models) run a graph of layers; the
    # Sequential check comes first because a Sequential model is not one of them.
    return _is_model(model) and not _is_sequential(model) and hasattr(model, "_run_through_graph")


def _check_inspectable(model) -> None:
    if not _is_model(model):
        raise TypeError(f"expected a keras.Model, got {type(model).__name__}")
    if not (_is_sequential(model) or _is_functional(model)):
        raise TypeError(
            f"{model.name!r} is a subclassed model (its own call method): its layers cannot be "
            "looked into. Build it as a Sequential model with a keras.Input, or as a "
            "functional model."
        )


def _inner_layers(model) -> list:
    """The layers a model runs, in order, without its InputLayer(s)."""
    import keras

    return [layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]


def _output_rank(layer) -> int | None:
    try:
        output = layer.output
    except (AttributeError, ValueError):  # a layer that was never called
        return None
    if isinstance(output, (list, tuple, dict)):
        return None
    return len(output.shape)


def find_layer(model, name: str) -> list:
    """The path to layer ``name``: ``[layer]`` at the top, ``[nested_model, ..., layer]`` below.

    ``name`` is a layer name, looked for at the top level first and then inside nested
    models (depth first, in layer order), or a path ``"outer_layer/inner_layer"``.
    Raises ValueError listing the top-level names when there is no such layer.
    """
    _check_inspectable(model)
    if PATH_SEPARATOR in name:
        head, rest = name.split(PATH_SEPARATOR, 1)
        for layer in _inner_layers(model):
            if layer.name == head:
                if not _is_model(layer):
                    raise ValueError(f"{head!r} in {name!r} is a layer, not a nested model")
                return [layer, *find_layer(layer, rest)]
        raise ValueError(_no_layer_message(model, head))
    for layer in _inner_layers(model):
        if layer.name == name:
            return [layer]
    for layer in _inner_layers(model):
        if _is_model(layer) and (_is_sequential(layer) or _is_functional(layer)):
            try:
                return [layer, *find_layer(layer, name)]
            except ValueError:
                continue
    raise ValueError(_no_layer_message(model, name))


def _no_layer_message(model, name: str) -> str:
    names = [layer.name for layer in _inner_layers(model)]
    shown = ", ".join(names[:12]) + (", ..." if len(names) > 12 else "")
    return f"model {model.name!r} has no layer {name!r}; its layers are: {shown}"


def feature_map_layers(model) -> list[str]:
    """Names of the top-level layers whose output is a stack of feature maps (4-D).

    A nested model whose output is 4-D (a convolutional base) counts as one such layer.
    The default layers of :func:`activations`.
    """
    _check_inspectable(model)
    return [layer.name for layer in _inner_layers(model) if _output_rank(layer) == 4]


def last_feature_map_layer(model) -> str:
    """The layer Grad-CAM looks at by default: the last 4-D output that is not a pooling.

    For a convnet that is its last convolution (or the activation right after it); for a
    classifier built on a pretrained base it is the base itself, whose output is the
    base's last feature maps. Raises ValueError when the model has no 4-D layer.
    """
    _check_inspectable(model)
    candidates = [
        layer
        for layer in _inner_layers(model)
        if _output_rank(layer) == 4 and type(layer).__name__ not in POOLING_LAYERS
    ]
    if not candidates:
        raise ValueError(
            f"model {model.name!r} has no layer with a 4-D output (batch, height, width, "
            "channels): Grad-CAM needs convolutional feature maps."
        )
    return candidates[-1].name


# ---------------------------------------------------------------------- feature models


def _run(model, x, wanted: dict[int, str], holders: set[int], found: dict):
    """Call ``model``'s layers one by one on the symbolic tensor ``x``; its output.

    The outputs of the ``wanted`` layers (``id(layer)`` -> key) are put into ``found``.
    A nested model in ``holders`` (ids of the nested models that hold wanted layers) is
    replaced by a copy of itself with extra outputs (:func:`_tapped`), so names inside it
    cannot clash with names outside it.
    """

    def call(layer, *args, **kwargs):
        if id(layer) in holders:
            tapped, keys = _tapped(layer, wanted, holders)
            outs = tapped(*args, **kwargs)  # e.g. training=False, as in the original call
            out = outs[0]
            found.update(zip(keys, outs[1:]))
        else:
            out = layer(*args, **kwargs)
        if id(layer) in wanted:
            found[wanted[id(layer)]] = out
        return out

    if _is_sequential(model):
        for layer in _inner_layers(model):
            x = call(layer, x)
        return x
    # A functional model: Keras' own graph runner, with each layer's call wrapped so
    # that nested models on the way to a wanted layer are opened up too.
    return model._run_through_graph(x, operation_fn=lambda op: functools.partial(call, op))


def _tapped(model, wanted: dict[int, str], holders: set[int]):
    """(model', keys): ``model`` with outputs [its output, wanted layers inside it...]."""
    import keras

    inputs = keras.Input(batch_shape=_input_shape(model))
    found: dict = {}
    output = _run(model, inputs, wanted, holders, found)
    keys = list(found)
    return keras.Model(inputs, [output, *(found[k] for k in keys)], name=model.name), keys


def _input_shape(model) -> tuple:
    _check_inspectable(model)
    try:
        inputs = model.inputs
    except AttributeError:
        inputs = None
    if not inputs:
        raise ValueError(
            f"model {model.name!r} has no defined input: give it an explicit "
            "keras.Input(shape=...) as its first layer."
        )
    if len(inputs) != 1:
        raise ValueError(f"model {model.name!r} has {len(inputs)} inputs; only one is supported")
    return tuple(inputs[0].shape)


def feature_model(model, layer_names, *, include_output: bool = False):
    """A Keras model from ``model``'s input to the outputs of ``layer_names``.

    It returns a list of tensors in the order of ``layer_names``, followed by the model's
    own prediction when ``include_output`` is true. It shares ``model``'s weights. Layers
    inside nested models work (see the module notes); the new model is built by running
    ``model`` on a fresh ``keras.Input``, which adds calls to the layers' history but
    changes nothing in ``model`` itself. Asked again for the same layers of the same
    model, it returns the model it built the first time.
    """
    _check_inspectable(model)
    if isinstance(layer_names, str):
        layer_names = [layer_names]
    layer_names = list(layer_names)
    if not layer_names and not include_output:
        raise ValueError("name at least one layer")
    key = (tuple(layer_names), bool(include_output))
    cache = _FEATURE_MODELS.setdefault(model, {})
    if key not in cache:
        cache[key] = _build_feature_model(model, layer_names, include_output)
    return cache[key]


def _build_feature_model(model, layer_names: list[str], include_output: bool):
    import keras

    paths = [find_layer(model, name) for name in layer_names]
    wanted: dict[int, str] = {}
    holders: set[int] = set()
    for name, path in zip(layer_names, paths):
        if id(path[-1]) in wanted:
            raise ValueError(f"layer {name!r} is asked for twice")
        wanted[id(path[-1])] = name
        holders.update(id(layer) for layer in path[:-1])
    inputs = keras.Input(batch_shape=_input_shape(model))
    found: dict = {}
    output = _run(model, inputs, wanted, holders, found)
    missing = [name for name in layer_names if name not in found]
    if missing:
        raise ValueError(f"layers {missing} are not on the way from the input to the output")
    outputs = [found[name] for name in layer_names]
    if include_output:
        if isinstance(output, (list, tuple, dict)):
            raise ValueError("only models with one output are supported")
        outputs.append(output)
    return keras.Model(inputs, outputs, name=f"{model.name}_features")


def _as_batch(model, image) -> tuple[np.ndarray, bool]:
    """(batch as float32, whether the input was one image) for ``model``'s input."""
    if hasattr(image, "numpy"):
        image = image.numpy()
    arr = np.asarray(image, dtype=np.float32)
    rank = len(_input_shape(model))
    if arr.ndim == rank - 1:
        return arr[None], True
    if arr.ndim == rank:
        return arr, False
    raise ValueError(
        f"the model takes images of shape {_input_shape(model)[1:]}; got an array of shape "
        f"{arr.shape}"
    )


def activations(model, image, layer_names=None) -> dict[str, np.ndarray]:
    """The outputs of ``layer_names`` (default: :func:`feature_map_layers`) for ``image``.

    ``image`` is one input (H, W, C), or a batch (N, H, W, C). Returns a dict, in the
    order asked, from layer name to a NumPy array: (h, w, channels) for one image,
    (N, h, w, channels) for a batch. Taught in notebook 07.
    """
    if layer_names is None:
        layer_names = feature_map_layers(model)
    elif isinstance(layer_names, str):
        layer_names = [layer_names]
    layer_names = list(layer_names)
    batch, single = _as_batch(model, image)
    extractor = feature_model(model, layer_names)
    outputs = extractor(batch, training=False)
    if not isinstance(outputs, (list, tuple)):
        outputs = [outputs]  # Keras returns a model's only output by itself
    result = {}
    for name, out in zip(layer_names, outputs):
        arr = np.asarray(out)
        result[name] = arr[0] if single else arr
    return result


def zero_fraction(feature_maps) -> float:
    """The fraction of values that are exactly zero (ReLU switched them off)."""
    arr = np.asarray(feature_maps)
    return float(np.mean(arr == 0)) if arr.size else 0.0


def blank_fraction(feature_maps) -> float:
    """The fraction of channels (last axis) that are zero everywhere: filters this input
    did not switch on at all. Deeper layers of a convnet have more of them.
    """
    arr = np.asarray(feature_maps)
    if arr.ndim < 2 or arr.shape[-1] == 0:
        raise ValueError(f"expected feature maps (..., channels), got shape {arr.shape}")
    per_channel = np.abs(arr.reshape(-1, arr.shape[-1])).max(axis=0)
    return float(np.mean(per_channel == 0))


# ----------------------------------------------------------------------------- Grad-CAM


def _single_output_score(pred, class_index):
    """Score for a one-unit output read as P(class 1): the output itself, or minus it."""
    import tensorflow as tf

    value = pred[:, 0]
    return value if class_index == 1 else tf.negative(value)


def predicted_class(prediction) -> int:
    """The class a prediction (one image's output vector) stands for.

    Several outputs: the index of the largest. One output (a sigmoid): 1 when it is at
    least 0.5, else 0 (an output outside [0, 1] is taken as a logit: 1 when positive).
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
    speaks for the class. ``layer_name`` may be a layer inside a nested base.
    Taught in notebook 07.
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

    Values stay in the heatmap's range; for overlaying a 7x7 Grad-CAM on the photo.
    """
    import tensorflow as tf

    arr = np.asarray(heatmap, dtype=np.float32)
    if arr.ndim != 2:
        raise ValueError(f"expected a 2-D heatmap, got shape {arr.shape}")
    out = tf.image.resize(arr[..., None], tuple(int(s) for s in size), method="bilinear")
    return np.clip(out.numpy()[..., 0], arr.min(), arr.max())


# ---------------------------------------------------------------------- filter patterns


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
    images. :func:`pattern_to_image` makes them viewable. Taught in notebook 07.
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


def filter_pattern(model, layer_name: str, filter_index: int, steps: int = 40, **kwargs):
    """One filter's pattern: :func:`filter_patterns` for a single filter, shape (H, W, C)."""
    result = filter_patterns(model, layer_name, [filter_index], steps=steps, **kwargs)
    if kwargs.get("return_losses"):
        images, losses = result
        return images[0], losses[:, 0]
    return result[0]


def pattern_to_image(pattern, *, contrast: float = 0.15, crop: int = 0) -> np.ndarray:
    """A filter pattern (or a batch of them) as viewable uint8 RGB.

    Each image is centred on its mean, scaled to unit standard deviation times
    ``contrast`` around mid-grey, and clipped: the pattern's shape shows whatever the input
    range was. ``crop`` pixels are cut from each border (gradient ascent leaves artefacts
    there).
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
