"""Evaluating a classifier: reports, confusion matrices and mistakes, as arrays and tables.

The counting is scikit-learn's (``sklearn.metrics``); this module turns its results into
the arrays and DataFrames the notebooks show, and nothing here draws
(:mod:`cvcourse.plotting` does). Labels are integer class indices (``y_true``, ``y_pred``);
a model's output is its probability rows (``probabilities``, float (n, num_classes));
``class_names`` is an optional list of names, one per class index. Taught in notebooks 02
and 03, used again in 04 and 07 to 09.
"""

from __future__ import annotations

import numpy as np


def _labels(values, what: str) -> np.ndarray:
    arr = np.asarray(values)
    if arr.ndim == 2:  # one-hot rows or probabilities: the index of the largest
        arr = arr.argmax(axis=1)
    if arr.ndim != 1:
        raise ValueError(
            f"{what} should be class indices (n,) or rows (n, classes), got shape {arr.shape}; "
            "pass one label per example"
        )
    if arr.dtype.kind == "f" and not np.all(arr == np.round(arr)):
        raise ValueError(
            f"{what} should hold whole class indices, found fractions; pass the labels, or "
            "the probability rows (n, classes) to read their argmax"
        )
    if arr.size and arr.min() < 0:
        raise ValueError(
            f"{what} holds a negative class index ({arr.min()}); class indices start at 0"
        )
    return arr.astype(int)


def _check_lengths(y_true: np.ndarray, y_pred: np.ndarray) -> None:
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"y_true has {y_true.size} labels but y_pred has {y_pred.size}; they must match"
        )


def predicted_labels(probabilities) -> np.ndarray:
    """The class each row votes for: takes float (n, num_classes), returns int64 (n,) argmax.

    Taught in notebook 02.
    """
    probabilities = np.asarray(probabilities)
    if probabilities.ndim != 2:
        raise ValueError(f"expected probability rows (n, classes), got {probabilities.shape}")
    return probabilities.argmax(axis=1)


def confusion_matrix(y_true, y_pred, num_classes: int | None = None) -> np.ndarray:
    """``sklearn.metrics.confusion_matrix`` over the classes ``0 .. num_classes - 1``.

    Takes ``y_true`` and ``y_pred`` of the same length n: class indices (n,) or one-hot /
    probability rows (n, classes), read as their argmax. ``num_classes`` defaults to one
    more than the largest index seen; an index at or beyond it is a ValueError. Returns
    int64 (num_classes, num_classes): ``cm[i, j]`` counts the examples of true class ``i``
    predicted as ``j``. Taught in notebook 02, used in 03 and 09.
    """
    from sklearn import metrics

    y_true, y_pred = _labels(y_true, "y_true"), _labels(y_pred, "y_pred")
    _check_lengths(y_true, y_pred)
    largest = int(max(y_true.max(initial=-1), y_pred.max(initial=-1)))
    if num_classes is None:
        num_classes = largest + 1
    elif largest >= num_classes:
        raise ValueError(
            f"class index {largest} is out of range for {num_classes} classes; pass "
            "num_classes (or class_names) that cover every label"
        )
    if not y_true.size:
        return np.zeros((num_classes, num_classes), dtype=np.int64)
    cm = metrics.confusion_matrix(y_true, y_pred, labels=np.arange(num_classes))
    return cm.astype(np.int64)


def _names(class_names, num_classes: int) -> list[str]:
    if class_names is None:
        return [str(i) for i in range(num_classes)]
    names = [str(n) for n in class_names]
    if len(names) != num_classes:
        raise ValueError(
            f"got {len(names)} class names for {num_classes} classes; pass one name per class"
        )
    return names


