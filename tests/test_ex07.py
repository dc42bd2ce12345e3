"""The checkers of notebook 07, against their solutions and against wrong answers."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from cvcourse import explain
from cvcourse.exercises import ex07
from cvcourse.exercises.core import Status


@pytest.fixture(scope="module")
def convnet():
    """A small Sequential convnet named like the notebook's."""
    keras.utils.set_random_seed(0)
    return keras.Sequential(
        [
            keras.Input((32, 32, 3)),
            keras.layers.Rescaling(1 / 255, name="rescale"),
            keras.layers.Conv2D(8, 3, activation="relu", name="conv1"),
            keras.layers.MaxPooling2D(name="pool1"),
            keras.layers.Conv2D(8, 3, activation="relu", name="conv2"),
            keras.layers.MaxPooling2D(name="pool2"),
            keras.layers.Flatten(name="flatten"),
            keras.layers.Dense(1, activation="sigmoid", name="p_dog"),
        ]
    )


@pytest.fixture(scope="module")
def classifier():
    """A 5-class convnet standing in for the ImageNet model, and an image for it."""
    keras.utils.set_random_seed(1)
    model = keras.Sequential(
        [
            keras.Input((16, 16, 3)),
            keras.layers.Conv2D(6, 3, activation="relu", name="conv"),
            keras.layers.GlobalAveragePooling2D(),
            keras.layers.Dense(5, activation="softmax"),
        ]
    )
    image = np.random.default_rng(2).uniform(-1, 1, (16, 16, 3)).astype(np.float32)
    probs = np.asarray(model(image[None]))[0]
    return model, image, probs


def status(question, *args):
    return question.evaluate(*args)


# ------------------------------------------------------------------------------- q1


def test_q1_solution(convnet):
    result = status(ex07.q1, convnet, "conv1")
    assert result.status is Status.CORRECT, result.message


@pytest.mark.parametrize(
    "answer, words",
    [
        ("pool1", "close"),
        ("conv2", "deeper"),
        ("rescale", "before any convolution"),
        ("conv9", "no layer 'conv9'"),
        (1, "string"),
        (["conv1"], "string"),
    ],
)
def test_q1_wrong_answers(convnet, answer, words):
    result = status(ex07.q1, convnet, answer)
    assert result.status is Status.INCORRECT
    assert words in result.message


def test_q1_placeholder(convnet):
    assert status(ex07.q1, convnet, ...).status is Status.NOT_ATTEMPTED


# ------------------------------------------------------------------------------- q2


def test_q2_solution(classifier):
    model, image, probs = classifier
    second = int(np.argsort(probs)[-2])
    heatmap = explain.grad_cam(model, image, class_index=second)
    result = status(ex07.q2, model, image, second, heatmap)
    assert result.status is Status.CORRECT, result.message
    assert "row" in result.message
    # a tensor and a NumPy integer are fine too
    result = status(ex07.q2, model, image, np.int64(second), tf.constant(heatmap))
    assert result.status is Status.CORRECT, result.message


def test_q2_wrong_answers(classifier):
    model, image, probs = classifier
    top = int(np.argmax(probs))
    second = int(np.argsort(probs)[-2])
    third = int(np.argsort(probs)[-3])
    good = explain.grad_cam(model, image, class_index=second)
    top_map = explain.grad_cam(model, image, class_index=top)
    cases = [
        ((top, top_map), "predicted class"),
        ((second, top_map), "heatmap of the predicted class"),
        ((second, explain.upsample(good, (16, 16))), "shape"),
        ((second, good * 2 - 0.5), "[0, 1]"),
        ((7, good), "numbered 0 to 4"),
        (("tabby", good), "class index"),
        ((True, good), "class index"),
        ((second, None), "None"),
    ]
    if not np.allclose(explain.grad_cam(model, image, class_index=third), good, atol=0.05):
        cases.append(((second, explain.grad_cam(model, image, class_index=third)), "not the"))
    for (answer_class, answer_map), words in cases:
        result = status(ex07.q2, model, image, answer_class, answer_map)
        assert result.status is Status.INCORRECT, (answer_class, words)
        assert words in result.message, (words, result.message)


def test_q2_placeholders(classifier):
    model, image, probs = classifier
    second = int(np.argsort(probs)[-2])
    assert status(ex07.q2, model, image, ..., ...).status is Status.NOT_ATTEMPTED
    assert status(ex07.q2, model, image, second, ...).status is Status.NOT_ATTEMPTED


# ------------------------------------------------------------------------------- q3


def maps():
    rng = np.random.default_rng(5)
    return rng.uniform(0, 1, (7, 7)).astype(np.float32), rng.uniform(0, 1, (7, 7))


def test_q3_solution():
    first, second = maps()
    agreement = float(np.corrcoef(first.ravel(), second.ravel())[0, 1])
    result = status(ex07.q3, first, second, agreement)
    assert result.status is Status.CORRECT, result.message
    assert f"{agreement:.2f}" in result.message
    assert status(ex07.q3, first, first, 1.0).status is Status.CORRECT


@pytest.mark.parametrize(
    "make, words",
    [
        (lambda a, b: np.corrcoef(a.ravel(), b.ravel()), "2x2 matrix"),
        (lambda a, b: float(np.abs(a - b).mean()), "np.corrcoef"),
        (lambda a, b: "similar", "number"),
        (lambda a, b: float("nan"), "NaN"),
        (lambda a, b: [0.1, 0.2], "one number"),
    ],
)
def test_q3_wrong_answers(make, words):
    first, second = maps()
    result = status(ex07.q3, first, second, make(first, second))
    assert result.status is Status.INCORRECT
    assert words in result.message, result.message


def test_q3_maps_of_different_sizes():
    first, second = maps()
    result = status(ex07.q3, first, np.zeros((5, 5)), 0.0)
    assert result.status is Status.INCORRECT and "shapes" in result.message


def test_q3_placeholders():
    first, second = maps()
    assert status(ex07.q3, first, ..., ...).status is Status.NOT_ATTEMPTED
    assert status(ex07.q3, first, second, ...).status is Status.NOT_ATTEMPTED


def test_questions_are_listed():
    assert [ex07.q1, ex07.q2, ex07.q3] == ex07.QUESTIONS
    assert all(q.notebook == "07" and q.hint_texts()[0] for q in ex07.QUESTIONS)
