"""Finding layers in a Keras model: by name or path, feature-map layers, the input shape.

Sequential models built with an explicit ``keras.Input`` and functional models can be
looked into, through ``model.layers``. :func:`find_layer` also finds a layer inside a
model nested as one layer (a pretrained base inside a classifier), by its name alone
(``"Conv_1"``) or by the path ``"mobilenetv2_1.00_160/Conv_1"``, so that the feature
models of :mod:`~cvcourse.explain.features` can say which nested model holds it.
Subclassed models (a custom ``call``) cannot be looked into. Part of
:mod:`cvcourse.explain`, taught in notebook 08.
"""

from __future__ import annotations

POOLING_LAYERS = ("MaxPooling2D", "AveragePooling2D")
PATH_SEPARATOR = "/"


def _is_model(layer) -> bool:
    import keras

    return isinstance(layer, keras.Model)


def _is_sequential(model) -> bool:
    import keras

    return isinstance(model, keras.Sequential)


def _is_functional(model) -> bool:
    # Functional models (and keras.applications models) are keras.Function graphs of
    # layers; a Sequential model is not one of them, a subclassed model neither.
    import keras

    return _is_model(model) and isinstance(model, keras.Function)


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
    Returns a list of Keras layers. Raises ValueError listing the top-level names when
    there is no such layer. Used by the feature models of notebook 08, which reach the
    top-level layers only (a path of one).
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

    A nested model whose output is 4-D (a convolutional base) counts as one such layer
    (:func:`~cvcourse.explain.activations` reaches it in a Sequential model only).
    Returns a list of str. The default layers of :func:`activations` (notebook 08).
    """
    _check_inspectable(model)
    return [layer.name for layer in _inner_layers(model) if _output_rank(layer) == 4]


def last_feature_map_layer(model) -> str:
    """The layer Grad-CAM looks at by default: the last 4-D output that is not a pooling.

    For a convnet that is its last convolution (or the activation right after it); for a
    classifier that holds a pretrained base as one layer it is the base itself, whose
    output is the base's last feature maps (reachable in a Sequential classifier; a
    functional one gets the nested-model error of :func:`~cvcourse.explain.feature_model`). Returns the layer's name (str); raises ValueError when the
    model has no 4-D layer. Used by :func:`~cvcourse.explain.grad_cam` (notebook 08).
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
