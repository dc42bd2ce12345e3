"""Every figure of the course: image grids, kernels with their values, before/after panels.

Each function draws one figure and returns its Figure (or Axes, when it draws into one you
pass), so a notebook can adjust or save it. Nothing here calls ``plt.show()`` or changes
matplotlib's global settings. In Jupyter the figure appears at the end of the cell; assign
the result (``fig = plotting.show_images(...)``) so it is not shown a second time as the
cell's value (a trailing ``;`` does the same in Jupyter, but not under nbval).

Images may be NumPy arrays or tensors, shaped (H, W), (H, W, 1), (H, W, 3) or (H, W, 4).
Grayscale uint8 images are drawn on the fixed 0-255 scale (black is 0, white is 255);
other one-channel arrays (feature maps, filtered images) are stretched to their own range
unless ``vmin``/``vmax`` are given, or, with ``robust=True``, to their 1st-99th
percentiles, so that a few extreme values do not leave the rest of a map gray.
"""

from __future__ import annotations

import math

import numpy as np


def _to_numpy(image) -> np.ndarray:
    if hasattr(image, "numpy"):
        image = image.numpy()
    arr = np.asarray(image)
    if arr.ndim == 3 and arr.shape[-1] == 1:
        arr = arr[..., 0]
    if arr.ndim not in (2, 3) or (arr.ndim == 3 and arr.shape[-1] not in (3, 4)):
        raise ValueError(
            f"cannot draw an array of shape {arr.shape} as an image: expected (H, W), "
            "(H, W, 1), (H, W, 3) or (H, W, 4)"
        )
    return arr


def _draw_image(ax, image, *, title=None, cmap="gray", vmin=None, vmax=None, robust=False):
    """Draw one image into ``ax`` following the module's conventions; returns the AxesImage."""
    arr = _to_numpy(image)
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


