"""Sign Language MNIST: 28x28 grayscale hand signs for 24 letters (J and Z need motion)."""

from __future__ import annotations

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


def csv_label_to_class(labels: np.ndarray) -> np.ndarray:
    """Map the CSV's labels (0-24 without 9) to contiguous classes 0-23; bad labels raise."""
    labels = np.asarray(labels)
    bad = (labels < 0) | (labels > 24) | (labels == 9)
    if bad.any():
        raise BadDataError(
            f"Sign Language MNIST labels must be 0-24 without 9 (J); found {sorted(set(labels[bad].tolist()))}."
        )
    return np.where(labels > 9, labels - 1, labels).astype(np.uint8)


def _read_csv(archive, name: str):
    import pandas as pd

    with zipfile.ZipFile(archive) as zf, zf.open(name) as f:
        table = pd.read_csv(f)
    if table.shape[1] != 785 or table.columns[0] != "label":
        raise BadDataError(f"{archive}:{name} should have columns label,pixel1..pixel784.")
    if table.isna().any().any():
        raise BadDataError(f"{archive}:{name} has missing values.")
    pixels = table.iloc[:, 1:].to_numpy()
    if pixels.min() < 0 or pixels.max() > 255:
        raise BadDataError(f"{archive}:{name} has pixel values outside 0-255.")
    x = pixels.astype(np.uint8).reshape(-1, 28, 28)
    y = csv_label_to_class(table["label"].to_numpy())
    return x, y


def load_sign_mnist(*, progress: bool = True):
    """Sign Language MNIST, shaped like MNIST: ``(x_train, y_train), (x_test, y_test)``.

    - ``x_train``: uint8 (27455, 28, 28), ``y_train``: uint8 (27455,), classes 0-23;
    - ``x_test``: uint8 (7172, 28, 28), ``y_test``: uint8 (7172,).

    Class ``i`` is the letter ``LETTERS[i]`` (A-Y without J). The test images come from
    other recording sessions than the training images. Source: Kaggle
    datamunge/sign-language-mnist, CC0 1.0. Taught in notebook 08.
    """
    archive = fetch(ARCHIVE, progress=progress)
    return _read_csv(archive, TRAIN_CSV), _read_csv(archive, TEST_CSV)


def select_letters(x: np.ndarray, y: np.ndarray, letters) -> tuple[np.ndarray, np.ndarray]:
    """The images of some letters only, relabelled 0, 1, ... in the order the letters are given.

    ``select_letters(x_train, y_train, "ABV")`` keeps A (a fist), B (a flat hand) and V (two
    fingers) and labels them 0, 1, 2: rock, paper, scissors in notebook 08. ``y`` holds the
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

    Reads a fifth of the data (the test CSV alone), for code that needs only the
    held-out images, such as notebook 08's checkers.
    """
    return _read_csv(fetch(ARCHIVE, progress=progress), TEST_CSV)
