"""Notebook 09's checkers: q1 and q2 judge a trained model on the checker's held-out images,
q3 a repaired reader of the CSV rows.

Models that pass without minutes of training are built by hand: a "template" model holds
images as the weights of a Dense layer and answers with the label of the most similar one
(cosine similarity); built from the checker's held-out images it is right on (nearly)
every one of them. Variants of it make each kind of wrong answer, and one built from the
test images the notebook hands out shows that those do not give the checker's away. The
q1 solution of the notebook is trained for real (a few seconds).

``ANSWERS`` (for tests/test_exercises_all.py): for each question, the solution and common
mistakes as ``(args, kwargs)`` for ``ex09.qN.evaluate``.
"""

import functools
from pathlib import Path

import numpy as np
import pytest
from test_ex_solutions import run_solution, solution_code

from cvcourse.datasets import sign_mnist
from cvcourse.exercises import core, ex09

keras = pytest.importorskip("keras")
ROOT = Path(__file__).resolve().parent.parent

CORRECT = core.Status.CORRECT
INCORRECT = core.Status.INCORRECT
NOT_ATTEMPTED = core.Status.NOT_ATTEMPTED


def template_model(letters=None, *, permute=None, expects_255=False, images=None, name="templates"):
    """A Keras model that recognises images by matching them to stored copies (templates).

    The templates are the checker's held-out images (so it is right on them), or
    ``images`` = ``(x, y)``. ``permute`` renames the classes (class i is answered as
    permute[i]); with ``expects_255`` the model only works on 0-255 pixels (as if trained
    on them).
    """
    x, y = ex09.held_out_images(letters) if images is None else images  # float32 [0, 1]
    k = 3 if letters == ex09.RPS_LETTERS else 24
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
    return template_model(ex09.RPS_LETTERS)


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
    x, y = ex09.held_out_images(ex09.RPS_LETTERS)
    assert x.shape == (165 + 216 + 173, 28, 28, 1) and x.dtype == np.float32
    assert x.min() >= 0.0 and x.max() <= 1.0 and x.max() > 0.9
    assert np.bincount(y).tolist() == [165, 216, 173]
    x_all, y_all = ex09.held_out_images(None)
    held_x, held_y = sign_mnist.load_sign_mnist_held_out(progress=False)
    assert np.array_equal(x_all, ex09.model_input(held_x)) and np.array_equal(y_all, held_y)


def test_checker_images_are_not_the_notebooks_test_images(mirror_dir):
    """The checker's images are none of those the notebook hands out (x_test)."""
    _, (x_test, _) = sign_mnist.load_sign_mnist(progress=False)
    held_x, _ = sign_mnist.load_sign_mnist_held_out(progress=False)
    handed = {image.tobytes() for image in x_test}
    assert not any(image.tobytes() in handed for image in held_x)
    assert len(x_test) + len(held_x) == sign_mnist.TEST_ROWS


# -------------------------------------------------------------------------- q1 and q2


def test_placeholders_are_not_attempted():
    def read_rows(rows):
        return ...

    assert ex09.q1.evaluate(...).status is NOT_ATTEMPTED
    assert ex09.q2.evaluate(...).status is NOT_ATTEMPTED
    assert ex09.q3.evaluate(...).status is NOT_ATTEMPTED
    assert ex09.q3.evaluate(read_rows).status is NOT_ATTEMPTED


def test_questions_are_listed_in_order_with_two_hint_levels():
    assert ex09.QUESTIONS == ("q1", "q2", "q3")
    assert set(ANSWERS) == set(ex09.QUESTIONS)
    for name in ex09.QUESTIONS:
        q = getattr(ex09, name)
        assert q.name == name and q.notebook == "09"
        hints = q.hint_texts()
        assert len(hints) >= 2 and all(hints) and hints[0] != hints[1]


def test_q1_accepts_a_model_that_recognises_the_test_images(rps_templates):
    result = ex09.q1.evaluate(rps_templates)
    assert result.status is CORRECT, result.message
    assert "554 held-out images" in result.message


