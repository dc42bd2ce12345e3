"""How a notebook reports what it measured, so ``cvcourse build`` can collect it.

A training notebook ends with one call::

    results.report("02_dense_vs_convnet_mnist", test_accuracy=acc, epochs=epochs)

It shows the metrics as a small table and embeds them in the cell's output under the
mimetype ``application/vnd.cvcourse.metrics+json``; ``cvcourse build`` reads them back from
the executed notebook. Nothing is written to disk and no global state is kept.
"""

from __future__ import annotations

import html
import json
import numbers

METRICS_MIMETYPE = "application/vnd.cvcourse.metrics+json"


def _plain(value):
    """A JSON-friendly copy of a metric (NumPy and TensorFlow scalars become floats/ints)."""
    if hasattr(value, "numpy"):
        value = value.numpy()
    if hasattr(value, "item") and getattr(value, "shape", None) == ():
        value = value.item()
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    raise TypeError(f"metric value {value!r} is not a number, string, list or dict")


def _format(value) -> str:
    if isinstance(value, float):
        return f"{value:.4f}" if abs(value) < 1000 else f"{value:.1f}"
    return str(value)


def report(notebook: str, **metrics) -> dict:
    """Show and embed a notebook's metrics; returns them as plain Python values.

    ``notebook`` is the notebook's stem (``"02_dense_vs_convnet_mnist"``). Accuracies are
    fractions in [0, 1]; times are seconds; name them so (``test_accuracy``,
    ``train_seconds``). Outside Jupyter it prints the table instead.
    """
    if not metrics:
        raise ValueError("report() needs at least one metric, e.g. test_accuracy=0.99")
    data = {"notebook": notebook, "metrics": {k: _plain(v) for k, v in metrics.items()}}
    rows = [(k, _format(v)) for k, v in data["metrics"].items()]
    width = max(len(k) for k, _ in rows)
    text = "\n".join([f"Results of {notebook}:"] + [f"  {k:<{width}}  {v}" for k, v in rows])
    table = "".join(f"<tr><td>{html.escape(k)}</td><td>{html.escape(v)}</td></tr>" for k, v in rows)
    bundle = {
        "text/plain": text,
        "text/html": f"<b>Results of {html.escape(notebook)}</b><table>{table}</table>",
        METRICS_MIMETYPE: data,
    }
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # pragma: no cover - IPython comes with ipykernel
        print(text)
        return data["metrics"]
    if get_ipython() is None:
        print(text)
    else:
        display(bundle, raw=True)
    return data["metrics"]


def custom_outputs(nb, mimetype: str) -> list[tuple[int, object]]:
    """Every payload of ``mimetype`` in an executed notebook's outputs, in output order.

    Takes an nbformat notebook (or the same as a plain dict) and a mimetype such as
    :data:`METRICS_MIMETYPE`; returns ``[(cell_index, data), ...]`` where ``cell_index``
    counts every cell of ``nb["cells"]`` from 0 and ``data`` is the decoded JSON payload
    (a payload stored as a JSON string is parsed; one that is not valid JSON is skipped,
    a damaged record counting as no record). The one reader of the course's own outputs:
    :func:`metrics_from_notebook` and :func:`cvcourse.exercises.core.results_from_notebook`
    are built on it (notebook 07 reads 04's and 05's stored results through the first).
    """
    found: list[tuple[int, object]] = []
    for index, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        for output in cell.get("outputs", []):
            if mimetype not in output.get("data", {}):
                continue
            payload = output["data"][mimetype]
            if isinstance(payload, str):
                try:
                    payload = json.loads(payload)
                except ValueError:
                    continue
            found.append((index, payload))
    return found


def metrics_from_notebook(nb) -> dict:
    """The metrics a notebook reported through :func:`report`, read back from its outputs.

    Takes an executed nbformat notebook (or dict); returns ``{name: value}`` merged over
    every report in order (a later report of the same name wins). Taught in notebook 07,
    which reads 04's and 05's stored results.
    """
    found: dict = {}
    for _, payload in custom_outputs(nb, METRICS_MIMETYPE):
        if isinstance(payload, dict) and isinstance(payload.get("metrics"), dict):
            found.update(payload["metrics"])
    return found
