"""Exercises of notebook 01: each checker against its solution and against wrong answers."""

from __future__ import annotations

import numpy as np
import pytest
from test_ex_solutions import run_solution

from cvcourse import kernels
from cvcourse.exercises import core, ex01

INCORRECT, NOT_ATTEMPTED = core.Status.INCORRECT, core.Status.NOT_ATTEMPTED


def _solution(question, name):
    return run_solution("01", question.name, np=np)[name]


# ------------------------------------------------------------------------------- q1


def test_q1_solution_is_correct():
    assert ex01.q1.evaluate(_solution(ex01.q1, "my_kernels")).correct


@pytest.mark.parametrize(
    "effect,name",
    [
        ("blur", "smooth"),
        ("blur", "gaussian"),
        ("sharpen", "sharpen"),
        ("edges", "edge"),
        ("horizontal_edges", "horizontal_edge"),
        ("horizontal_edges", "sobel_y"),
        ("vertical_edges", "vertical_edge"),
        ("vertical_edges", "sobel_x"),
    ],
)
def test_q1_classic_kernels_do_what_they_say(effect, name):
    assert ex01.judge_kernel(effect, kernels.kernel(name)) is None


@pytest.mark.parametrize(
    "effect,name",
    [
        ("blur", "edge"),
        ("blur", "identity"),
        ("blur", "sharpen"),
        ("sharpen", "smooth"),
        ("sharpen", "identity"),
        ("edges", "sobel_x"),  # one direction only
        ("edges", "smooth"),
        ("horizontal_edges", "vertical_edge"),
        ("horizontal_edges", "edge"),
        ("vertical_edges", "sobel_y"),
        ("vertical_edges", "smooth"),
    ],
)
def test_q1_kernels_that_do_something_else_are_caught(effect, name):
    assert ex01.judge_kernel(effect, kernels.kernel(name))


def test_q1_any_size_and_scale_that_works_is_accepted():
    answer = {
        "blur": np.ones((7, 7)) / 49,
        "vertical_edges": 10 * np.array([[-1, 1]]),  # 1 x 2, scaled up
        "edges": np.array([[0, -1, 0], [-1, 4, -1], [0, -1, 0]]),
    }
    assert ex01.q1.evaluate(answer).correct


@pytest.mark.parametrize(
    "answer,words",
    [
        ({"blur": np.ones((3, 3)), "edges": kernels.kernel("edge")}, "add up to 1"),  # values
        ({"blur": kernels.kernel("smooth"), "sobel": kernels.kernel("sobel_x")}, "not an effect"),
        ({"blur": kernels.kernel("smooth"), "sharpen": ...}, "at least two"),
        ({"blur": np.ones((3, 3, 3)) / 27, "edges": kernels.kernel("edge")}, "shape (3, 3, 3)"),
        ({"blur": np.ones((9, 9)) / 81, "edges": kernels.kernel("edge")}, "at most 7 x 7"),
        ({"blur": "soft", "edges": kernels.kernel("edge")}, "array of numbers"),  # wrong type
        ({"blur": np.zeros((3, 3)), "edges": kernels.kernel("edge")}, "all zeros"),
        ([kernels.kernel("smooth"), kernels.kernel("edge")], "should be a dict"),  # wrong type
        (
            {"horizontal_edges": kernels.kernel("sobel_x"), "blur": kernels.kernel("smooth")},
            "vertical edge",
        ),
    ],
)
def test_q1_wrong_answers(answer, words):
    result = ex01.q1.evaluate(answer)
    assert result.status is INCORRECT
    assert words in result.message


def test_q1_every_problem_is_listed():
    answer = {"blur": kernels.kernel("edge"), "sharpen": kernels.kernel("smooth")}
    message = ex01.q1.evaluate(answer).message
    assert message.count("|") == 1 and "blur:" in message and "sharpen:" in message


def test_q1_placeholders_are_not_attempted():
    assert ex01.q1.evaluate(...).status is NOT_ATTEMPTED
    scaffold = {"blur": ..., "vertical_edges": ..., "sharpen": ...}  # the student copy's
    assert ex01.q1.evaluate(scaffold).status is NOT_ATTEMPTED


# ------------------------------------------------------------------------------- q2


def test_q2_expected_shapes_are_what_keras_computes():
    keras = pytest.importorskip("keras")
    x = np.zeros((1, *ex01.INPUT_SHAPE), dtype="float32")
    layers = [
        keras.layers.Conv2D(filters=16, kernel_size=3),
        keras.layers.Conv2D(filters=8, kernel_size=5, strides=2, padding="same"),
        keras.layers.MaxPooling2D(pool_size=3, strides=2),
        keras.layers.Conv2D(filters=4, kernel_size=4, strides=3),
    ]
    assert [tuple(layer(x).shape[1:]) for layer in layers] == ex01.expected_shapes()
    # the notebook's layer list says the same as the checker's
    assert [entry[1] for entry in ex01.LAYERS] == [
        "Conv2D(filters=16, kernel_size=3)",
        'Conv2D(filters=8, kernel_size=5, strides=2, padding="same")',
        "MaxPooling2D(pool_size=3, strides=2)",
        "Conv2D(filters=4, kernel_size=4, strides=3)",
    ]


