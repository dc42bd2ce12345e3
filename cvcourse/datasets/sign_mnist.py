"""Sign Language MNIST: 28x28 grayscale hand signs for 24 letters (J and Z need motion).

The official test file is split in two halves (:func:`held_out_mask`): the first is the
test set that :func:`load_sign_mnist` hands out, the second is held out for notebook 09's
checkers (:func:`load_sign_mnist_held_out`), so that a model is judged on images its
author never had, not even as test images.
"""

from __future__ import annotations

import base64
import functools
import zipfile

import numpy as np

from .errors import BadDataError
from .files import fetch

ARCHIVE = "sign_mnist.zip"
TRAIN_CSV = "sign_mnist_train.csv"
TEST_CSV = "sign_mnist_test.csv"
# The 24 static letters, in class order 0-23. The CSVs label A-Z as 0-25 and skip 9 (J)
# and 25 (Z): class = csv label for A-I, csv label - 1 for K-Y.
LETTERS = tuple("ABCDEFGHIKLMNOPQRSTUVWXY")
TEST_ROWS = 7172  # rows of sign_mnist_test.csv
NEAR_COPY_RMS = 15  # gray levels: closer test images are variants of one photo (one group)
# held_out_mask() of sign_mnist_test.csv, np.packbits'ed and base64-encoded; a test checks
# that it is what the rule computes.
_HELD_OUT_BITS = (
    "Agpluz0A3VQLw78Tyc1di3Mkoo20vTBXtTjT1EjMirSgzGnZAUsUqk25Hu6pUSJ1cSN1JUB+XnhpP3uQLrFAuRsU"
    "JjocEXdITpkvKppasqS7jrUv2jVlXEnVtsuDTkZeAOJPpy4bQEJcT6U5OvPhehiUOc7cQHMLEQa2uSbT4jx2nT8Q"
    "zXYuiVQvV45vNoaLo0HNCA4LGP0M5cocx2JMq4Q6PNO3F2dLWlAYxBOF3YW88gWfDjs8GbS/Xdj0tUdtKzTiTc3t"
    "FxECjw3DF6LxT/vQHfDStpweVP7IYPGYE/ZK/3+ZQQyVQGpa9JoCnjeM3JtvQ+uNMhd9hLbsaXJFwTM5i1m3C1M5"
    "lufiktOsMkF1uS0ySt4fhrEmpiojoiOEdIWmOBMIcGzWnmlXQnIq/xgOz/hEZedlUzj6l5sCaBiB/+e1HsVzSW1r"
    "/33SrIuNhCz7WOdGCZkNly3kTTSNRDg1jrvRZX4Tx7X/qEDvHDy4lK/Ex+D0Q3trFPZjhd8Jcr/mBGFL3Redgn3P"
    "Jxr7e9GawigayjJX4rZEP90h5yor7mk1AJrur3R3fON1Yd9kP6Gtyz1dzAZEcuJjoIylJq6a2cs6KB06TNMWlDi7"
    "tUNpk3wcU2+1HqM43ma6UiW/0/avWNCW4GCMe+saMOQN+jCd52NYeRFwXqTAau2kkIBysSOkRizHfXvF3k0RqdGl"
    "wD1J9oM4f2SCgzTcFSVd2bLCssJSInPdodYF0AF2ALI7M7GjHs437u+1ngXjJmIBQBuvzo/jzOKAbtwiKmpvv1nM"
    "cekgpRxQrVxfsTY5aodT5wz5IiklafZVeyHZdCMJEKB1mSyfOCf1T9DFdu1fKyx3uQxmogGz3pXIOzgsg012mtiD"
    "XLWqzb5Dd/bZ2AyWSgdXmpBcfhQ0azkv+LWjqlhpCuD1Jyjt15n0t6h5cGsMFoPpJsrjBqf2bM61z9PLhISXdlVm"
    "Vjza77/HuL6uXabi+H+JkUygqujktsSvmJs/rG4vtdVgQOqE6HQs2Hk5b+VHO29hIvOoxZazZZMEFzTbs0uiTKQC"
    "PpzV1wq+rzQZ6tDYqC0qE4fXwWHP18GTvrG1O0Y9MRz1gLrpkTJhNXPNU/KC8mhl1OwnHCjlgjJ8Wv6GrqLMtpSg"
    "pvlIWlLcjzX4G/jRYDnLoPZMmYh2maS9SQwsrMkTJS5lqP6wzIcg"
)


