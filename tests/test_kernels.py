"""cvcourse.kernels: NumPy correlation, convolution and pooling against SciPy and TensorFlow."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import scipy.signal

from cvcourse import kernels

PADDINGS = ["valid", "same", "full"]
STRIDES = [1, 2, 3, (1, 2), (3, 1)]
# (image height, image width, kernel height, kernel width): odd, even, rectangular, 1 x 1
SHAPES = [(7, 7, 3, 3), (9, 6, 3, 3), (8, 11, 2, 4), (6, 5, 5, 1), (10, 10, 4, 4), (5, 7, 1, 1)]


def _stride_pair(stride):
    return (stride, stride) if isinstance(stride, int) else stride


def _reference(image, kernel, padding, stride):
    """The expected correlation, cut out of SciPy's full correlation at Keras's offsets."""
    full = scipy.signal.correlate2d(image, kernel, mode="full")
    (f_h, f_w), (s_h, s_w) = kernel.shape, _stride_pair(stride)
    top, _ = kernels.padding_amounts(image.shape[0], f_h, padding=padding, stride=s_h)
    left, _ = kernels.padding_amounts(image.shape[1], f_w, padding=padding, stride=s_w)
    out_h = kernels.output_size(image.shape[0], f_h, padding=padding, stride=s_h)
    out_w = kernels.output_size(image.shape[1], f_w, padding=padding, stride=s_w)
    rows = (f_h - 1 - top) + s_h * np.arange(out_h)
    cols = (f_w - 1 - left) + s_w * np.arange(out_w)
    return full[np.ix_(rows, cols)]


@pytest.mark.parametrize("padding", PADDINGS)
@pytest.mark.parametrize("stride", STRIDES, ids=str)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_correlate2d_matches_scipy_for_random_inputs(padding, stride, shape):
    rng = np.random.default_rng(hash((padding, str(stride), shape)) % 2**32)
    h, w, f_h, f_w = shape
    for _ in range(3):
        image = rng.normal(size=(h, w))
        kernel = rng.normal(size=(f_h, f_w))
        got = kernels.correlate2d(image, kernel, padding=padding, stride=stride)
        expected = _reference(image, kernel, padding, stride)
        assert got.shape == expected.shape
        np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("padding", ["valid", "full"])
@pytest.mark.parametrize("stride", [1, 2, 3])
def test_correlating_with_the_flipped_kernel_is_scipys_convolution(padding, stride):
    rng = np.random.default_rng(7)
    image, kernel = rng.normal(size=(9, 8)), rng.normal(size=(3, 2))
    expected = scipy.signal.convolve2d(image, kernel, mode=padding)[::stride, ::stride]
    got = kernels.correlate2d(image, kernels.flip(kernel), padding=padding, stride=stride)
    np.testing.assert_allclose(got, expected, atol=1e-12)


def test_flip_matters_for_an_asymmetric_kernel():
    rng = np.random.default_rng(0)
    image, kernel = rng.integers(0, 9, (6, 6)), rng.integers(-3, 4, (3, 3))
    np.testing.assert_array_equal(
        kernels.correlate2d(image, kernels.flip(kernel)),
        scipy.signal.convolve2d(image, kernel, mode="valid"),
    )
    assert not np.array_equal(
        kernels.correlate2d(image, kernel), scipy.signal.convolve2d(image, kernel, mode="valid")
    )
    assert kernels.flip(np.zeros((3, 2, 4, 5))).shape == (3, 2, 4, 5)


def test_worked_example_top_left_is_minus_seven():
    x = np.array(
        [[2, 3, 4, 2, 4], [0, 1, 4, 1, 1], [1, 1, 0, 7, 2], [3, 2, 3, 1, 1], [1, 2, 0, 2, 8]]
    )
    valid = kernels.correlate2d(x, kernels.kernel("edge"))
    assert valid.shape == (3, 3) and valid[0, 0] == -7
    same = kernels.correlate2d(x, kernels.kernel("edge"), padding="same")
    assert same.shape == (5, 5) and same[1, 1] == -7
    np.testing.assert_array_equal(same[1:-1, 1:-1], valid)


def test_several_channels_are_summed():
    rng = np.random.default_rng(1)
    image, kernel = rng.normal(size=(6, 7, 3)), rng.normal(size=(3, 3, 3))
    got = kernels.correlate2d(image, kernel, padding="same", stride=2)
    expected = sum(
        kernels.correlate2d(image[..., c], kernel[..., c], padding="same", stride=2)
        for c in range(3)
    )
    assert got.shape == (3, 4)
    np.testing.assert_allclose(got, expected)


def test_several_filters_give_one_map_each():
    rng = np.random.default_rng(2)
    image, bank = rng.normal(size=(8, 8, 2)), rng.normal(size=(3, 3, 2, 5))
    maps = kernels.correlate2d(image, bank)
    assert maps.shape == (6, 6, 5)
    for f in range(5):
        np.testing.assert_allclose(maps[..., f], kernels.correlate2d(image, bank[..., f]))
    gray_bank = rng.normal(size=(3, 3, 1, 4))
    assert kernels.correlate2d(image[..., 0], gray_bank).shape == (6, 6, 4)


@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("stride", [1, 2, 3])
def test_correlate2d_matches_tf_nn_conv2d(padding, stride):
    tf = pytest.importorskip("tensorflow")
    rng = np.random.default_rng(stride)
    image = rng.normal(size=(11, 10, 3)).astype(np.float32)
    bank = rng.normal(size=(4, 3, 3, 2)).astype(np.float32)
    expected = tf.nn.conv2d(image[None], bank, strides=stride, padding=padding.upper())[0]
    got = kernels.correlate2d(image, bank, padding=padding, stride=stride)
    np.testing.assert_allclose(got, expected.numpy(), rtol=1e-5, atol=1e-5)


def test_integer_inputs_are_computed_in_float():
    out = kernels.correlate2d(np.full((3, 3), 200, dtype=np.uint8), np.ones((3, 3), dtype=np.uint8))
    assert out.dtype == np.float64 and out[0, 0] == 1800


# ----------------------------------------------------------------- output size, padding


@pytest.mark.parametrize(
    "n,f,s",
    [
        (n, f, s)
        for n, f, s in itertools.product([1, 4, 5, 7, 28, 32], [1, 2, 3, 5], [1, 2, 3])
        if f <= n
    ],
)
def test_output_size_matches_the_arrays(n, f, s):
    image = np.zeros((n, n))
    for padding in PADDINGS:
        expected = kernels.correlate2d(image, np.ones((f, f)), padding=padding, stride=s).shape[0]
        assert kernels.output_size(n, f, padding=padding, stride=s) == expected
    p = sum(kernels.padding_amounts(n, f, padding="same", stride=s))
    assert kernels.output_size(n, f, padding=p, stride=s) == -(-n // s)  # ceil(n / s)
    assert kernels.output_size(n, f, padding=0, stride=s) == (n - f) // s + 1


def test_output_size_and_padding_match_keras():
    keras = pytest.importorskip("keras")
    for n, f, s, padding in itertools.product([5, 9, 32], [2, 3, 4], [1, 2, 3], ["valid", "same"]):
        layer = keras.layers.Conv2D(1, f, strides=s, padding=padding)
        out = layer.compute_output_shape((1, n, n, 1))[1]
        assert kernels.output_size(n, f, padding=padding, stride=s) == out, (n, f, s, padding)


def test_padding_amounts_put_the_extra_zero_after():
    assert kernels.padding_amounts(5, 4, padding="same") == (1, 2)
    assert kernels.padding_amounts(5, 3, padding="full") == (2, 2)
    assert kernels.padding_amounts(5, 3, padding="valid") == (0, 0)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"n": 3, "f": 5},  # kernel larger than the input
        {"n": 0, "f": 1},
        {"n": 5, "f": 0},
        {"n": 5, "f": 3, "stride": 0},
        {"n": 5, "f": 3, "stride": 1.5},
        {"n": 5, "f": 3, "padding": "reflect"},
        {"n": 5, "f": 3, "padding": -1},
        {"n": 5.0, "f": 3},
        {"n": True, "f": 1},
    ],
)
def test_output_size_rejects_bad_input(kwargs):
    with pytest.raises(ValueError):
        kernels.output_size(**kwargs)


@pytest.mark.parametrize(
    "image,kernel,kwargs,match",
    [
        (np.zeros(5), np.ones((3, 3)), {}, "image must be"),
        (np.zeros((2, 2, 2, 2)), np.ones((3, 3)), {}, "image must be"),
        (np.array([["a", "b"], ["c", "d"]]), np.ones((1, 1)), {}, "real numbers"),
        (np.zeros((5, 5)), np.ones(3), {}, "kernel must be"),
        (np.zeros((5, 5, 3)), np.ones((3, 3)), {}, "2-D kernel"),
        (np.zeros((5, 5, 3)), np.ones((3, 3, 2)), {}, "channel"),
        (np.zeros((5, 5)), np.ones((3, 3)), {"padding": "SAME!"}, "padding"),
        (np.zeros((5, 5)), np.ones((3, 3)), {"stride": 0}, "stride"),
        (np.zeros((5, 5)), np.ones((3, 3)), {"stride": (1, 2, 3)}, "stride"),
        (np.zeros((5, 5)), np.ones((3, 3)), {"stride": True}, "stride"),
        (np.zeros((2, 2)), np.ones((3, 3)), {}, "does not fit"),
        (np.zeros((0, 4)), np.ones((1, 1)), {}, "empty"),
        (np.zeros((5, 5)), np.ones((3, 3), dtype=complex), {}, "real numbers"),
    ],
)
def test_correlate2d_rejects_bad_input(image, kernel, kwargs, match):
    with pytest.raises(ValueError, match=match):
        kernels.correlate2d(image, kernel, **kwargs)


# ---------------------------------------------------------------------- named kernels


def test_named_kernels_are_fresh_copies():
    k = kernels.kernel("edge")
    k[1, 1] = 0
    assert kernels.kernel("edge")[1, 1] == 8
    for name in kernels.KERNEL_NAMES:
        assert kernels.kernel(name).shape == (3, 3)
        assert kernels.describe(name)


def test_named_kernel_sums():
    for name in ["identity", "smooth", "gaussian", "sharpen"]:
        assert kernels.kernel(name).sum() == pytest.approx(1.0)
    for name in ["horizontal_edge", "vertical_edge", "edge", "sobel_x", "sobel_y"]:
        assert kernels.kernel(name).sum() == pytest.approx(0.0)


def test_unknown_kernel_name():
    with pytest.raises(KeyError, match="smooth"):
        kernels.kernel("blurry")
    with pytest.raises(KeyError):
        kernels.describe("blurry")


# ------------------------------------------------------------ relu, pooling, parameters


def test_relu():
    np.testing.assert_array_equal(kernels.relu([-2.0, 0.0, 3.5]), [0.0, 0.0, 3.5])


@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("pool,stride", [(2, None), (3, 2), (2, 1), ((2, 3), (1, 2))])
def test_pooling_matches_tensorflow(padding, pool, stride):
    tf = pytest.importorskip("tensorflow")
    x = np.random.default_rng(5).normal(size=(9, 10, 3)).astype(np.float32)
    tf_stride = pool if stride is None else stride
    expected = tf.nn.max_pool2d(x[None], pool, tf_stride, padding.upper())[0].numpy()
    got = kernels.max_pool2d(x, pool, stride=stride, padding=padding)
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, expected, atol=1e-6)


def test_max_pool_on_a_small_grid():
    grid = np.array([[1, 3, 2, 1], [4, 2, 0, 1], [5, 1, 7, 2], [0, 2, 3, 6]])
    np.testing.assert_array_equal(kernels.max_pool2d(grid, 2), [[4, 2], [5, 7]])
    # negative values: padded places must never win the maximum
    np.testing.assert_array_equal(
        kernels.max_pool2d(-np.ones((3, 3)), 2, padding="same"), -np.ones((2, 2))
    )


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"padding": "full"}, "not 'full'"),
        ({"pool_size": 0}, "pool_size"),
        ({"stride": -1}, "stride"),
    ],
)
def test_pooling_rejects_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        kernels.max_pool2d(np.zeros((4, 4)), **kwargs)
    with pytest.raises(ValueError, match="shape"):
        kernels.max_pool2d(np.zeros(4))


def test_global_average_pool():
    x = np.arange(2 * 3 * 4 * 5, dtype=float).reshape(2, 3, 4, 5)
    np.testing.assert_allclose(kernels.global_average_pool(x), x.mean(axis=(1, 2)))
    np.testing.assert_allclose(kernels.global_average_pool(x[0]), x[0].mean(axis=(0, 1)))
    with pytest.raises(ValueError):
        kernels.global_average_pool(np.zeros((4, 4)))


def test_conv2d_params_match_keras():
    keras = pytest.importorskip("keras")
    for size, channels, filters, bias in [(3, 3, 8, True), (5, 1, 32, True), ((3, 1), 4, 2, False)]:
        layer = keras.layers.Conv2D(filters, size, use_bias=bias)
        layer.build((None, 16, 16, channels))
        assert kernels.conv2d_params(size, channels, filters, use_bias=bias) == layer.count_params()
    with pytest.raises(ValueError):
        kernels.conv2d_params(3, 0, 8)