def test_q2_solution_and_equivalent_forms():
    solution = _solution(ex01.q2, "output_shapes")
    assert ex01.q2.evaluate(solution).correct
    assert ex01.q2.evaluate(tuple(list(s) for s in solution)).correct
    assert ex01.q2.evaluate([(None, *s) for s in solution]).correct  # with the batch axis
    assert ex01.q2.evaluate([tuple(np.int64(v) for v in s) for s in solution]).correct


@pytest.mark.parametrize(
    "answer,words",
    [
        ([(30, 30, 16), (16, 16, 8), (15, 15, 3)], "4 layers"),  # wrong length
        ([(30, 30, 16), (16, 16, 16), (15, 15, 3), (10, 10, 4)], "one channel per filter"),
        ([(30, 30, 16), (14, 14, 8), (15, 15, 3), (10, 10, 4)], "ceil(n / stride)"),
        ([(30, 30, 16), (16, 16, 8), (15, 15, 16), (10, 10, 4)], "stay as they were"),
        ([(32, 32, 16), (16, 16, 8), (15, 15, 3), (10, 10, 4)], "floor((n - f) / stride) + 1"),
        ([(30, 30, 16), (16, 16, 8), (15, 15, 3), ...], "layer D is still ..."),
        ([(30, 30, 16), (16, 16, 8), (15, 15, 3), (10.5, 10, 4)], "three whole numbers"),
        ([(30, 30, 16), (16, 16, 8), (15, 15, 3), "10x10x4"], "three whole numbers"),
        ("30, 16, 15, 10", "list of 4"),  # wrong type
        ({"A": (30, 30, 16)}, "list of 4"),
    ],
)
def test_q2_wrong_answers(answer, words):
    result = ex01.q2.evaluate(answer)
    assert result.status is INCORRECT
    assert words in result.message


def test_q2_placeholders():
    assert ex01.q2.evaluate(...).status is NOT_ATTEMPTED
    assert ex01.q2.evaluate([..., ..., ..., ...]).status is NOT_ATTEMPTED


# ------------------------------------------------------------------------------- q3


def test_q3_solution_and_reference_agree_with_keras():
    keras = pytest.importorskip("keras")
    for size, channels, filters in ex01.PARAM_CASES:
        layer = keras.layers.Conv2D(filters, size)
        layer.build((None, 32, 32, channels))
        assert layer.count_params() == kernels.conv2d_params(size, channels, filters)
    assert ex01.q3.evaluate(_solution(ex01.q3, "count_conv2d_params")).correct
    assert ex01.q3.evaluate(lambda k, c, f: float((k * k * c + 1) * f)).correct  # 224.0 is fine


@pytest.mark.parametrize(
    "fn,words",
    [
        (lambda k, c, f: k * k * c * f, "left out the biases"),  # wrong values
        (lambda k, c, f: (k * k + 1) * f, "multiply by in_channels"),
        (lambda k, c, f: k * k * c + 1, "one filter's share"),
        (lambda k, c, f: k * c * f, "parameters."),
        (lambda k, c, f: str((k * k * c + 1) * f), "return a number"),  # wrong type
        (lambda k, c, f: [(k * k * c + 1) * f], "return a number"),
        (lambda k, c, f: (k * k * c + 1) * f / 3, "whole number"),
        (lambda k, c, f: True, "return a number"),
        (lambda k, c, f: k / 0, "ZeroDivisionError"),  # an exception inside the function
        (lambda k, c: k, "TypeError"),  # wrong signature
        (224, "function itself"),  # not a function
    ],
)
def test_q3_wrong_answers(fn, words):
    result = ex01.q3.evaluate(fn)
    assert result.status is INCORRECT
    assert words in result.message


def test_q3_placeholders():
    assert ex01.q3.evaluate(...).status is NOT_ATTEMPTED
    assert ex01.q3.evaluate(lambda k, c, f: ...).status is NOT_ATTEMPTED


# ------------------------------------------------------------------------------- q4


def broken_correlate(image, kernel):
    """The notebook's broken function, with its three bugs."""
    kh, kw = kernel.shape
    out = np.zeros((image.shape[0] - kh, image.shape[1] - kw))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            window = image[i : i + kh, j : j + kh]
            out[i, j] = np.sum(window * kernel[::-1, ::-1])
    return out


