"""cvcourse.images.to_float and images.resize: scales, shapes, dtypes and every bad input."""

from __future__ import annotations

import numpy as np
import pytest

from cvcourse import datasets, images

# ------------------------------------------------------------------------------ to_float


def test_to_float_from_uint8_and_uint16():
    out = images.to_float(np.array([[0, 51, 255]], dtype=np.uint8))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, [[0.0, 0.2, 1.0]])
    out16 = images.to_float(np.array([0, 65535], dtype=np.uint16))
    np.testing.assert_allclose(out16, [0.0, 1.0])


def test_to_float_keeps_unit_floats_and_bools():
    x = np.array([0.0, 0.25, 1.0], dtype=np.float64)
    out = images.to_float(x)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, x)
    np.testing.assert_array_equal(images.to_float(np.array([True, False])), [1.0, 0.0])


def test_to_float_on_a_photo_matches_matplotlib():
    import matplotlib.pyplot as plt

    photo = datasets.load_sample("chelsea")
    np.testing.assert_array_equal(
        images.to_float(photo), plt.imread(datasets.sample_path("chelsea"))
    )


@pytest.mark.parametrize(
    "bad,match",
    [
        (np.array([0.0, 2.0]), "must lie in"),  # floats on the 0-255 scale
        (np.array([-0.1, 0.5]), "must lie in"),
        (np.array([0.5, np.nan]), "NaN"),
        (np.array([1, 2], dtype=np.int32), "dtype int32"),
        (np.array(["a"]), "cannot rescale"),
        (np.array([object()]), "cannot rescale"),
    ],
)
def test_to_float_rejects(bad, match):
    with pytest.raises(ValueError, match=match):
        images.to_float(bad)


# -------------------------------------------------------------------------------- resize


@pytest.mark.parametrize("shape", [(30, 40), (30, 40, 1), (30, 40, 3), (30, 40, 4)])
@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.float32])
def test_resize_keeps_channels_and_dtype(shape, dtype):
    rng = np.random.default_rng(0)
    high = 1.0 if dtype == np.float32 else np.iinfo(dtype).max
    image = (rng.uniform(0, high, size=shape)).astype(dtype)
    out = images.resize(image, (15, 25))
    assert out.shape == (15, 25) + shape[2:]
    assert out.dtype == dtype


@pytest.mark.parametrize("method", images.RESIZE_METHODS)
def test_resize_keeps_a_flat_image_flat(method):
    flat = np.full((20, 30, 3), 77, dtype=np.uint8)
    out = images.resize(flat, (7, 9), method=method)
    assert (out == 77).all()


def test_resize_shrinking_averages():
    checker = np.indices((64, 64)).sum(axis=0) % 2 * 255  # one-pixel checkerboard
    out = images.resize(checker.astype(np.uint8), (16, 16), method="area")
    assert np.abs(out.astype(int) - 128).max() <= 1  # averaged to mid-gray, not aliased


def test_resize_size_is_height_then_width():
    photo = datasets.load_sample("chelsea")  # (300, 451, 3)
    assert images.resize(photo, (100, 150)).shape == (100, 150, 3)
    float_photo = images.to_float(photo)
    out = images.resize(float_photo, (150, 226))
    assert out.dtype == np.float32
    assert abs(float(out.mean()) - float(float_photo.mean())) < 0.01


@pytest.mark.parametrize(
    "image,size,kwargs,match",
    [
        (np.zeros((8, 8), np.uint8), (0, 4), {}, "size"),
        (np.zeros((8, 8), np.uint8), (-2, 4), {}, "size"),
        (np.zeros((8, 8), np.uint8), (4.0, 4), {}, "size"),
        (np.zeros((8, 8), np.uint8), (4, 4, 3), {}, "size"),
        (np.zeros((8, 8), np.uint8), "small", {}, "size"),
        (np.zeros((8, 8), np.uint8), (4, True), {}, "size"),
        (np.zeros((8, 8), np.uint8), (4, 4), {"method": "cubic-ish"}, "method"),
        (np.zeros(8, np.uint8), (4, 4), {}, "expected"),
        (np.zeros((8, 8, 2), np.uint8), (4, 4), {}, "expected"),
        (np.zeros((2, 8, 8, 3), np.uint8), (4, 4), {}, "expected"),
        (np.zeros((0, 8), np.uint8), (4, 4), {}, "empty"),
        (np.zeros((8, 8), np.int64), (4, 4), {}, "dtype"),
        (np.zeros((8, 8), bool), (4, 4), {}, "dtype"),
    ],
)
def test_resize_rejects(image, size, kwargs, match):
    with pytest.raises(ValueError, match=match):
        images.resize(image, size, **kwargs)
