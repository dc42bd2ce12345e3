"""Evaluating a classifier: reports, confusion matrices and mistakes, as arrays and tables.

Nothing here draws; :mod:`cvcourse.plotting` turns these results into figures. Labels are
integer class indices (``y_true``, ``y_pred``); a model's output is its probability rows
(``probabilities``, shape ``(n, num_classes)``); ``class_names`` is an optional list of
names, one per class index. Taught in notebooks 02 and 03.
"""

from __future__ import annotations

import numpy as np


def _labels(values, what: str) -> np.ndarray:
    arr = np.asarray(values)
    if arr.ndim == 2:  # one-hot rows or probabilities: the index of the largest
        arr = arr.argmax(axis=1)
    if arr.ndim != 1:
        raise ValueError(
            f"{what} should be class indices (n,) or rows (n, classes), got {arr.shape}"
        )
    if arr.dtype.kind == "f" and not np.all(arr == np.round(arr)):
        raise ValueError(f"{what} should hold whole class indices, found fractions")
    if arr.size and arr.min() < 0:
        raise ValueError(f"{what} holds a negative class index ({arr.min()})")
    return arr.astype(int)


def _check_lengths(y_true: np.ndarray, y_pred: np.ndarray) -> None:
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"y_true has {y_true.size} labels but y_pred has {y_pred.size}; they must match"
        )


def predicted_labels(probabilities) -> np.ndarray:
    """The class each row of ``probabilities`` (n, num_classes) votes for: its argmax, (n,)."""
    probabilities = np.asarray(probabilities)
    if probabilities.ndim != 2:
        raise ValueError(f"expected probability rows (n, classes), got {probabilities.shape}")
    return probabilities.argmax(axis=1)


def accuracy(y_true, y_pred) -> float:
    """The fraction of predictions that equal the labels (both may be indices or rows)."""
    y_true, y_pred = _labels(y_true, "y_true"), _labels(y_pred, "y_pred")
    _check_lengths(y_true, y_pred)
    if not y_true.size:
        raise ValueError("accuracy of no examples is undefined")
    return float(np.mean(y_true == y_pred))


def confusion_matrix(y_true, y_pred, num_classes: int | None = None) -> np.ndarray:
    """Counts ``cm[i, j]`` of examples of true class ``i`` predicted as class ``j``.

    ``y_true`` and ``y_pred`` are class indices (or one-hot/probability rows) of the same
    length; ``num_classes`` defaults to one more than the largest index seen. Row ``i``
    sums to the number of examples of class ``i``; the diagonal holds the correct ones.
    Taught in notebook 02.
    """
    y_true, y_pred = _labels(y_true, "y_true"), _labels(y_pred, "y_pred")
    _check_lengths(y_true, y_pred)
    largest = int(max(y_true.max(initial=-1), y_pred.max(initial=-1)))
    if num_classes is None:
        num_classes = largest + 1
    elif largest >= num_classes:
        raise ValueError(f"class index {largest} is out of range for {num_classes} classes")
    cm = np.zeros((num_classes, num_classes), dtype=int)
    np.add.at(cm, (y_true, y_pred), 1)
    return cm


def _names(class_names, num_classes: int) -> list[str]:
    if class_names is None:
        return [str(i) for i in range(num_classes)]
    names = [str(n) for n in class_names]
    if len(names) != num_classes:
        raise ValueError(f"got {len(names)} class names for {num_classes} classes")
    return names


def classification_report(y_true, y_pred, class_names=None):
    """Precision, recall, F1 and support per class, as a pandas DataFrame.

    One row per class (indexed by ``class_names``, default the class indices), then the
    rows ``accuracy``, ``macro avg`` (classes weighed equally) and ``weighted avg``
    (weighed by support). Precision of class c: of the examples predicted c, the fraction
    that are c; recall: of the examples of class c, the fraction predicted c; F1: their
    harmonic mean. A class never predicted has precision 0. Taught in notebook 03.
    """
    import pandas as pd

    y_true, y_pred = _labels(y_true, "y_true"), _labels(y_pred, "y_pred")
    num_classes = len(class_names) if class_names is not None else None
    cm = confusion_matrix(y_true, y_pred, num_classes)
    names = _names(class_names, cm.shape[0])
    support = cm.sum(axis=1)
    predicted = cm.sum(axis=0)
    hits = np.diag(cm).astype(float)
    precision = np.divide(hits, predicted, out=np.zeros_like(hits), where=predicted > 0)
    recall = np.divide(hits, support, out=np.zeros_like(hits), where=support > 0)
    both = precision + recall
    f1 = np.divide(2 * precision * recall, both, out=np.zeros_like(hits), where=both > 0)
    table = pd.DataFrame(
        {"precision": precision, "recall": recall, "f1-score": f1, "support": support},
        index=pd.Index(names, name="class"),
    )
    total = int(support.sum())
    acc = float(hits.sum() / total) if total else 0.0
    weights = support / total if total else np.zeros_like(hits)
    summary = pd.DataFrame(
        {
            "precision": [np.nan, precision.mean(), (precision * weights).sum()],
            "recall": [np.nan, recall.mean(), (recall * weights).sum()],
            "f1-score": [acc, f1.mean(), (f1 * weights).sum()],
            "support": [total, total, total],
        },
        index=["accuracy", "macro avg", "weighted avg"],
    )
    return pd.concat([table, summary])


def most_confused(cm, class_names=None, *, top: int = 5):
    """The largest off-diagonal cells of a confusion matrix, as a DataFrame.

    Columns ``true``, ``predicted`` (class names, default indices), ``count`` and
    ``share`` (count / examples of the true class), biggest count first; cells with a
    count of 0 are left out. The pair a model mixes up most is the first row. Notebook 02.
    """
    import pandas as pd

    cm = np.asarray(cm)
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1]:
        raise ValueError(f"a confusion matrix is square, got shape {cm.shape}")
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

    Columns: ``index`` (position in the evaluated set, to look the image up), ``true``
    and ``predicted`` (class indices), ``confidence`` (the probability given to the
    predicted class) and ``true_probability``; with ``class_names`` also ``true_name``
    and ``predicted_name``. Taught in notebooks 02 and 03.
    """
    import pandas as pd

    probabilities = np.asarray(probabilities, dtype=np.float64)
    y_pred = predicted_labels(probabilities)
    y_true = _labels(y_true, "y_true")
    _check_lengths(y_true, y_pred)
    if y_true.size and y_true.max() >= probabilities.shape[1]:
        raise ValueError(
            f"label {y_true.max()} is out of range for {probabilities.shape[1]} classes"
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
