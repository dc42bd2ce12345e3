"""Exercises of notebook 05: each checker against its solution and against wrong answers."""

from __future__ import annotations

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from test_ex_solutions import run_solution  # noqa: E402

from cvcourse import augment  # noqa: E402
from cvcourse.exercises import core, ex05  # noqa: E402

CORRECT = core.Status.CORRECT
INCORRECT, NOT_ATTEMPTED = core.Status.INCORRECT, core.Status.NOT_ATTEMPTED


def _solution(question, name):
    return run_solution("05", question.name, keras=keras, np=np)[name]


# ------------------------------------------------------------------------------- q1


def test_q1_solution_is_correct():
    result = ex05.q1.evaluate(_solution(ex05.q1, "my_augmentation"))
    assert result.correct, result.message


def test_q1_the_course_helper_is_correct_too():
    pipeline = augment.augmentation_pipeline(
        flip="horizontal", rotation=0.05, zoom=0.15, contrast=0.2
    )
    assert ex05.q1.evaluate(pipeline).correct


@pytest.mark.parametrize(
    "contrast, words",
    [
        (0.2, "only raises the contrast"),  # (0, 0.2): factors from 1 to 1.2
        ((0.3, 0.3), "from 0.7 to 1.3"),
        ((0.0, 0.4), "draws factors from 1 to 1.4"),
    ],
)
def test_q1_a_contrast_that_does_not_lower_and_raise_by_20_percent_is_caught(contrast, words):
    pipeline = keras.Sequential(
        [
            keras.layers.RandomFlip("horizontal"),
            keras.layers.RandomRotation(0.05),
            keras.layers.RandomZoom(0.15),
            keras.layers.RandomContrast(contrast),
        ]
    )
    result = ex05.q1.evaluate(pipeline)
    assert result.status is INCORRECT
    assert words in result.message


def test_q1_a_plain_list_of_layers_in_a_sequential_inside_a_sequential_is_fine():
    inner = keras.Sequential(
        [keras.layers.RandomFlip("horizontal"), keras.layers.RandomRotation(0.05)]
    )
    outer = keras.Sequential(
        [inner, keras.layers.RandomZoom(0.15), keras.layers.RandomContrast((0.2, 0.2))]
    )
    assert ex05.q1.evaluate(outer).correct


@pytest.mark.parametrize(
    "layers, words",
    [
        (
            [
                keras.layers.RandomFlip("horizontal"),
                keras.layers.RandomRotation(0.5),  # half a turn instead of 18 degrees
                keras.layers.RandomZoom(0.15),
                keras.layers.RandomContrast((0.2, 0.2)),
            ],
            "0.05 of a full turn",
        ),
        (
            [
                keras.layers.RandomFlip(),  # both directions
                keras.layers.RandomRotation(0.05),
                keras.layers.RandomZoom(0.15),
                keras.layers.RandomContrast((0.2, 0.2)),
            ],
            "mode 'horizontal'",
        ),
        (
            [
                keras.layers.RandomFlip("horizontal"),
                keras.layers.RandomRotation(0.05),
                keras.layers.RandomContrast((0.2, 0.2)),
            ],
            "no RandomZoom",
        ),
        (
            [
                keras.layers.RandomFlip("horizontal"),
                keras.layers.RandomRotation(0.05),
                keras.layers.RandomZoom(0.15),
                keras.layers.RandomContrast((0.2, 0.2)),
                keras.layers.RandomBrightness(0.1),
            ],
            "no RandomBrightness",
        ),
        (
            [
                keras.layers.RandomFlip("horizontal"),
                keras.layers.RandomRotation(0.05),
                keras.layers.RandomZoom(0.5),
                keras.layers.RandomContrast((0.2, 0.2)),
            ],
            "0.15",
        ),
    ],
)
def test_q1_wrong_pipelines_are_caught(layers, words):
    result = ex05.q1.evaluate(keras.Sequential(layers))
    assert result.status is INCORRECT
    assert words in result.message


class _Broken(keras.layers.Layer):
    """The right layers inside, but calling it crashes (a bug in the student's code)."""

    def __init__(self):
        super().__init__()
        self.layers = [
            keras.layers.RandomFlip("horizontal"),
            keras.layers.RandomRotation(0.05),
            keras.layers.RandomZoom(0.15),
            keras.layers.RandomContrast((0.2, 0.2)),
        ]

    def call(self, images, training=None):
        raise RuntimeError("oops")


class _AlwaysOn(_Broken):
    """The right layers, but augmenting at inference too."""

    def call(self, images, training=None):
        for layer in self.layers:
            images = layer(images, training=True)
        return images


class _Shrinks(_Broken):
    """The right layers, but the output loses a row."""

    def call(self, images, training=None):
        for layer in self.layers:
            images = layer(images, training=training)
        return images[:, 1:]


def test_q1_a_crash_inside_the_pipeline_is_reported():
    result = ex05.q1.evaluate(_Broken())
    assert result.status is INCORRECT and "RuntimeError: oops" in result.message


def test_q1_augmenting_at_inference_is_caught():
    result = ex05.q1.evaluate(_AlwaysOn())
    assert result.status is INCORRECT and "training=False" in result.message


def test_q1_changing_the_shape_is_caught():
    result = ex05.q1.evaluate(_Shrinks())
    assert result.status is INCORRECT and "shape" in result.message


@pytest.mark.parametrize("answer", [None, 3, "RandomFlip"])
def test_q1_not_a_pipeline(answer):
    assert ex05.q1.evaluate(answer).status is INCORRECT


def test_q1_placeholder_is_not_attempted():
    assert ex05.q1.evaluate(...).status is NOT_ATTEMPTED


# ------------------------------------------------------------------------------- q2


