"""The checkers of notebook 02 against their solutions and against wrong answers."""

from __future__ import annotations

import numpy as np
import pytest
from test_ex_solutions import run_solution

from cvcourse.exercises import ex02
from cvcourse.exercises.core import Status


def solution_namespace(question) -> dict:
    return run_solution("02", question.name, np=np)


# ------------------------------------------------------------------------------- q1


def test_q1_counts_agree_with_keras():
    import keras

    layers = [
        (keras.layers.Conv2D(16, kernel_size=5), (28, 28, 3)),
        (keras.layers.Dense(100), (7 * 7 * 32,)),
        (keras.layers.Conv2D(32, kernel_size=1), (12, 12, 64)),
    ]
    for (layer, shape), count in zip(layers, ex02.expected_counts()):
        layer.build((None, *shape))
        assert layer.count_params() == count


def test_q1_solution_is_correct():
    ns = solution_namespace(ex02.q1)
    assert ex02.q1.evaluate(ns["param_counts"]).status is Status.CORRECT


@pytest.mark.parametrize(
    "answer, words",
    [
        ([1200, 156900, 2080], "biases"),  # A without biases
        ([(5 * 5 + 1) * 16, 156900, 2080], "every one of the 3 input channels"),
        ([1216, 156900, (12 * 12 * 64 + 1) * 32], "height and width"),
        ([1216, 156800, 2080], "biases"),
        ([1216, 156900], "3 layers"),
        ("1216", "list"),
        ([1216, "many", 2080], "whole number"),
    ],
)
def test_q1_wrong_answers_say_what_is_wrong(answer, words):
    result = ex02.q1.evaluate(answer)
    assert result.status is Status.INCORRECT
    assert words in result.message


def test_q1_placeholder_is_not_attempted():
    assert ex02.q1.evaluate(...).status is Status.NOT_ATTEMPTED
    assert ex02.q1.evaluate([..., ..., ...]).status is Status.NOT_ATTEMPTED
    partly = ex02.q1.evaluate([1216, ..., 2080])
    assert partly.status is Status.INCORRECT and "still ..." in partly.message


# ------------------------------------------------------------------------------- q2


def classic_convnet(input_shape=(28, 28, 1), num_classes=10):
    """Section 5's classic convnet, written out as the notebook's student writes it."""
    import keras

    return keras.Sequential(
        [
            keras.Input(shape=input_shape),
            keras.layers.Conv2D(32, 3, activation="relu"),
            keras.layers.MaxPooling2D(2),
            keras.layers.Conv2D(64, 3, activation="relu"),
            keras.layers.MaxPooling2D(2),
            conv3 := keras.layers.Conv2D(64, 3, activation="relu"),
            keras.layers.Flatten(),
            keras.layers.Dense(64, activation="relu"),
            keras.layers.Dense(num_classes, activation="softmax"),
        ]
    ), conv3


def notebook_model(variable: str, **names):
    """Run the notebook 02 cell that builds ``variable`` (``name = keras.Sequential``)."""
    import keras
    import nbformat
    from test_ex_solutions import NOTEBOOKS

    (path,) = NOTEBOOKS.glob("02_*.ipynb")
    nb = nbformat.read(path, as_version=4)
    (source,) = [c.source for c in nb.cells if f"{variable} = keras.Sequential" in c.source]
    ns = {"keras": keras, "np": np, **names}
    exec(source, ns)
    return ns[variable]


def layer_table(model):
    return [(type(layer).__name__, tuple(layer.output.shape)) for layer in model.layers]


def test_q2_expected_shapes_come_from_the_real_model():
    model, conv3 = classic_convnet((32, 32, 3))
    assert ex02.expected_shapes() == ((4, 4, 64), 1024)
    assert tuple(conv3.output.shape[1:]) == (4, 4, 64)
    assert model.layers[-3].output.shape[-1] == 1024
    assert model.count_params() == ex02._classic_convnet((32, 32, 3)).count_params()


