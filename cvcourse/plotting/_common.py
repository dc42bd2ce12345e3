"""What every figure module of :mod:`cvcourse.plotting` shares: turning an input into an
image array, drawing it into an Axes by the package's conventions, and a grid of panels.

Private to the package (notebooks call the figure functions, not these).
"""

from __future__ import annotations

import math

import numpy as np


def to_image_array(image) -> np.ndarray:
    """``image`` (array, tensor, anything with ``.numpy()``) as a NumPy array to draw.

    Takes (H, W), (H, W, 1), (H, W, 3) or (H, W, 4) of any dtype; returns (H, W) for the
    first two and the array unchanged otherwise. Raises ValueError for any other shape.
    """
    if hasattr(image, "numpy"):
        image = image.numpy()
    arr = np.asarray(image)
    if arr.ndim == 3 and arr.shape[-1] == 1:
        arr = arr[..., 0]
    if arr.ndim not in (2, 3) or (arr.ndim == 3 and arr.shape[-1] not in (3, 4)):
        fix = (
            "; this looks like a batch: pass its images one by one (list(x), or x[0])"
            if arr.ndim == 4
            else ""
        )
        raise ValueError(
            f"cannot draw an array of shape {arr.shape} as an image: expected (H, W), "
            f"(H, W, 1), (H, W, 3) or (H, W, 4){fix}"
        )
    return arr


def draw_image(ax, image, *, title=None, cmap="gray", vmin=None, vmax=None, robust=False):
    """Draw one image into the Axes ``ax`` without ticks; returns the AxesImage.

    One-channel images use ``cmap``: uint8 on the fixed 0-255 scale, others stretched to
    their own range, or with ``robust=True`` to their 1st-99th percentiles, unless
    ``vmin``/``vmax`` are given. RGB(A) images are drawn as they are.
    """
    arr = to_image_array(image)
    kwargs = {}
    if arr.ndim == 2:
        kwargs["cmap"] = cmap
        if vmin is None and vmax is None:
            if arr.dtype == np.uint8:
                vmin, vmax = 0, 255
            elif robust and arr.size:
                vmin, vmax = (float(v) for v in np.nanpercentile(arr, [1, 99]))
        kwargs.update(vmin=vmin, vmax=vmax)
    shown = ax.imshow(arr, **kwargs)
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title)
    return shown


def grid(n: int, ncols: int | None, size: float, aspect: float, extra_height: float = 0.0):
    """A new Figure with room for ``n`` panels, ``ncols`` (default 4) per row.

    Each panel is ``size`` inches wide and ``size * aspect`` high (aspect = height / width
    of the images); ``extra_height`` inches are added for titles. Unused panels are hidden.
    Returns ``(figure, list of the n Axes)``.
    """
    import matplotlib.pyplot as plt

    ncols = max(1, min(n, ncols or 4))
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(
        nrows,
        ncols,
        figsize=(size * ncols, size * aspect * nrows + extra_height),
        squeeze=False,
        layout="constrained",
    )
    for ax in axes.flat[n:]:
        ax.set_axis_off()
    return fig, list(axes.flat[:n])
