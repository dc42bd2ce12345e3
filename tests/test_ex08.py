"""Notebook 08's checkers: each judges a trained model on the held-out test images.

Models that pass without minutes of training are built by hand: a "template" model holds
the test images themselves as the weights of a Dense layer and answers with the label of
the most similar one (cosine similarity), so it is right on (nearly) every test image.
Variants of it make each kind of wrong answer. One test trains the real q1 solution.
"""

import numpy as np
import pytest
from test_ex_solutions import solution_code

from cvcourse.datasets import sign_mnist
from cvcourse.exercises import core, ex08

keras = pytest.importorskip("keras")

CORRECT = core.Status.CORRECT
INCORRECT = core.Status.INCORRECT
NOT_ATTEMPTED = core.Status.NOT_ATTEMPTED


def template_model(letters=None, *, permute=None, expects_255=False, name="templates"):
    """A Keras model that recognises the test images by matching them to copies of themselves.

    ``permute`` renames the classes (class i is answered as permute[i]); with
    ``expects_255`` the model only works on 0-255 pixels (as if trained on them).
    """
    x, y = ex08.test_images(letters)  # float32 [0, 1], (n, 28, 28, 1)
    k = 3 if letters == ex08.RPS_LETTERS else 24
    offset = 0.5  # subtract a constant so that the scale of the input matters below
    centred = x.reshape(len(x), -1) - offset
    templates = centred / np.linalg.norm(centred, axis=1, keepdims=True)
    answer = y if permute is None else np.asarray(permute)[y]
    one_hot = np.eye(k, dtype="float32")[answer]
    inputs = keras.Input(shape=(28, 28, 1))
    scaled = keras.layers.Rescaling(1 / 255 if expects_255 else 1.0, offset=-offset)(inputs)
    flat = keras.layers.UnitNormalization()(keras.layers.Flatten()(scaled))
    similarity = keras.layers.Dense(len(x), use_bias=False, name="templates")(flat)
    sharp = keras.layers.Softmax()(keras.layers.Rescaling(200.0)(similarity))
    outputs = keras.layers.Dense(k, use_bias=False, name="labels")(sharp)
    model = keras.Model(inputs, outputs, name=name)
    model.get_layer("templates").set_weights([templates.T.astype("float32")])
    model.get_layer("labels").set_weights([one_hot])
    return model


@pytest.fixture(scope="module")
def rps_templates(mirror_dir):
    return template_model(ex08.RPS_LETTERS)


# ----------------------------------------------------------------------- select_letters


def test_select_letters_relabels_in_the_given_order(mirror_dir):
    (x, y), (x_test, y_test) = sign_mnist.load_sign_mnist(progress=False)
    x_test_only, y_test_only = sign_mnist.load_sign_mnist_test(progress=False)
    assert np.array_equal(x_test_only, x_test) and np.array_equal(y_test_only, y_test)
    x_rps, y_rps = sign_mnist.select_letters(x, y, "ABV")
    expected = np.isin(y, [0, 1, 20])  # A, B and V are classes 0, 1 and 20 of the 24
    assert len(x_rps) == int(expected.sum()) == 1126 + 1010 + 1082
    assert np.array_equal(x_rps, x[expected])
    assert sorted(set(y_rps.tolist())) == [0, 1, 2] and y_rps.dtype == np.uint8
    assert np.array_equal(y_rps == 2, y[expected] == 20)  # V, CSV label 21, is scissors
    _, y_vba = sign_mnist.select_letters(x, y, ["v", "b", "a"])
    assert np.array_equal(y_vba, 2 - y_rps)


def test_select_letters_refuses_missing_and_repeated_letters():
    x, y = np.zeros((3, 28, 28), np.uint8), np.array([0, 1, 2], np.uint8)
    with pytest.raises(ValueError, match="J"):
        sign_mnist.select_letters(x, y, "AJ")
    with pytest.raises(ValueError, match="repeats"):
        sign_mnist.select_letters(x, y, "ABA")
    with pytest.raises(ValueError, match="at least one"):
        sign_mnist.select_letters(x, y, "")
    with pytest.raises(ValueError, match="labels"):
        sign_mnist.select_letters(x, y[:2], "AB")


def test_checker_input_is_the_stated_preprocessing(mirror_dir):
    x, y = ex08.test_images(ex08.RPS_LETTERS)
    assert x.shape == (331 + 432 + 346, 28, 28, 1) and x.dtype == np.float32
    assert x.min() >= 0.0 and x.max() <= 1.0 and x.max() > 0.9
    assert np.bincount(y).tolist() == [331, 432, 346]


# -------------------------------------------------------------------------- q1 and q2


def test_q1_and_q2_placeholder_is_not_attempted():
    assert ex08.q1.evaluate(...).status is NOT_ATTEMPTED
    assert ex08.q2.evaluate(...).status is NOT_ATTEMPTED


def test_q1_accepts_a_model_that_recognises_the_test_images(rps_templates):
    result = ex08.q1.evaluate(rps_templates)
    assert result.status is CORRECT, result.message
    assert "1,109" in result.message


def test_q2_accepts_a_model_that_recognises_the_test_images(mirror_dir):
    result = ex08.q2.evaluate(template_model(None))
    assert result.status is CORRECT, result.message
    assert "7,172" in result.message