def test_q2_the_checkers_convnet_is_the_notebooks():
    """The checker's reference is section 5's model, layer for layer, on both inputs."""
    section5 = notebook_model("classic_convnet")
    reference = ex02._classic_convnet((28, 28, 1))
    assert layer_table(section5) == layer_table(reference)
    assert section5.count_params() == reference.count_params() == 93_322
    revealed = notebook_model(  # the cell after the check, which builds it on 32 x 32 x 3
        "cifar_convnet", conv3_shape=(4, 4, 64), flatten_length=1024
    )
    assert layer_table(revealed) == layer_table(ex02._classic_convnet(ex02.CIFAR_SHAPE))
    assert layer_table(revealed) == layer_table(classic_convnet((32, 32, 3))[0])


def test_q2_solution_is_correct():
    ns = solution_namespace(ex02.q2)
    result = ex02.q2.evaluate(ns["conv3_shape"], ns["flatten_length"])
    assert result.status is Status.CORRECT
    # a TensorShape with its batch axis is fine too
    _, conv3 = classic_convnet((32, 32, 3))
    assert ex02.q2.evaluate(conv3.output.shape, 1024).correct


@pytest.mark.parametrize(
    "shape, length, words",
    [
        ((5, 5, 64), 1600, "rounds down"),
        ((4, 4, 3), 48, "one channel per filter"),
        ((8, 8, 64), 4096, "two 2x2 poolings"),
        ((4, 4, 64), 1000, "flatten_length is 1000"),
        ((4, 4, 64), float("inf"), "NaN or infinity"),
        ("4x4x64", 1024, "three whole numbers"),
        ((4, 4, 64), "1024", "should be a number"),
    ],
)
def test_q2_wrong_answers_say_what_is_wrong(shape, length, words):
    result = ex02.q2.evaluate(shape, length)
    assert result.status is Status.INCORRECT
    assert words in result.message


def test_q2_placeholder_is_not_attempted():
    assert ex02.q2.evaluate(..., ...).status is Status.NOT_ATTEMPTED
    assert ex02.q2.evaluate((4, 4, 64), ...).status is Status.INCORRECT


# ------------------------------------------------------------------------------- q3


def test_q3_solution_is_correct():
    ns = solution_namespace(ex02.q3)
    assert ex02.q3.evaluate(ns["most_confused_pair"]).status is Status.CORRECT


def including_diagonal(cm):
    row, col = np.unravel_index(np.argmax(cm), cm.shape)
    return int(row), int(col)


def swapped(cm):
    off = np.array(cm, copy=True)
    np.fill_diagonal(off, 0)
    row, col = np.unravel_index(np.argmax(off), off.shape)
    return int(col), int(row)


def crashes(cm):
    return cm.fill_diagonal(0)  # arrays have no such method


def returns_the_count(cm):
    off = np.array(cm, copy=True)
    np.fill_diagonal(off, 0)
    return int(off.max())


@pytest.mark.parametrize(
    "function, words",
    [
        (including_diagonal, "on the diagonal"),
        (swapped, "swapped"),
        (crashes, "raised AttributeError"),
        (returns_the_count, "return two class indices"),
        ("(1, 2)", "function itself"),
    ],
)
def test_q3_wrong_answers_say_what_is_wrong(function, words):
    result = ex02.q3.evaluate(function)
    assert result.status is Status.INCORRECT
    assert words in result.message


def test_q3_does_not_let_the_student_change_the_checkers_matrices():
    def spoils(cm):
        cm[:] = 0
        return (0, 1)

    ex02.q3.evaluate(spoils)
    assert ex02.q3.evaluate(solution_namespace(ex02.q3)["most_confused_pair"]).correct


def test_q3_placeholder_is_not_attempted():
    def placeholder(cm):
        return ...

    assert ex02.q3.evaluate(...).status is Status.NOT_ATTEMPTED
    assert ex02.q3.evaluate(placeholder).status is Status.NOT_ATTEMPTED


# ------------------------------------------------------------------------------- q4


def mnist_model(order="fixed", last="softmax", first_filters=32, input_shape=(28, 28, 1)):
    import keras

    layers = keras.layers
    body = [
        keras.Input(shape=input_shape),
        layers.Conv2D(first_filters, 3, activation="relu"),
        layers.MaxPooling2D(2),
        layers.Conv2D(64, 3, activation="relu"),
        layers.MaxPooling2D(2),
    ]
    head = [layers.Flatten(), layers.Dense(10, activation=last)]
    return keras.Sequential(body + (head if order == "fixed" else head[::-1]))


