"""Looking inside a convnet: feature maps as a grid, filter patterns, Grad-CAM heatmaps
laid over their images.

Draws the arrays that :mod:`cvcourse.explain` computes, without TensorFlow: heatmaps
are resized here with NumPy. Taught in notebook 08; ``show_activation_grid`` is first
used in notebook 02. Each figure function returns its Figure.
"""

from __future__ import annotations

import math

import numpy as np

from ._common import draw_image, to_image_array
from .images import show_images


def _channel_mosaic(feature_maps, ncols: int, max_channels: int | None) -> np.ndarray:
    """Channels of (h, w, c) tiled into one float32 array, each scaled to its own [0, 1],
    with one-pixel NaN gaps (drawn white) between them."""
    arr = np.asarray(feature_maps.numpy() if hasattr(feature_maps, "numpy") else feature_maps)
    arr = arr.astype(np.float32)
    if arr.ndim == 4 and arr.shape[0] == 1:
        arr = arr[0]
    if arr.ndim != 3:
        raise ValueError(
            f"expected one layer's feature maps (height, width, channels), got shape "
            f"{arr.shape}; for a batch, pass one image's maps, e.g. maps[0]"
        )
    h, w, c = arr.shape
    c = min(c, max_channels) if max_channels else c
    ncols = max(1, min(ncols, c))
    nrows = math.ceil(c / ncols)
    mosaic = np.full((nrows * (h + 1) - 1, ncols * (w + 1) - 1), np.nan, dtype=np.float32)
    for i in range(c):
        channel = arr[..., i]
        low, high = float(channel.min()), float(channel.max())
        scaled = (channel - low) / (high - low) if high > low else np.zeros_like(channel)
        row, col = divmod(i, ncols)
        mosaic[row * (h + 1) : row * (h + 1) + h, col * (w + 1) : col * (w + 1) + w] = scaled
    return mosaic


def show_activation_grid(
    feature_maps,
    *,
    title: str | None = None,
    ncols: int = 16,
    max_channels: int | None = None,
    width: float = 12.0,
    cmap: str = "viridis",
):
    """One layer's feature maps as a grid of small images; returns the Figure.

    ``feature_maps`` is a float array or tensor (height, width, channels), or
    (1, height, width, channels) for a batch of one. One panel per channel, ``ncols`` per
    row, at most ``max_channels`` of them, one-pixel white gaps between; the figure is
    ``width`` inches wide and ``title`` is written at its top left. Each channel is
    stretched to its own range, so its pattern shows whatever its scale; a channel that
    is constant (a filter the image did not switch on: all zeros after ReLU) is drawn in
    the colour map's lowest colour. Notebooks 02 and 08.
    """
    import matplotlib
    import matplotlib.pyplot as plt

    mosaic = _channel_mosaic(feature_maps, ncols, max_channels)
    colours = matplotlib.colormaps[cmap].with_extremes(bad="white")
    height = width * mosaic.shape[0] / mosaic.shape[1] + (0.35 if title else 0.0)
    fig, ax = plt.subplots(figsize=(width, height), layout="constrained")
    ax.imshow(mosaic, cmap=colours, vmin=0, vmax=1, interpolation="nearest")
    ax.set_axis_off()
    if title:
        ax.set_title(title, loc="left")
    return fig


def show_filter_patterns(patterns, *, size: float = 1.4, row_titles=None):
    """Filter patterns, one row per layer; returns the Figure.

    ``patterns`` maps a layer name to its patterns, an (n, H, W, 3) or (n, H, W, 1)
    uint8 array (see ``explain.pattern_to_image``). Rows may hold different numbers of
    patterns; each panel is ``size`` inches wide and each row is labelled with its layer
    name (or the matching entry of ``row_titles``). Notebook 08.
    """
    import matplotlib.pyplot as plt

    rows = {name: np.asarray(images) for name, images in patterns.items()}
    if not rows:
        raise ValueError("show_filter_patterns needs at least one layer, got an empty dict")
    for name, images in rows.items():
        if images.ndim != 4 or images.shape[-1] not in (1, 3):
            raise ValueError(
                f"{name}: expected (n, height, width, 3) images, got {images.shape}; "
                "stack a layer's patterns along a first axis"
            )
    labels = list(row_titles) if row_titles is not None else list(rows)
    ncols = max(len(images) for images in rows.values())
    fig, axes = plt.subplots(
        len(rows),
        ncols,
        figsize=(size * ncols, size * len(rows)),
        squeeze=False,
        layout="constrained",
    )
    for r, (label, images) in enumerate(zip(labels, rows.values())):
        for c in range(ncols):
            ax = axes[r, c]
            ax.set_xticks([])
            ax.set_yticks([])
            if c < len(images):
                ax.imshow(images[c].squeeze())
            else:
                ax.set_axis_off()
        axes[r, 0].set_ylabel(label, fontsize=9)
    return fig


def _bilinear_taps(n_in: int, n_out: int):
    """For each of ``n_out`` output positions: the two input positions it lies between and
    its float32 distance from the first, with pixel centres aligned (half-pixel offsets)
    and the edges clamped, as TensorFlow's bilinear resize computes them."""
    scale = np.float32(n_in / n_out)
    position = (np.arange(n_out, dtype=np.float32) + np.float32(0.5)) * scale - np.float32(0.5)
    floor = np.floor(position)
    low = np.clip(floor, 0, n_in - 1).astype(np.intp)
    high = np.clip(np.ceil(position), 0, n_in - 1).astype(np.intp)
    return low, high, (position - floor).astype(np.float32)


