"""Answers as data for ``cvcourse grade``: written by a check in the student's kernel, read by the judge.

While ``cvcourse grade`` runs a submission, ``CVCOURSE_GRADE_EXPORT`` names a folder and
:meth:`Question.check` does not judge: :func:`export_check` writes the answers it was given
(its arguments; nothing the notebook displays) to ``FOLDER/<notebook>/<question>/``, the
last check of a question replacing the earlier one. The formats carry no code into the
judge: ``answer.json`` holds the structure (numbers, strings, booleans, ``...``, lists,
tuples, sets, dicts) and names a file for each NumPy array (``.npy``, read with
``allow_pickle=False``), Keras model or layer (``.keras``, loaded with ``safe_mode=True``)
and Python function (its pickle by value, ``cloudpickle``, which only a sandboxed child of
the judge ever unpickles). Anything else, or a file over :data:`SIZE_LIMIT`, is recorded as
an answer that could not be exported. :func:`read_answer` is the judge's side. Used by
every notebook's checks under ``cvcourse grade``.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np

from .results import Note

EXPORT_VARIABLE = "CVCOURSE_GRADE_EXPORT"
SIZE_LIMIT = int(os.environ.get("CVCOURSE_EXPORT_LIMIT_MB", "256")) * 2**20  # bytes per answer
MAX_DEPTH = 20
MAX_ITEMS = 100_000


class Unexportable(ValueError):
    """An answer that cannot be written as data (its type, its size)."""


class Unreadable:
    """What the judge gets for an answer that could not be exported or read back."""

    def __init__(self, reason: str):
        self.reason = reason

    def __repr__(self) -> str:
        return f"an answer that could not be recorded for grading ({self.reason})"


class _Writer:
    def __init__(self, folder: Path):
        self.folder, self.count, self.size = folder, 0, 0

    def _file(self, suffix: str) -> Path:
        self.count += 1
        return self.folder / f"part{self.count}{suffix}"

    def _grew(self, path: Path) -> None:
        self.size += path.stat().st_size
        if self.size > SIZE_LIMIT:
            raise Unexportable(f"it takes more than {SIZE_LIMIT // 2**20} MiB")

    def encode(self, obj, depth: int = 0):
        if depth > MAX_DEPTH:
            raise Unexportable(f"it is nested more than {MAX_DEPTH} levels deep")
        if obj is None or obj is Ellipsis:
            return {"k": "none" if obj is None else "ellipsis"}
        if isinstance(obj, (bool, str)):
            return {"k": type(obj).__name__, "v": obj}
        if isinstance(obj, int) and not isinstance(obj, np.generic):
            return {"k": "int", "v": str(obj)}
        if isinstance(obj, float) and not isinstance(obj, np.generic):
            return {"k": "float", "v": obj if math.isfinite(obj) else repr(obj)}
        if isinstance(obj, (list, tuple, set, frozenset)):
            if len(obj) > MAX_ITEMS:
                raise Unexportable(f"it holds more than {MAX_ITEMS} items")
            kind = "set" if isinstance(obj, (set, frozenset)) else type(obj).__name__
            kind = kind if kind in ("list", "tuple", "set") else "list"
            return {"k": kind, "v": [self.encode(x, depth + 1) for x in obj]}
        if isinstance(obj, dict):
            if len(obj) > MAX_ITEMS:
                raise Unexportable(f"it holds more than {MAX_ITEMS} items")
            items = [[self.encode(k, depth + 1), self.encode(v, depth + 1)] for k, v in obj.items()]
            return {"k": "dict", "v": items}
        return self._encode_object(obj)

    def _encode_object(self, obj):
        if isinstance(obj, np.dtype):
            return {"k": "dtype", "v": obj.str if obj.names is None else "V"}
        if isinstance(obj, type) and issubclass(obj, (np.generic, int, float, bool, str, complex)):
            return {"k": "dtype", "v": np.dtype(obj).str, "type": obj.__name__}
        if type(obj).__name__ == "DType" and hasattr(obj, "as_numpy_dtype"):  # tf.float32
            return {"k": "tfdtype", "v": str(obj.name)}
        keras = _keras_if_loaded()
        if keras is not None and isinstance(obj, keras.layers.Layer):
            path = self._file(".keras")
            try:
                obj.save(path) if hasattr(obj, "save") else keras.saving.save_model(obj, path)
            except Exception as err:  # noqa: BLE001 - a subclassed model without get_config...
                raise Unexportable(
                    f"Keras could not save it: {type(err).__name__}: {err}"
                ) from None
            self._grew(path)
            return {"k": "keras", "file": path.name}
        if isinstance(obj, (np.ndarray, np.generic)) or hasattr(obj, "numpy"):
            try:
                arr = np.asarray(obj.numpy() if hasattr(obj, "numpy") else obj)
            except Exception as err:  # noqa: BLE001
                raise Unexportable(f"it is not an array ({type(err).__name__})") from None
            if arr.dtype.hasobject or arr.dtype.kind not in "biufcUS":
                raise Unexportable(f"an array of {arr.dtype} cannot be exported")
            if arr.nbytes > SIZE_LIMIT:
                raise Unexportable(f"it takes more than {SIZE_LIMIT // 2**20} MiB")
            path = self._file(".npy")
            np.save(path, arr, allow_pickle=False)
            self._grew(path)
            return {"k": "scalar" if isinstance(obj, np.generic) else "array", "file": path.name}
        if callable(obj):
            import cloudpickle

            path = self._file(".pkl")
            try:
                path.write_bytes(cloudpickle.dumps(obj))
            except Exception as err:  # noqa: BLE001 - an unpicklable closure
                raise Unexportable(f"the function could not be saved: {err}") from None
            self._grew(path)
            return {"k": "function", "file": path.name, "name": getattr(obj, "__name__", "")}
        raise Unexportable(f"a {type(obj).__name__} is not one of the forms an answer takes")


def _keras_if_loaded():
    import sys

    return sys.modules.get("keras")


def export_check(question, args: tuple, kwargs: dict) -> Note:
    """Write one check's answers under ``$CVCOURSE_GRADE_EXPORT`` and say so (a Note).

    Never raises: an answer that cannot be written is recorded as unreadable.
    """
    root = Path(os.environ[EXPORT_VARIABLE])
    target = root / str(question.notebook) / str(question.name)
    heading = f"{question.name}: answer recorded for grading"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=".staging-"))
        writer = _Writer(staging)
        record = {"notebook": question.notebook, "question": question.name}
        try:
            record["args"] = [writer.encode(a) for a in args]
            record["kwargs"] = {str(k): writer.encode(v) for k, v in kwargs.items()}
        except Unexportable as err:
            for item in staging.iterdir():
                item.unlink() if item.is_file() else shutil.rmtree(item)
            record["unexportable"] = str(err)
        (staging / "answer.json").write_text(json.dumps(record), encoding="utf-8")
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    except Exception as err:  # noqa: BLE001 - a check never raises into the notebook
        return Note(heading, f"the answer could not be recorded ({type(err).__name__}: {err}).")
    note = record.get("unexportable")
    return Note(
        heading, f"it could not be exported: {note}" if note else "cvcourse grade judges it."
    )


# ------------------------------------------------------------------- the judge's side


def read_answer(folder: Path, make_function):
    """``(args, kwargs)`` of one exported check, read without running any of its code.

    ``make_function(path, name)`` turns a function's pickle into a callable (the judge's
    sandboxed caller). Raises ValueError for a damaged export; an answer that could not be
    exported comes back as one :class:`Unreadable` argument.
    """
    folder = Path(folder)
    record = json.loads((folder / "answer.json").read_text(encoding="utf-8"))
    if not isinstance(record, dict):
        raise ValueError("answer.json is not a record")
    if "unexportable" in record:
        return (Unreadable(str(record["unexportable"])),), {}
    reader = _Reader(folder, make_function)
    args = tuple(reader.decode(a) for a in record.get("args", []))
    kwargs = {str(k): reader.decode(v) for k, v in dict(record.get("kwargs", {})).items()}
    return args, kwargs


class _Reader:
    def __init__(self, folder: Path, make_function):
        self.folder, self.make_function = folder, make_function

    def _path(self, node) -> Path:
        name = str(node["file"])
        if "/" in name or "\\" in name or name.startswith("."):
            raise ValueError(f"bad file name {name!r}")
        path = self.folder / name
        if path.is_symlink() or not path.is_file() or path.stat().st_size > SIZE_LIMIT:
            raise ValueError(f"{name} is missing, a link, or too large")
        return path

    def decode(self, node, depth: int = 0):
        if depth > MAX_DEPTH + 1 or not isinstance(node, dict):
            raise ValueError("a damaged answer record")
        kind, value = node.get("k"), node.get("v")
        simple = {"none": None, "ellipsis": ...}
        if kind in simple:
            return simple[kind]
        if kind in ("bool", "str"):
            if type(value).__name__ != kind:
                raise ValueError("a damaged answer record")
            return value
        if kind == "int":
            return int(str(value)[:5000])
        if kind == "float":
            return float(value)
        if kind in ("list", "tuple", "set"):
            items = [self.decode(x, depth + 1) for x in list(value)[:MAX_ITEMS]]
            return {"list": list, "tuple": tuple, "set": set}[kind](items)
        if kind == "dict":
            return {self.decode(k, depth + 1): self.decode(v, depth + 1) for k, v in value}
        if kind in ("array", "scalar"):
            arr = np.load(self._path(node), allow_pickle=False)
            return arr[()] if kind == "scalar" else arr
        if kind == "dtype":
            dtype = np.dtype(str(value))
            builtin = {"int": int, "float": float, "bool": bool, "str": str, "complex": complex}
            given = str(node.get("type", ""))
            if given in builtin:
                return builtin[given]
            return dtype.type if given else dtype
        if kind == "tfdtype":
            import tensorflow as tf

            return tf.as_dtype(str(value))
        if kind == "keras":
            import keras

            try:
                return keras.saving.load_model(self._path(node), safe_mode=True, compile=False)
            except Exception as err:  # noqa: BLE001 - custom code, a Lambda layer, damage
                return Unreadable(f"Keras could not load the saved model safely: {err}")
        if kind == "function":
            return self.make_function(self._path(node), str(node.get("name", "")))
        raise ValueError(f"unknown kind of answer {kind!r}")
