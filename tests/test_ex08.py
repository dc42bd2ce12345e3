"""The checkers of notebook 08, against the notebook's own solutions and common mistakes.

The inputs of the solutions are prepared by the notebook's own cells (run here), so a
test also fails when the notebook and the checker prepare a photo differently.
"""

from __future__ import annotations

import functools

import keras
import matplotlib
import numpy as np
import pytest
import tensorflow as tf
from test_ex_solutions import _cells, run_solution

from cvcourse import datasets, explain, images, plotting, settings
from cvcourse.exercises import ex08, ex08_gradcam
from cvcourse.exercises.core import Status

matplotlib.use("Agg")


def notebook_cell(marker: str, **names) -> dict:
    """Run the notebook 08 code cell holding ``marker``; return its namespace."""
    source = next(s for s in _cells("08") if marker in s and "# BEGIN SOLUTION" not in s)
    namespace = {"np": np, "keras": keras, "images": images, "datasets": datasets, **names}
    exec(compile(source, "<08 cell>", "exec"), namespace)
    return namespace


@functools.cache
def chelsea() -> dict:
    """chelsea_input, chelsea_probs and chelsea_heatmap as the notebook computes them."""
    model = ex08_gradcam.imagenet_model()
    photo = datasets.load_sample("chelsea")
    names = notebook_cell("chelsea_square = ", imagenet_model=model, chelsea=photo)
    names["imagenet_model"] = model
    names["chelsea_heatmap"] = explain.grad_cam(model, names["chelsea_input"])
    return names


@functools.cache
def solution(question: str) -> dict:
    import matplotlib.pyplot as plt

    names = {"np": np, "keras": keras, "explain": explain, "plotting": plotting}
    names.update(images=images, datasets=datasets)
    if question != "q1":
        names.update(chelsea())
    if question == "q3":
        names.update(solution("q2"))
    found = run_solution("08", question, **names)
    plt.close("all")
    return found


def second_heatmap_of(rank: int) -> tuple[int, np.ndarray]:
    names = chelsea()
    index = int(np.argsort(names["chelsea_probs"])[::-1][rank])
    return index, explain.grad_cam(
        names["imagenet_model"], names["chelsea_input"], class_index=index
    )


def squashed_coffee() -> tuple[int, np.ndarray]:
    """The coffee photo squashed to 224x224 instead of cropped: another heatmap."""
    photo = images.resize(datasets.load_sample("coffee"), (224, 224)).astype("float32")
    x = keras.applications.mobilenet_v2.preprocess_input(photo)
    model = ex08_gradcam.imagenet_model()
    index = int(np.argmax(np.asarray(model(x[None]))[0]))
    return index, explain.grad_cam(model, x, class_index=index)


ANSWERS = {
    "q1": {
        "solution": lambda: ((solution("q1")["edge_layer"],), {}),
        "mistakes": [lambda: (("pool1",), {}), lambda: (("conv3",), {})],
    },
    "q2": {
        "solution": lambda: (
            (solution("q2")["second_class"], solution("q2")["second_heatmap"]),
            {},
        ),
        "mistakes": [
            lambda: (second_heatmap_of(0), {}),  # the predicted class again
            lambda: (second_heatmap_of(2), {}),  # the third most likely
        ],
    },
    "q3": {
        "solution": lambda: ((solution("q3")["agreement"],), {}),
        "mistakes": [
            lambda: ((1.0,), {}),  # a heatmap with itself
            lambda: (
                (float(np.abs(chelsea()["chelsea_heatmap"] - second_heatmap_of(1)[1]).mean()),),
                {},
            ),
        ],
    },
    "q4": {
        "solution": lambda: (
            (solution("q4")["coffee_class"], solution("q4")["coffee_heatmap"]),
            {},
        ),
        "mistakes": [
            lambda: (squashed_coffee(), {}),  # not prepared as Chelsea was
            lambda: (second_heatmap_of(0), {}),  # Chelsea's answer
        ],
    },
}


@pytest.mark.parametrize("question", ex08.QUESTIONS)
def test_solutions_and_mistakes(question):
    q = getattr(ex08, question)
    args, kwargs = ANSWERS[question]["solution"]()
    result = q.evaluate(*args, **kwargs)
    assert result.status is Status.CORRECT, result.message
    for mistake in ANSWERS[question]["mistakes"]:
        args, kwargs = mistake()
        result = q.evaluate(*args, **kwargs)
        assert result.status is Status.INCORRECT, (question, args)


# ------------------------------------------------------------------------------- q1


def test_q1_the_checker_rebuilds_the_notebooks_architecture():
    rebuilt = ex08.notebook_convnet()
    source = next(s for s in _cells("08") if "convnet = keras.Sequential(" in s)
    namespace = {"keras": keras, "settings": settings, "IMAGE_SIZE": ex08.IMAGE_SIZE}
    exec(compile(source.replace("convnet.summary()", ""), "<08 convnet>", "exec"), namespace)
    notebook = namespace["convnet"]
    assert [(layer.name, type(layer)) for layer in rebuilt.layers] == [
        (layer.name, type(layer)) for layer in notebook.layers
    ]
    assert rebuilt.count_params() == notebook.count_params()


