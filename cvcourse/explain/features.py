"""Feature models and activations: a layer's output for an image, with public Keras only.

A feature model is a Keras model from a model's input to the outputs of some of its layers,
sharing its weights. Public Keras gives one in two ways, and :func:`feature_model` uses them:

- for a functional model (and a ``keras.applications`` model),
  ``keras.Model(model.inputs, [layer.output, ...])``;
- for a ``Sequential`` model with a ``keras.Input``, calling its layers one by one on a
  fresh ``keras.Input`` and keeping the outputs asked for (a model nested in it as one
  layer, a pretrained base, included).

A layer *inside* a nested model (a pretrained base held by a classifier as one layer) is
out of reach: its ``output`` belongs to the nested model's own graph, which starts at the
nested model's own input, not at the classifier's. :func:`feature_model` then raises a
ValueError that names the layer and the nested model and gives the public recipe, which
notebook 08 teaches: call the nested model and the layers after it under one
``tf.GradientTape``, or build the classifier from the nested model's own input. Part of
:mod:`cvcourse.explain`, taught in notebook 08.
"""

from __future__ import annotations

import weakref

import numpy as np

from .layers import (
    _check_inspectable,
    _inner_layers,
    _input_shape,
    _is_model,
    _is_sequential,
    feature_map_layers,
    find_layer,
)

# model -> {(layer names, include_output): feature model}; entries go when the model does
_FEATURE_MODELS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def nested_layer_message(model, name: str, nested) -> str:
    """Why layer ``name`` (``nested`` itself, or a layer inside it) is out of reach from
    ``model``'s input, and the public recipe instead (str). Used by :func:`feature_model`
    (notebook 08)."""
    inner = name.split("/")[-1]
    outer = f"{model.name!r}"
    if inner == nested.name:
        what = f"{nested.name!r} is a model nested in {outer} as one layer: its output"
        taps = "nested(x)"
    else:
        what = (
            f"layer {inner!r} is inside {nested.name!r}, a model nested in {outer} as one "
            "layer: its output"
        )
        taps = f"keras.Model(nested.input, [nested.get_layer({inner!r}).output, nested.output])"
    return (
        f"{what} belongs to the nested model's own graph, which starts at the nested "
        f"model's own input, so no keras.Model from the input of {outer} reaches it. The public "
        f"recipe (notebook 08, section 5), with nested = model.get_layer({nested.name!r}): "
        f"under one tf.GradientTape, call {taps} and then the layers that follow the nested "
        "model; or build the model from the nested model's own input, "
        "keras.Model(nested.input, head(nested.output)), and ask that model."
    )


def feature_model(model, layer_names, *, include_output: bool = False):
    """A Keras model from ``model``'s input to the outputs of ``layer_names``.

    ``model`` is a functional model or a ``Sequential`` model with a ``keras.Input``;
    ``layer_names`` are names of its own layers (a model nested in a ``Sequential`` model
    counts as one layer). The feature model returns a list of tensors in the order of
    ``layer_names``, followed by ``model``'s own prediction when ``include_output`` is
    true, and shares ``model``'s weights. Asked again for the same layers of the same
    model, it returns the model it built the first time. Raises ValueError, with the
    public recipe to use instead, for a layer inside a nested model (see the module
    notes). Taught in notebook 08.
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


def _own_layers(model, layer_names: list[str]) -> list:
    """The top-level layers named; ValueError for a layer inside a nested model."""
    chosen = []
    for name in layer_names:
        path = find_layer(model, name)
        if len(path) > 1:
            raise ValueError(nested_layer_message(model, name, path[0]))
        if any(layer is path[0] for layer in chosen):
            raise ValueError(f"layer {name!r} is asked for twice")
        chosen.append(path[0])
    return chosen


def _build_feature_model(model, layer_names: list[str], include_output: bool):
    import keras

    chosen = _own_layers(model, layer_names)
    if _is_sequential(model):
        # Public for Sequential models: call the layers one by one on a fresh input.
        inputs = keras.Input(batch_shape=_input_shape(model))
        x, found = inputs, {}
        for layer in _inner_layers(model):
            x = layer(x)
            found[id(layer)] = x
        outputs, model_outputs = [found[id(layer)] for layer in chosen], [x]
    else:
        for layer in chosen:
            if _is_model(layer):
                raise ValueError(nested_layer_message(model, layer.name, layer))
        _input_shape(model)  # one defined input, or a ValueError that says so
        inputs, model_outputs = model.inputs[0], list(model.outputs)
        outputs = [layer.output for layer in chosen]
    if include_output:
        if len(model_outputs) != 1 or isinstance(model_outputs[0], (list, tuple, dict)):
            raise ValueError("only models with one output are supported")
        outputs.append(model_outputs[0])
    try:
        return keras.Model(inputs, outputs, name=f"{model.name}_features")
    except ValueError as err:  # e.g. a layer shared with another model, first called there
        raise ValueError(
            f"the outputs of {layer_names} are not connected to {model.name!r}'s input: {err}"
        ) from err


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
    order asked, from layer name to a float32 NumPy array: (h, w, channels) for one
    image, (N, h, w, channels) for a batch. The layers are ``model``'s own (see
    :func:`feature_model`). Taught in notebook 08.
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
    """The fraction (float in [0, 1]) of values of an array that are exactly zero.

    Takes feature maps of any shape, e.g. (h, w, channels) from :func:`activations`;
    0.0 for an empty array. Taught in notebook 08.
    """
    arr = np.asarray(feature_maps)
    return float(np.mean(arr == 0)) if arr.size else 0.0


def blank_fraction(feature_maps) -> float:
    """The fraction (float in [0, 1]) of channels that are zero everywhere.

    Takes feature maps (..., channels), e.g. (h, w, channels) from :func:`activations`;
    a channel is the last axis. Taught in notebook 08.
    """
    arr = np.asarray(feature_maps)
    if arr.ndim < 2 or arr.shape[-1] == 0:
        raise ValueError(f"expected feature maps (..., channels), got shape {arr.shape}")
    per_channel = np.abs(arr.reshape(-1, arr.shape[-1])).max(axis=0)
    return float(np.mean(per_channel == 0))
