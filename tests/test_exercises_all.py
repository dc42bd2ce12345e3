"""Every checker of every exercise module, on its solution, its common mistakes and a hostile set.

Contract 1 of the exercise developers: each ``cvcourse/exercises/exNN.py`` lists its
questions in ``QUESTIONS`` and each ``tests/test_exNN.py`` gives, in ``ANSWERS``, for every
question the notebook's solution (correct) and at least two common mistakes (incorrect),
as functions returning ``(args, kwargs)`` for ``ex.qN.evaluate``. A question listed in
``QUESTIONS`` gets this coverage with nothing else to write. The hostile set (None, text,
NaN and infinite arrays, wrong shapes, a function that raises, one that never returns,
Keras models with the wrong output size or input shape) must never raise into the
caller, never hang (every time limit is capped at 2 s here) and never be *correct* for
NaN or infinity.
"""

from __future__ import annotations

import faulthandler
import functools
import importlib
import importlib.util
import time
from pathlib import Path

import numpy as np
import pytest

from cvcourse.exercises import core
from cvcourse.exercises.limits import limits_capped

ROOT = Path(__file__).resolve().parent.parent
MODULES = sorted(p.stem for p in (ROOT / "cvcourse" / "exercises").glob("ex[0-9][0-9].py"))
CAP = 2.0  # seconds: every time limit inside a check, for this test
SLOWEST = 60.0  # seconds one hostile answer may take to be judged (a model's own checks)


def _declared():
    for module_name in MODULES:
        module = importlib.import_module(f"cvcourse.exercises.{module_name}")
        names = getattr(module, "QUESTIONS", None)
        if names is None:
            yield pytest.param(module_name, None, id=f"{module_name}-no-QUESTIONS")
            continue
        for entry in names:
            name = entry if isinstance(entry, str) else entry.name
            yield pytest.param(module_name, name, id=f"{module_name}-{name}")


CASES = list(_declared())


def question_of(module_name: str, name: str | None):
    module = importlib.import_module(f"cvcourse.exercises.{module_name}")
    if name is None:
        pytest.fail(
            f"cvcourse/exercises/{module_name}.py defines no QUESTIONS: list its questions, "
            'e.g. QUESTIONS = ("q1", "q2", "q3") (contract 1 of rules.md).'
        )
    question = getattr(module, name, None)
    assert isinstance(question, core.Question), f"{module_name}.{name} is not a Question"
    return question


@functools.cache
def answers_of(module_name: str) -> dict:
    path = ROOT / "tests" / f"test_{module_name}.py"
    if not path.is_file():
        pytest.fail(f"{path.relative_to(ROOT)} is missing: it should define ANSWERS (contract 1).")
    spec = importlib.util.spec_from_file_location(f"_answers_{module_name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    answers = getattr(module, "ANSWERS", None)
    if answers is None:
        pytest.fail(
            f"tests/test_{module_name}.py defines no ANSWERS: give each question its "
            'solution and two mistakes, ANSWERS = {"q1": {"solution": fn, "mistakes": [fn, fn]}}.'
        )
    return answers


def entry_of(module_name: str, name: str) -> dict:
    answers = answers_of(module_name)
    if name not in answers:
        pytest.fail(f"ANSWERS of tests/test_{module_name}.py has no entry for {name}.")
    return answers[name]


def judged(question, args, kwargs) -> tuple[core.Result, float]:
    """``question.evaluate(*args, **kwargs)`` with every limit capped; a hang ends the run."""
    faulthandler.dump_traceback_later(10 * SLOWEST, exit=True)  # last resort against a hang
    start = time.monotonic()
    try:
        with limits_capped(CAP):
            result = question.evaluate(*args, **kwargs)
    finally:
        faulthandler.cancel_dump_traceback_later()
    return result, time.monotonic() - start


@pytest.mark.parametrize(("module_name", "name"), CASES)
def test_the_solution_is_correct(module_name, name):
    question = question_of(module_name, name)
    args, kwargs = entry_of(module_name, name)["solution"]()
    result, _ = judged(question, args, kwargs)
    assert result.status is core.Status.CORRECT, result.message


@pytest.mark.parametrize(("module_name", "name"), CASES)
def test_common_mistakes_are_incorrect(module_name, name):
    question = question_of(module_name, name)
    mistakes = entry_of(module_name, name)["mistakes"]
    assert len(mistakes) >= 2, f"{module_name} {name}: give at least two common mistakes"
    for mistake in mistakes:
        args, kwargs = mistake()
        result, _ = judged(question, args, kwargs)
        assert result.status is core.Status.INCORRECT, (result.status, result.message)
        assert result.message


# ---------------------------------------------------------------------- hostile set


def _raises(*args, **kwargs):
    raise RuntimeError("a student's bug")


def _never_returns(*args, **kwargs):
    while True:
        time.sleep(0.01)


@functools.cache
def _models():
    import keras

    wrong_output = keras.Sequential(
        [keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(7)]
    )
    wrong_input = keras.Sequential([keras.Input((5,)), keras.layers.Dense(3)])
    return wrong_output, wrong_input


def hostile_set() -> dict:
    wrong_output, wrong_input = _models()
    return {
        "None": None,
        "a string": "a string",
        "NaN array": np.full((4, 4), np.nan),
        "inf array": np.full((4, 4), np.inf),
        "NaN number": float("nan"),
        "inf number": float("inf"),
        "wrong shape": np.zeros((2, 3, 4, 5, 6)),
        "empty array": np.zeros((0,)),
        "a function that raises": _raises,
        "a function that never returns": _never_returns,
        "a model with the wrong output size": wrong_output,
        "a model with the wrong input shape": wrong_input,
    }


NOT_FINITE = {"NaN array", "inf array", "NaN number", "inf number"}


@pytest.mark.parametrize(("module_name", "name"), CASES)
def test_the_hostile_set_never_raises_hangs_or_passes_nan(module_name, name):
    question = question_of(module_name, name)
    count = len(question.signature().parameters)
    problems = []
    for label, value in hostile_set().items():
        try:
            result, seconds = judged(question, [value] * count, {})
        except BaseException as err:  # noqa: BLE001 - what this test looks for
            problems.append(f"{label}: raised {type(err).__name__}: {err}")
            continue
        if not isinstance(result, core.Result):
            problems.append(f"{label}: returned {result!r}, not a Result")
        elif seconds > SLOWEST:
            problems.append(f"{label}: took {seconds:.0f} s")
        elif label in NOT_FINITE and result.status is core.Status.CORRECT:
            problems.append(f"{label}: judged correct")
        elif result.status is core.Status.INCORRECT and not result.message:
            problems.append(f"{label}: incorrect without a message")
    assert not problems, f"{module_name} {name}: " + "; ".join(problems)


def test_every_module_is_covered():
    assert MODULES, "no exercise module found"
    covered = {c.values[0] for c in CASES}
    assert covered == set(MODULES)
