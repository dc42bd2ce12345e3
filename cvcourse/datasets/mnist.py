"""MNIST handwritten digits, read from the four IDX files."""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

import numpy as np

from .errors import CorruptFileError
from .files import fetch

TRAIN_IMAGES = "train-images-idx3-ubyte.gz"
TRAIN_LABELS = "train-labels-idx1-ubyte.gz"
TEST_IMAGES = "t10k-images-idx3-ubyte.gz"
TEST_LABELS = "t10k-labels-idx1-ubyte.gz"

# IDX magic numbers: 0x0000 08 ndim, 0x08 meaning unsigned byte data.
_MAGIC = {1: 0x00000801, 3: 0x00000803}


def read_idx(path: str | Path, ndim: int) -> np.ndarray:
    """Read an IDX file (gzip-compressed or not) of unsigned bytes into a uint8 array.

    ``ndim`` is 3 for images (n, rows, cols) and 1 for labels (n,). The header is checked
    against the data, so a truncated or foreign file is an error, never a short array.
    """
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as f:
            raw = f.read()
    except (OSError, EOFError, zlib.error) as err:
        raise CorruptFileError(f"{path} cannot be read as an IDX file ({err}).") from err
    header_len = 4 + 4 * ndim
    if len(raw) < header_len:
        raise CorruptFileError(f"{path} is too short to be an IDX file ({len(raw)} bytes).")
    magic = int.from_bytes(raw[:4], "big")
    if magic != _MAGIC[ndim]:
        raise CorruptFileError(
            f"{path} is not an IDX file of {ndim}-D unsigned bytes (magic number {magic:#010x}, "
            f"expected {_MAGIC[ndim]:#010x})."
        )
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    expected = int(np.prod(shape))
    if len(raw) - header_len != expected:
        raise CorruptFileError(
            f"{path} declares shape {shape} ({expected} bytes of data) but holds "
            f"{len(raw) - header_len}: the file is truncated or padded."
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=header_len).reshape(shape).copy()


def load_mnist(*, progress: bool = True):
    """MNIST, shaped like ``keras.datasets.mnist.load_data()``.

    Returns ``(x_train, y_train), (x_test, y_test)``:

    - ``x_train``: uint8 (60000, 28, 28), values 0-255, white digit on black;
    - ``y_train``: uint8 (60000,), digits 0-9;
    - ``x_test``: uint8 (10000, 28, 28); ``y_test``: uint8 (10000,).

    Files: the four IDX files of LeCun, Cortes and Burges, pinned by the sha256 of their
    decompressed bytes. Licence: CC BY-SA 3.0. Taught in notebook 02.
    """
    x_train = read_idx(fetch(TRAIN_IMAGES, progress=progress), 3)
    y_train = read_idx(fetch(TRAIN_LABELS, progress=progress), 1)
    x_test = read_idx(fetch(TEST_IMAGES, progress=progress), 3)
    y_test = read_idx(fetch(TEST_LABELS, progress=progress), 1)
    for x, y, split in ((x_train, y_train, "train"), (x_test, y_test, "test")):
        if len(x) != len(y):
            raise CorruptFileError(f"MNIST {split}: {len(x)} images but {len(y)} labels.")
    return (x_train, y_train), (x_test, y_test)
