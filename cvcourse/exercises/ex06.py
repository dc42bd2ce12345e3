"""Exercises of notebook 06_modern_convnets.

- ``q1`` (predict): output shapes and parameter counts of a Conv1D, a Conv3D and a
  SeparableConv2D layer, against the checker's own layers; common slips are named.
- ``q2`` (debug): ``fixed_block(x, filters, strides)``, a residual block whose shortcut fits:
  its graph must add x itself when the shapes match, else a 1x1 Conv2D of x with the strides.
- ``q3``: ``inverted_residual(x, expansion, filters, strides)``, MobileNetV2's block; its
  layers, weights and outputs (with the weights shared) against the checker's own block.
"""

from __future__ import annotations

import functools

import numpy as np

from . import core

COMMON = {"notebook": "06", "notebook_name": "06_modern_convnets"}

# ------------------------------------------------------------------------------- q1
# name -> (input shape without the batch axis, keras.layers class, its arguments)
Q1_LAYERS = {
    "conv1d": ((100, 3), "Conv1D", (16, 5), {}),
    "conv3d": ((6, 32, 32, 3), "Conv3D", (8, 3), {"padding": "same"}),
    "separable": ((32, 32, 64), "SeparableConv2D", (128, 3), {"strides": 2, "padding": "same"}),
}


@functools.cache
def q1_reference() -> dict[str, tuple[tuple[int, ...], int]]:
    """{name: (output shape without the batch axis, parameter count)}, from Keras itself."""
    import keras

    found = {}
    for name, (shape, kind, args, kwargs) in Q1_LAYERS.items():
        layer = getattr(keras.layers, kind)(*args, **kwargs)
        output = layer(keras.Input(shape))
        found[name] = (tuple(int(d) for d in output.shape[1:]), int(layer.count_params()))
    return found


# name -> {a wrong parameter count: the slip that gives it}
SLIPS = {
    "conv1d": {240: "each filter also has a bias", 96: "a filter spans every input channel"},
    "conv3d": {648: "each filter also has a bias", 224: "a Conv3D kernel is 3 x 3 x 3"},
    "separable": {
        8768: "each filter also has a bias",
        73856: "that is a standard Conv2D; a separable one filters each channel alone, then mixes",
        8960: "the depthwise step has no bias, only the pointwise one",
    },
    "other": "is not right: count each kernel's weights, then the biases",
}
SHAPE_HINTS = {
    "conv1d": "without padding, how many positions can a kernel of 5 take?",
    "conv3d": 'what does padding="same" keep?',
    "separable": 'what do strides=2 and padding="same" do to each side?',
}


class LayerAnswer(core.Check):
    """One layer's output shape (``kind="shape"``, no batch axis) or its parameter count."""

    layer: str = ""
    kind: str = "shape"

    def judge(self, value, name, answers):
        right, params = q1_reference()[self.layer]
        if self.kind == "params":
            number = core.as_whole_number(value, text_ok=True)
            if number is None:
                return f"{name} should be a whole number, not {core.describe(value)}"
            if number != params:
                return f"{name} {number}: {SLIPS[self.layer].get(number, SLIPS['other'])}"
            return None
        shape = core.as_shape(value, len(right))
        if shape is None:
            return (
                f"{name} should be a shape of {len(right)} whole numbers (no batch axis), "
                f"not {core.describe(value)}"
            )
        if shape[-1] != right[-1]:
            return f"{name}: the last axis holds one value per filter"
        return None if shape == right else f"{name}: {SHAPE_HINTS[self.layer]}"


q1 = core.Answers(
    **COMMON,
    name="q1",
    title="predict shapes and parameter counts",
    usage=(
        "ex.q1.check(conv1d_shape, conv1d_params, conv3d_shape, conv3d_params, "
        "separable_shape, separable_params)"
    ),
    hints=(
        "A kernel always spans every input channel; it slides along the other axes: one "
        "for Conv1D, two for Conv2D, three for Conv3D. Each filter adds one bias.",
        "Parameters: kernel size (its product over the sliding axes) x input channels x "
        "filters + filters. SeparableConv2D: 3 x 3 x channels (depthwise, no bias) plus "
        "channels x filters + filters (pointwise). Output length without padding: n - k + 1.",
    ),
    parts={
        f"{layer}_{kind}": LayerAnswer(layer=layer, kind=kind)
        for layer in Q1_LAYERS
        for kind in ("shape", "params")
    },
    correct=lambda **_: (
        "right: "
        + "; ".join(f"{k} {s}, {p:,} parameters" for k, (s, p) in q1_reference().items())
        + "."
    ),
)


