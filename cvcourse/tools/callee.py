"""Calling a student's function for the judge: in a sandboxed child process, under a time limit.

The judge (:mod:`cvcourse.tools.judge`) never unpickles a student's function. For each
exported function it starts ``python -I -m cvcourse.tools.callee FUNCTION.pkl`` through
:mod:`cvcourse.tools.sandbox`; the child unpickles the function (``cloudpickle``), then
answers calls: the judge sends the checker's own arguments (a pickle, from the judge to
the child), the child sends back only data (:func:`to_data`: JSON with arrays as ``.npy``
bytes, never a pickle) or the name and message of what was raised. :class:`Remote` is the
judge's stand-in for the function: calling it calls the child; a call that takes longer
than its limit kills the child (a new one starts for the next call) and raises
:class:`~cvcourse.exercises.limits.TimeLimitExceeded`, which ``call_student`` reports.
"""

from __future__ import annotations

import base64
import builtins
import io
import json
import math
import os
import pickle
import select
import shutil
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

START_LIMIT = 120.0  # seconds for the child to start and unpickle the function
RESULT_LIMIT = 256 * 2**20  # bytes of one answer


# ---------------------------------------------------------------- data, both ways


def to_data(obj, depth: int = 0):
    """``obj`` as JSON-able data (what a student's function returned)."""
    if depth > 20:
        return {"k": "other", "type": "deeply nested value"}
    if obj is None or obj is Ellipsis:
        return {"k": "none" if obj is None else "ellipsis"}
    if isinstance(obj, (bool, str)):
        return {"k": type(obj).__name__, "v": obj}
    if isinstance(obj, int) and not isinstance(obj, np.generic):
        return {"k": "int", "v": str(obj)}
    if isinstance(obj, float) and not isinstance(obj, np.generic):
        return {"k": "float", "v": obj if math.isfinite(obj) else repr(obj)}
    if isinstance(obj, (list, tuple, set, frozenset)):
        kind = {"list": "list", "tuple": "tuple"}.get(type(obj).__name__, "set")
        if isinstance(obj, (list, tuple)) and not isinstance(obj, (set, frozenset)):
            kind = "tuple" if isinstance(obj, tuple) else "list"
        return {"k": kind, "v": [to_data(x, depth + 1) for x in list(obj)[:100_000]]}
    if isinstance(obj, dict):
        return {
            "k": "dict",
            "v": [[to_data(k, depth + 1), to_data(v, depth + 1)] for k, v in obj.items()],
        }
    if isinstance(obj, (np.ndarray, np.generic)) or hasattr(obj, "numpy"):
        try:
            arr = np.asarray(obj.numpy() if hasattr(obj, "numpy") else obj)
            if not arr.dtype.hasobject:
                buffer = io.BytesIO()
                np.save(buffer, arr, allow_pickle=False)
                kind = "scalar" if isinstance(obj, np.generic) else "array"
                return {"k": kind, "v": base64.b64encode(buffer.getvalue()).decode()}
        except Exception:  # noqa: BLE001 - falls through to "other"
            pass
    return {"k": "other", "type": type(obj).__name__}


class Opaque:
    """A returned value that is not data (a model, a file...): judged as what it is not."""

    def __init__(self, type_name: str):
        self.type_name = type_name

    def __repr__(self) -> str:
        return f"<a {self.type_name}>"


def from_data(node, depth: int = 0):
    """The inverse of :func:`to_data`; no code is run. ValueError for damaged data."""
    if depth > 22 or not isinstance(node, dict):
        raise ValueError("damaged data")
    kind, value = node.get("k"), node.get("v")
    if kind in ("none", "ellipsis"):
        return None if kind == "none" else ...
    if kind in ("bool", "str") and type(value).__name__ == kind:
        return value
    if kind == "int":
        return int(str(value)[:5000])
    if kind == "float":
        return float(value)
    if kind in ("list", "tuple", "set"):
        return {"list": list, "tuple": tuple, "set": set}[kind](
            from_data(x, depth + 1) for x in value
        )
    if kind == "dict":
        return {from_data(k, depth + 1): from_data(v, depth + 1) for k, v in value}
    if kind in ("array", "scalar"):
        arr = np.load(io.BytesIO(base64.b64decode(value)), allow_pickle=False)
        return arr[()] if kind == "scalar" else arr
    if kind == "other":
        return Opaque(str(node.get("type", "value"))[:60])
    raise ValueError("damaged data")


def _send(stream, payload: bytes) -> None:
    stream.write(struct.pack(">Q", len(payload)) + payload)
    stream.flush()


