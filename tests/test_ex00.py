"""Exercises of notebook 00: each checker against its solution and against wrong answers."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
from test_ex_solutions import run_solution

from cvcourse import datasets
from cvcourse.exercises import core, ex00

WEIGHTS = np.array([0.2989, 0.5870, 0.1140])


@pytest.fixture(scope="module")
def coffee():
    return datasets.load_sample("coffee")  # (400, 600, 3) uint8


def _status(result):
    assert result.message  # every outcome says something
    return result.status


def test_the_notebooks_solutions_are_correct():
    tf = pytest.importorskip("tensorflow")
    from cvcourse import plotting

    names = {"np": np, "tf": tf, "plt": plt, "datasets": datasets, "plotting": plotting}
    first = run_solution("00", "q1", **names)
    second = run_solution("00", "q2", **names)
    plt.close("all")
    assert ex00.q1.evaluate(first["gray_coffee"]).correct
    assert ex00.q2.evaluate(second["to_gray_dot"]).correct
    assert second["gray_astronaut"].shape == (512, 512)


# -------------------------------------------------------------------------------- q1


def test_q1_accepts_every_faithful_form(coffee):
    luminance = coffee @ WEIGHTS  # (400, 600) float
    assert ex00.q1.evaluate(np.round(luminance).astype(np.uint8)).correct
    assert ex00.q1.evaluate(np.floor(luminance)[..., None]).correct  # (H, W, 1), rounded down
    result = ex00.q1.evaluate((luminance / 255).astype(np.float32))  # rescaled to [0, 1]
    assert result.correct and "[0, 1]" in result.message


@pytest.mark.parametrize(
    "make,words",
    [
        (lambda c: c, "3 colour channels"),  # not converted: wrong shape
        (lambda c: np.dstack([c, c[..., :1]]), "4 colour"),
        (lambda c: (c @ WEIGHTS).T, "400 x 600"),  # transposed
        (lambda c: datasets.load_sample("camera"), "another photo"),  # another photo
        (lambda c: c.mean(axis=-1), "plain average"),  # wrong values: equal weights
        (lambda c: 255 - c @ WEIGHTS, "differ"),  # wrong values: inverted
        (lambda c: (c @ WEIGHTS)[None, None], "shape"),  # wrong shape: extra axes
        (lambda c: "gray", "array of numbers"),  # wrong type
        (lambda c: None, "None"),
        (lambda c: [[1, 2], [3]], "could not"),
    ],
)
def test_q1_wrong_answers(coffee, make, words):
    result = ex00.q1.evaluate(make(coffee))
    assert _status(result) is core.Status.INCORRECT
    assert words in result.message


def test_q1_accepts_a_tensor_and_reports_the_placeholder(coffee):
    tf = pytest.importorskip("tensorflow")
    assert ex00.q1.evaluate(tf.image.rgb_to_grayscale(coffee)).correct
    assert ex00.q1.evaluate(...).status is core.Status.NOT_ATTEMPTED


# -------------------------------------------------------------------------------- q2


def good(rgb):
    return np.dot(rgb[..., :3], WEIGHTS)


@pytest.mark.parametrize(
    "fn,words",
    [
        (lambda rgb: rgb.mean(axis=-1), "equally"),  # wrong values: plain average
        (lambda rgb: rgb @ WEIGHTS[::-1], "reverse order"),  # wrong values: BGR
        (lambda rgb: rgb @ WEIGHTS / 255, "[0, 1]"),  # wrong scale
        (lambda rgb: (rgb @ WEIGHTS)[..., None], "without the last axis"),  # wrong shape
        (lambda rgb: rgb * 0.5, "combined"),  # wrong shape: channels kept
        (lambda rgb: (rgb @ WEIGHTS).T, "should be"),  # wrong shape: transposed
        (lambda rgb: rgb @ np.array([0.3, 0.3, 0.3]), "luminance gives"),  # other weights
        (lambda rgb: str(rgb.shape), "numbers"),  # wrong type returned
        (lambda rgb: None, "None"),  # forgot to return
        (lambda rgb: rgb @ np.ones(4), "ValueError"),  # an exception inside the function
        (lambda rgb: good(rgb * 255.0 if rgb.dtype.kind == "f" else rgb), "[0, 1] too"),
    ],
)
def test_q2_wrong_functions(fn, words):
    result = ex00.q2.evaluate(fn)
    assert _status(result) is core.Status.INCORRECT
    assert words in result.message


def test_q2_good_functions_and_placeholders():
    assert ex00.q2.evaluate(good).correct
    assert ex00.q2.evaluate(lambda rgb: good(rgb).astype(np.float32)).correct
    assert ex00.q2.evaluate(lambda rgb: list(good(rgb))).correct  # a list of rows is fine
    assert ex00.q2.evaluate(lambda rgb: ...).status is core.Status.NOT_ATTEMPTED
    assert ex00.q2.evaluate(...).status is core.Status.NOT_ATTEMPTED


def test_q2_wants_the_function_itself():
    result = ex00.q2.evaluate(good(datasets.load_sample("astronaut")))
    assert _status(result) is core.Status.INCORRECT
    assert "function itself" in result.message


def test_q2_function_that_only_fits_pure_colours():
    def pixels_only(rgb):
        if rgb.shape == (1, 5, 3):
            return good(rgb)
        return np.zeros(rgb.shape[:2])

    result = ex00.q2.evaluate(pixels_only)
    assert _status(result) is core.Status.INCORRECT and "random 6 x 5" in result.message


# -------------------------------------------------------------------------------- q3


def test_q3_the_checker_runs_the_chain_itself():
    # what the notebook's cell after the check prints: (1, 64, 96, 3) float32 on [0, 1]
    shape, dtype, low, high = ex00.run_chain()
    assert (shape, dtype) == ((1, 64, 96, 3), "float32")
    assert 0.0 <= low < 0.05 and 0.95 < high <= 1.0


def test_q3_solution_is_correct():
    pytest.importorskip("tensorflow")
    ns = run_solution("00", "q3", np=np)
    result = ex00.q3.evaluate(ns["chain_shape"], ns["chain_dtype"], ns["chain_range"])
    assert result.correct and "(1, 64, 96, 3)" in result.message
    assert ex00.q3.evaluate((1, 64, 96, 3), np.float32, [0.0, 1.0]).correct  # other forms


@pytest.mark.parametrize(
    "answer,words",
    [
        (((64, 96, 3), "float32", (0, 1)), "left out an axis"),
        (((1, 64, 96, 1), "float32", (0, 1)), "number of channels"),
        (((1, 512, 512, 3), "float32", (0, 1)), "height and width"),
        (((1, 64, 96, 3), "float64", (0, 1)), "float64"),
        (((1, 64, 96, 3), "uint8", (0, 1)), "into floats"),
        (((1, 64, 96, 3), "float32", (0, 255)), "before one of the steps"),
        (((1, 64, 96, 3), "float32", (0, float("nan"))), "two numbers"),
        (("1x64x96x3", "float32", (0, 1)), "tuple of whole numbers"),
        (((1, 64, 96, 3), "floaty", (0, 1)), "dtype name"),
    ],
)
def test_q3_wrong_predictions_say_what_is_wrong_without_the_answer(answer, words):
    result = ex00.q3.evaluate(*answer)
    assert _status(result) is core.Status.INCORRECT
    assert words in result.message
    assert "(1, 64, 96, 3)" not in result.message  # the answer is not given away


def test_q3_placeholders():
    assert ex00.q3.evaluate(..., ..., ...).status is core.Status.NOT_ATTEMPTED
    partly = ex00.q3.evaluate((1, 64, 96, 3), ..., (0, 1))
    assert partly.status is core.Status.INCORRECT and "still ..." in partly.message


def test_questions_listed_and_hinted_in_two_levels():
    assert ex00.QUESTIONS == ("q1", "q2", "q3")
    for name in ex00.QUESTIONS:
        question = getattr(ex00, name)
        assert question.name == name and len(question.hint_texts()) >= 2


# ------------------------------------------------- the shared contract (test_exercises_all)


def _q1_solution():
    tf = pytest.importorskip("tensorflow")
    from cvcourse import plotting

    names = {"np": np, "tf": tf, "plt": plt, "datasets": datasets, "plotting": plotting}
    ns = run_solution("00", "q1", **names)
    plt.close("all")
    return (ns["gray_coffee"],), {}


def _q2_solution():
    from cvcourse import plotting

    names = {"np": np, "plt": plt, "datasets": datasets, "plotting": plotting}
    ns = run_solution("00", "q2", **names)
    plt.close("all")
    return (ns["to_gray_dot"],), {}


def _q3_solution():
    ns = run_solution("00", "q3", np=np)
    return (ns["chain_shape"], ns["chain_dtype"], ns["chain_range"]), {}


ANSWERS = {
    "q1": {
        "solution": _q1_solution,
        "mistakes": [
            lambda: ((datasets.load_sample("coffee").mean(axis=-1),), {}),  # plain average
            lambda: ((datasets.load_sample("coffee"),), {}),  # never converted
        ],
    },
    "q2": {
        "solution": _q2_solution,
        "mistakes": [
            lambda: ((lambda rgb: rgb.mean(axis=-1),), {}),  # equal weights
            lambda: ((lambda rgb: rgb @ WEIGHTS[::-1],), {}),  # BGR order
        ],
    },
    "q3": {
        "solution": _q3_solution,
        "mistakes": [
            lambda: (((64, 96, 3), "float32", (0, 1)), {}),  # forgot the batch axis
            lambda: (((1, 64, 96, 3), "float64", (0, 255)), {}),  # NumPy's rules, no rescale
        ],
    },
}


@pytest.mark.parametrize("name", sorted(ANSWERS))
def test_answers_contract(name):
    question = getattr(ex00, name)
    args, kwargs = ANSWERS[name]["solution"]()
    assert question.evaluate(*args, **kwargs).correct
    for mistake in ANSWERS[name]["mistakes"]:
        args, kwargs = mistake()
        assert _status(question.evaluate(*args, **kwargs)) is core.Status.INCORRECT
