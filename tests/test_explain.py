"""cvcourse.explain (activations, Grad-CAM, filter patterns) and its figures in plotting.

The models are tiny and, where an answer is known in advance, built with fixed weights:
a "bright patch detector" whose evidence for each class sits in a known corner. A layer
inside a model nested in a functional model is out of public Keras' reach: explain says
so, and the public recipe its message gives (notebook 08) is checked here too.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import keras
import matplotlib.pyplot as plt
import numpy as np
import pytest

from cvcourse import explain, plotting

SIZE = 24
PATCH = 6


# ------------------------------------------------------------------------------ models


def small_sequential(seed: int = 0):
    """A Sequential convnet with an explicit Input, like the course's small convnet."""
    keras.utils.set_random_seed(seed)
    return keras.Sequential(
        [
            keras.Input((32, 32, 3)),
            keras.layers.Rescaling(1 / 255, name="scale"),
            keras.layers.Conv2D(8, 3, activation="relu", name="conv1"),
            keras.layers.MaxPooling2D(name="pool1"),
            keras.layers.Conv2D(16, 3, activation="relu", name="conv2"),
            keras.layers.MaxPooling2D(name="pool2"),
            keras.layers.Conv2D(16, 3, padding="same", activation="relu", name="conv3"),
            keras.layers.GlobalAveragePooling2D(name="gap"),
            keras.layers.Dense(3, activation="softmax", name="dense"),
        ],
        name="small",
    )


def small_base(seed: int = 1, name: str = "base", second: str = "dense"):
    """A functional convolutional 'base', by default with a layer 'dense' to clash with a head."""
    keras.utils.set_random_seed(seed)
    inputs = keras.Input((32, 32, 3))
    x = keras.layers.Conv2D(4, 3, activation="relu", name="c1")(inputs)
    x = keras.layers.Conv2D(6, 3, activation="relu", name=second)(x)
    return keras.Model(inputs, x, name=name)


def nested_functional(base):
    """A classifier with ``base`` nested inside as one layer, as in transfer learning."""
    inputs = keras.Input((32, 32, 3))
    x = keras.layers.Rescaling(1 / 255, name="scale")(inputs)
    x = base(x, training=False)
    x = keras.layers.GlobalAveragePooling2D(name="gap")(x)
    outputs = keras.layers.Dense(2, activation="softmax", name="dense")(x)
    return keras.Model(inputs, outputs, name="classifier")


def detector_base():
    """Two fixed filters: channel k of the output is a 3x3 box sum of input channel k."""
    inputs = keras.Input((SIZE, SIZE, 2))
    conv = keras.layers.Conv2D(2, 3, padding="same", activation="relu", name="detect")
    x = conv(inputs)
    kernel = np.zeros((3, 3, 2, 2), dtype=np.float32)
    kernel[:, :, 0, 0] = 1.0 / 9
    kernel[:, :, 1, 1] = 1.0 / 9
    conv.set_weights([kernel, np.zeros(2, np.float32)])
    return keras.Model(inputs, x, name="detector")


def detector_head(units: int, activation: str | None):
    """GAP then a fixed Dense: class k reads channel k (one unit: channel 1 minus channel 0)."""
    dense = keras.layers.Dense(units, activation=activation, name="decide")
    dense.build((None, 2))
    if units == 2:
        weights = np.eye(2, dtype=np.float32) * 4.0
    else:
        weights = np.array([[-4.0], [4.0]], dtype=np.float32)
    dense.set_weights([weights, np.zeros(units, np.float32)])
    return dense


