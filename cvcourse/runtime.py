"""The first cell's checks: import TensorFlow quietly, check versions, say what runs it.

A notebook's Setup cell calls, before ``import tensorflow``::

    from cvcourse import runtime
    runtime.quiet_tensorflow_logs()
    import keras
    import tensorflow as tf
    runtime.check_versions()
    print(runtime.device_message())

TensorFlow prints a few lines of C++ start-up logging to the process's standard error
when it is first imported (oneDNN, CUDA probing); Jupyter would copy them into the
notebook. ``quiet_tensorflow_logs`` does the first import with that stream silenced.
Python errors are unaffected: a failed import still raises.
"""

from __future__ import annotations

import contextlib
import os
import sys

MIN_TENSORFLOW = (2, 16)
MIN_KERAS = (3, 3)


@contextlib.contextmanager
def _stderr_silenced():
    """Point file descriptor 2 at the null device for the duration (C-level output too)."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError, AttributeError):  # no real fd 2 (some embedded consoles)
        yield
        return
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def quiet_tensorflow_logs() -> None:
    """Import TensorFlow (if not yet imported) without its C++ start-up log lines.

    Also sets ``TF_CPP_MIN_LOG_LEVEL=2`` so later C++ info and warning lines stay quiet;
    errors still show. The GPU probe runs here too, since on a machine without CUDA it logs
    an "error" that only means "no GPU". Returns None. Called in the Setup cell of every
    notebook (00 to 08).
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if "tensorflow" in sys.modules:
        return
    with _stderr_silenced():
        import tensorflow

        tensorflow.config.list_physical_devices("GPU")  # the CUDA probe logs an error on CPUs


def _version_tuple(version: str) -> tuple[int, ...]:
    parts = []
    for piece in version.split(".")[:2]:
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits or 0))
    return tuple(parts)


def check_versions() -> dict[str, str]:
    """Check for Keras 3 on the TensorFlow backend; return the versions found.

    Raises RuntimeError with the command that fixes it when Keras is 2.x, TensorFlow is
    older than 2.16, or another Keras backend is selected. Returns a dict with the keys
    ``tensorflow``, ``keras`` (version strings) and ``backend``. Called in the Setup cell
    of every notebook (00 to 08).
    """
    import keras
    import tensorflow as tf

    problems = []
    if _version_tuple(keras.__version__) < MIN_KERAS:
        problems.append(
            f"Keras {keras.__version__} is too old: the course uses Keras 3. "
            "Run: pip install -U 'keras>=3.3'"
        )
    if _version_tuple(tf.__version__) < MIN_TENSORFLOW:
        problems.append(
            f"TensorFlow {tf.__version__} is too old: the course needs 2.16 or newer. "
            "Run: pip install -U 'tensorflow>=2.16'"
        )
    backend = keras.backend.backend()
    if backend != "tensorflow":
        problems.append(
            f"Keras runs on the {backend!r} backend; the course needs 'tensorflow'. "
            "Unset KERAS_BACKEND (or set it to tensorflow) and restart the kernel."
        )
    if problems:
        raise RuntimeError("\n".join(problems))
    return {"tensorflow": tf.__version__, "keras": keras.__version__, "backend": backend}


def device_message() -> str:
    """One line (str): which device trains, and what that means for run time.

    Printed by every training notebook (02 to 08).
    """
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        return (
            f"Training on GPU ({len(gpus)} found): the training cells print their times, "
            "several times shorter than on a CPU."
        )
    return (
        f"Training on the CPU ({os.cpu_count()} cores): the training cells print their times; "
        "a GPU (Colab: Runtime > Change runtime type) makes them several times shorter."
    )