def csv_label_to_class(labels: np.ndarray) -> np.ndarray:
    """Map the CSV's labels (0-24 without 9) to contiguous classes 0-23; bad labels raise."""
    labels = np.asarray(labels)
    bad = (labels < 0) | (labels > 24) | (labels == 9)
    if bad.any():
        raise BadDataError(
            f"Sign Language MNIST labels must be 0-24 without 9 (J); found {sorted(set(labels[bad].tolist()))}."
        )
    return np.where(labels > 9, labels - 1, labels).astype(np.uint8)


def _read_rows(archive, name: str) -> np.ndarray:
    """The CSV's rows as int64 (n, 785): the label, then 784 pixels; checked."""
    import pandas as pd

    with zipfile.ZipFile(archive) as zf, zf.open(name) as f:
        table = pd.read_csv(f)
    if table.shape[1] != 785 or table.columns[0] != "label":
        raise BadDataError(f"{archive}:{name} should have columns label,pixel1..pixel784.")
    if table.isna().any().any():
        raise BadDataError(f"{archive}:{name} has missing values.")
    rows = table.to_numpy().astype(np.int64)
    if rows[:, 1:].min() < 0 or rows[:, 1:].max() > 255:
        raise BadDataError(f"{archive}:{name} has pixel values outside 0-255.")
    csv_label_to_class(rows[:, 0])  # raises for labels outside 0-24 or 9
    return rows


def _images_and_classes(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = rows[:, 1:].astype(np.uint8).reshape(-1, 28, 28)
    return x, csv_label_to_class(rows[:, 0])


def held_out_mask(x_test: np.ndarray, y_test: np.ndarray) -> np.ndarray:
    """The rule that splits the test file: True for the images held out for the checkers.

    The test file holds a few hundred photos, each varied (brightness, filters, small
    rotations) into a dozen or more near copies, so a split at random would leave near
    copies of every held-out image in the handed-out half. Instead, images are grouped:
    two images whose pixels differ by less than :data:`NEAR_COPY_RMS` gray levels (root
    mean square, computed exactly on integers) are in one group, and so are chains of
    them. Within each letter, the groups, in the order of their first image, go one by
    one to the half that holds fewer images of that letter so far (the handed-out half on
    a tie). Both halves keep every letter in nearly the same share. Returns a bool array
    of shape ``(n,)``; takes a few seconds (:func:`load_sign_mnist` reads a stored copy).
    """
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    flat = np.asarray(x_test).reshape(len(x_test), -1).astype(np.float64)  # exact on integers
    squared = (flat**2).sum(axis=1)
    limit = NEAR_COPY_RMS**2 * flat.shape[1]
    rows, cols = [], []
    for start in range(0, len(flat), 1024):
        block = flat[start : start + 1024]
        dist = squared[start : start + 1024, None] - 2 * block @ flat.T + squared[None, :]
        i, j = np.nonzero(dist < limit)
        rows.append(i + start)
        cols.append(j)
    rows, cols = np.concatenate(rows), np.concatenate(cols)
    graph = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(flat), len(flat)))
    _, group = connected_components(graph, directed=False)
    held_out = np.zeros(len(flat), dtype=bool)
    y_test = np.asarray(y_test)
    for letter in np.unique(y_test):
        counts = [0, 0]  # handed out, held out
        of_letter = y_test == letter
        for g in dict.fromkeys(group[of_letter]):  # groups in order of their first image
            members = of_letter & (group == g)
            half = int(counts[1] < counts[0])
            held_out[members] = bool(half)
            counts[half] += int(members.sum())
    return held_out


def _stored_mask() -> np.ndarray:
    bits = np.frombuffer(base64.b64decode("".join(_HELD_OUT_BITS)), dtype=np.uint8)
    return np.unpackbits(bits)[:TEST_ROWS].astype(bool)


@functools.cache
def _test_rows(progress: bool) -> tuple[np.ndarray, np.ndarray]:
    """(handed-out rows, held-out rows) of the test file, read-only."""
    rows = _read_rows(fetch(ARCHIVE, progress=progress), TEST_CSV)
    if len(rows) != TEST_ROWS:
        raise BadDataError(f"{TEST_CSV} should have {TEST_ROWS} rows, not {len(rows)}.")
    mask = _stored_mask()
    halves = (
        rows[~mask].astype(np.int16),
        rows[mask].astype(np.int16),
    )  # 0-255 fit, a quarter the memory
    for half in halves:
        half.flags.writeable = False
    return halves


