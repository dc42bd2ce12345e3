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
    notebook (00 to 09).
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
    of every notebook (00 to 09).
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

    Printed by every training notebook (02 to 09).
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


def _cpu_flags() -> set[str]:
    """The CPU feature flags Linux reports in /proc/cpuinfo (an empty set elsewhere)."""
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def _bfloat16_works() -> None:
    """Run one small bfloat16 convolution and its gradient; raises if the build cannot."""
    import tensorflow as tf

    x = tf.ones((2, 8, 8, 3), tf.bfloat16)
    kernel = tf.Variable(tf.ones((3, 3, 3, 4), tf.bfloat16))
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(tf.nn.conv2d(x, kernel, 1, "SAME"))
    tape.gradient(loss, kernel).numpy()


def _choose_precision() -> tuple[str, str]:
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        details = tf.config.experimental.get_device_details(gpus[0])
        capability = details.get("compute_capability") or (0, 0)
        if tuple(capability) >= (7, 0):
            return "mixed_float16", f"a GPU with compute capability {capability[0]}.{capability[1]}"
        return "float32", "this GPU predates 16-bit tensor cores (compute capability < 7.0)"
    flags = _cpu_flags()
    if "amx_bf16" not in flags:
        return "float32", "this CPU has no AMX bfloat16 unit (amx_bf16)"
    if os.environ.get("TF_ENABLE_ONEDNN_OPTS", "1").strip() == "0":
        return "float32", "TF_ENABLE_ONEDNN_OPTS=0 turns off the oneDNN kernels that use AMX"
    _bfloat16_works()
    return "mixed_bfloat16", "this CPU multiplies bfloat16 matrices in hardware (AMX)"


def fast_precision(enabled: bool = True) -> tuple[str, str]:
    """Set Keras' global dtype policy to the fastest one that trains as well here; never raises.

    Returns ``(policy, reason)``: the policy name now set (``"mixed_bfloat16"``,
    ``"mixed_float16"`` or ``"float32"``) and a short reason (str). The choice:

    - a GPU of compute capability 7.0 or newer (tensor cores: V100, T4, A100, ...):
      ``"mixed_float16"`` (``model.compile`` then wraps the optimizer in Keras'
      ``LossScaleOptimizer``, which keeps small float16 gradients from vanishing);
      an older GPU: ``"float32"``;
    - a CPU with AMX bfloat16 units (``amx_bf16`` in its flags: Intel Xeon Sapphire Rapids
      and newer) and TensorFlow's oneDNN kernels on: ``"mixed_bfloat16"``, after one small
      bfloat16 convolution has run; any other CPU (bfloat16 would be emulated, slower than
      float32), or any failure while checking: ``"float32"``;
    - ``enabled=False``: ``"float32"`` (to compare against).

    A mixed policy computes each layer in 16 bits while its weights stay float32. It applies
    to layers created *after* the call, so call it before building the model, and give the
    last layer ``dtype="float32"`` (e.g. ``layers.Activation("softmax", dtype="float32")``)
    so that the model's outputs, the loss and the probabilities stay float32. Used in
    notebook 06_modern_convnets.
    """
    import keras

    policy, reason = "float32", "float32 was asked for"
    if enabled:
        try:
            policy, reason = _choose_precision()
        except Exception as error:  # noqa: BLE001 - the fallback must never raise
            policy, reason = "float32", f"bfloat16 could not be checked ({type(error).__name__})"
    try:
        keras.mixed_precision.set_global_policy(policy)
    except Exception as error:  # noqa: BLE001
        keras.mixed_precision.set_global_policy("float32")
        policy, reason = "float32", f"Keras refused {policy} ({type(error).__name__})"
    return policy, reason
