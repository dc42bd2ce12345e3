"""Reading a student's answer: the parsers every exercise module shares.

Each parser takes whatever the student assigned and returns it in one checked form, or
None (or :class:`~cvcourse.exercises.results.Incorrect`) when it is not of that form, so
that a checker can say in words what is wrong. Taught from notebook 00 on (the checks).
"""

from __future__ import annotations

import numbers

import numpy as np

from .results import PLACEHOLDER, Incorrect, NotAttempted


def is_placeholder(value) -> bool:
    """True for the student copy's placeholder ``...``."""
    return value is PLACEHOLDER


def describe(value) -> str:
    """A short description of any value for messages: "an array of shape (3, 3) ...", "None"."""
    if value is None:
        return "None"
    if value is PLACEHOLDER:
        return "the placeholder ..."
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        kind = "a tensor" if hasattr(value, "numpy") else "an array"
        try:
            dtype = np.dtype(value.dtype).name
        except TypeError:
            dtype = str(value.dtype)
        return f"{kind} of shape {tuple(value.shape)} and dtype {dtype}"
    if isinstance(value, (list, tuple, dict, set)):
        n = len(value)
        return f"a {type(value).__name__} of {n} item{'s' if n != 1 else ''}"
    if isinstance(value, str):
        return f"the text {value[:40]!r}"
    if callable(value):
        return f"the function {getattr(value, '__name__', type(value).__name__)}"
    return f"a {type(value).__name__} ({value!r})"[:80]


def as_array(value, what: str = "your answer", *, allow_placeholder: bool = False) -> np.ndarray:
    """``value`` (array, tensor, nested list) as a NumPy array of numbers (bool, int or float).

    Raises NotAttempted for ``...`` (unless ``allow_placeholder``) and
    :class:`Incorrect`, naming ``what``, for None, text, ragged lists and the like.
    """
    if value is PLACEHOLDER and not allow_placeholder:
        raise NotAttempted()
    if value is None:
        raise Incorrect(f"{what} is None: did the code that computes it forget to return it?")
    if hasattr(value, "numpy") and callable(value.numpy):
        try:
            value = value.numpy()
        except Exception as err:  # noqa: BLE001
            raise Incorrect(f"{what} could not be read as numbers ({err}).") from None
    if isinstance(value, (str, bytes, dict, set)) or callable(value):
        raise Incorrect(f"{what} should be an array of numbers, but it is {describe(value)}.")
    try:
        arr = np.asarray(value)
    except Exception as err:  # noqa: BLE001 - ragged lists and the like
        raise Incorrect(f"{what} could not be turned into an array of numbers ({err}).") from None
    if arr.dtype.kind not in "biuf":
        raise Incorrect(f"{what} should hold numbers, but it is {describe(value)}.")
    return arr


def as_number(value) -> float | None:
    """A real number (int, float, NumPy scalar or 0-d array; not bool) as a float, else None."""
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf":
        return float(value)
    if isinstance(value, (numbers.Real, np.integer, np.floating)):
        return float(value)
    return None


def as_whole_number(value, *, text_ok: bool = False) -> int | None:
    """A whole number (``1000``, ``1000.0``, ``np.int64(1000)``; ``"1000"`` with ``text_ok``).

    Returns the int, or None for anything else (bool, 2.5, "ten", a list).
    """
    if text_ok and isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    number = as_number(value)
    if number is None or not np.isfinite(number) or not number.is_integer():
        return None
    return int(number)


def as_shape(answer, length: int = 3) -> tuple[int, ...] | None:
    """A shape of ``length`` whole numbers from a tuple, a list or a TensorShape, else None.

    A leading batch axis (``None`` or 1, as ``layer.output.shape`` has it) is dropped, so
    ``(None, 4, 4, 64)`` reads as ``(4, 4, 64)``. Used by notebooks 01 and 02's checks.
    """
    if hasattr(answer, "as_list"):  # a TensorShape
        answer = answer.as_list()
    if not isinstance(answer, (tuple, list)):
        return None
    items = list(answer)
    if len(items) == length + 1 and (items[0] is None or as_whole_number(items[0]) == 1):
        items = items[1:]
    if len(items) != length:
        return None
    values = [as_whole_number(v) for v in items]
    return None if None in values else tuple(values)


def as_pair(value, *, text_ok: bool = False) -> tuple[int, int] | None:
    """Two whole numbers, e.g. ``(true class, predicted class)``, from a tuple, list or array.

    ``text_ok`` also takes numbers written as text (``("1000", "10")``). None otherwise.
    """
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        return None
    pair = tuple(as_whole_number(v, text_ok=text_ok) for v in value)
    return None if None in pair else pair


def layers_of(model, *, nested: bool = False) -> list:
    """The layers of a Keras model (or a list of layers), without its InputLayer.

    With ``nested``, a layer that holds layers itself (a Sequential inside a Sequential)
    is replaced by its own layers, recursively. Used by notebook 05's pipeline check.
    """
    import keras

    found = list(model) if isinstance(model, (list, tuple)) else list(getattr(model, "layers", []))
    flat = []
    for layer in found:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        inner = getattr(layer, "layers", None) if nested else None
        flat.extend(layers_of(inner, nested=True) if inner else [layer])
    return flat