def _grid(n: int, ncols: int | None, size: float, aspect: float, extra_height: float = 0.0):
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
    """A grid of images with optional titles; returns the Figure.

    ``images`` is a list of arrays (or a dict title -> array, in which case ``titles`` is
    taken from its keys). ``ncols`` defaults to up to 4 per row; each panel is ``size``
    inches wide. ``cmap``, ``vmin``, ``vmax`` and ``robust`` apply to one-channel images
    (see the module doc). Notebooks 00 onwards.
    """
    if isinstance(images, dict):
        titles = list(images) if titles is None else titles
        images = list(images.values())
    images = list(images)
    if not images:
        raise ValueError("show_images needs at least one image")
    if titles is not None and len(titles) != len(images):
        raise ValueError(f"got {len(images)} images but {len(titles)} titles")
    first = _to_numpy(images[0])
    aspect = first.shape[0] / first.shape[1]
    fig, axes = _grid(len(images), ncols, size, aspect, extra_height=0.3 if titles else 0.0)
    for i, (ax, image) in enumerate(zip(axes, images, strict=True)):
        _draw_image(
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


def show_kernel(kernel, *, ax=None, title: str | None = None, digits: int = 2, fontsize=None):
    """Draw a small matrix (a kernel, an image patch) with each value written in its cell.

    A matrix with negative values (most kernels) is coloured on a scale centred on zero,
    blue negative and red positive, so the sign of each weight shows at a glance; one
    without (an image patch) in gray, dark for small values, on 0-255 for uint8. Draws into
    ``ax`` if given, else a new figure; returns the Axes. ``digits`` is how many decimals
    non-integer values show. Notebooks 00 and 01.
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


def _to_matrix(kernel) -> np.ndarray:
    if hasattr(kernel, "numpy"):
        kernel = kernel.numpy()
    values = np.asarray(kernel)
    if values.ndim == 4 and values.shape[2:] == (1, 1):
        values = values[:, :, 0, 0]
    if values.ndim != 2 or values.dtype.kind not in "biuf":
        raise ValueError(f"show_kernel draws a 2-D matrix of numbers, got shape {values.shape}")
    return values.astype(np.float64)


def show_kernels(kernels, titles=None, *, ncols: int | None = None, size: float = 2.2, digits=2):
    """Several kernels side by side, each with its values; returns the Figure.

    ``kernels`` is a list of 2-D arrays or a dict name -> array. Notebook 01.
    """
    if isinstance(kernels, dict):
        titles = list(kernels) if titles is None else titles
        kernels = list(kernels.values())
    kernels = [_to_matrix(k) for k in kernels]
    if not kernels:
        raise ValueError("show_kernels needs at least one kernel")
    if titles is not None and len(titles) != len(kernels):
        raise ValueError(f"got {len(kernels)} kernels but {len(titles)} titles")
    fig, axes = _grid(len(kernels), ncols or 5, size, 1.0, extra_height=0.3 if titles else 0.0)
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

    ``after_cmap`` (default: ``cmap``) lets a signed result use a diverging colour map;
    ``robust`` scales one-channel arrays to their 1st-99th percentiles. Notebooks 00 and 01.
    """
    first = _to_numpy(before)
    fig, (ax0, ax1) = _grid(2, 2, size, first.shape[0] / first.shape[1], extra_height=0.3)
    _draw_image(ax0, before, title=titles[0], cmap=cmap, robust=robust)
    _draw_image(ax1, after, title=titles[1], cmap=after_cmap or cmap, robust=robust)
    return fig


def show_filtering(
    image,
    kernel,
    result,
    *,
    titles=("image", "kernel", "result"),
    size=3.5,
    result_cmap: str = "gray",
    robust: bool = True,
):
    """Image, kernel (with its values) and the filtered result in one row; the Figure.

    The kernel panel is drawn small, between the two images; the result is scaled to its
    1st-99th percentiles unless ``robust=False``. Notebook 01.
    """
    import matplotlib.pyplot as plt

    first = _to_numpy(image)
    aspect = first.shape[0] / first.shape[1]
    fig, axes = plt.subplots(
        1,
        3,
        figsize=(size * 2.6, size * aspect + 0.3),
        gridspec_kw={"width_ratios": [1, 0.6, 1]},
        layout="constrained",
    )
    _draw_image(axes[0], image, title=titles[0])
    show_kernel(kernel, ax=axes[1], title=titles[1])
    _draw_image(axes[2], result, title=titles[2], cmap=result_cmap, robust=robust)
    return fig


# ------------------------------------------------- looking inside a convnet (notebook 07)


def _channel_mosaic(feature_maps, ncols: int, max_channels: int | None) -> np.ndarray:
    """Channels of (h, w, c) tiled into one array, each scaled to its own maximum, with
    one-pixel NaN gaps (drawn white) between them."""
    arr = np.asarray(feature_maps.numpy() if hasattr(feature_maps, "numpy") else feature_maps)
    arr = arr.astype(np.float32)
    if arr.ndim == 4 and arr.shape[0] == 1:
        arr = arr[0]
    if arr.ndim != 3:
        raise ValueError(
            f"expected one layer's feature maps (height, width, channels), got shape {arr.shape}"
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
    """One layer's feature maps, (height, width, channels), as a grid of small images.

    One panel per channel, ``ncols`` per row, at most ``max_channels`` of them; the figure
    is ``width`` inches wide. Each channel is stretched to its own range, so its pattern
    shows whatever its scale; a channel that is constant (a filter the image did not switch
    on: all zeros after ReLU) is drawn in the colour map's lowest colour. Returns the
    Figure. Notebook 07.
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
    """Filter patterns, one row per layer: ``patterns`` maps a layer name to (n, H, W, 3)
    uint8 images (see ``explain.pattern_to_image``); the Figure.

    Rows may hold different numbers of patterns; each panel is ``size`` inches wide and
    each row is labelled with its layer name (or ``row_titles``). Notebook 07.
    """
    import matplotlib.pyplot as plt

    rows = {name: np.asarray(images) for name, images in patterns.items()}
    if not rows:
        raise ValueError("show_filter_patterns needs at least one layer")
    for name, images in rows.items():
        if images.ndim != 4 or images.shape[-1] not in (1, 3):
            raise ValueError(f"{name}: expected (n, height, width, 3) images, got {images.shape}")
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


def heatmap_overlay(image, heatmap, *, alpha: float = 0.4, cmap: str = "jet") -> np.ndarray:
    """``image`` with a heatmap in [0, 1] laid over it in colour; uint8 (H, W, 3).

    The heatmap (e.g. a 7x7 Grad-CAM) is stretched to the image's size with bilinear
    interpolation and coloured with ``matplotlib.colormaps[cmap]`` ("jet": blue = 0, red =
    1); the result is ``(1 - alpha) * image + alpha * colour``. ``image`` is uint8 0-255
    or float in [0, 1], grey or RGB. Notebook 07.
    """
    import matplotlib

    from . import explain

    base = _to_numpy(image)
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
        raise ValueError("the heatmap must lie in [0, 1] (explain.grad_cam returns it so)")
    stretched = explain.upsample(heat, base.shape[:2])
    colour = matplotlib.colormaps[cmap](stretched)[..., :3]
    blended = (1.0 - alpha) * base + alpha * colour
    return (np.clip(blended, 0, 1) * 255).round().astype(np.uint8)


def show_gradcam(image, heatmap, *, title: str | None = None, alpha=0.4, cmap="jet", size=3.2):
    """Three panels: the image, the heatmap at its own (feature-map) size, and the overlay.

    Returns the Figure. Notebook 07.
    """
    import matplotlib
    import matplotlib.pyplot as plt

    base = _to_numpy(image)
    aspect = base.shape[0] / base.shape[1]
    fig, axes = plt.subplots(1, 3, figsize=(3 * size, size * aspect + 0.5), layout="constrained")
    _draw_image(axes[0], image, title="image")
    heat = np.asarray(heatmap)
    shown = axes[1].imshow(heat, cmap=matplotlib.colormaps[cmap], vmin=0, vmax=1)
    axes[1].set_title(f"heatmap {heat.shape[0]}x{heat.shape[1]}")
    axes[1].set_xticks([])
    axes[1].set_yticks([])
    fig.colorbar(shown, ax=axes[1], fraction=0.046, pad=0.04)
    _draw_image(axes[2], heatmap_overlay(image, heatmap, alpha=alpha, cmap=cmap), title="overlay")
    if title:
        fig.suptitle(title)
    return fig


def show_overlays(images, heatmaps, titles=None, *, ncols: int = 4, size: float = 2.8, **kwargs):
    """A grid of images, each with its heatmap laid over it (see :func:`heatmap_overlay`).

    ``kwargs`` (``alpha``, ``cmap``) go to :func:`heatmap_overlay`. Returns the Figure.
    Notebook 07.
    """
    images, heatmaps = list(images), list(heatmaps)
    if len(images) != len(heatmaps):
        raise ValueError(f"got {len(images)} images but {len(heatmaps)} heatmaps")
    overlays = [heatmap_overlay(i, h, **kwargs) for i, h in zip(images, heatmaps)]
    return show_images(overlays, titles, ncols=ncols, size=size)


# ----------------------------------------------------------- training and evaluation


def smooth_curve(values, factor: float = 0.8) -> np.ndarray:
    """Exponential moving average: ``s[0] = v[0]``, ``s[i] = factor * s[i-1] + (1 - factor) * v[i]``.

    ``factor`` 0 returns the values unchanged; closer to 1 smooths more (and lags more).
    Used by :func:`plot_history`; taught in notebook 02.
    """
    if not 0 <= factor < 1:
        raise ValueError(f"smoothing factor must be in [0, 1), got {factor}")
    values = np.asarray(values, dtype=np.float64).ravel()
    out = np.empty_like(values)
    for i, v in enumerate(values):
        out[i] = v if i == 0 else factor * out[i - 1] + (1 - factor) * v
    return out


def _history_dict(history) -> dict:
    """A history as a dict of lists, from a dict, a keras History or a training.FitResult."""
    if isinstance(history, dict):
        return history
    inner = getattr(history, "history", None)
    if isinstance(inner, dict):
        return inner
    raise TypeError(
        "expected a history: the dict in History.history, a keras History, or a FitResult, "
        f"got {type(history).__name__}"
    )


def plot_history(history, metrics=("loss", "accuracy"), *, smoothing: float = 0.0, size=4.0):
    """Training and validation curves, one panel per metric; returns the Figure.

    ``history`` is what ``model.fit`` returned (or its ``.history`` dict, or a
    ``training.FitResult``). Each panel draws ``metric`` (training, dots) and
    ``val_metric`` (validation, line) against the epoch, counted from 1. With
    ``smoothing`` > 0 (e.g. 0.8) the raw values are drawn faintly and their exponential
    moving average (:func:`smooth_curve`) on top, which helps read noisy curves. Metrics
    the history lacks are skipped. Notebooks 02 onwards.
    """
    import matplotlib.pyplot as plt

    data = _history_dict(history)
    metrics = [m for m in ([metrics] if isinstance(metrics, str) else metrics) if m in data]
    if not metrics:
        raise ValueError(f"none of the metrics is in the history, which holds {list(data)}")
    fig, axes = plt.subplots(
        1,
        len(metrics),
        figsize=(size * 1.3 * len(metrics), size),
        squeeze=False,
        layout="constrained",
    )
    for ax, metric in zip(axes[0], metrics):
        paired = f"val_{metric}" in data
        for key, label, style, color in (
            (metric, "training" if paired else metric.replace("_", " "), "o", "C0"),
            (f"val_{metric}", "validation", "-", "C1"),
        ):
            if key not in data:
                continue
            values = np.asarray(data[key], dtype=np.float64)
            epochs = np.arange(1, len(values) + 1)
            if smoothing:
                ax.plot(epochs, values, style, color=color, alpha=0.25)
                ax.plot(
                    epochs,
                    smooth_curve(values, smoothing),
                    style,
                    color=color,
                    label=f"{label} (smoothed)",
                )
            else:
                ax.plot(epochs, values, style, color=color, label=label)
        ax.set_xlabel("epoch")
        ax.set_ylabel(metric)
        ax.set_title(f"{metric.replace('_', ' ')} per epoch")
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.grid(alpha=0.3)
        ax.legend()
    return fig


# Fonts that show Chinese characters, by the names their families usually go by; any other
# installed font that covers the text is found too. Matplotlib's "Last Resort" font maps
# every character to a placeholder box, so it never counts.
CJK_FONT_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
    "Heiti SC",
    "Hiragino Sans GB",
    "AR PL UMing CN",
    "Arial Unicode MS",
)


_CHARMAPS: dict[str, frozenset] = {}  # font file -> the characters it has glyphs for


def _charmap(path: str) -> frozenset:
    if path not in _CHARMAPS:
        try:
            from matplotlib.ft2font import FT2Font

            _CHARMAPS[path] = frozenset(FT2Font(path).get_charmap())
        except Exception:  # noqa: BLE001 - an unreadable font covers nothing
            _CHARMAPS[path] = frozenset()
    return _CHARMAPS[path]


def font_for_text(text: str) -> str | None:
    """The family name of an installed font that has a glyph for every character of
    ``text``, or None when there is none (matplotlib would then draw empty boxes).

    Plain ASCII needs no special font: the answer is then matplotlib's default family.
    Well-known CJK families are tried first. Notebook 03 uses it to label Chinese
    characters when it can and to fall back to their values when it cannot.
    """
    import matplotlib
    from matplotlib import font_manager

    wanted = {ord(c) for c in str(text) if not c.isspace()}
    default = matplotlib.rcParams["font.family"][0]
    if all(c < 128 for c in wanted):
        return default
    entries = [f for f in font_manager.fontManager.ttflist if not f.name.startswith("Last Resort")]
    rank = {name: i for i, name in enumerate(CJK_FONT_FAMILIES)}
    entries.sort(key=lambda f: rank.get(f.name, len(rank)))
    for entry in entries:
        if wanted <= _charmap(entry.fname):
            return entry.name
    return None


def readable_labels(names, fallback_names=None) -> tuple[list[str], str | None]:
    """Labels that the installed fonts can draw: ``(labels, font_family)``.

    ``names`` if one installed font covers all of them (``font_family`` is that font's
    family, to pass as ``fontfamily=``; None for plain ASCII), else ``fallback_names`` (e.g. the values of
    Chinese characters) with the default font, else the class indices. Never returns
    labels that would be drawn as empty boxes. Notebook 03.
    """
    names = [str(n) for n in names]
    text = "".join(names)
    if text.isascii():
        return names, None
    family = font_for_text(text)
    if family is not None:
        return names, family
    if fallback_names is not None:
        fallback = [str(n) for n in fallback_names]
        if len(fallback) != len(names):
            raise ValueError(f"got {len(fallback)} fallback names for {len(names)} names")
        if font_for_text("".join(fallback)) is not None:
            return fallback, None
    return [str(i) for i in range(len(names))], None


def _font_kwargs(family: str | None) -> dict:
    return {} if family is None else {"fontfamily": [family, "DejaVu Sans"]}


def plot_confusion_matrix(
    cm,
    class_names=None,
    *,
    fallback_names=None,
    normalize: bool = False,
    ax=None,
    title: str | None = "Confusion matrix",
    cmap: str = "Blues",
    size: float | None = None,
):
    """Draw a confusion matrix (rows: true class, columns: predicted class); returns the Axes.

    Each cell shows its count (or, with ``normalize=True``, the share of its row, so
    each row reads as "of the examples of this class, this fraction was predicted as
    ..."). ``class_names`` label the axes; when no installed font can draw them (Chinese
    characters on a machine without a CJK font) ``fallback_names`` are used instead
    (see :func:`readable_labels`). Draws into ``ax`` if given, else a new figure whose
    side is ``size`` inches (default: grows with the number of classes). Notebooks 02, 03.
    """
    import matplotlib.pyplot as plt

    cm = np.asarray(cm)
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1]:
        raise ValueError(f"a confusion matrix is square, got shape {cm.shape}")
    n = cm.shape[0]
    names = class_names if class_names is not None else [str(i) for i in range(n)]
    if len(names) != n:
        raise ValueError(f"got {len(names)} class names for a {n} x {n} matrix")
    labels, family = readable_labels(names, fallback_names)
    if ax is None:
        side = size or min(max(4.0, 0.45 * n + 2.0), 12.0)
        _, ax = plt.subplots(figsize=(side, side), layout="constrained")
    values = cm.astype(np.float64)
    if normalize:
        rows = values.sum(axis=1, keepdims=True)
        values = np.divide(values, rows, out=np.zeros_like(values), where=rows > 0)
    ax.imshow(values, cmap=cmap, vmin=0)
    limit = values.max() or 1.0
    fontsize = max(6, 11 - n // 4)
    for i in range(n):
        for j in range(n):
            if not values[i, j] and not normalize:
                continue
            text = f"{values[i, j]:.2f}" if normalize else str(int(cm[i, j]))
            ax.text(
                j,
                i,
                text,
                ha="center",
                va="center",
                fontsize=fontsize,
                color="white" if values[i, j] > 0.5 * limit else "black",
            )
    ax.set_xticks(
        range(n), labels, rotation=90 if max(map(len, labels)) > 2 else 0, **_font_kwargs(family)
    )
    ax.set_yticks(range(n), labels, **_font_kwargs(family))
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    if title:
        ax.set_title(title)
    return ax


def show_mistakes(
    images,
    true_labels,
    predicted_labels,
    confidences=None,
    *,
    class_names=None,
    fallback_names=None,
    ncols: int = 6,
    size: float = 1.8,
    suptitle: str | None = None,
):
    """A gallery of misclassified images titled "true X / pred Y (confidence)"; the Figure.

    ``images`` are the wrongly classified images (e.g. ``x_test[table["index"]]`` with a
    table from ``evaluation.mistakes``); the labels are class indices, shown through
    ``class_names`` (with ``fallback_names`` when no installed font can draw those, as in
    :func:`plot_confusion_matrix`). Notebooks 02 and 03.
    """
    images = [np.asarray(im) for im in images]
    true_labels = [int(t) for t in np.asarray(true_labels).ravel()]
    predicted_labels = [int(p) for p in np.asarray(predicted_labels).ravel()]
    if not images:
        raise ValueError("show_mistakes needs at least one image (there were no mistakes?)")
    if not len(images) == len(true_labels) == len(predicted_labels):
        raise ValueError(
            f"got {len(images)} images, {len(true_labels)} true labels and "
            f"{len(predicted_labels)} predicted labels; they must match"
        )
    if confidences is not None:
        confidences = [float(c) for c in np.asarray(confidences).ravel()]
        if len(confidences) != len(images):
            raise ValueError(f"got {len(confidences)} confidences for {len(images)} images")
    if class_names is None:
        count = max(true_labels + predicted_labels) + 1
        labels, family = [str(i) for i in range(count)], None
    else:
        labels, family = readable_labels(class_names, fallback_names)
    first = _to_numpy(images[0])
    fig, axes = _grid(len(images), ncols, size, first.shape[0] / first.shape[1], 0.5)
    for i, (ax, image) in enumerate(zip(axes, images)):
        _draw_image(ax, image)
        title = f"true {labels[true_labels[i]]}\npred {labels[predicted_labels[i]]}"
        if confidences is not None:
            title += f" ({confidences[i]:.2f})"
        ax.set_title(title, fontsize=9, color="C3", **_font_kwargs(family))
    if suptitle:
        fig.suptitle(suptitle)
    return fig


def show_top_predictions(images, decoded, *, titles=None, size: float = 3.0, ncols: int = 4):
    """Each image above a bar chart of its top predictions (class name and probability); the Figure.

    ``images`` is a list of (H, W, 3) arrays (uint8 0-255, or floats in [0, 1]) and
    ``decoded`` the matching list of top-k predictions, one list per image of
    ``(class_id, class_name, probability)`` tuples, exactly as
    ``keras.applications.<model>.decode_predictions(probabilities, top=5)`` returns them.
    The most likely class is drawn at the top of each chart. Up to ``ncols`` images per
    row, each ``size`` inches wide. Notebook 06.
    """
    import matplotlib.pyplot as plt

    images = list(images)
    decoded = list(decoded)
    if not images:
        raise ValueError("show_top_predictions needs at least one image")
    if len(decoded) != len(images):
        raise ValueError(f"got {len(images)} images but {len(decoded)} lists of predictions")
    if titles is not None and len(titles) != len(images):
        raise ValueError(f"got {len(images)} images but {len(titles)} titles")
    n = len(images)
    ncols = max(1, min(n, ncols))
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(
        2 * nrows,
        ncols,
        figsize=(size * ncols, 2 * size * nrows),
        squeeze=False,
        layout="constrained",
        gridspec_kw={"height_ratios": [1.0, 0.8] * nrows},
    )
    for i in range(nrows * ncols):
        image_ax, bar_ax = axes[2 * (i // ncols), i % ncols], axes[2 * (i // ncols) + 1, i % ncols]
        if i >= n:
            image_ax.set_axis_off()
            bar_ax.set_axis_off()
            continue
        arr = _to_numpy(images[i])
        if arr.dtype.kind == "f" and arr.max() > 1.0:
            arr = np.clip(arr, 0, 255).astype(np.uint8)
        _draw_image(image_ax, arr, title=titles[i] if titles else None)
        rows = list(decoded[i])
        names = [str(row[1]).replace("_", " ") for row in rows]
        probs = [float(row[2]) for row in rows]
        positions = np.arange(len(rows))[::-1]
        bar_ax.barh(positions, probs, color=["tab:blue"] + ["0.6"] * (len(rows) - 1))
        bar_ax.set_yticks(positions, names)
        bar_ax.set_xlim(0, 1)
        bar_ax.set_xlabel("probability")
        for y, p in zip(positions, probs, strict=True):
            bar_ax.text(min(p, 0.75) + 0.02, y, f"{p:.2f}", va="center", fontsize=8)
    return fig


def compare_histories(histories: dict, metrics=("accuracy", "loss"), *, smoothing=0.0, size=4.0):
    """Several training runs side by side: one panel per metric, one colour per run.

    ``histories`` maps a run's name to its history (a dict, a keras History or a
    ``training.FitResult``). Each run's training values are drawn dashed and its
    validation values solid, against the epoch counted from 1; runs may have different
    numbers of epochs. ``smoothing`` > 0 draws the exponential moving average
    (:func:`smooth_curve`) instead of the raw values. Returns the Figure. Taught in
    notebook 05 (training without and with augmentation).
    """
    import matplotlib.pyplot as plt

    if not histories:
        raise ValueError("compare_histories needs at least one history")
    runs = {name: _history_dict(h) for name, h in histories.items()}
    metrics = [metrics] if isinstance(metrics, str) else list(metrics)
    metrics = [m for m in metrics if any(m in d or f"val_{m}" in d for d in runs.values())]
    if not metrics:
        raise ValueError("none of the metrics is in any of the histories")
    fig, axes = plt.subplots(
        1,
        len(metrics),
        figsize=(size * 1.3 * len(metrics), size),
        squeeze=False,
        layout="constrained",
    )
    for ax, metric in zip(axes[0], metrics):
        for color, (name, data) in zip((f"C{i}" for i in range(10)), runs.items()):
            for key, style, label in (
                (metric, "--", f"{name}, training"),
                (f"val_{metric}", "-", f"{name}, validation"),
            ):
                if key not in data:
                    continue
                values = np.asarray(data[key], dtype=np.float64)
                if smoothing:
                    values = smooth_curve(values, smoothing)
                ax.plot(np.arange(1, len(values) + 1), values, style, color=color, label=label)
        ax.set_xlabel("epoch")
        ax.set_ylabel(metric)
        ax.set_title(f"{metric.replace('_', ' ')} per epoch" + (" (smoothed)" if smoothing else ""))
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.grid(alpha=0.3)
        ax.legend(fontsize="small")
    return fig