@pytest.mark.parametrize(
    "answer, words",
    [
        ("pool1", "close"),
        ("conv2", "deeper"),
        ("rescale", "before any convolution"),
        ("dense", "classifier"),
        ("conv9", "no layer 'conv9'"),
        (1, "string"),
        (["conv1"], "string"),
    ],
)
def test_q1_wrong_answers(answer, words):
    result = ex08.q1.evaluate(answer)
    assert result.status is Status.INCORRECT
    assert words in result.message


def test_q1_a_different_model_cannot_be_passed_in():
    result = ex08.q1.evaluate(keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)]), "x")
    assert result.status is Status.INCORRECT and "called the wrong way" in result.message


# ------------------------------------------------------------------------------- q2


def test_q2_solution_message_and_accepted_forms():
    index, heatmap = second_heatmap_of(1)
    result = ex08.q2.evaluate(np.int64(index), tf.constant(heatmap))
    assert result.status is Status.CORRECT, result.message
    assert f"class {index}" in result.message and "row" in result.message


def test_q2_wrong_answers_say_what_is_wrong():
    top, top_map = second_heatmap_of(0)
    second, good = second_heatmap_of(1)
    cases = [
        ((top, top_map), "predicted class"),
        ((second, top_map), "heatmap of the predicted"),
        ((second, explain.upsample(good, (16, 16))), "shape"),
        ((second, good * 2 - 0.5), "[0, 1]"),
        ((second, np.full_like(good, np.nan)), "NaN"),
        ((1000, good), "0 to 999"),
        (("tabby", good), "class index"),
        ((True, good), "class index"),
        ((second, None), "None"),
    ]
    for answer, words in cases:
        result = ex08.q2.evaluate(*answer)
        assert result.status is Status.INCORRECT, words
        assert words in result.message, (words, result.message)
        assert str(second) not in result.message.replace(f"class {answer[0]}", "")


def test_q2_self_consistent_nonsense_is_wrong():
    """A heatmap of another image, for the right class, does not pass."""
    second, _ = second_heatmap_of(1)
    model = ex08_gradcam.imagenet_model()
    noise = np.random.default_rng(0).uniform(-1, 1, (224, 224, 3)).astype("float32")
    other = explain.grad_cam(model, noise, class_index=second)
    assert ex08.q2.evaluate(second, other).status is Status.INCORRECT


def test_q2_placeholders():
    second, good = second_heatmap_of(1)
    assert ex08.q2.evaluate(..., ...).status is Status.NOT_ATTEMPTED
    result = ex08.q2.evaluate(second, ...)
    assert result.status is Status.INCORRECT and "still ..." in result.message


# ------------------------------------------------------------------------------- q3


@pytest.mark.parametrize(
    "make, words",
    [
        (lambda a, b: np.corrcoef(a.ravel(), b.ravel()), "2x2 matrix"),
        (lambda a, b: float(np.abs(a - b).mean()), "np.corrcoef"),
        (lambda a, b: "similar", "number"),
        (lambda a, b: float("nan"), "NaN"),
        (lambda a, b: float("inf"), "NaN"),
        (lambda a, b: 1.5, "between -1 and 1"),
        (lambda a, b: [0.1, 0.2], "one number"),
    ],
)
def test_q3_wrong_answers(make, words):
    first, second = chelsea()["chelsea_heatmap"], second_heatmap_of(1)[1]
    result = ex08.q3.evaluate(make(first, second))
    assert result.status is Status.INCORRECT
    assert words in result.message, result.message


def test_q3_correct_message_reads_the_correlation():
    agreement = solution("q3")["agreement"]
    result = ex08.q3.evaluate(np.float32(agreement))
    assert result.status is Status.CORRECT and f"{agreement:.2f}" in result.message
    assert ex08.q3.evaluate(...).status is Status.NOT_ATTEMPTED


# ------------------------------------------------------------------------------- q4


def test_q4_heatmap_of_a_squashed_photo_is_explained():
    index, heatmap = squashed_coffee()
    result = ex08.q4.evaluate(ex08_gradcam.ranked_classes("coffee")[0], heatmap)
    assert result.status is Status.INCORRECT
    assert "centre square" in result.message


def test_q4_not_attempted_and_questions_listed():
    assert ex08.q4.evaluate(..., ...).status is Status.NOT_ATTEMPTED
    assert ex08.QUESTIONS == ("q1", "q2", "q3", "q4")
    for name in ex08.QUESTIONS:
        q = getattr(ex08, name)
        assert q.notebook == "08" and len(q.hint_texts()) >= 2