def resize_heatmap(heatmap, size) -> np.ndarray:
    """A 2-D heatmap resized to ``size = (height, width)`` by bilinear interpolation.

    ``heatmap`` is a (h, w) array of numbers; returns a float32 (height, width) array
    whose values stay within the heatmap's own range. It computes what
    ``tf.image.resize(..., method="bilinear")`` (and so ``explain.upsample``) computes,
    pixel centres aligned, in float32, without importing TensorFlow. Used by
    :func:`heatmap_overlay` (notebook 08).
    """
    heat = np.asarray(heatmap, dtype=np.float32)
    if heat.ndim != 2 or not heat.size:
        raise ValueError(f"expected a non-empty 2-D heatmap (h, w), got shape {heat.shape}")
    height, width = (int(s) for s in size)
    if height < 1 or width < 1:
        raise ValueError(f"the size to resize a heatmap to must be positive, got {size}")
    r0, r1, dr = _bilinear_taps(heat.shape[0], height)
    c0, c1, dc = _bilinear_taps(heat.shape[1], width)
    top, bottom = heat[r0], heat[r1]  # (height, w): the rows above and below each output row
    top = top[:, c0] + (top[:, c1] - top[:, c0]) * dc
    bottom = bottom[:, c0] + (bottom[:, c1] - bottom[:, c0]) * dc
    out = top + (bottom - top) * dr[:, None]
    return np.clip(out, heat.min(), heat.max())


def heatmap_overlay(image, heatmap, *, alpha: float = 0.4, cmap: str = "jet") -> np.ndarray:
    """``image`` with a heatmap laid over it in colour; returns uint8 (H, W, 3), 0-255.

    ``image`` is (H, W), (H, W, 1), (H, W, 3) or (H, W, 4), uint8 0-255 or float in
    [0, 1] (clipped), grey or RGB (alpha is dropped). ``heatmap`` is a 2-D float array in
    [0, 1] of any size (e.g. a 7x7 Grad-CAM from ``explain.grad_cam``); it is stretched
    to the image's size with bilinear interpolation (:func:`resize_heatmap`) and
    coloured with ``matplotlib.colormaps[cmap]`` ("jet": blue = 0, red = 1); the result
    is ``(1 - alpha) * image + alpha * colour``. Used by :func:`show_gradcam` and
    :func:`show_overlays` (notebook 08).
    """
    import matplotlib

    base = to_image_array(image)
    if base.dtype == np.uint8:
        base = base.astype(np.float32) / 255.0
    else:
        base = np.clip(base.astype(np.float32), 0.0, 1.0)
    if base.ndim == 2:
        base = np.repeat(base[..., None], 3, axis=-1)
    base = base[..., :3]
    heat = np.asarray(heatmap, dtype=np.float32)
    if heat.ndim != 2:
        raise ValueError(f"expected a 2-D heatmap, got shape {heat.shape}")
    if heat.size and (heat.min() < 0 or heat.max() > 1):
        raise ValueError(
            f"the heatmap must lie in [0, 1], got values from {heat.min():.3g} to "
            f"{heat.max():.3g}; scale it first (explain.grad_cam returns it so)"
        )
    stretched = resize_heatmap(heat, base.shape[:2])
    colour = matplotlib.colormaps[cmap](stretched)[..., :3]
    blended = (1.0 - alpha) * base + alpha * colour
    return (np.clip(blended, 0, 1) * 255).round().astype(np.uint8)


def show_gradcam(image, heatmap, *, title: str | None = None, alpha=0.4, cmap="jet", size=3.2):
    """Three panels: the image, the heatmap at its own (feature-map) size with a colour
    bar, and the overlay (:func:`heatmap_overlay`); returns the Figure.

    ``image`` and ``heatmap`` (2-D, in [0, 1]) are as for :func:`heatmap_overlay`; the
    panels are titled "image", "heatmap <h>x<w>" and "overlay", each ``size`` inches wide;
    ``title`` (e.g. the predicted class) goes above them. Notebook 08.
    """
    import matplotlib
    import matplotlib.pyplot as plt

    base = to_image_array(image)
    aspect = base.shape[0] / base.shape[1]
    fig, axes = plt.subplots(1, 3, figsize=(3 * size, size * aspect + 0.5), layout="constrained")
    draw_image(axes[0], image, title="image")
    heat = np.asarray(heatmap)
    shown = axes[1].imshow(heat, cmap=matplotlib.colormaps[cmap], vmin=0, vmax=1)
    axes[1].set_title(f"heatmap {heat.shape[0]}x{heat.shape[1]}")
    axes[1].set_xticks([])
    axes[1].set_yticks([])
    fig.colorbar(shown, ax=axes[1], fraction=0.046, pad=0.04)
    draw_image(axes[2], heatmap_overlay(image, heatmap, alpha=alpha, cmap=cmap), title="overlay")
    if title:
        fig.suptitle(title)
    return fig


def show_overlays(images, heatmaps, titles=None, *, ncols: int = 4, size: float = 2.8, **kwargs):
    """A grid of images, each with its heatmap laid over it; returns the Figure.

    ``images`` and ``heatmaps`` are matching lists, as for :func:`heatmap_overlay`, to
    which ``kwargs`` (``alpha``, ``cmap``) go; ``titles``, ``ncols`` and ``size`` as for
    :func:`show_images`. Notebook 08.
    """
    images, heatmaps = list(images), list(heatmaps)
    if len(images) != len(heatmaps):
        raise ValueError(
            f"got {len(images)} images but {len(heatmaps)} heatmaps; pass one heatmap per image"
        )
    overlays = [heatmap_overlay(i, h, **kwargs) for i, h in zip(images, heatmaps)]
    return show_images(overlays, titles, ncols=ncols, size=size)
