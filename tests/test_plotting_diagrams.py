"""cvcourse.plotting.diagrams: block diagrams of real Keras models, one box per layer, each
saying what the model holds (the layer's kind, output shape and parameter count)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import keras  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from cvcourse import plotting  # noqa: E402
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
