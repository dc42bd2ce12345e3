"""Figures of images and kernels: image grids, a matrix with its values, before/after.

Taught in notebooks 00 (images as arrays) and 01 (convolution); ``show_images`` is used
by every notebook. Each function returns its Figure (or the Axes it drew into).
"""

from __future__ import annotations

import numpy as np

from ._common import draw_image, grid, to_image_array


def show_images(
    images,
    titles=None,
    *,
    ncols: int | None = None,
    size: float = 3.0,
    cmap: str = "gray",
    vmin: float | None = None,
    vmax: float | None = None,
    robust: bool = False,
    suptitle: str | None = None,
):
    """A grid of images with optional titles; returns the matplotlib Figure.

    ``images`` is a list of arrays or tensors, each (H, W), (H, W, 1), (H, W, 3) or
    (H, W, 4), of any dtype (uint8 0-255 or float, usually in [0, 1]), or a dict
    title -> image, in which case ``titles`` defaults to its keys. ``titles`` is one
    string per image. ``ncols`` defaults to up to 4 per row; each panel is ``size``
    inches wide, as high as the first image's aspect ratio makes it. ``cmap``, ``vmin``,
    ``vmax`` and ``robust`` apply to one-channel images (see :mod:`cvcourse.plotting`);
    ``suptitle`` is written above the grid. Raises ValueError for no images, a titles
    list of another length, or an array that is not an image. Notebooks 00 to 09.
    """
    if isinstance(images, dict):
        titles = list(images) if titles is None else titles
        images = list(images.values())
    images = list(images)
    if not images:
        raise ValueError("show_images needs at least one image, got an empty list")
    if titles is not None and len(titles) != len(images):
        raise ValueError(
            f"show_images got {len(images)} images but {len(titles)} titles; "
            "pass one title per image, or titles=None"
        )
    first = to_image_array(images[0])
    aspect = first.shape[0] / first.shape[1]
    fig, axes = grid(len(images), ncols, size, aspect, extra_height=0.3 if titles else 0.0)
    for i, (ax, image) in enumerate(zip(axes, images, strict=True)):
        draw_image(
            ax,
            image,
            title=titles[i] if titles else None,
            cmap=cmap,
            vmin=vmin,
            vmax=vmax,
            robust=robust,
        )
    if suptitle:
        fig.suptitle(suptitle)
    return fig


def _format_value(value: float, digits: int) -> str:
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.{digits}f}"


def _to_matrix(kernel) -> np.ndarray:
    """A kernel as a float64 (rows, cols) matrix; a Keras (k, k, 1, 1) kernel is squeezed."""
    if hasattr(kernel, "numpy"):
        kernel = kernel.numpy()
    values = np.asarray(kernel)
    if values.ndim == 4 and values.shape[2:] == (1, 1):
        values = values[:, :, 0, 0]
    if values.ndim != 2 or values.dtype.kind not in "biuf":
        raise ValueError(
            f"show_kernel draws a 2-D matrix of numbers, got shape {values.shape} and dtype "
            f"{values.dtype}; pass one channel of one filter, e.g. weights[:, :, 0, 0]"
        )
    return values.astype(np.float64)