def detector(kind: str, *, units: int = 2, activation: str | None = "softmax"):
    """The detector as 'flat' functional, Sequential, nested functional or nested Sequential."""
    base = detector_base()
    head = detector_head(units, activation)
    if kind == "flat":
        x = keras.layers.GlobalAveragePooling2D()(base.output)
        return keras.Model(base.input, head(x))
    if kind == "sequential":
        return keras.Sequential(
            [
                keras.Input((SIZE, SIZE, 2)),
                base.get_layer("detect"),
                keras.layers.GlobalAveragePooling2D(),
                head,
            ]
        )
    if kind == "nested_functional":
        inputs = keras.Input((SIZE, SIZE, 2))
        x = base(inputs)
        x = keras.layers.GlobalAveragePooling2D()(x)
        return keras.Model(inputs, head(x))
    if kind == "nested_sequential":
        return keras.Sequential(
            [keras.Input((SIZE, SIZE, 2)), base, keras.layers.GlobalAveragePooling2D(), head]
        )
    raise ValueError(kind)


def two_patch_image():
    """Channel 0 bright in the top-left corner, channel 1 bright in the bottom-right."""
    image = np.zeros((SIZE, SIZE, 2), dtype=np.float32)
    image[1 : 1 + PATCH, 1 : 1 + PATCH, 0] = 1.0
    image[-1 - PATCH : -1, -1 - PATCH : -1, 1] = 1.0
    return image


def quadrant(heatmap) -> str:
    row, col = np.unravel_index(int(np.argmax(heatmap)), heatmap.shape)
    half = heatmap.shape[0] / 2
    return ("top" if row < half else "bottom") + "-" + ("left" if col < half else "right")


# ------------------------------------------------------------------------- activations


def test_activation_shapes_per_layer_sequential():
    model = small_sequential()
    image = np.random.default_rng(0).integers(0, 256, (32, 32, 3)).astype(np.uint8)
    maps = explain.activations(model, image, ["conv1", "pool1", "conv2", "pool2", "conv3"])
    shapes = {name: m.shape for name, m in maps.items()}
    assert shapes == {
        "conv1": (30, 30, 8),  # 32 - 3 + 1
        "pool1": (15, 15, 8),
        "conv2": (13, 13, 16),
        "pool2": (6, 6, 16),
        "conv3": (6, 6, 16),  # padding="same"
    }
    assert list(maps) == ["conv1", "pool1", "conv2", "pool2", "conv3"]
    assert all(m.min() >= 0 for m in maps.values())  # after ReLU


def test_activations_default_to_every_feature_map_layer_and_accept_a_batch():
    model = small_sequential()
    batch = np.random.default_rng(1).uniform(0, 255, (5, 32, 32, 3))
    maps = explain.activations(model, batch)
    assert list(maps) == ["scale", "conv1", "pool1", "conv2", "pool2", "conv3"]
    assert maps["conv2"].shape == (5, 13, 13, 16)


def test_activations_match_a_model_cut_at_the_layer():
    model = small_sequential()
    image = np.random.default_rng(2).uniform(0, 255, (32, 32, 3)).astype(np.float32)
    cut = keras.Model(model.inputs[0], model.get_layer("conv2").output)
    expected = np.asarray(cut(image[None]))[0]
    got = explain.activations(model, image, "conv2")["conv2"]
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


def test_activations_of_a_functional_models_own_layers():
    base = small_base()
    model = nested_functional(base)
    image = np.random.default_rng(3).uniform(0, 255, (32, 32, 3)).astype(np.float32)
    maps = explain.activations(model, image, ["scale", "dense"])
    assert maps["scale"].shape == (32, 32, 3) and maps["dense"].shape == (2,)  # the head's
    np.testing.assert_allclose(maps["scale"], image / 255.0, rtol=1e-6)
    np.testing.assert_allclose(maps["dense"], np.asarray(model(image[None]))[0], atol=1e-6)


@pytest.mark.parametrize("name", ["c1", "base/dense", "base"])
def test_a_layer_inside_a_nested_functional_base_is_refused_with_the_recipe(name):
    model = nested_functional(small_base())
    with pytest.raises(ValueError) as caught:
        explain.activations(model, np.zeros((32, 32, 3)), [name])
    message = str(caught.value)
    assert "'base'" in message and "'classifier'" in message  # the nested and the outer model
    if name != "base":
        assert repr(name.split("/")[-1]) in message  # the layer
    assert "tf.GradientTape" in message and "keras.Model(nested.input" in message
    assert "notebook 08" in message


