"""cvcourse.plotting.diagrams: block diagrams of real Keras models, one box per layer, each
saying what the model holds (the layer's kind, output shape and parameter count); and
plotting.conv_diagrams: notebook 01's grids, which draw what their arguments compute."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import keras  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from cvcourse import kernels, plotting  # noqa: E402
from cvcourse.plotting import conv_diagrams as diagrams_conv  # noqa: E402
from cvcourse.plotting import diagrams  # noqa: E402

L = keras.layers


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def mnist_convnet():
    return keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            L.Conv2D(32, kernel_size=3, activation="relu"),
            L.MaxPooling2D(pool_size=2),
            L.Conv2D(64, kernel_size=3, activation="relu"),
            L.MaxPooling2D(pool_size=2),
            L.Flatten(),
            L.Dropout(0.5),
            L.Dense(10, activation="softmax"),
        ],
        name="mnist_convnet",
    )


def boxes_and_texts(fig):
    """The diagram's boxes and the text of each, in the order drawn (input first)."""
    ax = fig.axes[0]
    boxes = [p for p in ax.patches if (p.get_gid() or "").startswith("box:")]
    texts = [t for t in ax.texts if (t.get_gid() or "").startswith("text:")]
    assert [b.get_gid()[4:] for b in boxes] == [t.get_gid()[5:] for t in texts]
    return boxes, [t.get_text() for t in texts]


def shape_text(layer) -> str:
    return "x".join(str(d) for d in layer.output.shape[1:])


def test_sequential_one_box_per_layer_with_what_the_model_holds():
    model = mnist_convnet()
    fig = plotting.show_model_diagram(model)
    assert isinstance(fig, Figure)
    boxes, texts = boxes_and_texts(fig)
    assert len(boxes) == len(model.layers) + 1  # the input, then every layer
    assert texts[0].splitlines() == ["Input", "28x28x1", "0 params"]
    for layer, text in zip(model.layers, texts[1:], strict=True):
        lines = text.splitlines()
        assert lines[-2] == shape_text(layer)
        assert lines[-1] == f"{layer.count_params():,} params"
    firsts = [t.splitlines()[0] for t in texts]
    assert firsts == [
        "Input",
        "Conv2D 3x3, 32",
        "MaxPooling 2x2",
        "Conv2D 3x3, 64",
        "MaxPooling 2x2",
        "Flatten",
        "Dropout 0.5",
        "Dense 10",
    ]
    assert texts[1].splitlines()[1] == "relu" and texts[-1].splitlines()[1] == "softmax"
    assert texts[1].splitlines()[-1] == "320 params"  # (3 * 3 * 1 + 1) * 32
    assert "13x13x32" in texts[2] and "16,010 params" in texts[-1]
    assert fig.axes[0].get_title() == f"mnist_convnet: {model.count_params():,} parameters"


def test_boxes_are_coloured_by_kind():
    boxes, _ = boxes_and_texts(plotting.show_model_diagram(mnist_convnet()))
    colours = [b.get_facecolor() for b in boxes]
    assert colours[1] == colours[3]  # both convolutions
    assert colours[2] == colours[4]  # both poolings
    assert len({colours[0], colours[1], colours[2], colours[5], colours[7]}) == 5
    legend = [
        t.get_text()
        for t in plotting.show_model_diagram(mnist_convnet()).axes[0].get_legend().get_texts()
    ]
    assert legend == ["input", "convolution", "pooling", "reshape", "regularization", "dense"]


