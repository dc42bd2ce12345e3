"""``cvcourse doctor``: what this machine runs the course with, and what data it has."""

from __future__ import annotations

import importlib.metadata
import os
import platform
import sys

from .. import settings
from ..datasets import files as fetch_mod
from ..datasets.registry import DATASETS


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def _tensorflow_version() -> str:
    for package in ("tensorflow", "tensorflow-cpu"):
        if (found := _version(package)) != "not installed":
            return found
    return "not installed"


def device_summary() -> str:
    """'GPU: <names>' or 'CPU only (N cores)', asking TensorFlow."""
    from ..runtime import quiet_tensorflow_logs

    try:
        quiet_tensorflow_logs()
        import tensorflow as tf
    except ImportError:
        return "unknown (TensorFlow is not installed)"
    gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        return f"GPU: {', '.join(g.name for g in gpus)}"
    return f"CPU only ({os.cpu_count()} cores): expect the run times quoted in the README"


def dataset_status() -> list[tuple[str, str, str]]:
    """(dataset, file, status) for every registry file; status as in ``fetch.status``."""
    rows = []
    for name, ds in DATASETS.items():
        if not ds.files:
            rows.append((name, "(bundled)", "available"))
        for file_name in ds.files:
            rows.append((name, file_name, fetch_mod.status(file_name)))
    return rows


def report() -> str:
    """The doctor's report as text."""
    lines = ["cvcourse doctor", ""]
    keras_backend = os.environ.get("KERAS_BACKEND", "tensorflow")
    info = [
        ("Python", f"{platform.python_version()} ({sys.executable})"),
        ("cvcourse", _version("cvcourse")),
        ("TensorFlow", _tensorflow_version()),
        ("Keras", _version("keras")),
        ("Keras backend", keras_backend),
        ("Device", device_summary()),
    ]
    try:
        info += list(settings.describe().items())
    except settings.SettingsError as err:
        info.append(("settings", f"ERROR: {err}"))
    width = max(len(k) for k, _ in info)
    lines += [f"  {k:<{width}}  {v}" for k, v in info]
    lines += ["", "Data:"]
    rows = dataset_status()
    w1 = max(len(r[0]) for r in rows)
    w2 = max(len(r[1]) for r in rows)
    lines += [f"  {d:<{w1}}  {f:<{w2}}  {s}" for d, f, s in rows]
    if keras_backend != "tensorflow":
        lines += [
            "",
            "Warning: the course is written for the TensorFlow backend; unset KERAS_BACKEND.",
        ]
    if _version("keras").split(".")[0] != "3":
        lines += ["", "Warning: the course needs Keras 3: pip install -U 'keras>=3.3'"]
    return "\n".join(lines)