def _loops(size_fix=True, width_fix=True, flip=False):
    def fn(image, kernel):
        kh, kw = kernel.shape
        extra = 1 if size_fix else 0
        out = np.zeros((image.shape[0] - kh + extra, image.shape[1] - kw + extra))
        k = kernel[::-1, ::-1] if flip else kernel
        for i in range(out.shape[0]):
            for j in range(out.shape[1]):
                out[i, j] = np.sum(image[i : i + kh, j : j + (kw if width_fix else kh)] * k)
        return out

    return fn


def test_q4_the_notebooks_broken_function_is_the_one_tested_here():
    cells = [c for c in _notebook_code() if "def broken_correlate" in c]
    assert len(cells) == 1
    ns = {"np": np, "kernels": kernels, "x": np.eye(5), "edge": kernels.kernel("edge")}
    exec(cells[0], ns)
    image, kernel = np.arange(30.0).reshape(5, 6), np.array([[1.0, 2.0, 0.0], [0.0, -1.0, 3.0]])
    with pytest.raises(ValueError):  # the non-square bug
        ns["broken_correlate"](image, kernel)
    with pytest.raises(ValueError):
        broken_correlate(image, kernel)
    square = np.arange(9.0).reshape(3, 3)
    np.testing.assert_array_equal(
        ns["broken_correlate"](image, square), broken_correlate(image, square)
    )


def _notebook_code():
    import nbformat
    from test_ex_solutions import NOTEBOOKS

    (path,) = NOTEBOOKS.glob("01_*.ipynb")
    return [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]


def test_q4_solution_is_correct():
    fixed = _solution(ex01.q4, "fixed_correlate")
    assert ex01.q4.evaluate(fixed).correct
    assert ex01.q4.evaluate(lambda image, kernel: kernels.correlate2d(image, kernel)).correct


@pytest.mark.parametrize(
    "fn,words",
    [
        (broken_correlate, "count again the places"),  # all three bugs: the size shows first
        (_loops(size_fix=False), "count again the places"),
        (_loops(width_fix=False), "ValueError"),  # the window of a 2 x 3 kernel is 2 x 2
        (_loops(flip=True), "flips the kernel"),  # convolution, not cross-correlation
        (lambda image, kernel: np.zeros((1, 1)), "returned shape (1, 1)"),
        (lambda image, kernel: kernels.correlate2d(image, kernel) + 1, "wrong values"),
        (lambda image, kernel: None, "None"),
        ("kernels.correlate2d", "function itself"),
    ],
)
def test_q4_wrong_functions(fn, words):
    result = ex01.q4.evaluate(fn)
    assert result.status is INCORRECT
    assert words in result.message


def test_q4_placeholders():
    assert ex01.q4.evaluate(...).status is NOT_ATTEMPTED
    assert ex01.q4.evaluate(lambda image, kernel: ...).status is NOT_ATTEMPTED


def test_questions_listed_and_hinted_in_two_levels():
    assert ex01.QUESTIONS == ("q1", "q2", "q3", "q4")
    for name in ex01.QUESTIONS:
        question = getattr(ex01, name)
        assert question.name == name and len(question.hint_texts()) >= 2


# ------------------------------------------------- the shared contract (test_exercises_all)

ANSWERS = {
    "q1": {
        "solution": lambda: ((_solution(ex01.q1, "my_kernels"),), {}),
        "mistakes": [
            lambda: (({"blur": np.ones((3, 3)), "edges": kernels.kernel("edge")},), {}),
            lambda: (
                ({"horizontal_edges": kernels.kernel("sobel_x"), "blur": np.ones((3, 3)) / 9},),
                {},
            ),
        ],
    },
    "q2": {
        "solution": lambda: ((_solution(ex01.q2, "output_shapes"),), {}),
        "mistakes": [
            lambda: (([(30, 30, 16), (16, 16, 16), (15, 15, 3), (10, 10, 4)],), {}),  # B's channels
            lambda: (([(30, 30, 16), (14, 14, 8), (15, 15, 3), (10, 10, 4)],), {}),  # same padding
        ],
    },
    "q3": {
        "solution": lambda: ((_solution(ex01.q3, "count_conv2d_params"),), {}),
        "mistakes": [
            lambda: ((lambda k, c, f: k * k * c * f,), {}),  # no biases
            lambda: ((lambda k, c, f: (k * k + 1) * f,), {}),  # input channels forgotten
        ],
    },
    "q4": {
        "solution": lambda: ((_solution(ex01.q4, "fixed_correlate"),), {}),
        "mistakes": [
            lambda: ((broken_correlate,), {}),  # handed in as it was given
            lambda: ((_loops(flip=True),), {}),  # sizes repaired, still flips the kernel
        ],
    },
}


@pytest.mark.parametrize("name", sorted(ANSWERS))
def test_answers_contract(name):
    question = getattr(ex01, name)
    args, kwargs = ANSWERS[name]["solution"]()
    assert question.evaluate(*args, **kwargs).correct
    for mistake in ANSWERS[name]["mistakes"]:
        args, kwargs = mistake()
        assert question.evaluate(*args, **kwargs).status is INCORRECT