def test_functional_model_with_a_nested_frozen_base():
    base = keras.Sequential(
        [keras.Input((32, 32, 3)), L.Conv2D(8, 3, padding="same"), L.BatchNormalization()],
        name="pretrained_base",
    )
    base.trainable = False
    inputs = keras.Input((32, 32, 3))
    x = L.Rescaling(1 / 255)(inputs)
    x = base(x)
    y = L.Conv2D(8, 3, padding="same", strides=1, activation="relu")(x)
    x = L.Add()([x, y])
    x = L.Conv2D(16, 3, strides=2, padding="same")(x)
    x = L.GlobalAveragePooling2D()(x)
    outputs = L.Dense(1, activation="sigmoid")(x)
    model = keras.Model(inputs, outputs, name="with_base")

    fig = plotting.show_model_diagram(model, title="a nested base")
    boxes, texts = boxes_and_texts(fig)
    assert len(boxes) == len(model.layers)  # the InputLayer is one of them
    assert fig.axes[0].get_title() == "a nested base"
    nested = texts[2].splitlines()
    assert nested[0] == "pretrained_base"
    assert nested[1] == "2 layers, frozen"
    assert nested[-2:] == ["32x32x8", f"{base.count_params():,} params"]
    assert base.count_params() == (3 * 3 * 3 + 1) * 8 + 4 * 8
    firsts = [t.splitlines()[0] for t in texts]
    assert firsts == [
        "Input",
        "Rescaling 1/255",
        "pretrained_base",
        "Conv2D 3x3, 8",
        "Add",
        "Conv2D 3x3, 16",
        "GlobalAvgPool",
        "Dense 1",
    ]
    assert texts[5].splitlines()[1] == "stride 2x2, same"
    assert texts[3].splitlines()[1] == "same, relu"
    for layer, text in zip(model.layers, texts, strict=True):
        assert text.splitlines()[-1] == f"{layer.count_params():,} params"
        assert text.splitlines()[-2] == shape_text(layer)


def arrows(fig):
    """The diagram's arrows: straight ones (no gid) and skip arcs (gid 'skip:a->b')."""
    patches = [p for p in fig.axes[0].patches if type(p).__name__ == "FancyArrowPatch"]
    skips = sorted(p.get_gid()[5:] for p in patches if (p.get_gid() or "").startswith("skip:"))
    return len(patches) - len(skips), skips


def test_a_residual_block_draws_its_shortcut_as_an_arc_into_the_add():
    inputs = keras.Input((16, 16, 8), name="image")
    x = L.Conv2D(8, 3, padding="same", name="stem")(inputs)
    y = L.Conv2D(8, 3, padding="same", name="conv_a")(x)
    y = L.BatchNormalization(name="bn_a")(y)
    y = L.Conv2D(8, 3, padding="same", name="conv_b")(y)
    x = L.Add(name="add")([x, y])  # the shortcut: stem -> add
    shortcut = L.Conv2D(16, 1, strides=2, name="project")(x)  # a branch from add, not conv_b
    y = L.Conv2D(16, 3, strides=2, padding="same", name="down")(x)
    x = L.Add(name="add_2")([shortcut, y])
    outputs = L.Dense(2, name="head")(L.GlobalAveragePooling2D(name="gap")(x))
    model = keras.Model(inputs, outputs)
    names = [layer.name for layer in model.layers]
    pairs = {(names[i], names[j]) for i, j in diagrams.model_graph.edges(model, names)}
    assert ("stem", "add") in pairs and ("conv_b", "add") in pairs
    assert ("add", "project") in pairs and ("add", "down") in pairs
    assert ("project", "down") not in pairs  # side by side in model.layers, not connected
    assert ("project", "add_2") in pairs and ("down", "add_2") in pairs
    assert len(pairs) == 12  # one per input of each layer: 10 layers with one, two Adds with two
    fig = plotting.show_model_diagram(model)
    straight, skips = arrows(fig)
    assert straight + len(skips) == len(pairs)
    assert skips == sorted(f"{a}->{b}" for a, b in pairs if names.index(b) > names.index(a) + 1)
    assert "stem->add" in skips
    fig.canvas.draw()


def test_a_sequential_model_is_a_chain_of_arrows():
    fig = plotting.show_model_diagram(mnist_convnet())
    straight, skips = arrows(fig)
    assert skips == [] and straight == len(boxes_and_texts(fig)[0]) - 1


