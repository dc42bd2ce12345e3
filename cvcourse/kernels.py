"""Convolution by hand: named kernels, correlation and convolution in plain NumPy.

Everything here is what a convolutional layer does, written out in NumPy so that a
student can read it and check Keras against it. Taught in notebook 01.

Arrays are channels-last, like Keras: an image is (H, W) or (H, W, C); a kernel is
(f_h, f_w), (f_h, f_w, C) for one filter over C channels, or (f_h, f_w, C, F) for F filters
(the layout of a Conv2D layer's kernel).

Padding follows Keras and TensorFlow:

``"valid"``
    no padding; the kernel only visits places where it fits entirely.
``"same"``
    enough zeros that the output has ``ceil(n / stride)`` rows (with stride 1: the input's
    size). When the padding is odd, the extra row or column goes at the bottom or right.
``"full"``
    ``f - 1`` zeros on every side: every place the kernel overlaps the image at all
    (SciPy's ``mode="full"``).

Deep learning's "convolution" is cross-correlation: the kernel is not flipped.
:func:`correlate2d` is what Conv2D computes; ``scipy.signal.convolve2d`` flips the kernel
first, so it equals ``correlate2d(image, flip(kernel))``. The tests compare every function
here with SciPy, TensorFlow or Keras.
"""

from __future__ import annotations

import math

import numpy as np

PADDINGS = ("valid", "same", "full")