def load_sign_mnist(*, progress: bool = True):
    """Sign Language MNIST, shaped like MNIST: ``(x_train, y_train), (x_test, y_test)``.

    - ``x_train``: uint8 (27455, 28, 28), ``y_train``: uint8 (27455,), classes 0-23;
    - ``x_test``: uint8 (3578, 28, 28), ``y_test``: uint8 (3578,): the first half of the
      official test file (7,172 images), split by :func:`held_out_mask`; the other half
      (3,594 images) is held out for notebook 09's checkers.

    Class ``i`` is the letter ``LETTERS[i]`` (A-Y without J). The test images come from
    other recording sessions than the training images, and the two halves of the test
    file from different photos. Source: Kaggle datamunge/sign-language-mnist, CC0 1.0.
    Taught in notebook 09.
    """
    archive = fetch(ARCHIVE, progress=progress)
    train = _images_and_classes(_read_rows(archive, TRAIN_CSV))
    return train, load_sign_mnist_test(progress=progress)


def select_letters(x: np.ndarray, y: np.ndarray, letters) -> tuple[np.ndarray, np.ndarray]:
    """The images of some letters only, relabelled 0, 1, ... in the order the letters are given.

    ``select_letters(x_train, y_train, "ABV")`` keeps A (a fist), B (a flat hand) and V (two
    fingers) and labels them 0, 1, 2: rock, paper, scissors in notebook 09. ``y`` holds the
    classes 0-23 of :func:`load_sign_mnist`; ``letters`` is a string or a sequence of
    letters from :data:`LETTERS`. J and Z (not in the dataset), unknown or repeated letters
    raise ValueError. Returns ``(x_subset, y_subset)``, ``y_subset`` uint8, in the original
    order of the images.
    """
    wanted = [str(letter).upper() for letter in letters]
    if not wanted:
        raise ValueError("select_letters needs at least one letter, e.g. 'ABV'.")
    missing = [letter for letter in wanted if letter not in LETTERS]
    if missing:
        raise ValueError(
            f"{', '.join(missing)} not among the dataset's 24 letters {''.join(LETTERS)} "
            "(J and Z are signed with a movement, so a still image cannot show them)."
        )
    if len(set(wanted)) != len(wanted):
        raise ValueError(f"each letter once, please: {''.join(wanted)} repeats a letter.")
    x, y = np.asarray(x), np.asarray(y)
    if len(x) != len(y):
        raise ValueError(f"x has {len(x)} images but y has {len(y)} labels.")
    classes = [LETTERS.index(letter) for letter in wanted]
    new_label = np.full(len(LETTERS), -1, dtype=np.int16)
    new_label[classes] = np.arange(len(classes))
    keep = np.isin(y, classes)
    return x[keep], new_label[y[keep]].astype(np.uint8)


def load_sign_mnist_test(*, progress: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Only the test split of :func:`load_sign_mnist`: ``(x_test, y_test)``, uint8.

    Reads the test file alone (a fifth of the data): the handed-out half, 3,578 images.
    """
    return _images_and_classes(_test_rows(progress)[0])


def load_sign_mnist_held_out(*, progress: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """The held-out half of the test file, for notebook 09's checkers: uint8 (3594, 28, 28)
    images and their classes 0-23, uint8 (3594,).

    No notebook hands these out: a checker judges a trained model on them, so that the
    model's author has never seen them. Do not train on them.
    """
    return _images_and_classes(_test_rows(progress)[1])


def load_sign_mnist_rows(split: str = "train", *, progress: bool = True) -> np.ndarray:
    """Rows as the CSV file holds them: int64 ``(n, 785)``, the label (0-24, no 9), then
    the 784 pixels (0-255) of a 28 x 28 image, row by row.

    ``split``: ``"train"`` (27,455 rows), ``"test"`` (the handed-out half, 3,578) or
    ``"held_out"`` (the checkers' half, 3,594). For notebook 09's exercise on reading the
    file, and its checker.
    """
    if split == "train":
        return _read_rows(fetch(ARCHIVE, progress=progress), TRAIN_CSV)
    halves = {"test": 0, "held_out": 1}
    if split not in halves:
        raise ValueError(f"split should be 'train', 'test' or 'held_out', not {split!r}.")
    return _test_rows(progress)[halves[split]].astype(np.int64)