def test_a_long_model_wraps_onto_rows_read_left_to_right():
    layers = [keras.Input((64, 64, 3))]
    for filters in (8, 16, 32, 32, 64, 64):
        layers += [L.Conv2D(filters, 3, padding="same", activation="relu"), L.MaxPooling2D(2)]
    layers += [L.Flatten(), L.Dense(32, activation="relu"), L.Dropout(0.3), L.Dense(5)]
    model = keras.Sequential(layers)
    assert len(model.layers) == 16
    fig = plotting.show_model_diagram(model, max_per_row=6)
    boxes, texts = boxes_and_texts(fig)
    assert len(boxes) == 17
    corners = [(b.get_x(), b.get_y()) for b in boxes]
    rows = sorted({y for _, y in corners}, reverse=True)
    assert len(rows) == 3  # 17 boxes, at most 6 a row: 6, 6, 5
    for i in range(1, 17):  # each box right of the one before, or first of a lower row
        (px, py), (x, y) = corners[i - 1], corners[i]
        assert (y == py and x > px) or (y < py and x == min(c[0] for c in corners))
    ax = fig.axes[0]
    for b in boxes:  # all inside the drawing area
        assert ax.get_xlim()[0] <= b.get_x() and b.get_x() + b.get_width() <= ax.get_xlim()[1]
        assert ax.get_ylim()[0] <= b.get_y() and b.get_y() + b.get_height() <= ax.get_ylim()[1]
    assert texts[-2].splitlines()[0] == "Dropout 0.3"
    fig.canvas.draw()


def test_draws_into_a_given_axes_and_returns_its_figure():
    fig, (left, right) = plt.subplots(1, 2)
    returned = plotting.show_model_diagram(mnist_convnet(), ax=right)
    assert returned is fig
    assert len([p for p in right.patches if (p.get_gid() or "").startswith("box:")]) == 8
    assert not left.patches


def test_a_model_without_input_shape_is_refused_with_the_fix():
    model = keras.Sequential([L.Dense(3)])
    with pytest.raises(ValueError, match="keras.Input"):
        plotting.show_model_diagram(model)


@pytest.mark.parametrize(
    "layer,expected",
    [
        (L.Conv2D(16, (5, 3), strides=2), ("convolution", "Conv2D 5x3, 16", "stride 2x2")),
        (
            L.SeparableConv2D(8, 3, padding="same"),
            ("convolution", "SeparableConv2D 3x3, 8", "same"),
        ),
        (L.DepthwiseConv2D(3), ("convolution", "DepthwiseConv2D 3x3", "")),
        (L.MaxPooling2D(3, strides=2), ("pooling", "MaxPooling 3x3", "stride 2x2")),
        (L.AveragePooling2D(2), ("pooling", "AvgPooling 2x2", "")),
        (L.GlobalMaxPooling2D(), ("reshape", "GlobalMaxPool", "")),
        (L.Dense(128, activation="relu"), ("dense", "Dense 128", "relu")),
        (L.BatchNormalization(), ("normalization", "BatchNorm", "")),
        (L.Rescaling(1 / 127.5, offset=-1), ("preprocessing", "Rescaling 1/127.5", "")),
        (L.Rescaling(2.0), ("preprocessing", "Rescaling 2", "")),
        (L.Resizing(180, 160), ("preprocessing", "Resizing 180x160", "")),
        (L.RandomFlip("horizontal"), ("preprocessing", "RandomFlip", "")),
        (L.Activation("relu"), ("other", "Activation", "relu")),
    ],
)
def test_describe_layer(layer, expected):
    assert diagrams.describe_layer(layer) == expected


def test_format_shape():
    assert diagrams.format_shape((None, 26, 26, 32)) == "26x26x32"
    assert diagrams.format_shape((None, 10)) == "10"
    assert diagrams.format_shape((None, None, None, 3)) == "?x?x3"
    assert diagrams.format_shape([(None, 4), (None, 2, 2)]) == "4, 2x2"


# Diagrams of notebook 01: the sliding window, padding and stride, pooling, receptive field.

