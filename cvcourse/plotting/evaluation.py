"""Evaluation figures: a confusion matrix, a gallery of mistakes, top-k predictions.

Built on the arrays and tables of :mod:`cvcourse.evaluation` (which draws nothing).
Taught in notebooks 02 and 03; ``show_mistakes`` is reused by 07 and 09 and
``show_top_predictions`` is notebook 07's. Each function returns its Figure or Axes.
"""

from __future__ import annotations

import math

import numpy as np

from ._common import draw_image, grid, to_image_array
from .fonts import font_kwargs, readable_labels


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

    ``cm`` is a square (n, n) array of integer counts (e.g. from
    ``evaluation.confusion_matrix`` or ``sklearn.metrics.confusion_matrix``). Each cell
    shows its count (zeros are left blank), or, with ``normalize=True``, the share of its
    row to two decimals, so each row reads as "of the examples of this class, this
    fraction was predicted as ...". ``class_names`` (n strings, default "0" ... "n-1")
    label the axes; when no installed font can draw them (Chinese characters on a machine
    without a CJK font) ``fallback_names`` are used instead (see
    :func:`readable_labels`). Draws into the Axes ``ax`` if given, else a new figure
    whose side is ``size`` inches (default: grows with the number of classes).
    Notebooks 02 and 03.
    """
    import matplotlib.pyplot as plt

    cm = np.asarray(cm)
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1]:
        raise ValueError(
            f"a confusion matrix is square, got shape {cm.shape}; pass the (n, n) counts "
            "of evaluation.confusion_matrix, not the labels"
        )
    n = cm.shape[0]
    names = class_names if class_names is not None else [str(i) for i in range(n)]
    if len(names) != n:
        raise ValueError(
            f"got {len(names)} class names for a {n} x {n} matrix; pass one name per class"
        )
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
        range(n), labels, rotation=90 if max(map(len, labels)) > 2 else 0, **font_kwargs(family)
    )
    ax.set_yticks(range(n), labels, **font_kwargs(family))
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

    ``images`` are the wrongly classified images, an (n, H, W), (n, H, W, 1) or
    (n, H, W, 3) array or a list of images (e.g. ``x_test[table["index"]]`` with a table
    from ``evaluation.mistakes``); ``true_labels`` and ``predicted_labels`` are n integer
    class indices and ``confidences`` (optional) n floats in [0, 1], written to two
    decimals. The labels are shown through ``class_names`` (with ``fallback_names`` when
    no installed font can draw those, as in :func:`plot_confusion_matrix`), else as
    indices. ``ncols`` images per row, each ``size`` inches wide. Notebooks 02, 03, 07
    and 09.
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
            raise ValueError(
                f"got {len(confidences)} confidences for {len(images)} images; "
                "pass one per image, or confidences=None"
            )
    if class_names is None:
        count = max(true_labels + predicted_labels) + 1
        labels, family = [str(i) for i in range(count)], None
    else:
        labels, family = readable_labels(class_names, fallback_names)
    first = to_image_array(images[0])
    fig, axes = grid(len(images), ncols, size, first.shape[0] / first.shape[1], 0.5)
    for i, (ax, image) in enumerate(zip(axes, images)):
        draw_image(ax, image)
        title = f"true {labels[true_labels[i]]}\npred {labels[predicted_labels[i]]}"
        if confidences is not None:
            title += f" ({confidences[i]:.2f})"
        ax.set_title(title, fontsize=9, color="C3", **font_kwargs(family))
    if suptitle:
        fig.suptitle(suptitle)
    return fig


def show_top_predictions(images, decoded, *, titles=None, size: float = 3.0, ncols: int = 4):
    """Each image above a bar chart of its top predictions (class name and probability); the Figure.

    ``images`` is a list of (H, W, 3) arrays (uint8 0-255, or floats in [0, 1], or floats
    in [0, 255], which are drawn as uint8) and ``decoded`` the matching list of top-k
    predictions, one list per image of ``(class_id, class_name, probability)`` tuples,
    exactly as ``keras.applications.<model>.decode_predictions(probabilities, top=5)``
    returns them. The most likely class is drawn at the top of each chart, in blue.
    ``titles`` (optional) is one string per image. Up to ``ncols`` images per row, each
    ``size`` inches wide. Notebook 07.
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
        arr = to_image_array(images[i])
        if arr.dtype.kind == "f" and arr.max() > 1.0:
            arr = np.clip(arr, 0, 255).astype(np.uint8)
        draw_image(image_ax, arr, title=titles[i] if titles else None)
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
