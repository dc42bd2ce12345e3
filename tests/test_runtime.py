"""runtime.fast_precision: the dtype policy it sets, its reasons, and its fallbacks."""

import keras
import pytest

from cvcourse import runtime

POLICIES = {"float32", "mixed_bfloat16", "mixed_float16"}


@pytest.fixture(autouse=True)
def _restore_policy():
    yield
    keras.mixed_precision.set_global_policy("float32")


def test_sets_the_policy_it_returns():
    policy, reason = runtime.fast_precision()
    assert policy in POLICIES
    assert isinstance(reason, str) and reason
    assert keras.mixed_precision.global_policy().name == policy


def test_bfloat16_on_a_cpu_with_amx():
    import tensorflow as tf

    if tf.config.list_physical_devices("GPU") or "amx_bf16" not in runtime._cpu_flags():
        pytest.skip("needs a CPU with AMX bfloat16 units and no GPU")
    assert runtime.fast_precision() == (
        "mixed_bfloat16",
        "this CPU multiplies bfloat16 matrices in hardware (AMX)",
    )
    dense = keras.layers.Dense(3)
    head = keras.layers.Activation("softmax", dtype="float32")
    outputs = head(dense(keras.ops.ones((2, 4))))
    assert dense.compute_dtype == "bfloat16" and dense.variable_dtype == "float32"
    assert outputs.dtype == "float32"


def test_disabled_gives_float32():
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    assert runtime.fast_precision(enabled=False) == ("float32", "float32 was asked for")
    assert keras.mixed_precision.global_policy().name == "float32"


def test_cpu_without_amx_falls_back(monkeypatch):
    import tensorflow as tf

    if tf.config.list_physical_devices("GPU"):
        pytest.skip("the CPU rule applies only without a GPU")
    monkeypatch.setattr(runtime, "_cpu_flags", lambda: {"avx2", "fma"})
    policy, reason = runtime.fast_precision()
    assert policy == "float32" and "AMX" in reason


def test_onednn_off_falls_back(monkeypatch):
    import tensorflow as tf

    if tf.config.list_physical_devices("GPU"):
        pytest.skip("the CPU rule applies only without a GPU")
    monkeypatch.setattr(runtime, "_cpu_flags", lambda: {"amx_bf16", "avx512_bf16"})
    monkeypatch.setenv("TF_ENABLE_ONEDNN_OPTS", "0")
    assert runtime.fast_precision()[0] == "float32"


def test_a_failing_check_never_raises(monkeypatch):
    def broken():
        raise RuntimeError("no bfloat16 kernels in this build")

    monkeypatch.setattr(runtime, "_choose_precision", broken)
    policy, reason = runtime.fast_precision()
    assert policy == "float32" and "RuntimeError" in reason
    assert keras.mixed_precision.global_policy().name == "float32"


def test_a_failing_bfloat16_probe_falls_back(monkeypatch):
    import tensorflow as tf

    if tf.config.list_physical_devices("GPU"):
        pytest.skip("the CPU rule applies only without a GPU")
    monkeypatch.setattr(runtime, "_cpu_flags", lambda: {"amx_bf16"})
    monkeypatch.delenv("TF_ENABLE_ONEDNN_OPTS", raising=False)

    def broken():
        raise tf.errors.UnimplementedError(None, None, "no bfloat16 Conv2D")

    monkeypatch.setattr(runtime, "_bfloat16_works", broken)
    assert runtime.fast_precision()[0] == "float32"
