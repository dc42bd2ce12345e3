"""Block diagrams of Keras models: one box per layer, from the input to the output.

``show_model_diagram(model)`` is drawn right after a notebook builds an architecture
(notebooks 02 to 09), so the student sees the stack of layers, how each changes the shape
of the data and where the parameters are. It reads only the model's public attributes
(``model.layers``, ``model.inputs``, ``layer.output.shape``, ``layer.count_params()``,
``layer.get_config()``) and imports neither TensorFlow nor Keras: it loads no data and
trains nothing.
"""

from __future__ import annotations

import math

from . import model_graph

# Colour of each kind of layer (matplotlib's "tab" palette, lightened for black text).
KIND_COLOURS = {
    "input": "#d9d9d9",
    "preprocessing": "#c7e9e4",
    "convolution": "#aec7e8",
    "pooling": "#ffbb78",
    "reshape": "#fff2a8",
    "normalization": "#c5b0d5",
    "regularization": "#f7b6d2",
    "dense": "#98df8a",
    "model": "#ff9896",
    "merge": "#e0c9a6",
    "other": "#f0f0f0",
}

_POOLING_NAMES = {
    "MaxPooling": "MaxPooling",
    "AveragePooling": "AvgPooling",
    "GlobalMaxPooling": "GlobalMaxPool",
    "GlobalAveragePooling": "GlobalAvgPool",
}


def _pair(value) -> str:
    """(3, 3) -> '3x3'; 3 -> '3'."""
    if isinstance(value, (list, tuple)):
        return "x".join(str(v) for v in value)
    return str(value)


def format_shape(shape) -> str:
    """An output shape without its batch axis: (None, 26, 26, 32) -> '26x26x32'.

    A list of shapes (a layer with several outputs) is joined with ', '; unknown sizes
    are written '?'.
    """
    if shape and isinstance(shape[0], (list, tuple)):
        return ", ".join(format_shape(s) for s in shape)
    dims = ["?" if d is None else str(d) for d in tuple(shape)[1:]]
    return "x".join(dims) if dims else "scalar"


def _scale(scale) -> str:
    """1/255 as '1/255' and 1/127.5 as '1/127.5' (not 0.003922), other scales as numbers."""
    if not isinstance(scale, (int, float)):
        return str(scale)
    if 0 < scale < 1 and abs(1 / scale - round(1 / scale, 1)) < 1e-4:
        return f"1/{round(1 / scale, 1):g}"
    return f"{scale:.4g}"


def _wrap(label: str, width: int = 15) -> str:
    """A long name (a pretrained base's) broken after an underscore so it fits its box."""
    if len(label) <= width or "_" not in label[1:width]:
        return label
    cut = label.rindex("_", 1, width) + 1
    return label[:cut] + "\n" + _wrap(label[cut:], width)


def _activation(config: dict) -> str:
    activation = config.get("activation")
    return "" if activation in (None, "linear") else str(activation)


def describe_layer(layer) -> tuple[str, str, str]:
    """``(kind, label, details)`` of one Keras layer, as the diagram writes them.

    ``kind`` picks the colour (a key of ``KIND_COLOURS``); ``label`` is the layer's type
    with its main setting ('Conv2D 3x3, 32', 'MaxPooling 2x2', 'Dense 128',
    'Dropout 0.5'); ``details`` is what else changes the result (activation, 'same'
    padding, a stride, 'frozen'), possibly ''. A nested model (a pretrained base) is
    labelled with its name.
    """
    name = type(layer).__name__
    config = layer.get_config()
    details = []
    if hasattr(layer, "layers"):  # a nested model, drawn as one box
        count = len(layer.layers)
        frozen = "" if layer.trainable else ", frozen"
        return "model", layer.name, f"{count} layer{'s' * (count != 1)}{frozen}"
    if name == "InputLayer":
        return "input", "Input", ""
    if "Conv" in name:
        label = f"{name} {_pair(config.get('kernel_size', '?'))}"
        if "filters" in config:
            label += f", {config['filters']}"
        strides = config.get("strides", 1)
        if any(s != 1 for s in (strides if isinstance(strides, (list, tuple)) else [strides])):
            details.append(f"stride {_pair(strides)}")
        if config.get("padding") == "same":
            details.append("same")
        details.append(_activation(config))
        return "convolution", label, ", ".join(d for d in details if d)
    for prefix, short in _POOLING_NAMES.items():
        if name.startswith(prefix):
            if prefix.startswith("Global"):
                return "reshape", short, ""
            pool = config.get("pool_size", "?")
            label = f"{short} {_pair(pool)}"
            strides = config.get("strides")
            if strides not in (None, pool):
                details.append(f"stride {_pair(strides)}")
            return "pooling", label, ", ".join(details)
    if name == "Dense":
        return "dense", f"Dense {config['units']}", _activation(config)
    if "Dropout" in name:
        return "regularization", f"{name} {config.get('rate', '')}".strip(), ""
    if "Normalization" in name:
        return "normalization", name.replace("Normalization", "Norm"), ""
    if name in ("Flatten", "Reshape"):
        return "reshape", name, ""
    if name == "Rescaling":
        return "preprocessing", f"Rescaling {_scale(config.get('scale', 1))}", ""
    if name == "Resizing":
        return "preprocessing", f"Resizing {config['height']}x{config['width']}", ""
    if name.startswith("Random") or name in ("CenterCrop", "Cropping2D", "ZeroPadding2D"):
        return "preprocessing", name, ""
    if name in ("Add", "Concatenate", "Multiply", "Average", "Maximum", "Subtract"):
        return "merge", name, ""
    if name == "Activation":
        return "other", "Activation", _activation(config)
    return "other", name, ""