def show_kernel(kernel, *, ax=None, title: str | None = None, digits: int = 2, fontsize=None):
    """Draw a small matrix (a kernel, an image patch) with each value written in its cell.

    ``kernel`` is a 2-D array of numbers (rows, cols), any integer or float dtype, or a
    (k, k, 1, 1) Keras kernel. A matrix with negative values (most kernels) is coloured
    on a scale centred on zero, blue negative and red positive ("RdBu_r"), so the sign of
    each weight shows at a glance; one without (an image patch) in gray, dark for small
    values, on 0-255 for uint8. ``digits`` is how many decimals non-integer values show;
    ``fontsize`` defaults to smaller for larger matrices. Draws into the Axes ``ax`` if
    given, else into a new figure; returns the Axes. Notebooks 00 and 01.
    """
    import matplotlib.pyplot as plt

    raw = kernel.numpy() if hasattr(kernel, "numpy") else np.asarray(kernel)
    values = _to_matrix(raw)
    rows, cols = values.shape
    if ax is None:
        side = min(0.6 * max(rows, cols) + 0.6, 6.0)
        _, ax = plt.subplots(figsize=(side * cols / max(rows, cols), side * rows / max(rows, cols)))
    if (values < 0).any():
        limit = float(np.abs(values).max())
        ax.imshow(values, cmap="RdBu_r", vmin=-limit, vmax=limit)

        def light(v):  # pale cells (near zero) get black text
            return abs(v) < 0.6 * limit
    else:
        top = 255.0 if raw.dtype == np.uint8 else float(values.max()) or 1.0
        ax.imshow(values, cmap="gray", vmin=0, vmax=top)

        def light(v):
            return v > 0.5 * top

    if fontsize is None:
        fontsize = max(7, 14 - max(rows, cols))
    for i in range(rows):
        for j in range(cols):
            v = float(values[i, j])
            ax.text(
                j,
                i,
                _format_value(v, digits),
                ha="center",
                va="center",
                color="black" if light(v) else "white",
                fontsize=fontsize,
            )
    ax.set_xticks(np.arange(cols + 1) - 0.5, minor=True)
    ax.set_yticks(np.arange(rows + 1) - 0.5, minor=True)
    ax.grid(which="minor", color="0.75", linewidth=0.8)
    ax.tick_params(which="both", length=0)
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title)
    return ax


def show_kernels(kernels, titles=None, *, ncols: int | None = None, size: float = 2.2, digits=2):
    """Several kernels side by side, each drawn by :func:`show_kernel`; returns the Figure.

    ``kernels`` is a list of 2-D arrays (or (k, k, 1, 1) Keras kernels), or a dict
    name -> array, whose keys then become the titles. Up to ``ncols`` (default 5) per
    row, each ``size`` inches wide; ``digits`` as in :func:`show_kernel`. Notebook 01.
    """
    if isinstance(kernels, dict):
        titles = list(kernels) if titles is None else titles
        kernels = list(kernels.values())
    kernels = [_to_matrix(k) for k in kernels]
    if not kernels:
        raise ValueError("show_kernels needs at least one kernel, got an empty list")
    if titles is not None and len(titles) != len(kernels):
        raise ValueError(
            f"show_kernels got {len(kernels)} kernels but {len(titles)} titles; "
            "pass one title per kernel, or titles=None"
        )
    fig, axes = grid(len(kernels), ncols or 5, size, 1.0, extra_height=0.3 if titles else 0.0)
    for i, (ax, k) in enumerate(zip(axes, kernels, strict=True)):
        show_kernel(k, ax=ax, title=titles[i] if titles else None, digits=digits)
    return fig


def show_before_after(
    before,
    after,
    *,
    titles=("before", "after"),
    size: float = 4.0,
    cmap: str = "gray",
    after_cmap: str | None = None,
    robust: bool = False,
):
    """Two images side by side, e.g. a photo and what an operation made of it; the Figure.

    ``before`` and ``after`` are images as for :func:`show_images` (they may differ in
    size and channels; the first sets the panels' aspect ratio). ``titles`` is a pair of
    strings; each panel is ``size`` inches wide. ``after_cmap`` (default: ``cmap``) lets
    a signed result use a diverging colour map; ``robust`` scales one-channel arrays to
    their 1st-99th percentiles. Notebook 01.
    """
    first = to_image_array(before)
    fig, (ax0, ax1) = grid(2, 2, size, first.shape[0] / first.shape[1], extra_height=0.3)
    draw_image(ax0, before, title=titles[0], cmap=cmap, robust=robust)
    draw_image(ax1, after, title=titles[1], cmap=after_cmap or cmap, robust=robust)
    return fig