# The classic 3x3 kernels, each a plain list so nobody can change the module's copy.
_KERNELS: dict[str, tuple[list[list[float]], str]] = {
    "identity": (
        [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
        "returns the image unchanged",
    ),
    "smooth": (
        [[1 / 9, 1 / 9, 1 / 9], [1 / 9, 1 / 9, 1 / 9], [1 / 9, 1 / 9, 1 / 9]],
        "averages each pixel with its 8 neighbours: blurs detail and noise",
    ),
    "gaussian": (
        [[1 / 16, 2 / 16, 1 / 16], [2 / 16, 4 / 16, 2 / 16], [1 / 16, 2 / 16, 1 / 16]],
        "a weighted average, heavier in the middle: a gentler blur",
    ),
    "horizontal_edge": (
        [[-1, -1, -1], [2, 2, 2], [-1, -1, -1]],
        "responds to thin horizontal lines (a bright row between darker rows)",
    ),
    "vertical_edge": (
        [[-1, 2, -1], [-1, 2, -1], [-1, 2, -1]],
        "responds to thin vertical lines (a bright column between darker columns)",
    ),
    "edge": (
        [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]],
        "responds wherever a pixel differs from its neighbours: edges in every direction",
    ),
    "sharpen": (
        [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
        "the image plus its edges: makes detail crisper",
    ),
    "sobel_x": (
        [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],
        "left-to-right brightness change: positive where the image gets brighter to the right",
    ),
    "sobel_y": (
        [[-1, -2, -1], [0, 0, 0], [1, 2, 1]],
        "top-to-bottom brightness change: positive where the image gets brighter downwards",
    ),
}

KERNEL_NAMES: tuple[str, ...] = tuple(_KERNELS)


def kernel(name: str) -> np.ndarray:
    """A named 3x3 kernel as a new float64 array (see :data:`KERNEL_NAMES`).

    ``identity``, ``smooth``, ``gaussian``, ``horizontal_edge``, ``vertical_edge``,
    ``edge``, ``sharpen``, ``sobel_x`` and ``sobel_y``. Taught in notebook 01.
    """
    if name not in _KERNELS:
        raise KeyError(f"no kernel named {name!r}; choose one of: {', '.join(KERNEL_NAMES)}")
    return np.array(_KERNELS[name][0], dtype=np.float64)


def describe(name: str) -> str:
    """What the named kernel brings out: one sentence (str) for a name of :data:`KERNEL_NAMES`.

    Taught in notebook 01.
    """
    kernel(name)  # same error for an unknown name
    return _KERNELS[name][1]


def _pair(value, what: str) -> tuple[int, int]:
    """An int or a pair of ints as a pair of positive ints."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        pair = (int(value), int(value))
    elif (
        isinstance(value, (tuple, list))
        and len(value) == 2
        and all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in value)
    ):
        pair = (int(value[0]), int(value[1]))
    else:
        raise ValueError(f"{what} must be a positive int or a pair of them, got {value!r}")
    if min(pair) < 1:
        raise ValueError(f"{what} must be at least 1, got {value!r}")
    return pair


def _check_padding(padding) -> str:
    if not isinstance(padding, str) or padding.lower() not in PADDINGS:
        raise ValueError(f"padding must be one of {PADDINGS}, got {padding!r}")
    return padding.lower()


def padding_amounts(n: int, f: int, *, padding: str = "valid", stride: int = 1) -> tuple[int, int]:
    """Zeros added (before, after) along one axis of length ``n`` for a kernel of size ``f``.

    ``"same"`` pads ``max((ceil(n / stride) - 1) * stride + f - n, 0)`` in total, the
    smaller half before, as TensorFlow does. Notebook 01.
    """
    padding = _check_padding(padding)
    if padding == "valid":
        return 0, 0
    if padding == "full":
        return f - 1, f - 1
    total = max((math.ceil(n / stride) - 1) * stride + f - n, 0)
    return total // 2, total - total // 2


def output_size(n: int, f: int, *, padding: int | str = 0, stride: int = 1) -> int:
    """Output length along one axis: ``floor((n + p - f) / s) + 1``.

    ``n`` input size, ``f`` kernel (or pool window) size, ``s`` the stride, ``p`` the
    *total* padding along the axis (both sides together): an int, or ``"valid"`` (p = 0),
    ``"same"`` or ``"full"`` as Keras would choose it. Raises ValueError when the kernel
    does not fit. Taught in notebook 01, used again in 02.
    """
    for value, what in ((n, "n"), (f, "f"), (stride, "stride")):
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
            raise ValueError(f"{what} must be a positive int, got {value!r}")
    if isinstance(padding, str):
        before, after = padding_amounts(n, f, padding=padding, stride=stride)
        p = before + after
    elif isinstance(padding, (int, np.integer)) and not isinstance(padding, bool) and padding >= 0:
        p = int(padding)
    else:
        raise ValueError(f"padding must be 'valid', 'same', 'full' or an int >= 0, got {padding!r}")
    if n + p < f:
        raise ValueError(
            f"a kernel of size {f} does not fit in an input of size {n} with {p} padding"
        )
    return (n + p - f) // stride + 1


def _as_numeric(x, name: str) -> np.ndarray:
    """``x`` as a real-valued array; booleans and integers become float64."""
    arr = np.asarray(x)
    if arr.dtype.kind not in "biuf":
        raise ValueError(f"{name} must hold real numbers, got dtype {arr.dtype}")
    return arr.astype(np.float64) if arr.dtype.kind in "biu" else arr


def _as_image(x, name: str = "image") -> np.ndarray:
    arr = _as_numeric(x, name)
    if arr.ndim not in (2, 3):
        raise ValueError(f"{name} must be (H, W) or (H, W, C), got shape {arr.shape}")
    if min(arr.shape) < 1:
        raise ValueError(f"{name} is empty (shape {arr.shape})")
    return arr


def correlate2d(image, kernel, *, padding: str = "valid", stride=1) -> np.ndarray:
    """Slide ``kernel`` over ``image`` and take the weighted sum at each place: Conv2D's maths.

    Shapes (channels last):

    - image (H, W) with kernel (f_h, f_w) -> (H', W')
    - image (H, W, C) with kernel (f_h, f_w, C) -> (H', W'): the channels are summed
    - image (H, W, C) with kernel (f_h, f_w, C, F) -> (H', W', F): one map per filter
    - image (H, W) with kernel (f_h, f_w, 1, F) -> (H', W', F)

    ``H' = output_size(H, f_h, padding=padding, stride=s_h)``. ``padding`` is ``"valid"``,
    ``"same"`` or ``"full"`` (zeros); ``stride`` an int or (s_h, s_w). Integer inputs are
    computed in float64. The kernel is *not* flipped (cross-correlation, like
    ``tf.nn.conv2d`` and ``scipy.ndimage.correlate``). Taught in notebook 01.
    """
    image = _as_image(image)
    k = _as_numeric(kernel, "kernel")
    padding = _check_padding(padding)
    s_h, s_w = _pair(stride, "stride")
    if k.ndim not in (2, 3, 4):
        raise ValueError(
            f"kernel must be (f_h, f_w), (f_h, f_w, C) or (f_h, f_w, C, F), got shape {k.shape}"
        )
    squeeze_channels = image.ndim == 2
    x = image[..., None] if squeeze_channels else image
    channels = x.shape[-1]
    if k.ndim == 2:
        if not squeeze_channels:
            raise ValueError(
                f"a 2-D kernel {k.shape} needs a 2-D image; the image has {channels} channels, "
                f"so give the kernel shape {k.shape + (channels,)}"
            )
        k4, single = k[:, :, None, None], True
    elif k.ndim == 3:
        k4, single = k[..., None], True
    else:
        k4, single = k, False
    if k4.shape[2] != channels:
        raise ValueError(
            f"the kernel covers {k4.shape[2]} channel(s) but the image has {channels}: "
            "a kernel needs one slice per input channel"
        )
    f_h, f_w = k4.shape[:2]
    if min(f_h, f_w) < 1:
        raise ValueError(f"kernel must be at least 1x1, got shape {k.shape}")
    (top, bottom) = padding_amounts(x.shape[0], f_h, padding=padding, stride=s_h)
    (left, right) = padding_amounts(x.shape[1], f_w, padding=padding, stride=s_w)
    out_h = output_size(x.shape[0], f_h, padding=top + bottom, stride=s_h)
    out_w = output_size(x.shape[1], f_w, padding=left + right, stride=s_w)
    padded = np.pad(x, ((top, bottom), (left, right), (0, 0)))
    # windows: (out rows, out cols, C, f_h, f_w) views, no copy
    windows = np.lib.stride_tricks.sliding_window_view(padded, (f_h, f_w), axis=(0, 1))
    windows = windows[: (out_h - 1) * s_h + 1 : s_h, : (out_w - 1) * s_w + 1 : s_w]
    out = np.einsum("ijcyx,yxcf->ijf", windows, k4)  # (out_h, out_w, F)
    return out[..., 0] if single else out


def flip(kernel) -> np.ndarray:
    """The kernel turned by 180 degrees: (f_h, f_w, ...) -> a new array of the same shape and
    dtype, rows and columns reversed, other axes kept. Taught in notebook 01.
    """
    k = np.asarray(kernel)
    if k.ndim < 2:
        raise ValueError(f"kernel must have at least 2 dimensions, got shape {k.shape}")
    return k[::-1, ::-1].copy()


def relu(x) -> np.ndarray:
    """max(x, 0) elementwise: an array of any shape -> the same shape and dtype (notebook 01)."""
    return np.maximum(np.asarray(x), 0)


def max_pool2d(x, pool_size=2, *, stride=None, padding: str = "valid") -> np.ndarray:
    """The largest value in each window of an (H, W) or (H, W, C) array, channel by channel.

    Takes real numbers (computed in float64); ``pool_size`` and ``stride`` are ints or
    pairs, ``stride`` defaulting to ``pool_size`` as in Keras; ``padding`` is ``"valid"``
    or ``"same"`` (padded places are never the maximum). Returns float64 (H', W') or
    (H', W', C), ``H' = output_size(H, pool_h, padding=padding, stride=s_h)``. Taught in
    notebook 01.
    """
    padding = _check_padding(padding)
    if padding == "full":
        raise ValueError("pooling supports padding 'valid' or 'same', not 'full'")
    arr = _as_image(x, "x").astype(np.float64)
    p_h, p_w = _pair(pool_size, "pool_size")
    s_h, s_w = _pair(pool_size if stride is None else stride, "stride")
    squeeze = arr.ndim == 2
    a = arr[..., None] if squeeze else arr
    top, bottom = padding_amounts(a.shape[0], p_h, padding=padding, stride=s_h)
    left, right = padding_amounts(a.shape[1], p_w, padding=padding, stride=s_w)
    out_h = output_size(a.shape[0], p_h, padding=top + bottom, stride=s_h)
    out_w = output_size(a.shape[1], p_w, padding=left + right, stride=s_w)
    padded = np.pad(a, ((top, bottom), (left, right), (0, 0)), constant_values=-np.inf)
    windows = np.lib.stride_tricks.sliding_window_view(padded, (p_h, p_w), axis=(0, 1))
    windows = windows[: (out_h - 1) * s_h + 1 : s_h, : (out_w - 1) * s_w + 1 : s_w]
    out = windows.max(axis=(-2, -1))  # (out_h, out_w, C)
    return out[..., 0] if squeeze else out


def global_average_pool(x) -> np.ndarray:
    """Average each feature map over its height and width (GlobalAveragePooling2D).

    (H, W, C) -> (C,); a batch (N, H, W, C) -> (N, C). Taught in notebook 01, used in 07.
    """
    arr = np.asarray(x)
    if arr.ndim not in (3, 4):
        raise ValueError(f"x must be (H, W, C) or (N, H, W, C), got shape {arr.shape}")
    return arr.mean(axis=(-3, -2))


def conv2d_params(kernel_size, in_channels: int, filters: int, *, use_bias: bool = True) -> int:
    """Trainable parameters of a Conv2D layer: ``(f_h * f_w * in_channels + bias) * filters``.

    Each filter has one weight per kernel cell per input channel, plus one bias. The image
    size does not appear: the same weights slide over every position. Notebooks 01 and 02.
    """
    f_h, f_w = _pair(kernel_size, "kernel_size")
    for value, what in ((in_channels, "in_channels"), (filters, "filters")):
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
            raise ValueError(f"{what} must be a positive int, got {value!r}")
    return (f_h * f_w * int(in_channels) + (1 if use_bias else 0)) * int(filters)