def test_q2_accepts_a_model_that_recognises_the_test_images(mirror_dir):
    result = ex09.q2.evaluate(template_model(None))
    assert result.status is CORRECT, result.message
    assert "3,594 held-out images" in result.message


def test_q2_refuses_a_model_that_memorised_the_notebooks_test_images(mirror_dir):
    """The issue's finding: a model made from the test images the notebook hands out.

    The template model of the handed-out test images is right on every one of them, and
    the check, on its own held-out half (other photos), still finds it far below the bar.
    """
    _, (x_test, y_test) = sign_mnist.load_sign_mnist(progress=False)
    memorised = template_model(None, images=(ex09.model_input(x_test), y_test))
    on_handed_out = memorised.predict(ex09.model_input(x_test[:500]), verbose=0).argmax(axis=1)
    assert (on_handed_out == y_test[:500]).mean() > 0.99
    result = ex09.q2.evaluate(memorised)
    assert result.status is INCORRECT and "bar is 97%" in result.message


@pytest.mark.parametrize(
    "answer, words",
    [
        (np.zeros((3,)), "Keras model"),
        ("my model", "Keras model"),
        (None, "Keras model"),
    ],
)
def test_q1_refuses_what_is_not_a_model(answer, words):
    result = ex09.q1.evaluate(answer)
    assert result.status is INCORRECT and words in result.message


def test_q1_names_a_wrong_input_shape():
    flat = keras.Sequential([keras.Input(shape=(784,)), keras.layers.Dense(3)])
    result = ex09.q1.evaluate(flat)
    assert result.status is INCORRECT and "(784,)" in result.message
    assert "(28, 28, 1)" in result.message
    two_d = keras.Sequential(
        [keras.Input(shape=(28, 28)), keras.layers.Flatten(), keras.layers.Dense(3)]
    )
    assert "(28, 28)" in ex09.q1.evaluate(two_d).message