def test_q4_the_notebooks_broken_model_is_the_one_tested_here():
    x_test = np.zeros((3, 28, 28, 1), dtype="float32")
    given = notebook_model("broken_model", x_test=x_test)
    assert tuple(given(x_test).shape) == (3, 250)
    assert given.count_params() == mnist_model("broken", "relu").count_params()
    assert ex02.q4.evaluate(given).status is Status.INCORRECT


def test_q4_solution_is_correct():
    import keras

    ns = run_solution("02", "q4", keras=keras)
    assert ns["fixed_model"].count_params() == ex02.REPAIRED_PARAMS == 34_826
    result = ex02.q4.evaluate(ns["fixed_model"])
    assert result.status is Status.CORRECT
    assert ex02.q4.evaluate(mnist_model()).correct  # the same model, built another way


@pytest.mark.parametrize(
    "make, words",
    [
        (lambda: mnist_model("broken", "relu"), "250 numbers per image"),  # as it was given
        (lambda: mnist_model("broken", "softmax"), "250 numbers per image"),  # Flatten still last
        (lambda: mnist_model("fixed", "relu"), "not probabilities"),  # ReLU on the output
        (lambda: mnist_model("fixed", "sigmoid"), "not probabilities"),
        (lambda: mnist_model(first_filters=16), "parameters"),  # redesigned, not repaired
        (lambda: mnist_model(input_shape=(32, 32, 3)), "takes inputs of shape (32, 32, 3)"),
        (lambda: classic_convnet(num_classes=3)[0], "one per class"),
        (lambda: "fixed_model", "Keras model"),
        (lambda: lambda x: np.full((len(x), 10), 0.1), "Keras model"),  # not a model
    ],
)
def test_q4_wrong_models_say_what_is_wrong(make, words):
    result = ex02.q4.evaluate(make())
    assert result.status is Status.INCORRECT
    assert words in result.message
    assert "34,826" not in result.message and "34826" not in result.message


def test_q4_placeholder_is_not_attempted():
    assert ex02.q4.evaluate(...).status is Status.NOT_ATTEMPTED


def test_questions_are_listed_in_order_with_two_hints():
    assert ex02.QUESTIONS == ("q1", "q2", "q3", "q4")
    for name in ex02.QUESTIONS:
        question = getattr(ex02, name)
        assert question.notebook == "02" and question.name == name
        assert len(question.hint_texts()) >= 2


# ------------------------------------------------- the shared contract (test_exercises_all)


def _q4_solution():
    import keras

    return (run_solution("02", "q4", keras=keras)["fixed_model"],), {}


ANSWERS = {
    "q1": {
        "solution": lambda: ((solution_namespace(ex02.q1)["param_counts"],), {}),
        "mistakes": [
            lambda: (([1200, 156800, 2048],), {}),  # no biases
            lambda: (([(5 * 5 + 1) * 16, 156900, (1 + 1) * 32],), {}),  # input channels left out
        ],
    },
    "q2": {
        "solution": lambda: (
            (
                solution_namespace(ex02.q2)["conv3_shape"],
                solution_namespace(ex02.q2)["flatten_length"],
            ),
            {},
        ),
        "mistakes": [
            lambda: (((5, 5, 64), 1600), {}),  # pooling rounded up
            lambda: (((4, 4, 3), 48), {}),  # channels taken from the input
        ],
    },
    "q3": {
        "solution": lambda: ((solution_namespace(ex02.q3)["most_confused_pair"],), {}),
        "mistakes": [lambda: ((including_diagonal,), {}), lambda: ((swapped,), {})],
    },
    "q4": {
        "solution": _q4_solution,
        "mistakes": [
            lambda: ((mnist_model("broken", "relu"),), {}),  # handed in as given
            lambda: ((mnist_model("fixed", "relu"),), {}),  # Flatten moved, activation kept
        ],
    },
}


@pytest.mark.parametrize("name", sorted(ANSWERS))
def test_answers_contract(name):
    question = getattr(ex02, name)
    args, kwargs = ANSWERS[name]["solution"]()
    assert question.evaluate(*args, **kwargs).status is Status.CORRECT
    for mistake in ANSWERS[name]["mistakes"]:
        args, kwargs = mistake()
        assert question.evaluate(*args, **kwargs).status is Status.INCORRECT