def test_activations_inside_a_base_nested_in_a_sequential_model():
    base = small_base()
    model = keras.Sequential(
        [
            keras.Input((32, 32, 3)),
            base,
            keras.layers.Flatten(),
            keras.layers.Dense(1, name="dense"),  # named: Keras numbers unnamed layers per session
        ]
    )
    image = np.random.default_rng(4).uniform(0, 1, (32, 32, 3)).astype(np.float32)
    maps = explain.activations(model, image, ["base", "dense"])  # the nested base: one layer
    assert maps["base"].shape == (28, 28, 6) and maps["dense"].shape == (1,)
    np.testing.assert_allclose(maps["base"], np.asarray(base(image[None]))[0], atol=1e-6)
    with pytest.raises(ValueError, match="'c1' is inside 'base'"):
        explain.activations(model, image, ["c1"])


def test_looking_inside_changes_nothing_in_the_model():
    base = small_base()
    model = keras.Sequential(
        [
            keras.Input((32, 32, 3)),
            base,
            keras.layers.GlobalAveragePooling2D(),
            keras.layers.Dense(2),
        ]
    )
    image = np.random.default_rng(5).uniform(0, 255, (1, 32, 32, 3)).astype(np.float32)
    before = np.asarray(model(image))
    names = [layer.name for layer in model.layers]
    explain.activations(model, image[0], ["base"])
    explain.grad_cam(model, image[0], layer_name="base")
    np.testing.assert_allclose(np.asarray(model(image)), before)
    assert [layer.name for layer in model.layers] == names


def test_unknown_layer_names_the_layers_there_are():
    with pytest.raises(ValueError, match="no layer 'conv9'.*conv1"):
        explain.activations(small_sequential(), np.zeros((32, 32, 3)), ["conv9"])
    with pytest.raises(ValueError, match="no layer"):
        explain.find_layer(nested_functional(small_base()), "base/nope")


def test_wrong_image_shape_is_refused():
    with pytest.raises(ValueError, match="shape"):
        explain.activations(small_sequential(), np.zeros((32, 32)), ["conv1"])


def test_subclassed_models_are_refused_with_a_reason():
    class Custom(keras.Model):
        def __init__(self):
            super().__init__()
            self.conv = keras.layers.Conv2D(2, 3)

        def call(self, x):
            return self.conv(x)

    model = Custom()
    model(np.zeros((1, 8, 8, 1), np.float32))
    with pytest.raises(TypeError, match="subclassed"):
        explain.activations(model, np.zeros((8, 8, 1)), ["conv2d"])


def test_sparsity_measures():
    maps = np.zeros((4, 4, 4))
    maps[0, 0, 0] = 1.0
    maps[:, :, 1] = 2.0
    assert explain.blank_fraction(maps) == 0.5  # channels 2 and 3 never switch on
    assert explain.zero_fraction(maps) == pytest.approx(1 - 17 / 64)


# ----------------------------------------------------------------------------- Grad-CAM


# the layer whose maps Grad-CAM reads: the detect convolution, or the base that ends with it
MAPS_LAYER = {"flat": "detect", "sequential": "detect", "nested_sequential": "detector"}


@pytest.mark.parametrize("kind", ["flat", "sequential", "nested_sequential"])
def test_grad_cam_peaks_where_the_evidence_is(kind):
    model = detector(kind)
    image = two_patch_image()
    cam0 = explain.grad_cam(model, image, class_index=0, layer_name=MAPS_LAYER[kind])
    cam1 = explain.grad_cam(model, image, class_index=1, layer_name=MAPS_LAYER[kind])
    assert quadrant(cam0) == "top-left"  # class 0 reads channel 0: the top-left patch
    assert quadrant(cam1) == "bottom-right"
    assert cam0[-PATCH:, -PATCH:].max() == 0  # the other patch is evidence against class 0
    assert cam1[:PATCH, :PATCH].max() == 0