def classification_report(y_true, y_pred, class_names=None):
    """``sklearn.metrics.classification_report(output_dict=True)`` as a pandas DataFrame.

    Takes class indices (or rows) as :func:`confusion_matrix` does and ``class_names``, one
    per class (default: the indices seen, as strings). Returns columns ``precision``,
    ``recall``, ``f1-score`` (float64) and ``support`` (int64): one row per class, indexed
    by its name, every class named even when it has no examples, then ``accuracy`` (in the
    f1-score column; precision and recall NaN), ``macro avg`` and ``weighted avg``.
    A class never predicted has precision 0 (``zero_division=0``). Taught in notebook 03.
    """
    import pandas as pd
    from sklearn import metrics

    y_true, y_pred = _labels(y_true, "y_true"), _labels(y_pred, "y_pred")
    num_classes = len(class_names) if class_names is not None else None
    cm = confusion_matrix(y_true, y_pred, num_classes)  # checks lengths and ranges
    names = _names(class_names, cm.shape[0])
    if not y_true.size:
        raise ValueError("y_true is empty: a report of no examples is undefined")
    labels = list(range(len(names)))
    report = metrics.classification_report(
        y_true, y_pred, labels=labels, output_dict=True, zero_division=0
    )
    rows = [report[str(i)] for i in labels]
    total = int(cm.sum())
    accuracy = {"precision": np.nan, "recall": np.nan, "f1-score": report["accuracy"]}
    rows.append({**accuracy, "support": total})
    rows += [report["macro avg"], report["weighted avg"]]
    table = pd.DataFrame(
        rows,
        index=[*names, "accuracy", "macro avg", "weighted avg"],
        columns=["precision", "recall", "f1-score", "support"],
    )
    return table.astype({"precision": float, "recall": float, "f1-score": float, "support": int})


def most_confused(cm, class_names=None, *, top: int = 5):
    """The largest off-diagonal cells of a confusion matrix, as a DataFrame.

    Takes ``cm``, int (k, k) from :func:`confusion_matrix`, optional ``class_names`` (k
    names) and ``top``, how many rows to keep. Returns up to ``top`` rows, biggest count
    first (ties by true, then predicted class), cells with a count of 0 left out; columns
    ``true`` and ``predicted`` (class names, default the indices as strings), ``count``
    (int64) and ``share`` (float64: count / examples of the true class). Taught in
    notebook 02, used in 03 and 09.
    """
    import pandas as pd

    cm = np.asarray(cm)
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1]:
        raise ValueError(
            f"a confusion matrix is square, got shape {cm.shape}; pass the result of "
            "evaluation.confusion_matrix"
        )
    names = _names(class_names, cm.shape[0])
    off = cm.astype(float).copy()
    np.fill_diagonal(off, 0)
    rows, cols = np.nonzero(off)
    counts = cm[rows, cols]
    order = np.lexsort((cols, rows, -counts))[:top]
    support = cm.sum(axis=1)
    return pd.DataFrame(
        {
            "true": [names[i] for i in rows[order]],
            "predicted": [names[j] for j in cols[order]],
            "count": counts[order].astype(int),
            "share": counts[order] / np.maximum(support[rows[order]], 1),
        }
    )


def mistakes(y_true, probabilities, class_names=None):
    """The misclassified examples as a DataFrame, most confident mistake first.

    Takes ``y_true``, class indices (n,) or one-hot rows, and ``probabilities``, float
    (n, num_classes). Returns one row per mistake with the columns ``index`` (int64, the
    position in the evaluated set), ``true`` and ``predicted`` (int64 class indices),
    ``confidence`` (float64, the probability of the predicted class) and
    ``true_probability`` (float64); with ``class_names`` also ``true_name`` and
    ``predicted_name`` (str). Taught in notebooks 02 and 03, used in 04 and 07 to 09.
    """
    import pandas as pd

    probabilities = np.asarray(probabilities, dtype=np.float64)
    y_pred = predicted_labels(probabilities)
    y_true = _labels(y_true, "y_true")
    _check_lengths(y_true, y_pred)
    if y_true.size and y_true.max() >= probabilities.shape[1]:
        raise ValueError(
            f"label {y_true.max()} is out of range for {probabilities.shape[1]} classes: "
            "probabilities needs one column per class"
        )
    wrong = np.flatnonzero(y_true != y_pred)
    table = pd.DataFrame(
        {
            "index": wrong,
            "true": y_true[wrong],
            "predicted": y_pred[wrong],
            "confidence": probabilities[wrong, y_pred[wrong]],
            "true_probability": probabilities[wrong, y_true[wrong]],
        }
    )
    if class_names is not None:
        names = _names(class_names, probabilities.shape[1])
        table["true_name"] = [names[i] for i in table["true"]]
        table["predicted_name"] = [names[i] for i in table["predicted"]]
    return table.sort_values(["confidence", "index"], ascending=[False, True]).reset_index(
        drop=True
    )
