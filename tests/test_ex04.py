"""Exercises of notebook 04: each checker against its solution, common mistakes and Keras."""

from __future__ import annotations

import functools
from pathlib import Path

import nbformat
import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")

from test_ex_solutions import run_solution  # noqa: E402

from cvcourse.exercises import core, ex04  # noqa: E402

INCORRECT, NOT_ATTEMPTED = core.Status.INCORRECT, core.Status.NOT_ATTEMPTED
NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "04_small_data_cats_vs_dogs.ipynb"


@functools.cache
def broken_pipeline():
    """The notebook's broken_pipeline, from its own cell."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    (source,) = [c.source for c in nb.cells if "def broken_pipeline" in c.source]
    namespace = {"tf": tf, "np": np}
    exec(compile(source, "<04 broken_pipeline>", "exec"), namespace)
    return namespace["broken_pipeline"]


def _q1_solution():
    ns = run_solution("04", "q1")
    return (ns["n_batches"], ns["last_batch_size"], ns["batch_shape"], ns["batch_dtype"]), {}


def _fixed():
    return run_solution("04", "q2", tf=tf, np=np)["fixed_pipeline"]


# ------------------------------------------------------------------------------- q1


def test_q1_solution_is_correct():
    args, _ = _q1_solution()
    assert ex04.q1.evaluate(*args).correct


def test_q1_reference_is_what_image_dataset_gives_for_the_test_folder():
    from cvcourse import datasets

    splits = datasets.load_cats_vs_dogs()
    ds = datasets.image_dataset(splits.test_dir, image_size=96, batch_size=48)
    sizes = [int(x.shape[0]) for x, _ in ds]
    images, _ = next(iter(ds))
    want = ex04.q1_reference()
    assert (len(sizes), sizes[-1]) == (want["n_batches"], want["last_batch_size"])
    assert tuple(images.shape) == want["batch_shape"] and images.dtype.name == want["batch_dtype"]


@pytest.mark.parametrize("dtype", ["uint8", np.uint8, np.dtype("uint8"), tf.uint8, " UINT8 "])
def test_q1_a_dtype_in_any_usual_form(dtype):
    assert ex04.q1.evaluate(11, 20, [48, 96, 96, 3], dtype).correct


@pytest.mark.parametrize(
    "answers, words",
    [
        ((10, 20, (48, 96, 96, 3), "uint8"), "n_batches 10: the images left over"),
        ((11, 48, (48, 96, 96, 3), "uint8"), "last_batch_size 48"),
        ((11, 20, (96, 96, 3), "uint8"), "four whole numbers"),
        ((11, 20, (20, 96, 96, 3), "uint8"), "the first axis"),
        ((11, 20, (48, 128, 128, 3), "uint8"), "resized to image_size"),
        ((11, 20, (48, 96, 96, 1), "uint8"), "in colour"),
        ((11, 20, (48, 96, 96, 3), "float32"), "smaller type"),
        ((11, 20, (48, 96, 96, 3), 8), "should be a dtype"),
        ((11.5, 20, (48, 96, 96, 3), "uint8"), "whole number"),
    ],
)
def test_q1_wrong_answers_say_what_is_wrong(answers, words):
    result = ex04.q1.evaluate(*answers)
    assert result.status is INCORRECT and words in result.message
    assert "11 batches" not in result.message  # the answer is not given away


def test_q1_placeholders():
    assert ex04.q1.evaluate(..., ..., ..., ...).status is NOT_ATTEMPTED
    assert "still ..." in ex04.q1.evaluate(11, ..., ..., ...).message


# ------------------------------------------------------------------------------- q2


def test_q2_solution_is_correct():
    result = ex04.q2.evaluate(_fixed())
    assert result.correct, result.message


def shuffle_before_cache(images, labels, batch_size, seed=0):
    ds = tf.data.Dataset.from_tensor_slices((images, labels)).shuffle(len(images), seed=seed)
    return ds.cache().batch(batch_size)


def never_shuffles(images, labels, batch_size, seed=0):
    return tf.data.Dataset.from_tensor_slices((images, labels)).cache().batch(batch_size)


def repeats(images, labels, batch_size, seed=0):
    return _fixed()(images, labels, batch_size, seed).repeat()


def unbatched(images, labels, batch_size, seed=0):
    return tf.data.Dataset.from_tensor_slices((images, labels)).shuffle(len(images))


def drops_the_remainder(images, labels, batch_size, seed=0):
    ds = tf.data.Dataset.from_tensor_slices((images, labels)).cache().shuffle(len(images))
    return ds.batch(batch_size, drop_remainder=True)


def images_only(images, labels, batch_size, seed=0):
    return tf.data.Dataset.from_tensor_slices(images).shuffle(len(images)).batch(batch_size)


def rescales(images, labels, batch_size, seed=0):
    ds = _fixed()(images, labels, batch_size, seed)
    return ds.map(lambda x, y: (tf.cast(x, "float32") / 255, y))


@pytest.mark.parametrize(
    "pipeline, words",
    [
        (broken_pipeline(), "shuffled apart"),
        (shuffle_before_cache, "replays the first one's order"),
        (never_shuffles, "original order"),
        (repeats, "no repeat()"),
        (unbatched, "should keep the images' shape"),
        (drops_the_remainder, "not all 40"),
        (images_only, "pairs (images, labels)"),
        (rescales, "dtype uint8"),
        (lambda images, labels, batch_size, seed=0: [images, labels], "tf.data.Dataset"),
        (lambda images, labels: None, "raised TypeError"),
        ("fixed_pipeline", "your function itself"),
    ],
)
def test_q2_wrong_pipelines_are_caught(pipeline, words):
    result = ex04.q2.evaluate(pipeline)
    assert result.status is INCORRECT and words in result.message, result.message


def test_q2_placeholders():
    def fixed_pipeline(images, labels, batch_size, seed=0):
        return ...

    assert ex04.q2.evaluate(...).status is NOT_ATTEMPTED
    assert ex04.q2.evaluate(fixed_pipeline).status is NOT_ATTEMPTED


def test_q2_data_pairs_each_image_with_a_label():
    images, labels = ex04.q2_data(40)
    assert images.shape == (40, 4, 4, 3) and images.dtype == np.uint8
    assert labels.shape == (40, 1) and set(np.unique(labels)) == {0.0, 1.0}
    assert (images[:, 0, 0, 0] == np.arange(40)).all()


# ------------------------------------------------------------------------------- q3


def test_q3_solution_is_correct():
    ns = run_solution("04", "q3")
    answers = (ns["kept_by_val_loss"], ns["kept_by_val_accuracy"], ns["kept_without_best_only"])
    assert ex04.q3.evaluate(*answers).correct


@pytest.mark.parametrize(
    "monitor, best_only, key",
    [
        ("val_loss", True, "kept_by_val_loss"),
        ("val_accuracy", True, "kept_by_val_accuracy"),
        ("val_loss", False, "kept_without_best_only"),
    ],
)
def test_q3_reference_is_what_keras_model_checkpoint_keeps(tmp_path, monitor, best_only, key):
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    path = tmp_path / "e{epoch:02d}.weights.h5"  # one file per epoch that is saved
    checkpoint = keras.callbacks.ModelCheckpoint(
        str(path),
        monitor=monitor,
        mode="max" if "accuracy" in monitor else "min",  # fit infers it from the metrics
        save_best_only=best_only,
        save_weights_only=True,
    )
    checkpoint.set_model(model)
    checkpoint.on_train_begin()
    for epoch in range(len(ex04.HISTORY["val_loss"])):
        logs = {name: values[epoch] for name, values in ex04.HISTORY.items()}
        checkpoint.on_epoch_end(epoch, logs)
    last_saved = max(int(p.name[1:3]) for p in tmp_path.glob("e*.weights.h5"))
    assert last_saved == ex04.kept_epochs()[key]


@pytest.mark.parametrize(
    "answers, words",
    [
        ((7, 9, 12), "kept_by_val_loss 7: it ties the best val_loss"),
        ((4, 11, 12), "kept_by_val_accuracy 11: it ties"),
        ((3, 9, 12), "count the epochs from 1"),
        ((4, 9, 4), "written after every epoch"),
        ((4, 2, 12), "the highest val_accuracy"),
        ((4, 9, 13), "should be one of 1, 2"),
    ],
)
def test_q3_wrong_answers_say_what_is_wrong(answers, words):
    result = ex04.q3.evaluate(*answers)
    assert result.status is INCORRECT and words in result.message


def test_q3_the_notebook_shows_the_checkers_history():
    frame = ex04.history_frame()
    assert list(frame.index) == list(range(1, 13)) and frame.loc[4, "val_loss"] == 0.55


# ------------------------------------------------- the shared contract (test_exercises_all)


def test_questions_listed_and_hinted_in_two_levels():
    assert ex04.QUESTIONS == ("q1", "q2", "q3")
    for name in ex04.QUESTIONS:
        question = getattr(ex04, name)
        assert question.name == name and question.notebook == "04"
        assert len(question.hint_texts()) >= 2


def _q2_solution():
    return (_fixed(),), {}


def _q3_solution():
    ns = run_solution("04", "q3")
    return (ns["kept_by_val_loss"], ns["kept_by_val_accuracy"], ns["kept_without_best_only"]), {}


ANSWERS = {
    "q1": {
        "solution": _q1_solution,
        "mistakes": [
            lambda: ((10, 20, (48, 96, 96, 3), "uint8"), {}),  # the last, short batch forgotten
            lambda: ((11, 20, (48, 96, 96, 3), "float32"), {}),  # Keras' own dtype
        ],
    },
    "q2": {
        "solution": _q2_solution,
        "mistakes": [
            lambda: ((broken_pipeline(),), {}),  # the notebook's broken pipeline itself
            lambda: ((shuffle_before_cache,), {}),  # pairs kept, but the cache replays one order
        ],
    },
    "q3": {
        "solution": _q3_solution,
        "mistakes": [
            lambda: ((7, 11, 12), {}),  # the last of equal values
            lambda: ((3, 8, 11), {}),  # epochs counted from 0
        ],
    },
}


@pytest.mark.parametrize("name", sorted(ANSWERS))
def test_answers_contract(name):
    question = getattr(ex04, name)
    args, kwargs = ANSWERS[name]["solution"]()
    assert question.evaluate(*args, **kwargs).correct
    for mistake in ANSWERS[name]["mistakes"]:
        args, kwargs = mistake()
        assert question.evaluate(*args, **kwargs).status is INCORRECT