@pytest.mark.parametrize("kind", ["flat", "sequential", "nested_sequential"])
def test_grad_cam_is_a_map_of_the_feature_map_size_in_0_1(kind):
    model = detector(kind)
    cam = explain.grad_cam(model, two_patch_image())
    assert cam.shape == (SIZE, SIZE) and cam.dtype == np.float32
    assert cam.min() == 0.0 and cam.max() == pytest.approx(1.0)


def test_grad_cam_defaults_to_the_predicted_class_and_last_conv():
    image = two_patch_image()
    image[..., 1] *= 0.5  # channel 0 wins: class 0 is predicted
    model = detector("nested_sequential")
    assert explain.last_feature_map_layer(model) == "detector"  # the nested base
    default = explain.grad_cam(model, image)
    np.testing.assert_allclose(default, explain.grad_cam(model, image, 0, "detector"), atol=1e-6)
    assert quadrant(default) == "top-left"
    seq = small_sequential()
    assert explain.last_feature_map_layer(seq) == "conv3"  # not a pooling layer
    cam = explain.grad_cam(seq, np.random.default_rng(0).uniform(0, 255, (32, 32, 3)))
    assert cam.shape == (6, 6) and cam.min() >= 0 and cam.max() <= 1


def test_grad_cam_with_one_sigmoid_output():
    model = detector("nested_sequential", units=1, activation="sigmoid")
    image = two_patch_image()
    image[..., 0] *= 0.5  # channel 1 wins: P(class 1) > 0.5
    assert float(np.asarray(model(image[None]))[0, 0]) > 0.5
    assert quadrant(explain.grad_cam(model, image, layer_name="detector")) == "bottom-right"
    assert quadrant(explain.grad_cam(model, image, 0, layer_name="detector")) == "top-left"


def test_grad_cam_with_no_evidence_is_all_zeros():
    model = detector("flat", activation=None)
    image = np.zeros((SIZE, SIZE, 2), np.float32)
    image[2:8, 2:8, 0] = 1.0  # only channel 0: nothing speaks for class 1
    cam = explain.grad_cam(model, image, class_index=1, layer_name="detect")
    assert cam.shape == (SIZE, SIZE) and not cam.any()


def recipe_grad_cam(base, inner_name, after, x, class_index):
    """Grad-CAM of a layer inside a nested base, the public recipe of notebook 08.

    Under one tape: a model from the base's own input to [inner layer, base output], then
    the layers that follow the base (``after``), so the maps and the score are both taped.
    """
    import tensorflow as tf

    taps = keras.Model(base.input, [base.get_layer(inner_name).output, base.output])
    with tf.GradientTape() as tape:
        maps, base_out = taps(x, training=False)
        y = base_out
        for layer in after:
            y = layer(y, training=False)
        score = y[:, class_index]
    grads = tape.gradient(score, maps)
    cam = np.asarray(tf.einsum("bhwc,bc->bhw", maps, tf.reduce_mean(grads, axis=(1, 2))))[0]
    cam = np.maximum(cam, 0)
    return cam / cam.max() if cam.max() > 0 else cam


def test_the_recipe_for_a_nested_base_matches_the_package_on_a_model_built_from_its_input():
    base = small_base(second="c2")  # a model built from its input cannot hold two 'dense'

    model = nested_functional(base)  # scale -> base -> gap -> dense
    image = np.random.default_rng(6).uniform(0, 255, (32, 32, 3)).astype(np.float32)
    with pytest.raises(ValueError, match="'c1' is inside 'base'"):
        explain.grad_cam(model, image, layer_name="c1")
    with pytest.raises(ValueError, match="'base' is a model nested in 'classifier'"):
        explain.grad_cam(model, image)  # the default layer is the nested base
    gap, dense = model.get_layer("gap"), model.get_layer("dense")
    flat = keras.Model(base.input, dense(gap(base.output)))  # built from the base's input
    x = image[None] / 255.0  # what the classifier's Rescaling gives the base
    assert np.allclose(flat(x), model(image[None]), atol=1e-6)
    for inner, shape in (("c1", (30, 30)), ("c2", (28, 28))):
        for class_index in (0, 1):
            package = explain.grad_cam(flat, x[0], class_index, layer_name=inner)
            recipe = recipe_grad_cam(base, inner, [gap, dense], x, class_index)
            assert package.shape == shape and package.max() == pytest.approx(1.0)
            np.testing.assert_allclose(package, recipe, atol=1e-5)