X = np.array(
    [[2, 3, 4, 2, 4], [0, 1, 4, 1, 1], [1, 1, 0, 7, 2], [3, 2, 3, 1, 1], [1, 2, 0, 2, 8]]
)  # notebook 01's 5 x 5 example
EDGE = kernels.kernel("edge")


def cell_values(ax) -> dict:
    """(row, col) -> the number written in that cell of a grid panel."""
    values = {}
    for text in ax.texts:
        gid = text.get_gid() or ""
        if gid.startswith("cell:"):
            row, col = (int(v) for v in gid[5:].split(","))
            values[row, col] = float(text.get_text())
    return values


def outlines(ax):
    """(row, col, height, width) of each red outline in a panel."""
    found = []
    for patch in ax.patches:
        if isinstance(patch, Rectangle) and patch.get_facecolor()[3] == 0:
            found.append((patch.get_y(), patch.get_x(), patch.get_height(), patch.get_width()))
    return found


@pytest.mark.parametrize(
    "image,kernel,position",
    [
        (X, EDGE, (1, 2)),
        (X, kernels.kernel("sobel_x"), (2, 0)),  # not symmetric
        (X, np.array([[1, 0, -1]]), (4, 1)),  # not square
    ],
)
def test_sliding_window_draws_the_correlation_up_to_its_position(image, kernel, position):
    fig = plotting.show_sliding_window(image, kernel, position)
    inputs, kernel_ax, products, output = fig.axes
    expected = kernels.correlate2d(image, kernel)
    drawn = cell_values(output)
    row, col = position
    assert drawn == {
        (i, j): expected[i, j]
        for i in range(expected.shape[0])
        for j in range(expected.shape[1])
        if (i, j) <= position
    }
    assert cell_values(inputs) == {(i, j): v for (i, j), v in np.ndenumerate(image)}
    assert cell_values(kernel_ax) == {(i, j): v for (i, j), v in np.ndenumerate(kernel)}
    assert products.get_title().endswith(f"sum = {expected[row, col]:g}")
    assert sum(cell_values(products).values()) == expected[row, col]
    assert outlines(inputs) == [(row, col, *kernel.shape)]
    assert outlines(output) == [(row, col, 1, 1)]
    assert output.get_title().startswith(f"output {expected.shape[0]} x {expected.shape[1]}")


def test_sliding_window_refuses_a_position_outside_the_output():
    with pytest.raises(ValueError, match="outside the 3 x 3 output"):
        plotting.show_sliding_window(X, EDGE, (3, 0))


@pytest.mark.parametrize("n", [4, 5, 7, 28, 32])
@pytest.mark.parametrize("f", [1, 2, 3, 5])
@pytest.mark.parametrize("stride", [1, 2, 3])
@pytest.mark.parametrize("padding", ["valid", "same"])
def test_padding_and_output_size_as_keras_pads(n, f, stride, padding):
    if padding == "valid" and f > n:
        with pytest.raises(ValueError, match="does not fit"):
            diagrams_conv.padding_and_output(n, f, padding, stride)
        return
    before, after, size = diagrams_conv.padding_and_output(n, f, padding, stride)
    assert (before, after) == kernels.padding_amounts(n, f, padding=padding, stride=stride)
    assert size == kernels.output_size(n, f, padding=padding, stride=stride)


def test_padding_and_stride_panels_show_the_output_sizes():
    cases = (("valid", 1), ("same", 1), ("valid", 2), ("same", 2), ("valid", 3))
    fig = plotting.show_padding_and_stride(7, 3, cases)
    assert len(fig.axes) == len(cases)
    for ax, (padding, stride) in zip(fig.axes, cases, strict=True):
        before, after = kernels.padding_amounts(7, 3, padding=padding, stride=stride)
        out = kernels.output_size(7, 3, padding=padding, stride=stride)
        assert ax.get_title() == f"{padding}, stride {stride}\n7 x 7 -> {out} x {out}"
        (centres,) = [c for c in ax.collections if c.get_gid() == "centres"]
        assert len(centres.get_offsets()) == out * out  # one dot per output cell
        gray = [
            p
            for p in ax.patches
            if p.get_facecolor()[:3] == matplotlib.colors.to_rgb(diagrams_conv.PADDING)
        ]
        side = 7 + before + after
        assert len(gray) == side * side - 49  # the ring of zeros
        assert any(t.get_text().endswith(f"= {out}") for t in ax.texts)


