"""Feature models and activations: a layer's output for an image, nested models included.

``keras.Model(model.inputs, model.get_layer(name).output)`` fails for a layer inside a
nested model: that layer's ``output`` belongs to the nested model's own graph, which starts
at the nested model's own input. :func:`feature_model` instead runs the outer model layer
by layer on a fresh ``keras.Input`` and, when it reaches the nested model, runs a copy of
it that also returns the inner outputs asked for. The result is an ordinary Keras model
from the outer input to those outputs, sharing the original weights. Part of
:mod:`cvcourse.explain`, taught in notebook 07.
"""

from __future__ import annotations

import functools
import weakref

import numpy as np

from .layers import (
    _check_inspectable,
    _inner_layers,
    _input_shape,
    _is_sequential,
    feature_map_layers,
    find_layer,
)

# model -> {(layer names, include_output): feature model}; entries go when the model does
_FEATURE_MODELS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


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


def feature_model(model, layer_names, *, include_output: bool = False):
    """A Keras model from ``model``'s input to the outputs of ``layer_names``.

    It returns a list of tensors in the order of ``layer_names``, followed by the model's
    own prediction when ``include_output`` is true. It shares ``model``'s weights. Layers
    inside nested models work (see the module notes); the new model is built by running
    ``model`` on a fresh ``keras.Input``, which adds calls to the layers' history but
    changes nothing in ``model`` itself. Asked again for the same layers of the same
    model, it returns the model it built the first time. Taught in notebook 07.
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
    order asked, from layer name to a float32 NumPy array: (h, w, channels) for one
    image, (N, h, w, channels) for a batch. Taught in notebook 07, used in 06 and 08.
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
    0.0 for an empty array. Taught in notebook 07.
    """
    arr = np.asarray(feature_maps)
    return float(np.mean(arr == 0)) if arr.size else 0.0


def blank_fraction(feature_maps) -> float:
    """The fraction (float in [0, 1]) of channels that are zero everywhere.

    Takes feature maps (..., channels), e.g. (h, w, channels) from :func:`activations`;
    a channel is the last axis. Taught in notebook 07.
    """
    arr = np.asarray(feature_maps)
    if arr.ndim < 2 or arr.shape[-1] == 0:
        raise ValueError(f"expected feature maps (..., channels), got shape {arr.shape}")
    per_channel = np.abs(arr.reshape(-1, arr.shape[-1])).max(axis=0)
    return float(np.mean(per_channel == 0))
