"""cvcourse.plotting.overlays without TensorFlow: resizing a heatmap and laying it over an image."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from cvcourse import plotting  # noqa: E402
from cvcourse.plotting.overlays import resize_heatmap  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_resize_heatmap_interpolates_between_pixel_centres():
    # 2 pixels stretched to 4: output centres fall at -0.25, 0.25, 0.75, 1.25 of the input,
    # so the outer two are clamped to the edge values and the inner two are interpolated.
    np.testing.assert_allclose(resize_heatmap([[0.0, 1.0]], (1, 4)), [[0, 0.25, 0.75, 1]])
    np.testing.assert_allclose(resize_heatmap([[0.0], [1.0]], (4, 1))[:, 0], [0, 0.25, 0.75, 1])
    heat = np.random.default_rng(0).uniform(size=(5, 7)).astype(np.float32)
    np.testing.assert_array_equal(resize_heatmap(heat, heat.shape), heat)  # same size: as is
    np.testing.assert_allclose(resize_heatmap(heat, (1, 1)), [[heat[2, 3]]])  # the centre


@pytest.mark.parametrize(
    "shape,size", [((7, 7), (224, 224)), ((5, 3), (20, 30)), ((10, 10), (4, 6))]
)
def test_resize_heatmap_keeps_shape_dtype_and_range(shape, size):
    heat = np.random.default_rng(1).uniform(0.2, 0.7, size=shape)
    out = resize_heatmap(heat, size)
    assert out.shape == size and out.dtype == np.float32
    assert out.min() >= np.float32(heat.min()) and out.max() <= np.float32(heat.max())


def test_resize_heatmap_matches_tensorflow_bilinear_resize():
    tf = pytest.importorskip("tensorflow")
    rng = np.random.default_rng(2)
    for shape, size in [((7, 7), (224, 224)), ((5, 3), (20, 30)), ((10, 10), (4, 6))]:
        heat = rng.uniform(size=shape).astype(np.float32)
        expected = tf.image.resize(heat[..., None], size, method="bilinear").numpy()[..., 0]
        np.testing.assert_allclose(resize_heatmap(heat, size), expected, atol=1e-6)


def test_resize_heatmap_refuses_bad_input():
    with pytest.raises(ValueError, match="2-D heatmap"):
        resize_heatmap(np.zeros((2, 2, 1)), (4, 4))
    with pytest.raises(ValueError, match="non-empty"):
        resize_heatmap(np.zeros((0, 3)), (4, 4))
    with pytest.raises(ValueError, match="positive"):
        resize_heatmap(np.zeros((2, 2)), (0, 4))


@pytest.mark.parametrize(
    "image",
    [
        np.full((30, 40), 200, np.uint8),  # grey uint8
        np.full((30, 40, 1), 0.5, np.float32),  # grey float
        np.full((30, 40, 4), 0.5, np.float64),  # RGBA float: alpha dropped
    ],
    ids=["gray-uint8", "gray-float", "rgba-float"],
)
def test_heatmap_overlay_is_uint8_rgb_at_the_image_size(image):
    heat = np.zeros((3, 4))
    out = plotting.heatmap_overlay(image, heat, alpha=0.0)  # alpha 0: the image itself
    assert out.shape == (30, 40, 3) and out.dtype == np.uint8
    grey = 200 if image.dtype == np.uint8 else round(0.5 * 255)
    assert (out == grey).all()
    hot = plotting.heatmap_overlay(image, np.ones((3, 4)), alpha=1.0)  # all colour: jet's red
    expected = (np.asarray(matplotlib.colormaps["jet"](1.0)[:3]) * 255).round()
    np.testing.assert_array_equal(hot[0, 0], expected)
    np.testing.assert_array_equal(hot[-1, -1], expected)


def test_heatmap_overlay_refuses_a_heatmap_outside_0_1():
    with pytest.raises(ValueError, match=r"\[0, 1\], got values from -1 to 1"):
        plotting.heatmap_overlay(np.zeros((8, 8, 3)), np.array([[-1.0, 1.0]]))
    with pytest.raises(ValueError, match="2-D heatmap"):
        plotting.heatmap_overlay(np.zeros((8, 8, 3)), np.zeros((2, 2, 2)))


def test_show_gradcam_panels_and_titles():
    heat = np.eye(5)
    fig = plotting.show_gradcam(np.zeros((30, 40, 3), np.uint8), heat, title="tabby")
    image_ax, heat_ax, overlay_ax, _colour_bar = fig.axes
    assert [image_ax.get_title(), heat_ax.get_title(), overlay_ax.get_title()] == [
        "image",
        "heatmap 5x5",
        "overlay",
    ]
    assert fig.get_suptitle() == "tabby"
    np.testing.assert_array_equal(heat_ax.images[0].get_array(), heat)  # its own size
    assert overlay_ax.images[0].get_array().shape == (30, 40, 3)  # the image's size


def test_show_overlays_refuses_mismatched_lists():
    with pytest.raises(ValueError, match="2 images but 1 heatmaps"):
        plotting.show_overlays([np.zeros((8, 8))] * 2, [np.zeros((2, 2))])