@pytest.mark.parametrize(
    "answer, words",
    [
        (np.zeros((3,)), "Keras model"),
        ("my model", "Keras model"),
        (None, "Keras model"),
    ],
)
def test_q1_refuses_what_is_not_a_model(answer, words):
    result = ex08.q1.evaluate(answer)
    assert result.status is INCORRECT and words in result.message


def test_q1_names_a_wrong_input_shape():
    flat = keras.Sequential([keras.Input(shape=(784,)), keras.layers.Dense(3)])
    result = ex08.q1.evaluate(flat)
    assert result.status is INCORRECT and "(784,)" in result.message
    assert "(28, 28, 1)" in result.message
    two_d = keras.Sequential(
        [keras.Input(shape=(28, 28)), keras.layers.Flatten(), keras.layers.Dense(3)]
    )
    assert "(28, 28)" in ex08.q1.evaluate(two_d).message


def test_q1_names_a_wrong_number_of_outputs():
    ten = keras.Sequential(
        [keras.Input(shape=(28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(10)]
    )
    result = ex08.q1.evaluate(ten)
    assert result.status is INCORRECT
    assert "3 numbers" in result.message and "Dense(3" in result.message
    # q2 needs 24
    assert "24 numbers" in ex08.q2.evaluate(ten).message


def test_q1_says_when_the_model_was_never_built():
    unbuilt = keras.Sequential([keras.layers.Flatten(), keras.layers.Dense(3)])
    result = ex08.q1.evaluate(unbuilt)
    assert result.status is INCORRECT and "keras.Input(shape=(28, 28, 1))" in result.message


def test_q1_explains_a_model_trained_on_0_255_pixels(mirror_dir):
    result = ex08.q1.evaluate(template_model(ex08.RPS_LETTERS, expects_255=True))
    assert result.status is INCORRECT
    assert "0-255" in result.message and "x / 255" in result.message


def test_q1_explains_classes_in_another_order(mirror_dir):
    swapped = template_model(ex08.RPS_LETTERS, permute=[1, 0, 2])  # rock and paper swapped
    result = ex08.q1.evaluate(swapped)
    assert result.status is INCORRECT
    assert "other numbers" in result.message and "0 = rock" in result.message


def test_q2_explains_letters_in_another_order(mirror_dir):
    shifted = template_model(None, permute=np.roll(np.arange(24), 1))  # off by one
    result = ex08.q2.evaluate(shifted)
    assert result.status is INCORRECT and "other numbers" in result.message


def test_q1_refuses_an_untrained_model(mirror_dir):
    keras.utils.set_random_seed(0)
    untrained = keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            keras.layers.Conv2D(4, 3, activation="relu"),
            keras.layers.Flatten(),
            keras.layers.Dense(3, activation="softmax"),
        ]
    )
    result = ex08.q1.evaluate(untrained)
    assert result.status is INCORRECT
    assert "bar is 97%" in result.message or "has not learned" in result.message


def test_q1_reports_a_model_that_crashes_or_gives_nan(mirror_dir):
    class Broken(keras.Sequential):
        def predict(self, *args, **kwargs):
            raise RuntimeError("out of cheese")

    broken = Broken([keras.Input(shape=(28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(3)])
    result = ex08.q1.evaluate(broken)
    assert result.status is INCORRECT
    assert "RuntimeError" in result.message and "out of cheese" in result.message

    nan = keras.Sequential(
        [keras.Input(shape=(28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(3)]
    )
    kernel, bias = nan.layers[-1].get_weights()
    nan.layers[-1].set_weights([np.full_like(kernel, np.nan), bias])
    result = ex08.q1.evaluate(nan)
    assert result.status is INCORRECT and "NaN" in result.message


def test_check_shows_a_result_and_never_raises(capsys):
    ex08.q1.check("not a model")
    ex08.q1.check(...)
    ex08.q2.hint()
    out = capsys.readouterr().out
    assert "Incorrect" in out and "Not attempted" in out and "Hint for q2" in out


@pytest.mark.slow
def test_q1_solution_trains_a_model_that_passes(mirror_dir):
    """The solution shown by ex.q1.solution(), run on the notebook's data, passes the check."""
    from sklearn.model_selection import train_test_split

    keras.utils.set_random_seed(0)
    (x, y), _ = sign_mnist.load_sign_mnist(progress=False)
    x_rps, y_rps = sign_mnist.select_letters(x, y, ex08.RPS_LETTERS)
    x_rps = ex08.model_input(x_rps)
    x_train_rps, x_val_rps, y_train_rps, y_val_rps = train_test_split(
        x_rps, y_rps, test_size=0.1, stratify=y_rps, random_state=0
    )
    x_test_rps, y_test_rps = ex08.test_images(ex08.RPS_LETTERS)
    scope = {
        "keras": keras,
        "x_train_rps": x_train_rps,
        "y_train_rps": y_train_rps,
        "x_val_rps": x_val_rps,
        "y_val_rps": y_val_rps,
        "x_test_rps": x_test_rps,
        "y_test_rps": y_test_rps,
        "rps_epochs": 4,
        "batch_size": 128,
    }
    exec(solution_code("08", "q1").replace("verbose=2", "verbose=0"), scope)
    result = ex08.q1.evaluate(scope["rps_model"])
    assert result.status is CORRECT, result.message
    assert scope["rps_test_accuracy"] >= ex08.RPS_BAR