def test_grad_cam_refuses_bad_input():
    model = detector("flat")
    with pytest.raises(ValueError, match="one image"):
        explain.grad_cam(model, np.zeros((2, SIZE, SIZE, 2)))
    with pytest.raises(ValueError, match="class_index"):
        explain.grad_cam(model, two_patch_image(), class_index=5)
    with pytest.raises(ValueError, match="4-D"):
        explain.grad_cam(small_sequential(), np.zeros((32, 32, 3)), layer_name="gap")


def test_upsample_keeps_the_range():
    heat = np.array([[0.0, 1.0], [0.5, 0.25]], np.float32)
    big = explain.upsample(heat, (20, 30))
    assert big.shape == (20, 30) and big.min() >= 0 and big.max() <= 1
    assert big[0, -1] > big[-1, -1]


# ---------------------------------------------------------------------- filter patterns


def test_gradient_ascent_raises_the_chosen_filters_mean_activation():
    model = small_sequential(seed=3)
    filters = [0, 5, 7]
    kwargs = dict(size=32, value_range=(0.0, 255.0), seed=4)
    start = explain.filter_patterns(model, "conv2", filters, steps=0, **kwargs)
    patterns, losses = explain.filter_patterns(
        model, "conv2", filters, steps=15, return_losses=True, **kwargs
    )
    assert patterns.shape == (3, 32, 32, 3) and losses.shape == (16, 3)
    assert patterns.min() >= 0 and patterns.max() <= 255
    before = explain.activations(model, start, "conv2")["conv2"].mean(axis=(1, 2))
    after = explain.activations(model, patterns, "conv2")["conv2"].mean(axis=(1, 2))
    for i, f in enumerate(filters):
        assert after[i, f] > before[i, f] + 1e-3, f"filter {f} did not rise"
    np.testing.assert_allclose(losses[0], [before[i, f] for i, f in enumerate(filters)], rtol=1e-4)
    np.testing.assert_allclose(losses[-1], [after[i, f] for i, f in enumerate(filters)], rtol=1e-4)


def test_gradient_ascent_finds_what_a_known_filter_wants():
    # Filter 1 of the detector sums input channel 1: the best input is channel 1 at the top.
    model = detector("flat")
    patterns = explain.filter_patterns(model, "detect", [1], steps=20, value_range=(0.0, 1.0))
    assert patterns.shape == (1, SIZE, SIZE, 2)
    pattern = patterns[0]
    assert pattern[..., 1].mean() > 0.9
    assert abs(pattern[..., 0].mean() - 0.5) < 0.05  # channel 0 does not matter: untouched


def test_filter_patterns_of_a_base_and_not_through_the_model_that_nests_it():
    base = small_base()
    patterns, losses = explain.filter_patterns(
        base, "dense", [2], steps=10, value_range=(0.0, 1.0), return_losses=True
    )
    assert patterns.shape == (1, 32, 32, 3) and losses.shape == (11, 1)
    assert losses[-1, 0] > losses[0, 0]
    with pytest.raises(ValueError, match="'dense' is inside 'base'"):
        explain.filter_patterns(nested_functional(base), "base/dense", [2], steps=1)


def test_filter_patterns_refuse_bad_arguments():
    model = small_sequential()
    with pytest.raises(ValueError, match="filters 0..7"):
        explain.filter_patterns(model, "conv1", [8])
    with pytest.raises(ValueError, match="size"):
        explain.filter_patterns(model, "conv1", [0], size=64)
    with pytest.raises(ValueError, match="value_range"):
        explain.filter_patterns(model, "conv1", [0], value_range=(1, 0))


