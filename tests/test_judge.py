"""Exported answers and the judge: data in, verdicts out, student code only in a sandboxed child."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest

from cvcourse.exercises import core, ex00, exports
from cvcourse.exercises.limits import TimeLimitExceeded, limits_capped
from cvcourse.tools import judge
from cvcourse.tools.callee import Opaque, Remote


def export(tmp_path, monkeypatch, question, *args, **kwargs):
    monkeypatch.setenv(exports.EXPORT_VARIABLE, str(tmp_path / "exports"))
    note = exports.export_check(question, args, kwargs)
    assert "recorded" in note.heading
    return tmp_path / "exports" / question.notebook / question.name


def no_functions(path, name):
    raise AssertionError("no function expected")


def test_data_round_trips_without_pickles(tmp_path, monkeypatch):
    answer = [
        1,
        2.5,
        float("nan"),
        "text",
        True,
        None,
        ...,
        (28, 28, 1),
        {"a": np.arange(6).reshape(2, 3)},
        {1, 2},
        np.float32(0.5),
        np.dtype("float32"),
        np.uint8,
        10**30,
    ]
    folder = export(tmp_path, monkeypatch, ex00.q3, answer, key=np.zeros((2, 2), np.uint8))
    assert not list(folder.glob("*.pkl"))
    (got,), kwargs = exports.read_answer(folder, no_functions)
    assert got[:3] == [1, 2.5, got[2]] and np.isnan(got[2])
    assert got[3:8] == ["text", True, None, ..., (28, 28, 1)]
    assert np.array_equal(got[8]["a"], np.arange(6).reshape(2, 3)) and got[9] == {1, 2}
    assert got[10] == np.float32(0.5) and isinstance(got[10], np.float32)
    assert got[11] == np.dtype("float32") and got[12] is np.uint8 and got[13] == 10**30
    assert kwargs["key"].dtype == np.uint8


def test_object_arrays_other_objects_and_big_answers_are_not_exported(tmp_path, monkeypatch):
    folder = export(tmp_path, monkeypatch, ex00.q1, np.array([object()]))
    (got,), _ = exports.read_answer(folder, no_functions)
    assert isinstance(got, exports.Unreadable) and "object" in got.reason
    monkeypatch.setattr(exports, "SIZE_LIMIT", 1000)
    folder = export(tmp_path, monkeypatch, ex00.q1, np.zeros(10_000))
    (got,), _ = exports.read_answer(folder, no_functions)
    assert isinstance(got, exports.Unreadable) and "MiB" in got.reason


def test_the_last_check_of_a_question_replaces_the_earlier_one(tmp_path, monkeypatch):
    export(tmp_path, monkeypatch, ex00.q1, np.zeros((2, 2)))
    folder = export(tmp_path, monkeypatch, ex00.q1, "second")
    assert exports.read_answer(folder, no_functions) == (("second",), {})


def test_a_keras_model_is_loaded_in_safe_mode(tmp_path, monkeypatch):
    import keras

    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    folder = export(tmp_path, monkeypatch, ex00.q1, model)
    (got,), _ = exports.read_answer(folder, no_functions)
    x = np.ones((1, 4), np.float32)
    assert np.allclose(got.predict(x, verbose=0), model.predict(x, verbose=0))
    lam = keras.Sequential([keras.Input((4,)), keras.layers.Lambda(lambda t: t * 2)])
    folder = export(tmp_path, monkeypatch, ex00.q1, lam)
    (got,), _ = exports.read_answer(folder, no_functions)
    assert isinstance(got, exports.Unreadable)  # a Lambda layer is code: refused


STUDENT_CODE = """
import os
import numpy as np

class Bomb:  # unpickling it runs a command, which creates the marker file
    def __reduce__(self):
        return (os.system, ("touch " + MARKER,))

bomb = Bomb()

def to_gray_dot(rgb):
    assert bomb is not None
    return rgb @ np.array([0.2989, 0.5870, 0.1140])
"""


def student_namespace(**names) -> dict:
    """Run code as a notebook's kernel does, in __main__ (so cloudpickle saves it by value)."""
    namespace = {"__name__": "__main__", **names}
    exec(compile(STUDENT_CODE, "<student>", "exec"), namespace)
    return namespace


def test_a_function_runs_only_in_the_sandboxed_child(tmp_path, monkeypatch):
    from cvcourse.tools import sandbox

    marker = tmp_path / "unpickled-here"
    to_gray_dot = student_namespace(MARKER=str(marker))["to_gray_dot"]
    folder = export(tmp_path, monkeypatch, ex00.q2, to_gray_dot)
    assert not marker.exists()
    record = judge.judge_one(ex00.q2, folder)
    assert record["status"] == "correct", record
    if sandbox.bwrap_status()[0]:
        assert not marker.exists(), "unpickled outside the sandbox"


def test_remote_calls_time_out_raise_and_return_data(tmp_path):
    import cloudpickle

    def slow(x):
        time.sleep(60)

    def leaves(x):
        raise SystemExit(1)

    def gives(x):
        print("noise on stdout")
        return {"arr": np.arange(3) * x, "obj": object(), "t": (x, "s")}

    for fn in (slow, leaves, gives):
        (tmp_path / f"{fn.__name__}.pkl").write_bytes(cloudpickle.dumps(fn))
    with limits_capped(2):
        start = time.monotonic()
        with pytest.raises(TimeLimitExceeded):
            Remote(tmp_path / "slow.pkl", "slow")(1)
        assert time.monotonic() - start < 30
    with pytest.raises(Exception) as info:
        Remote(tmp_path / "leaves.pkl", "leaves")(1)
    assert type(info.value).__name__ == "SystemExit" and isinstance(info.value, Exception)
    got = Remote(tmp_path / "gives.pkl", "gives")(2)
    assert np.array_equal(got["arr"], [0, 2, 4]) and isinstance(got["obj"], Opaque)
    assert got["t"] == (2, "s")


def test_the_judge_reads_only_the_identified_notebooks_exports(tmp_path, monkeypatch):
    from cvcourse.exercises import ex01

    export(tmp_path, monkeypatch, ex01.q1, "an answer to 01")
    results = tmp_path / "results.jsonl"
    assert judge.main([str(tmp_path / "exports"), "00", str(results)]) == 0
    found = judge.read_results(results)
    assert list(found) == ["q1", "q2", "q3"]
    assert {r["status"] for r in found.values()} == {judge.ABSENT}
    (tmp_path / "damaged").mkdir()
    (tmp_path / "damaged" / "answer.json").write_text(json.dumps({"args": [{"k": "?"}]}))
    record = judge.judge_one(ex00.q1, tmp_path / "damaged")
    assert (
        record["status"] == core.Status.INCORRECT.value and "could not be read" in record["message"]
    )


def test_results_shown_by_a_notebook_ignore_other_notebooks_records():
    import nbformat

    from cvcourse.exercises import questions

    other = core.Result("01", "q1", core.Status.CORRECT, "")._repr_mimebundle_()
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("ex.q1.check(x)")]
    nb.cells[0].outputs = [nbformat.v4.new_output("display_data", data=other, metadata={})]
    found = core.results_from_notebook(nb, questions("00"))
    assert found["q1"].status is core.Status.NOT_ATTEMPTED
    assert core.results_from_notebook(nb, questions("01"))["q1"].correct