def _receive(fd: int, deadline: float | None) -> bytes:
    def read(n: int) -> bytes:
        chunks, left = [], n
        while left:
            wait = None if deadline is None else max(0.0, deadline - time.monotonic())
            ready, _, _ = select.select([fd], [], [], wait)
            if not ready:
                raise TimeoutError
            chunk = os.read(fd, min(left, 2**20))
            if not chunk:
                raise EOFError
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)

    (size,) = struct.unpack(">Q", read(8))
    if size > RESULT_LIMIT:
        raise ValueError("the answer is too large")
    return read(size)


# ------------------------------------------------------------- the judge's side


def _exception(name: str, message: str) -> Exception:
    cls = getattr(builtins, name, None)
    if not (isinstance(cls, type) and issubclass(cls, Exception)):
        cls = type(name if name.isidentifier() else "Error", (Exception,), {})
    try:
        return cls(message)
    except Exception:  # noqa: BLE001 - an exception class with another signature
        return type(name, (Exception,), {})(message)


class Remote:
    """The judge's stand-in for a student's function, whose pickle is at ``path``."""

    def __init__(self, path: Path, name: str, *, limit: float | None = None, hide=()):
        self.path, self.__name__, self.limit, self.hide = (
            Path(path),
            name or "function",
            limit,
            hide,
        )
        self.proc: subprocess.Popen | None = None
        self.folder = Path(tempfile.mkdtemp(prefix="cvcourse-call-"))
        (self.folder / "function.pkl").write_bytes(self.path.read_bytes())
        self.load_error: Exception | None = None
        try:  # started now, so that starting never counts against a call's time limit
            self._start()
        except Exception as err:  # noqa: BLE001 - reported when the function is called
            self.stop()
            self.load_error = err

    def _start(self) -> None:
        from . import sandbox

        argv = [sys.executable, "-I", "-m", "cvcourse.tools.callee", self.folder / "function.pkl"]
        kwargs = sandbox.popen_args(argv, self.folder, hide=self.hide)
        self.proc = subprocess.Popen(
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, **kwargs
        )
        ready = json.loads(_receive(self.proc.stdout.fileno(), time.monotonic() + START_LIMIT))
        if "load_error" in ready:
            raise _exception(
                "RuntimeError", f"the function could not be loaded: {ready['load_error']}"
            )

    def stop(self) -> None:
        """End the child (and remove its folder once no call can need it)."""
        from . import sandbox

        if self.proc is not None:
            sandbox.kill_group(self.proc)
            self.proc = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def __call__(self, *args, **kwargs):
        from ..exercises import question
        from ..exercises.limits import TimeLimitExceeded, capped

        limit = capped(self.limit or question.STUDENT_TIME_LIMIT)
        if self.load_error is not None:
            raise self.load_error
        done = False
        try:
            if self.proc is None:
                self._start()
            _send(self.proc.stdin, pickle.dumps((args, kwargs)))
            try:
                reply = json.loads(_receive(self.proc.stdout.fileno(), time.monotonic() + limit))
            except TimeoutError:
                raise TimeLimitExceeded(f"stopped after {limit:g} s") from None
            except EOFError:
                raise _exception("SystemExit", "the function ended its process") from None
            done = True
        except (BrokenPipeError, EOFError, TimeoutError, json.JSONDecodeError, ValueError) as err:
            raise _exception(
                "RuntimeError", f"the function's process failed ({type(err).__name__})"
            ) from None
        finally:
            if not done:
                self.stop()
        if "raised" in reply:
            name, message = (str(x)[:500] for x in reply["raised"][:2])
            raise _exception(name, message)
        return from_data(reply["value"])

    def __del__(self):
        self.close()


# ------------------------------------------------------------- the child's side


def main(argv: list[str]) -> int:
    """The child: unpickle the function at ``argv[0]``, then answer calls until stdin closes."""
    out = os.fdopen(os.dup(1), "wb")
    inp = os.dup(0)
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(2, 1)  # what the student's function prints is not the protocol
    try:
        import cloudpickle

        fn = cloudpickle.loads(Path(argv[0]).read_bytes())
        _send(out, json.dumps({"ready": True}).encode())
    except BaseException as err:  # noqa: BLE001 - whatever unpickling does
        _send(out, json.dumps({"load_error": f"{type(err).__name__}: {err}"[:500]}).encode())
        return 1
    while True:
        try:
            args, kwargs = pickle.loads(_receive(inp, None))
        except EOFError:
            return 0
        try:
            reply = {"value": to_data(fn(*args, **kwargs))}
        except BaseException as err:  # noqa: BLE001 - SystemExit, KeyboardInterrupt included
            reply = {"raised": [type(err).__name__, str(err)[:500]]}
        try:
            _send(out, json.dumps(reply).encode())
        except (TypeError, ValueError):
            _send(out, json.dumps({"value": {"k": "other", "type": "value"}}).encode())


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