def test_pattern_to_image():
    pattern = np.random.default_rng(0).normal(size=(2, 20, 20, 3))
    image = explain.pattern_to_image(pattern, crop=2)
    assert image.shape == (2, 16, 16, 3) and image.dtype == np.uint8
    assert explain.pattern_to_image(pattern[0]).shape == (20, 20, 3)


# --------------------------------------------------------------------------- plotting


def test_heatmap_overlay_colours_the_hot_spot():
    image = np.full((40, 60, 3), 128, np.uint8)
    heat = np.zeros((4, 6), np.float32)
    heat[0, 0] = 1.0
    out = plotting.heatmap_overlay(image, heat, alpha=0.5)
    assert out.shape == (40, 60, 3) and out.dtype == np.uint8
    red, green, blue = (int(v) for v in out[0, 0])
    assert red > blue  # jet: 1 is red
    assert int(out[-1, -1, 2]) > int(out[-1, -1, 0])  # 0 is blue
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        plotting.heatmap_overlay(image, heat * 3)


def test_figures_of_notebook_08():
    maps = np.random.default_rng(0).uniform(0, 1, (10, 12, 20))
    maps[..., 3] = 0
    fig = plotting.show_activation_grid(maps, title="conv1", ncols=8)
    image = fig.axes[0].get_images()[0].get_array()
    assert image.shape == (3 * 11 - 1, 8 * 13 - 1)  # 3 rows of 8 channels, 1-pixel gaps
    assert np.ma.getdata(image)[0:10, 3 * 13 : 3 * 13 + 12].max() == 0  # the blank channel
    patterns = {"a": np.zeros((3, 8, 8, 3), np.uint8), "b": np.zeros((2, 8, 8, 3), np.uint8)}
    assert len(plotting.show_filter_patterns(patterns).axes) == 6
    photo = np.zeros((30, 40, 3), np.uint8)
    assert len(plotting.show_gradcam(photo, np.eye(5)).axes) == 4  # 3 panels + colour bar
    fig = plotting.show_overlays([photo, photo], [np.eye(5), np.eye(5)], ["x", "y"])
    assert len(fig.axes) == 2
    plt.close("all")


def test_functional_graphs_with_branches_and_plain_ops():
    # A residual block with a keras.ops call (a node that is not a Layer), then nested twice.
    keras.utils.set_random_seed(7)
    inputs = keras.Input((16, 16, 3))
    a = keras.layers.Conv2D(4, 3, padding="same", activation="relu", name="a")(inputs)
    b = keras.layers.Conv2D(4, 3, padding="same", name="b")(a)
    added = keras.layers.Add(name="add")([a, b])
    x = keras.ops.relu(added * 0.5)
    y = keras.layers.GlobalAveragePooling2D(name="gap")(x)
    flat = keras.Model(inputs, keras.layers.Dense(2, activation="softmax", name="out")(y))
    image = np.random.default_rng(8).uniform(0, 1, (16, 16, 3)).astype(np.float32)
    maps = explain.activations(flat, image, ["add", "b"])
    expected = np.asarray(keras.Model(inputs, [added, b])(image[None])[0])[0]
    np.testing.assert_allclose(maps["add"], expected, rtol=1e-5, atol=1e-6)
    cam = explain.grad_cam(flat, image, layer_name="add")
    assert cam.shape == (16, 16) and cam.min() >= 0 and cam.max() <= 1
    block = keras.Model(inputs, x, name="block")
    inner_in = keras.Input((16, 16, 3))
    middle = keras.Model(inner_in, block(inner_in), name="middle")
    outer_in = keras.Input((16, 16, 3))
    pooled = keras.layers.GlobalAveragePooling2D()(middle(outer_in))
    model = keras.Model(outer_in, keras.layers.Dense(2)(pooled), name="outer")
    with pytest.raises(ValueError, match="'b' is inside 'middle', a model nested in 'outer'"):
        explain.activations(model, image, ["middle/block/b"])