# ------------------------------------------------------------------------------- blocks
BLOCK_SIZE = 16  # the checker's inputs are (16, 16, channels)


def _build(fn, channels: int, args: tuple, call: str):
    """``fn(keras.Input((16, 16, channels)), *args)`` as a model, or the problem (a str)."""
    import keras

    if isinstance(fn, (type, keras.Model, keras.layers.Layer)) or not callable(fn):
        return f"the check needs your function itself, not {core.describe(fn)}"
    inputs = keras.Input((BLOCK_SIZE, BLOCK_SIZE, channels), name="block_input")
    try:
        outputs = core.call_student(fn, inputs, *args, what=call, limit=30)
    except core.Incorrect as err:
        if "shape" not in str(err).split("(called with")[0]:
            raise
        raise core.Incorrect(f"{err} Does the Add get two tensors of one shape?") from None
    if not isinstance(outputs, keras.KerasTensor):
        return f"{call} should return the block's output tensor, not {core.describe(outputs)}"
    if tuple(outputs.shape[1:]) != (BLOCK_SIZE // args[-1], BLOCK_SIZE // args[-1], args[-2]):
        return f"{call} gives {tuple(outputs.shape[1:])}: `filters` channels, `strides` smaller"
    return keras.Model(inputs, outputs)


# ------------------------------------------------------------------------------- q2
# (input channels, filters, strides): an identity shortcut, then three that need a projection
BLOCK_CASES = ((32, 32, 1), (32, 64, 1), (32, 64, 2), (16, 32, 2))


def _shortcut_problem(model, identity: bool, call: str) -> str | None:
    """What is wrong with the shortcut of a built block (None: nothing)."""
    from ..plotting.model_graph import inbound_layers

    inbound = inbound_layers(model) or {}
    by_name = {layer.name: layer for layer in model.layers}
    adds = [n for n, layer in by_name.items() if type(layer).__name__ == "Add"]
    if len(adds) != 1:
        return f"{call}: a residual block adds its shortcut to its output with one Add layer"
    sources = inbound.get(adds[0], [])
    if len(sources) != 2:
        return f"{call}: the Add should take two tensors, the shortcut and the convolutions"
    if identity:  # the shapes match: the shortcut is the input itself
        return None if "block_input" in sources else f"{call}: the shortcut should be x itself"
    for source in sources:  # a projection: a 1x1 conv (maybe followed by BN) on the input
        while type(by_name.get(source)).__name__ == "BatchNormalization":
            source = (inbound.get(source) or ["?"])[0]
        conv = by_name.get(source)
        if type(conv).__name__ == "Conv2D" and inbound.get(conv.name) == ["block_input"]:
            if tuple(conv.kernel_size) == (1, 1):
                return None
            return f"{call}: the projection on the shortcut is a 1x1 convolution"
    return f"{call}: when the shapes differ, project the input with a 1x1 Conv2D before the Add"


class Block(core.Check):
    """fixed_block(x, filters, strides) -> a tensor; built on the checker's inputs."""

    def judge(self, value, name, answers):
        for channels, filters, strides in BLOCK_CASES:
            call = f"{name}(x, filters={filters}, strides={strides})"
            model = _build(value, channels, (filters, strides), call)
            if isinstance(model, str):
                return model
            identity = channels == filters and strides == 1
            if problem := _shortcut_problem(model, identity, call):
                return f"{problem} (x has {channels} channels)"
        return None


q2 = core.Answers(
    **COMMON,
    name="q2",
    title="repair a residual block (debug)",
    usage="ex.q2.check(fixed_block)",
    hints=(
        "Add needs two tensors of the same shape. broken_block adds its input unchanged, "
        "which only fits when filters equals the input's channels and strides is 1.",
        "Keep shortcut = x when x.shape[-1] == filters and strides == 1; otherwise "
        "shortcut = layers.Conv2D(filters, 1, strides=strides)(x) (a BatchNormalization "
        "after it is fine).",
    ),
    parts={"fixed_block": Block()},
    correct=(
        "fixed_block keeps the identity shortcut when the shapes match and projects the "
        "input with a 1x1 convolution when they do not."
    ),
)


# ------------------------------------------------------------------------------- q3
# (input channels, expansion, filters, strides): MobileNetV2's block_1 and block_2, and three
# more; in the last the channels match but the stride does not, so there is no Add
INVERTED_CASES = ((16, 6, 24, 2), (24, 6, 24, 1), (32, 4, 32, 1), (24, 6, 32, 2), (16, 4, 16, 2))


def reference_inverted_residual(x, expansion, filters, strides):
    """MobileNetV2's block (expand, depthwise, linear projection, Add if the shapes match)."""
    from keras import layers

    channels = x.shape[-1]
    y = layers.Conv2D(expansion * channels, 1, use_bias=False)(x)
    y = layers.ReLU(6.0)(layers.BatchNormalization()(y))
    y = layers.DepthwiseConv2D(3, strides=strides, padding="same", use_bias=False)(y)
    y = layers.ReLU(6.0)(layers.BatchNormalization()(y))
    y = layers.BatchNormalization()(layers.Conv2D(filters, 1, use_bias=False)(y))
    return layers.Add()([x, y]) if strides == 1 and channels == filters else y


@functools.cache
def inverted_reference(channels, expansion, filters, strides):
    """The checker's own block as a model, with random weights, and a probe batch."""
    import keras

    x = keras.Input((BLOCK_SIZE, BLOCK_SIZE, channels))
    model = keras.Model(x, reference_inverted_residual(x, expansion, filters, strides))
    rng = np.random.default_rng(6)
    for w in model.weights:  # random weights, each variance positive
        sign = 1 if "variance" in w.path else rng.choice((-1, 1), w.shape)
        w.assign(sign * rng.uniform(0.5, 1.5, w.shape))
    return model, rng.normal(0, 2, (2, BLOCK_SIZE, BLOCK_SIZE, channels)).astype("float32")


def _inverted_problem(model, reference, call) -> str | None:
    """What the built block lacks that the reference has, from its layers (None: nothing)."""
    given, kinds = ([type(layer).__name__ for layer in m.layers] for m in (model, reference))
    if given.count("DepthwiseConv2D") != 1 or given.count("Conv2D") != 2:
        return f"{call}: the block has two 1x1 Conv2D (expand, project) and one DepthwiseConv2D"
    if ("Add" in given) != ("Add" in kinds):
        return f"{call}: the Add belongs in the block exactly when the shapes match"
    if given[given.index("Add") - 1 if "Add" in given else -1] in ("ReLU", "Activation"):
        return f"{call}: the projection is linear, no activation after it"
    if given.count("BatchNormalization") != 3:
        return f"{call}: each of the three convolutions is followed by a BatchNormalization"
    convs = [layer for layer in model.layers if type(layer).__name__.endswith("Conv2D")]
    if any(conv.use_bias for conv in convs):
        return f"{call}: no biases before a BatchNormalization (use_bias=False)"
    if getattr(convs[0], "filters", None) != reference.layers[1].filters:
        return f"{call}: the first 1x1 convolution expands to expansion x the input's channels"
    if [tuple(w.shape) for w in model.weights] != [tuple(w.shape) for w in reference.weights]:
        return f"{call}: its weights are not the block's: expand, depthwise, project, in order"
    return None


class Inverted(core.Check):
    """inverted_residual(x, expansion, filters, strides) -> a tensor."""

    def judge(self, value, name, answers):
        for channels, expansion, filters, strides in INVERTED_CASES:
            call = f"{name}(x, expansion={expansion}, filters={filters}, strides={strides})"
            model = _build(value, channels, (expansion, filters, strides), call)
            if isinstance(model, str):
                return model
            reference, batch = inverted_reference(channels, expansion, filters, strides)
            if problem := _inverted_problem(model, reference, call):
                return f"{problem} (x has {channels} channels)"
            model.set_weights(reference.get_weights())
            ours = np.asarray(reference(batch, training=False))
            what = f"{call} with the checker's weights"
            out = np.asarray(core.call_student(model, batch, training=False, what=what))
            if not np.allclose(out, ours, rtol=1e-3, atol=1e-3 * np.abs(ours).max()):
                return f"{what} computes something else: conv, BatchNormalization, ReLU(6.0)?"
        return None


q3 = core.Answers(
    **COMMON,
    name="q3",
    title="write MobileNetV2's inverted residual block",
    usage="ex.q3.check(inverted_residual)",
    hints=(
        "Three convolutions: a 1x1 Conv2D to expansion x the input's channels, a 3x3 "
        "DepthwiseConv2D with the block's strides, a 1x1 Conv2D to `filters`; each followed "
        "by BatchNormalization, the first two also by ReLU(6.0).",
        "No bias in the convolutions (use_bias=False: BatchNormalization has its own shift), "
        "no activation after the projection, and layers.Add()([x, y]) only when strides == 1 "
        "and x.shape[-1] == filters.",
    ),
    parts={"inverted_residual": Inverted()},
    correct=(
        "inverted_residual builds MobileNetV2's block: its layers, weights and outputs match "
        "the checker's on every input tried, with the Add exactly where the shapes allow it."
    ),
)

QUESTIONS = ("q1", "q2", "q3")