def test_q2_solution_is_correct():
    digits = _solution(ex05.q2, "for_digits")
    cats = _solution(ex05.q2, "for_cats_and_dogs")
    assert ex05.q2.evaluate(digits, cats).correct


def test_q2_optional_choices_are_accepted_either_way():
    assert ex05.q2.evaluate(
        ["small_rotation", "shift"], ("horizontal_flip", "small_rotation", "shift", "zoom")
    ).correct


def test_q2_flipping_digits_is_caught():
    result = ex05.q2.evaluate(
        {"small_rotation", "shift", "horizontal_flip"},
        {"horizontal_flip", "small_rotation", "shift", "zoom"},
    )
    assert result.status is INCORRECT and "for_digits has horizontal_flip" in result.message


def test_q2_turning_pets_upside_down_and_forgetting_the_flip_is_caught():
    result = ex05.q2.evaluate(
        {"small_rotation", "shift"}, {"vertical_flip", "small_rotation", "shift", "zoom"}
    )
    assert result.status is INCORRECT
    assert "vertical_flip" in result.message and "leaves out 1 augmentation" in result.message
    assert "horizontal_flip" not in result.message  # a miss is counted, never named


@pytest.mark.parametrize(
    "digits, cats",
    [("small_rotation shift", {"zoom"}), ({"rotate"}, {"zoom"}), ({1, 2}, {"zoom"})],
)
def test_q2_answers_of_the_wrong_form(digits, cats):
    assert ex05.q2.evaluate(digits, cats).status is INCORRECT


def test_q2_placeholders():
    assert ex05.q2.evaluate(..., ...).status is NOT_ATTEMPTED
    half = ex05.q2.evaluate({"small_rotation", "shift"}, ...)
    assert half.status is INCORRECT and "for_cats_and_dogs is still" in half.message


# ------------------------------------------------------------------------------- q3


def test_q3_solution_is_correct():
    assert ex05.q3.evaluate(_solution(ex05.q3, "touches_validation")).correct


def test_q3_letters_in_a_string_or_list_are_fine():
    assert ex05.q3.evaluate("B, C, E").correct
    assert ex05.q3.evaluate(["b", "c", "e"]).correct


@pytest.mark.parametrize(
    "answer, words",
    [
        ({"B", "E"}, "you left out 1 setup in which"),
        ({"B"}, "you left out 2 setups"),
        ({"A", "B", "C", "E"}, "A is fine"),
        ({"B", "C", "E", "Z"}, "the setups are"),
    ],
)
def test_q3_wrong_answers(answer, words):
    result = ex05.q3.evaluate(answer)
    assert result.status is INCORRECT and words in result.message


def test_q3_not_a_set_and_placeholder():
    assert ex05.q3.evaluate(3).status is INCORRECT
    assert ex05.q3.evaluate(...).status is NOT_ATTEMPTED


@pytest.mark.parametrize("answer", [{"B", "E"}, {"A", "C"}, {"D"}, set(), "E", ["b"]])
def test_q3_an_incorrect_answer_never_names_a_setup_it_left_out(answer):
    result = ex05.q3.evaluate(answer)
    chosen = {letter.upper() for letter in answer}
    assert result.status is INCORRECT
    for letter in ex05.Q3_ANSWER - chosen:
        assert f"{letter}:" not in result.message and f" {letter} " not in result.message
        assert ex05.Q3_WHY[letter] not in result.message


def test_questions_listed_and_hinted_in_two_levels():
    assert ex05.QUESTIONS == ("q1", "q2", "q3")
    for name in ex05.QUESTIONS:
        question = getattr(ex05, name)
        assert question.name == name and question.notebook == "05"
        assert len(question.hint_texts()) >= 2


# ------------------------------------------------- the shared contract (test_exercises_all)


def _q2_solution():
    ns = run_solution("05", "q2")
    return (ns["for_digits"], ns["for_cats_and_dogs"]), {}


ANSWERS = {
    "q1": {
        "solution": lambda: ((_solution(ex05.q1, "my_augmentation"),), {}),
        "mistakes": [
            lambda: (
                (
                    augment.augmentation_pipeline(
                        flip="horizontal", rotation=0.18, zoom=0.15, contrast=0.2
                    ),
                ),
                {},
            ),
            lambda: (
                (keras.Sequential([keras.layers.RandomFlip(), keras.layers.RandomRotation(0.05)]),),
                {},
            ),
            lambda: (  # the notebook's warning: one number only raises the contrast
                (
                    keras.Sequential(
                        [
                            keras.layers.RandomFlip("horizontal"),
                            keras.layers.RandomRotation(0.05),
                            keras.layers.RandomZoom(0.15),
                            keras.layers.RandomContrast(0.2),
                        ]
                    ),
                ),
                {},
            ),
        ],
    },
    "q2": {
        "solution": _q2_solution,
        "mistakes": [
            lambda: (
                ({"horizontal_flip", "small_rotation", "shift"}, {"horizontal_flip", "zoom"}),
                {},
            ),
            lambda: (({"small_rotation", "shift"}, {"vertical_flip", "large_rotation"}), {}),
        ],
    },
    "q3": {
        "solution": lambda: ((_solution(ex05.q3, "touches_validation"),), {}),
        "mistakes": [lambda: (({"B"},), {}), lambda: (({"A", "B", "C", "E"},), {})],
    },
}


@pytest.mark.parametrize("name", sorted(ANSWERS))
def test_answers_contract(name):
    question = getattr(ex05, name)
    args, kwargs = ANSWERS[name]["solution"]()
    assert question.evaluate(*args, **kwargs).correct
    for mistake in ANSWERS[name]["mistakes"]:
        args, kwargs = mistake()
        assert question.evaluate(*args, **kwargs).status is INCORRECT
