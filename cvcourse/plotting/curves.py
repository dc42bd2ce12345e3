"""Training curves: one run's history per metric, several runs compared, and the
exponential moving average that smooths noisy curves.

Taught in notebooks 02 (``plot_history``), 04 (smoothing) and 05 (``compare_histories``).
Each figure function returns its Figure.
"""

from __future__ import annotations

import numpy as np


def smooth_curve(values, factor: float = 0.8) -> np.ndarray:
    """Exponential moving average: ``s[0] = v[0]``, ``s[i] = factor * s[i-1] + (1 - factor) * v[i]``.

    ``values`` is a sequence of numbers (any shape, flattened); returns a float64 array of
    the same length. ``factor`` in [0, 1): 0 returns the values unchanged, closer to 1
    smooths more (and lags more). Used by :func:`plot_history` and
    :func:`compare_histories`; the smoothing is taught in notebook 04.
    """
    if not 0 <= factor < 1:
        raise ValueError(
            f"smoothing factor must be in [0, 1), got {factor}; 0 draws the raw values, "
            "0.8 is a usual choice"
        )
    values = np.asarray(values, dtype=np.float64).ravel()
    out = np.empty_like(values)
    for i, v in enumerate(values):
        out[i] = v if i == 0 else factor * out[i - 1] + (1 - factor) * v
    return out


def _history_dict(history) -> dict:
    """A history as a dict of lists, from a dict or a keras History."""
    if isinstance(history, dict):
        return history
    inner = getattr(history, "history", None)
    if isinstance(inner, dict):
        return inner
    raise TypeError(
        "expected a history: the dict in History.history, or a keras History, "
        f"got {type(history).__name__}"
    )


def plot_history(history, metrics=("loss", "accuracy"), *, smoothing: float = 0.0, size=4.0):
    """Training and validation curves, one panel per metric; returns the Figure.

    ``history`` is what ``model.fit`` returned (a keras History) or its ``.history`` dict
    (metric name -> list of per-epoch floats). ``metrics``
    is a metric name or a sequence of them; each panel draws ``metric`` (training, dots)
    and ``val_metric`` (validation, line) against the epoch, counted from 1, and is
    titled "<metric> per epoch". With ``smoothing`` > 0 (e.g. 0.8) the raw values are
    drawn faintly and their exponential moving average (:func:`smooth_curve`) on top,
    which helps read noisy curves. Metrics the history lacks are skipped; none present
    raises ValueError. Each panel is ``size`` inches high. Notebooks 02 to 09.
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


def compare_histories(histories: dict, metrics=("accuracy", "loss"), *, smoothing=0.0, size=4.0):
    """Several training runs side by side: one panel per metric, one colour per run.

    ``histories`` maps a run's name to its history (a dict, a keras History or a
    as for :func:`plot_history`). Each run's training values are
    drawn dashed and its validation values solid, against the epoch counted from 1; runs
    may have different numbers of epochs. ``smoothing`` > 0 draws the exponential moving
    average (:func:`smooth_curve`) instead of the raw values, and says so in the panel
    titles. Each panel is ``size`` inches high. Returns the Figure. Notebook 05 (training
    without and with augmentation).
    """
    import matplotlib.pyplot as plt

    if not histories:
        raise ValueError("compare_histories needs at least one history, got none")
    runs = {name: _history_dict(h) for name, h in histories.items()}
    metrics = [metrics] if isinstance(metrics, str) else list(metrics)
    metrics = [m for m in metrics if any(m in d or f"val_{m}" in d for d in runs.values())]
    if not metrics:
        raise ValueError(
            "none of the metrics is in any of the histories, which hold "
            f"{sorted({key for d in runs.values() for key in d})}"
        )
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
