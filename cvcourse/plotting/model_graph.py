"""Which layer feeds which in a Keras model, for the block diagrams of ``diagrams.py``.

A Sequential model is a chain: each layer feeds the next. A functional model is a graph
(a residual block adds a layer's input to its output), and its public ``get_config()``
lists, for every layer, the layers whose outputs it is called on. This module reads that
list, so that the diagram can draw a skip connection as an arc from the layer where it
starts to the merge layer (``Add``, ``Concatenate``) where it ends. It imports neither
TensorFlow nor Keras.
"""

from __future__ import annotations


def _histories(node):
    """Every ``keras_history`` [layer name, node index, tensor index] inside a config node."""
    if isinstance(node, dict):
        config = node.get("config")
        history = config.get("keras_history") if isinstance(config, dict) else None
        if isinstance(history, (list, tuple)) and history:
            yield history
        for value in node.values():
            yield from _histories(value)
    elif isinstance(node, (list, tuple)):
        for value in node:
            yield from _histories(value)


def inbound_layers(model) -> dict[str, list[str]] | None:
    """For a functional model: {layer name: names of the layers it is called on, in order}.

    Returns None for a model without a graph in its config (a Sequential model, a
    subclassed model, or one whose ``get_config()`` fails): draw it as a chain.
    """
    try:
        config = model.get_config()
    except Exception:  # a custom layer without get_config: no graph to read
        return None
    if not isinstance(config, dict) or not all(
        isinstance(layer, dict) and "inbound_nodes" in layer
        for layer in config.get("layers", [None])
    ):
        return None
    inbound = {}
    for layer in config["layers"]:
        names = [str(history[0]) for history in _histories(layer["inbound_nodes"])]
        inbound[layer["name"]] = list(dict.fromkeys(names))
    return inbound


def edges(model, names: list[str]) -> list[tuple[int, int]]:
    """The arrows of the diagram of ``model`` whose boxes are ``names``, as index pairs.

    (i, i + 1) for each layer that feeds the next box, and (i, j) with j > i + 1 for a
    skip connection. A model without a graph (see :func:`inbound_layers`) is a chain. A
    nested model's inner connections are its own and are not drawn.
    """
    inbound = inbound_layers(model)
    if inbound is None or not set(names[1:]) <= set(inbound):
        return [(i - 1, i) for i in range(1, len(names))]
    position = {name: i for i, name in enumerate(names)}
    pairs = []
    for j, name in enumerate(names):
        for source in inbound.get(name, []):
            if source in position and position[source] < j:
                pairs.append((position[source], j))
    return pairs


def draw_arrows(ax, model, names, corner, *, size, row_gap) -> list[tuple[int, int]]:
    """Draw the arrows between the boxes ``names``; returns the (i, j) pairs drawn.

    ``corner(i)`` is the lower-left corner of box i, ``size`` its (width, height). An
    arrow to the next box runs straight, or down and back to the left when the row wraps;
    a skip connection is a dashed arc over the boxes between (or down to a lower row).
    """
    from matplotlib.patches import FancyArrowPatch

    width, height = size
    style = dict(arrowstyle="-|>", mutation_scale=8, color="0.35", linewidth=0.8)
    pairs = edges(model, names)
    for i, j in pairs:
        (px, py), (x, y) = corner(i), corner(j)
        if j > i + 1:
            same_row = abs(py - y) < 1e-9  # else: from the bottom of i to the top of j
            start = (px + width / 2, py + height if same_row else py)
            end = (x + width / 2, y + height)
            arrow = FancyArrowPatch(
                start,
                end,
                connectionstyle=f"arc3,rad={-0.35 if same_row else 0.2}",
                linestyle="--",
                gid=f"skip:{names[i]}->{names[j]}",
                **style,
            )
        else:
            if py == y:  # same row: a straight arrow
                start, end = (px + width, py + height / 2), (x, y + height / 2)
            else:  # end of a row to the start of the next: down, back to the left, down
                middle = py - row_gap / 2
                xs, ys = [px + width / 2, px + width / 2, x + width / 2], [py, middle, middle]
                ax.plot(xs, ys, color=style["color"], linewidth=style["linewidth"])
                start, end = (x + width / 2, middle), (x + width / 2, y + height)
            arrow = FancyArrowPatch(start, end, shrinkA=0, shrinkB=0, **style)
        ax.add_patch(arrow)
    return pairs