@pytest.mark.parametrize("shape,pool", [((4, 4), 2), ((5, 6), 2), ((6, 6), 3)])
def test_max_pooling_draws_the_maximum_of_each_window(shape, pool):
    grid = np.random.default_rng(1).permutation(np.prod(shape)).reshape(shape)
    fig = plotting.show_max_pooling(grid, pool)
    inputs, output = fig.axes
    expected = kernels.max_pool2d(grid, pool)
    assert cell_values(output) == {(i, j): v for (i, j), v in np.ndenumerate(expected)}
    bold = sorted(float(t.get_text()) for t in inputs.texts if t.get_fontweight() == "bold")
    assert bold == sorted(expected.ravel())
    assert output.get_title().endswith(f"-> {expected.shape[0]} x {expected.shape[1]}")


def unit_depends_on(n, layers, unit):
    """The input pixels a unit of the last layer depends on, by Keras: the gradient of that
    unit with respect to the input, through Conv2D / AveragePooling2D layers of ones."""
    import tensorflow as tf

    stack = [keras.Input((n, n, 1))]
    for name, f, s in layers:
        if "pool" in name:
            stack.append(L.AveragePooling2D(f, strides=s))
        else:
            stack.append(L.Conv2D(1, f, strides=s, kernel_initializer="ones"))
    model = keras.Sequential(stack)
    x = tf.Variable(np.random.default_rng(0).random((1, n, n, 1), dtype=np.float32))
    with tf.GradientTape() as tape:
        y = model(x)[0, unit[0], unit[1], 0]
    grad = tape.gradient(y, x).numpy()[0, :, :, 0]
    rows, cols = np.nonzero(grad)
    return rows.min(), cols.min(), rows.max() - rows.min() + 1, cols.max() - cols.min() + 1


@pytest.mark.parametrize(
    "n,layers,unit",
    [
        (12, [("conv 3x3", 3, 1), ("max pool 2x2", 2, 2), ("conv 3x3", 3, 1)], None),
        (9, [("conv 3x3", 3, 1), ("conv 3x3", 3, 1)], (0, 4)),
        (16, [("conv 5x5", 5, 2), ("pool 2x2", 2, 2)], (2, 1)),
    ],
)
def test_receptive_field_is_what_the_unit_depends_on(n, layers, unit):
    fig = plotting.show_receptive_field(n, layers, unit)
    assert len(fig.axes) == len(layers) + 1
    sizes = [n]
    for _, f, s in layers:
        sizes.append((sizes[-1] - f) // s + 1)
    last = sizes[-1]
    unit = unit or (last // 2, last // 2)
    row, col, height, width = unit_depends_on(n, layers, unit)
    field = diagrams_conv.receptive_fields(layers)[-1][0]
    assert height == width == field
    assert outlines(fig.axes[0]) == [(row, col, field, field)]
    assert outlines(fig.axes[-1]) == [(unit[0], unit[1], 1, 1)]
    assert fig.axes[0].get_title() == f"input: {n} x {n}\nthe unit sees {field} x {field}"
    for ax, size in zip(fig.axes[1:], sizes[1:], strict=True):
        assert f": {size} x {size}\n" in ax.get_title()


def test_receptive_fields_formula():
    assert diagrams_conv.receptive_fields([("c", 3, 1), ("c", 3, 1)]) == [(3, 1), (5, 1)]
    stack = [("c", 3, 1), ("p", 2, 2), ("c", 3, 1), ("p", 2, 2)]
    assert diagrams_conv.receptive_fields(stack) == [(3, 1), (4, 2), (8, 2), (10, 4)]
    with pytest.raises(ValueError, match="does not fit"):
        plotting.show_receptive_field(4, [("conv 5x5", 5, 1)])