def test_q1_names_a_wrong_number_of_outputs():
    ten = keras.Sequential(
        [keras.Input(shape=(28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(10)]
    )
    result = ex09.q1.evaluate(ten)
    assert result.status is INCORRECT
    assert "3 numbers" in result.message and "Dense(3" in result.message
    # q2 needs 24
    assert "24 numbers" in ex09.q2.evaluate(ten).message


def test_q1_says_when_the_model_was_never_built():
    unbuilt = keras.Sequential([keras.layers.Flatten(), keras.layers.Dense(3)])
    result = ex09.q1.evaluate(unbuilt)
    assert result.status is INCORRECT and "keras.Input(shape=(28, 28, 1))" in result.message


def test_q1_explains_a_model_trained_on_0_255_pixels(mirror_dir):
    result = ex09.q1.evaluate(template_model(ex09.RPS_LETTERS, expects_255=True))
    assert result.status is INCORRECT
    assert "0-255" in result.message and "x / 255" in result.message


def test_q1_explains_classes_in_another_order(mirror_dir):
    swapped = template_model(ex09.RPS_LETTERS, permute=[1, 0, 2])  # rock and paper swapped
    result = ex09.q1.evaluate(swapped)
    assert result.status is INCORRECT
    assert "other numbers" in result.message and "0 = rock" in result.message


def test_q2_explains_letters_in_another_order(mirror_dir):
    shifted = template_model(None, permute=np.roll(np.arange(24), 1))  # off by one
    result = ex09.q2.evaluate(shifted)
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
    result = ex09.q1.evaluate(untrained)
    assert result.status is INCORRECT
    assert "bar is 97%" in result.message or "has not learned" in result.message


def test_q1_reports_a_model_that_crashes_or_gives_nan(mirror_dir):
    class Broken(keras.Sequential):
        def predict(self, *args, **kwargs):
            raise RuntimeError("out of cheese")

    broken = Broken([keras.Input(shape=(28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(3)])
    result = ex09.q1.evaluate(broken)
    assert result.status is INCORRECT
    assert "RuntimeError" in result.message and "out of cheese" in result.message

    nan = keras.Sequential(
        [keras.Input(shape=(28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(3)]
    )
    kernel, bias = nan.layers[-1].get_weights()
    nan.layers[-1].set_weights([np.full_like(kernel, np.nan), bias])
    result = ex09.q1.evaluate(nan)
    assert result.status is INCORRECT and "NaN" in result.message


def test_check_shows_a_result_and_never_raises(capsys):
    ex09.q1.check("not a model")
    ex09.q1.check(...)
    ex09.q2.hint()
    out = capsys.readouterr().out
    assert "Incorrect" in out and "Not attempted" in out and "Hint for q2" in out


@functools.cache
def trained_q1_solution():
    """The solution shown by ex.q1.solution(), run on the notebook's data (4 epochs)."""
    from sklearn.model_selection import train_test_split

    keras.utils.set_random_seed(0)
    (x, y), (x_test, y_test) = sign_mnist.load_sign_mnist(progress=False)
    x_rps, y_rps = sign_mnist.select_letters(x, y, ex09.RPS_LETTERS)
    x_test_rps, y_test_rps = sign_mnist.select_letters(x_test, y_test, ex09.RPS_LETTERS)
    x_train_rps, x_val_rps, y_train_rps, y_val_rps = train_test_split(
        ex09.model_input(x_rps), y_rps, test_size=0.1, stratify=y_rps, random_state=0
    )
    scope = {
        "keras": keras,
        "x_train_rps": x_train_rps,
        "y_train_rps": y_train_rps,
        "x_val_rps": x_val_rps,
        "y_val_rps": y_val_rps,
        "x_test_rps": ex09.model_input(x_test_rps),  # the notebook's test images, not the checker's
        "y_test_rps": y_test_rps,
        "rps_epochs": 4,
        "batch_size": 128,
    }
    exec(solution_code("09", "q1").replace("verbose=2", "verbose=0"), scope)
    return scope


@pytest.mark.slow
def test_q1_solution_trains_a_model_that_passes(mirror_dir):
    """The notebook's q1 solution passes on the checker's images, as on the notebook's."""
    scope = trained_q1_solution()
    result = ex09.q1.evaluate(scope["rps_model"])
    assert result.status is CORRECT, result.message
    assert scope["rps_test_accuracy"] >= ex09.RPS_BAR


# ------------------------------------------------------------------------------- q3


def notebook_function(name: str):
    """A function defined in a code cell of notebook 09 (not a solution block)."""
    import nbformat

    (path,) = (ROOT / "notebooks").glob("09_*.ipynb")
    nb = nbformat.read(path, as_version=4)
    (source,) = [c.source for c in nb.cells if c.cell_type == "code" and f"def {name}(" in c.source]
    start = source.index(f"def {name}(")
    end = source.find("\n\n\n", start)
    namespace = {"np": np}
    exec(source[start : end if end > 0 else None], namespace)
    return namespace[name]


def read_rows_solution():
    return run_solution("09", "q3", np=np)["read_rows"]


def rows_of_each_letter(mirror_dir):
    rows = sign_mnist.load_sign_mnist_rows("test", progress=False)
    return rows[[int(np.flatnonzero(rows[:, 0] == label)[0]) for label in np.unique(rows[:, 0])]]


def test_q3_solution_is_correct_and_reads_as_the_loader_does(mirror_dir):
    read_rows = read_rows_solution()
    result = ex09.q3.evaluate(read_rows)
    assert result.status is CORRECT, result.message
    assert "3,594 held-out rows" in result.message
    x, y = read_rows(sign_mnist.load_sign_mnist_rows("test", progress=False))
    _, (x_test, y_test) = sign_mnist.load_sign_mnist(progress=False)
    assert np.array_equal(x, ex09.model_input(x_test)) and np.array_equal(y, y_test)


def test_q3_the_notebooks_broken_reader_is_incorrect(mirror_dir):
    broken = notebook_function("broken_read_rows")
    x, y = broken(rows_of_each_letter(mirror_dir))
    assert x.shape == (24, 28, 28) and y.min() == -1  # its bugs raise nothing
    result = ex09.q3.evaluate(broken)
    assert result.status is INCORRECT and "gray channel" in result.message


def columns_off_by_one(rows):
    return (rows[:, :784] / 255).astype("float32").reshape(-1, 28, 28, 1), rows[:, 0]


def keeps_the_gap(rows):
    return (rows[:, 1:] / 255).astype("float32").reshape(-1, 28, 28, 1), rows[:, 0]


def shifts_every_label(rows):
    return (rows[:, 1:] / 255).astype("float32").reshape(-1, 28, 28, 1), rows[:, 0] - 1


def not_scaled(rows):
    return rows[:, 1:].astype("float32").reshape(-1, 28, 28, 1), rows[:, 0]


def integers(rows):
    return rows[:, 1:].reshape(-1, 28, 28, 1) // 255, rows[:, 0]


def one_value(rows):
    return (rows[:, 1:] / 255).reshape(-1, 28, 28, 1)


def flat_images(rows):
    return rows[:, 1:] / 255, rows[:, 0]


def only_the_first_rows(rows):
    x, y = read_rows_solution()(rows)
    return x[:24], y[:24]


@pytest.mark.parametrize(
    "function, words",
    [
        (columns_off_by_one, "off by one column"),
        (keeps_the_gap, "gap at J"),
        (shifts_every_label, "wrong class to A, B, C, D, E, F, G, H, I"),
        (not_scaled, "scale the pixels to [0, 1]"),
        (integers, "int64"),
        (one_value, "return two arrays"),
        (flat_images, "shape (n, 28, 28, 1)"),
        (only_the_first_rows, "3,594 held-out rows: x has shape (24, 28, 28, 1)"),
    ],
)
def test_q3_wrong_readers_say_what_is_wrong(mirror_dir, function, words):
    result = ex09.q3.evaluate(function)
    assert result.status is INCORRECT, result.message
    assert words in result.message


def test_q3_a_reader_cannot_spoil_the_checkers_rows(mirror_dir):
    def vandal(rows):
        rows[:, 0] = 0
        rows[:, 1:] = 0
        return read_rows_solution()(rows)

    assert ex09.q3.evaluate(vandal).status is INCORRECT
    assert ex09.q3.evaluate(read_rows_solution()).status is CORRECT


# --------------------------------------------------------------- for test_exercises_all


def _memorised_test_images():
    _, (x_test, y_test) = sign_mnist.load_sign_mnist(progress=False)
    return template_model(None, images=(ex09.model_input(x_test), y_test))


ANSWERS = {
    "q1": {
        # the notebook's own solution, trained for 4 epochs (a few seconds)
        "solution": lambda: ((trained_q1_solution()["rps_model"],), {}),
        "mistakes": [
            lambda: ((template_model(ex09.RPS_LETTERS, permute=[1, 0, 2]),), {}),  # classes swapped
            lambda: ((template_model(ex09.RPS_LETTERS, expects_255=True),), {}),  # 0-255 pixels
        ],
    },
    "q2": {
        # training the q2 solution takes minutes: a model right on the checker's images stands in
        "solution": lambda: ((template_model(None),), {}),
        "mistakes": [
            lambda: ((template_model(None, permute=np.roll(np.arange(24), 1)),), {}),  # off by one
            lambda: ((_memorised_test_images(),), {}),  # memorised the notebook's test images
        ],
    },
    "q3": {
        "solution": lambda: ((read_rows_solution(),), {}),
        "mistakes": [
            lambda: ((notebook_function("broken_read_rows"),), {}),
            lambda: ((keeps_the_gap,), {}),
            lambda: ((columns_off_by_one,), {}),
        ],
    },
}


@pytest.mark.parametrize("question", sorted(ANSWERS))
def test_answers_solution_is_correct_and_mistakes_are_not(mirror_dir, question):
    q = getattr(ex09, question)
    args, kwargs = ANSWERS[question]["solution"]()
    assert q.evaluate(*args, **kwargs).status is CORRECT
    for mistake in ANSWERS[question]["mistakes"]:
        args, kwargs = mistake()
        assert q.evaluate(*args, **kwargs).status is INCORRECT
