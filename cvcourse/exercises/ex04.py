"""Exercises of notebook 04_small_data_cats_vs_dogs: ``q1`` (predict) the batches that
``datasets.image_dataset`` makes of the 500 test images (count, last size, shape, dtype);
``q2`` (debug) repair a ``tf.data`` pipeline that shuffles images apart from their labels
and caches after shuffling, judged by two epochs on the checker's own arrays; ``q3`` the
epoch a ``ModelCheckpoint`` keeps on the checker's :data:`HISTORY`.
"""

from __future__ import annotations

import functools

import numpy as np

from . import core

NOTEBOOK = "04"
COMMON = {"notebook": NOTEBOOK, "notebook_name": "04_small_data_cats_vs_dogs"}

# ------------------------------------------------------------------------------- q1

Q1_IMAGES, Q1_BATCH_SIZE, Q1_IMAGE_SIZE = 500, 48, 96  # the test split: 250 cats + 250 dogs


def q1_reference() -> dict:
    """What ``image_dataset(test_dir, image_size=96, batch_size=48)`` gives, by arithmetic."""
    rest = Q1_IMAGES % Q1_BATCH_SIZE
    return {
        "n_batches": -(-Q1_IMAGES // Q1_BATCH_SIZE),  # rounded up
        "last_batch_size": rest or Q1_BATCH_SIZE,
        "batch_shape": (Q1_BATCH_SIZE, Q1_IMAGE_SIZE, Q1_IMAGE_SIZE, 3),
        "batch_dtype": "uint8",
    }


class Count(core.Check):
    """n_batches or last_batch_size: a whole number; ``slip`` is the usual wrong one."""

    slip: int = 0
    slip_message: str = ""

    def judge(self, value, name, answers):
        number = core.as_whole_number(value, text_ok=True)
        if number is None:
            return f"{name} should be a whole number, not {core.describe(value)}"
        if number == self.slip:
            return f"{name} {number}: {self.slip_message}"
        if number != q1_reference()[name]:
            return f"{name} {number} is not right: share {Q1_IMAGES} images among batches of {Q1_BATCH_SIZE}"
        return None


_SHAPE_WHY = (
    "the first axis is the number of images in a (full) batch",
    "every image is resized to image_size x image_size",
    "every image is resized to image_size x image_size",
    "the images are read in colour (color_mode='rgb'), one channel each for R, G, B",
)


class BatchShape(core.Check):
    """batch_shape: (batch, height, width, channels) of the first image batch."""

    def judge(self, value, name, answers):
        if hasattr(value, "as_list"):  # a TensorShape
            value = value.as_list()
        if not isinstance(value, (tuple, list)):
            return f"{name} should be a shape such as (8, 32, 32, 1), not {core.describe(value)}"
        shape = tuple(core.as_whole_number(v) for v in value)
        right = q1_reference()["batch_shape"]
        if len(shape) != 4 or None in shape:
            return f"{name} should be four whole numbers, (batch, height, width, channels)"
        for axis, why in enumerate(_SHAPE_WHY):
            if shape[axis] != right[axis]:
                return f"{name}: {why}"
        return None


class BatchDtype(core.Check):
    """batch_dtype: the dtype of the image batch, as text ("uint8"), a NumPy or TF dtype."""

    def judge(self, value, name, answers):
        text = getattr(value, "name", value)  # a NumPy or TensorFlow dtype has a name
        if isinstance(value, type) and issubclass(value, np.generic):
            text = np.dtype(value).name
        if not isinstance(text, str):
            return f"{name} should be a dtype such as 'float32', not {core.describe(value)}"
        text = text.strip().lower().removeprefix("tf.").removeprefix("np.")
        if text == q1_reference()["batch_dtype"]:
            return None
        if text.startswith("float"):
            return f"{name} {text!r}: image_dataset keeps pixels 0-255 in a smaller type"
        return f"{name} {text!r} is not the dtype of the image batches"


q1 = core.Answers(
    **COMMON,
    name="q1",
    title="predict the batches of a folder",
    usage="ex.q1.check(n_batches, last_batch_size, batch_shape, batch_dtype)",
    hints=(
        "The test folder holds 250 cats and 250 dogs. Batches take the images in order, "
        f"{Q1_BATCH_SIZE} at a time, and the last batch takes whatever is left.",
        "Batches: divide and round up. The last batch: the remainder (Python's %). An image "
        "batch is (images, height, width, channels); section 2 printed the element_spec of "
        "datasets.image_dataset, dtype included.",
    ),
    parts={
        "n_batches": Count(slip=10, slip_message="the images left over make one more batch"),
        "last_batch_size": Count(slip=48, slip_message="batches of 48 do not divide 500 evenly"),
        "batch_shape": BatchShape(),
        "batch_dtype": BatchDtype(),
    },
    correct=lambda **_: (
        "right: {n_batches} batches, the last of {last_batch_size} images; each image batch "
        "is {batch_shape}, {batch_dtype}.".format(**q1_reference())
    ),
)


# ------------------------------------------------------------------------------- q2

Q2_SIZES = ((40, 16), (30, 10))  # (images, batch size): a short last batch, then even batches


def q2_data(n: int, seed: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """``n`` images (n, 4, 4, 3) uint8, image i filled with i, and random 0/1 labels (n, 1)
    float32: a label belongs to its image only through the pairing."""
    images = np.repeat(np.arange(n, dtype=np.uint8), 4 * 4 * 3).reshape(n, 4, 4, 3)
    labels = np.random.default_rng(seed).integers(0, 2, size=(n, 1)).astype(np.float32)
    return images, labels


def _two_epochs(fn, images, labels, batch_size, seed):
    """Call the student's pipeline, read two passes: lists of NumPy (images, labels) pairs
    (an element of another form: its description); for no dataset, what came instead."""
    import tensorflow as tf

    ds = fn(images, labels, batch_size, seed)
    if ds is core.PLACEHOLDER:
        return ds
    if not isinstance(ds, tf.data.Dataset):
        return core.describe(ds)
    most = len(images) // batch_size + 3  # more than one epoch's worth: a repeat() shows
    pair = lambda e: isinstance(e, (tuple, list)) and len(e) == 2  # noqa: E731
    as_pair = lambda e: (np.asarray(e[0]), np.asarray(e[1])) if pair(e) else core.describe(e)  # noqa: E731
    return [[as_pair(element) for element in ds.take(most)] for _ in range(2)]


def _epoch_problem(batches, images, labels, batch_size) -> str | None:
    """What is wrong with one epoch of batches (None: nothing)."""
    n = len(images)
    if odd := [b for b in batches if isinstance(b, str)]:
        return f"its elements should be pairs (images, labels), but one is {odd[0]}"
    count = sum(len(x) for x, _ in batches)
    if count > n:
        return f"one pass gives more than the {n} examples it was given: no repeat() here"
    want = (images.shape[1:], images.dtype, labels.shape[1:])
    if any((x.shape[1:], x.dtype, y.shape[1:]) != want for x, y in batches):
        return (
            f"its batches should keep the images' shape {images.shape[1:]} and dtype "
            f"{images.dtype}, and the labels' shape {labels.shape[1:]}, each with a batch axis"
        )
    sizes = [len(x) for x, _ in batches]
    if count < n:
        return f"one pass gives {count} examples, not all {n} it was given"
    if any(s != batch_size for s in sizes[:-1]) or sizes[-1] > batch_size:
        return f"its batches hold {sizes} examples; with batch_size={batch_size} they should not"
    ids = np.concatenate([x[:, 0, 0, 0] for x, _ in batches]).astype(int)
    if sorted(ids) != list(range(n)):
        return "one pass should give every image exactly once, but some come twice and some never"
    got = np.concatenate([y for _, y in batches])
    if not np.array_equal(got, labels[ids]):
        return "some labels no longer belong to their images: they were shuffled apart"
    if np.array_equal(ids, np.arange(n)):
        return "the examples come in their original order: a training pipeline should shuffle"
    return None


class Pipeline(core.Check):
    """fixed_pipeline(images, labels, batch_size, seed) -> a tf.data.Dataset of batches."""

    def judge(self, value, name, answers):
        if value is core.PLACEHOLDER:
            raise core.NotAttempted()
        if not callable(value):
            return f"the check needs your function itself, not {core.describe(value)}"
        for n, batch_size in Q2_SIZES:
            images, labels = q2_data(n)
            call = f"{name}(images, labels, batch_size={batch_size}, seed=0) on {n} images"
            read = functools.partial(_two_epochs, value)
            out = core.call_student(read, images, labels, batch_size, 0, what=call)
            if isinstance(out, str):
                return f"{call} should return a tf.data.Dataset, but it returned {out}"
            for batches in out:
                problem = _epoch_problem(batches, images, labels, batch_size)
                if problem:
                    return f"{call}: {problem}"
            first, second = (np.concatenate([x[:, 0, 0, 0] for x, _ in e]) for e in out)
            if np.array_equal(first, second):
                return f"{call}: the second epoch replays the first one's order"
        return None


q2 = core.Answers(
    **COMMON,
    name="q2",
    title="repair a broken input pipeline",
    usage="ex.q2.check(fixed_pipeline)",
    hints=(
        "Two things go wrong in broken_pipeline. Look at where the images and the labels "
        "are shuffled, and at what a cache does with the order it is given.",
        "Make one dataset of pairs, tf.data.Dataset.from_tensor_slices((images, labels)), "
        "so that any shuffle moves an image and its label together; then cache(), then "
        "shuffle(len(images), seed=seed), then batch(batch_size) and prefetch.",
    ),
    parts={"fixed_pipeline": Pipeline()},
    correct=(
        "fixed_pipeline keeps every image with its label, gives each image once per epoch "
        "in batches of the right size, and draws a new order every epoch."
    ),
)


# ------------------------------------------------------------------------------- q3

# A training history of the kind section 5 draws (the checker's own, not the notebook's
# run), one entry per epoch, epoch 1 first. The values are exact as written.
HISTORY = {
    "accuracy": [0.58, 0.67, 0.74, 0.80, 0.86, 0.91, 0.95, 0.97, 0.99, 0.99, 1.00, 1.00],
    "val_accuracy": [0.60, 0.65, 0.69, 0.71, 0.70, 0.73, 0.72, 0.73, 0.74, 0.72, 0.74, 0.73],
    "val_loss": [0.66, 0.61, 0.57, 0.55, 0.56, 0.58, 0.55, 0.61, 0.66, 0.70, 0.74, 0.79],
}


def history_frame():
    """:data:`HISTORY` as a DataFrame indexed by epoch (1, 2, ...), as the notebook shows it."""
    import pandas as pd

    return pd.DataFrame(HISTORY, index=pd.RangeIndex(1, 13, name="epoch"))


def kept_epochs() -> dict[str, int]:
    """The epoch (from 1) in the file after training, per setting of q3: save_best_only saves
    on a strict improvement only, so of equal values the first stays, as argmin/argmax pick."""
    return {
        "kept_by_val_loss": int(np.argmin(HISTORY["val_loss"])) + 1,
        "kept_by_val_accuracy": int(np.argmax(HISTORY["val_accuracy"])) + 1,
        "kept_without_best_only": len(HISTORY["val_loss"]),
    }


def _why_not(epoch: int, name: str, monitor: str | None) -> str:
    """What a wrong ``epoch`` for ``name`` overlooks (``monitor`` None: save every epoch)."""
    if epoch == kept_epochs()[name] - 1:
        return "count the epochs from 1, as the log and the table do"
    if monitor is None:
        return "without save_best_only the file is written after every epoch"
    values = HISTORY[monitor]
    best, word = (min(values), "lowest") if monitor == "val_loss" else (max(values), "highest")
    if values[epoch - 1] == best:
        return f"it ties the best {monitor}; a tie is no improvement"
    return f"the checkpoint keeps the epoch with the {word} {monitor}"


def _kept(name: str, monitor: str | None = None) -> core.Choice:
    epochs = range(1, len(HISTORY["val_loss"]) + 1)
    return core.Choice(
        options=epochs,
        answer=lambda answers: kept_epochs()[name],
        parse=lambda answer: core.as_whole_number(answer, text_ok=True),
        why={e: f"{name} {e}: {_why_not(e, name, monitor)}" for e in epochs},
    )


q3 = core.Answers(
    **COMMON,
    name="q3",
    title="which epoch does a checkpoint keep?",
    usage="ex.q3.check(kept_by_val_loss, kept_by_val_accuracy, kept_without_best_only)",
    hints=(
        "With save_best_only=True, ModelCheckpoint overwrites its file only when the "
        "monitored value is better than every earlier epoch's: lower for val_loss, higher "
        "for val_accuracy.",
        "Walk down the column and keep a running best; an epoch that only equals the best "
        "does not replace it. Without save_best_only the file is rewritten after every "
        "epoch. Epochs are counted from 1.",
    ),
    parts={
        "kept_by_val_loss": _kept("kept_by_val_loss", "val_loss"),
        "kept_by_val_accuracy": _kept("kept_by_val_accuracy", "val_accuracy"),
        "kept_without_best_only": _kept("kept_without_best_only"),
    },
    correct=lambda **_: (
        "right: on val_loss the checkpoint keeps epoch {kept_by_val_loss}, on val_accuracy "
        "epoch {kept_by_val_accuracy} (a later tie does not replace it), and without "
        "save_best_only the last epoch, {kept_without_best_only}.".format(**kept_epochs())
    ),
)

QUESTIONS = ("q1", "q2", "q3")