def _output_shape(layer) -> str:
    try:
        output = layer.output
    except (AttributeError, ValueError):  # never called, or called more than once
        return "?"
    if isinstance(output, (list, tuple)):
        return ", ".join(format_shape(o.shape) for o in output)
    return format_shape(output.shape)


def model_boxes(model) -> list[dict]:
    """What the diagram draws, one dict per box, from the input to the output.

    Each dict has ``name`` (the layer's name), ``kind``, ``label``, ``details`` (see
    :func:`describe_layer`), ``shape`` (the output shape without the batch axis, as
    '26x26x32') and ``params`` (``layer.count_params()``, an int). A Sequential model
    gets one 'Input' box per model input first (a functional model lists its inputs among
    its layers). Raises ValueError for a model that is not built yet.
    """
    try:
        inputs = list(model.inputs)
    except (AttributeError, ValueError) as error:
        raise ValueError(
            f"model {getattr(model, 'name', model)!r} has no inputs yet, so its shapes are "
            "unknown: start a Sequential model with keras.Input(shape=...) (or call "
            "model.build) before drawing it"
        ) from error
    layers = list(model.layers)
    boxes = []
    if not any(type(layer).__name__ == "InputLayer" for layer in layers):
        for tensor in inputs:
            boxes.append(
                dict(
                    name="input",
                    kind="input",
                    label="Input",
                    details="",
                    shape=format_shape(tensor.shape),
                    params=0,
                )
            )
    for layer in layers:
        kind, label, details = describe_layer(layer)
        boxes.append(
            dict(
                name=layer.name,
                kind=kind,
                label=label,
                details=details,
                shape=_output_shape(layer),
                params=int(layer.count_params()),
            )
        )
    return boxes


def box_text(box: dict) -> str:
    """The lines written in one box: label, details (if any), shape, parameters."""
    lines = [_wrap(box["label"])]
    if box["details"]:
        lines.append(box["details"])
    lines.append(box["shape"])
    lines.append(f"{box['params']:,} params")
    return "\n".join(lines)


def show_model_diagram(model, *, title: str | None = None, ax=None, max_per_row: int = 7):
    """A block diagram of a built Keras model; returns the matplotlib Figure.

    One box per layer, from the input (left) to the output, each with the layer's type and
    main setting ('Conv2D 3x3, 32', 'MaxPooling 2x2', 'Dense 128'), its output shape
    without the batch axis ('26x26x32') and its parameter count, coloured by kind
    (convolution, pooling, dense, ...; a legend says which). A nested model, such as a
    pretrained base, is one box with its name and parameter count. At most
    ``max_per_row`` boxes per row: longer models wrap onto balanced rows, read left to
    right, row after row. Layers are drawn in ``model.layers`` order; in a functional
    model an arrow joins two boxes only where one layer feeds the other, and a skip
    connection (a residual block's shortcut) is a dashed arc from where it starts to the
    merge layer (Add) where it ends. ``title`` defaults to the model's name and total
    parameter count. Draws into ``ax`` if given (its Figure is returned), else a new
    figure sized to the rows. Raises ValueError for a model not built yet. Notebooks 02-09.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyBboxPatch, Patch

    boxes = model_boxes(model)
    n = len(boxes)
    rows = math.ceil(n / max(1, max_per_row))
    per_row = math.ceil(n / rows)
    width, height, gap, row_gap = 1.0, 0.8, 0.32, 0.45
    if ax is None:
        fig, ax = plt.subplots(figsize=(1.75 * per_row, 1.25 * rows + 0.9), layout="constrained")
    fig = ax.figure

    def corner(i):
        row, col = divmod(i, per_row)
        return col * (width + gap), -row * (height + row_gap)

    for i, box in enumerate(boxes):
        x, y = corner(i)
        patch = FancyBboxPatch(
            (x, y),
            width,
            height,
            boxstyle="round,pad=0,rounding_size=0.06",
            facecolor=KIND_COLOURS[box["kind"]],
            edgecolor="0.3",
            linewidth=0.8,
            gid=f"box:{box['name']}",
        )
        ax.add_patch(patch)
        text = box_text(box)
        longest = max(len(line) for line in text.splitlines())
        ax.text(
            x + width / 2,
            y + height / 2,
            text,
            ha="center",
            va="center",
            fontsize=7.5 if longest <= 15 else max(5.0, 7.5 * 15 / longest),
            gid=f"text:{box['name']}",
        )
    pairs = model_graph.draw_arrows(
        ax, model, [box["name"] for box in boxes], corner, size=(width, height), row_gap=row_gap
    )
    total_width = per_row * width + (per_row - 1) * gap
    ax.set_xlim(-0.1, total_width + 0.1)
    top = height + (0.5 if any(j > i + 1 for i, j in pairs) else 0.1)  # room for the arcs
    ax.set_ylim(-(rows - 1) * (height + row_gap) - 0.1, top)
    ax.set_aspect("equal")
    ax.set_axis_off()
    kinds = list(dict.fromkeys(box["kind"] for box in boxes))
    handles = [Patch(facecolor=KIND_COLOURS[k], edgecolor="0.3", label=k) for k in kinds]
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
        ncol=len(handles),
        fontsize=7,
        frameon=False,
    )
    if title is None:
        title = f"{model.name}: {int(model.count_params()):,} parameters"
    ax.set_title(title, fontsize=10)
    return fig
