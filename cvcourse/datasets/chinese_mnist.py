"""Chinese MNIST: 15,000 handwritten Chinese numerals, 15 classes, as a table of files."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np

from .errors import BadDataError
from .files import extract

ARCHIVE = "chinese_mnist.zip"
CSV_NAME = "chinese_mnist.csv"
IMAGE_DIR = Path("data") / "data"
COLUMNS = ("suite_id", "sample_id", "code", "value", "character")

# code 1-15 -> (character, numeric value)
CHARACTERS: dict[int, tuple[str, int]] = {
    1: ("零", 0),
    2: ("一", 1),
    3: ("二", 2),
    4: ("三", 3),
    5: ("四", 4),
    6: ("五", 5),
    7: ("六", 6),
    8: ("七", 7),
    9: ("八", 8),
    10: ("九", 9),
    11: ("十", 10),
    12: ("百", 100),
    13: ("千", 1000),
    14: ("万", 10000),
    15: ("亿", 100000000),
}


def image_name(suite_id: int, sample_id: int, code: int) -> str:
    """The file name of one sample: ``input_{suite_id}_{sample_id}_{code}.jpg``."""
    return f"input_{suite_id}_{sample_id}_{code}.jpg"


def read_table(root: str | Path):
    """Read ``chinese_mnist.csv`` under ``root`` and join each row with its image path.

    Returns a DataFrame with the CSV's columns (suite_id, sample_id, code, value,
    character) plus ``label`` (code - 1, an int 0-14) and ``path`` (str). Raises
    BadDataError naming the CSV line for a missing value, an unknown code, a code whose
    character or value disagrees with the table above, or an image file that is missing.
    Images in the folder that no row lists are ignored (notebook 03 audits them).
    """
    import pandas as pd

    root = Path(root)
    csv = root / CSV_NAME
    if not csv.is_file():
        raise BadDataError(f"{csv} is missing; the dataset folder is incomplete.")
    table = pd.read_csv(csv, encoding="utf-8")
    missing_cols = [c for c in COLUMNS if c not in table.columns]
    if missing_cols:
        raise BadDataError(
            f"{csv} lacks the column(s) {missing_cols}; found {list(table.columns)}."
        )
    table = table[list(COLUMNS)]
    na = table.isna()
    if na.any().any():
        row = int(np.argmax(na.any(axis=1).to_numpy()))
        cols = [c for c in COLUMNS if na.iloc[row][c]]
        raise BadDataError(
            f"{csv} line {row + 2}: missing value in {', '.join(cols)} "
            f"({int(na.any(axis=1).sum())} row(s) in all). Fix or drop those rows."
        )
    for col in ("suite_id", "sample_id", "code", "value"):
        if not pd.api.types.is_integer_dtype(table[col]):
            raise BadDataError(f"{csv}: column {col} must hold whole numbers.")
    for line, code, value, char in zip(
        table.index + 2, table["code"], table["value"], table["character"]
    ):
        if code not in CHARACTERS:
            raise BadDataError(f"{csv} line {line}: code {code} is not one of 1-15.")
        if CHARACTERS[code] != (char, value):
            raise BadDataError(
                f"{csv} line {line}: code {code} should be {CHARACTERS[code][0]} "
                f"(value {CHARACTERS[code][1]}), found {char} (value {value})."
            )
    table = table.assign(
        label=(table["code"] - 1).astype(int),
        path=[
            str(root / IMAGE_DIR / image_name(s, n, c))
            for s, n, c in zip(table["suite_id"], table["sample_id"], table["code"])
        ],
    )
    missing = [p for p in table["path"] if not Path(p).is_file()]
    if missing:
        raise BadDataError(
            f"{len(missing)} image(s) listed in {csv} are missing, first {missing[0]}. "
            "The dataset folder is incomplete: delete it and load again to re-extract it."
        )
    return table.reset_index(drop=True)


def load_chinese_mnist(*, progress: bool = True):
    """Chinese MNIST as a DataFrame, one row per image; images are read on demand.

    15,000 rows (100 volunteers x 10 samples x 15 characters), columns suite_id,
    sample_id, code (1-15), value (0-9, 10, 100, 1000, 10000, 100000000), character
    (零 一 二 三 四 五 六 七 八 九 十 百 千 万 亿), label (code - 1, 0-14) and path (a 64x64
    grayscale JPEG). Read pixels with :func:`load_images`. Source: Kaggle gpreda/chinese-mnist
    (Newcastle University), pinned by the hash of the archive's members. Taught in notebook 03.
    """
    return read_table(extract(ARCHIVE, progress=progress))


def load_images(paths: Iterable[str | Path], size: tuple[int, int] | None = None) -> np.ndarray:
    """Read grayscale images into one uint8 array (n, H, W), resized to ``size`` if given.

    ``size`` is (height, width). Colour files are converted to luminance. Raises
    ImageReadError naming the first file that does not decode.
    """
    from PIL import Image

    from ..images import read_gray

    out = []
    for path in paths:
        image = read_gray(path)
        if size is not None and image.shape != tuple(size):
            image = np.asarray(
                Image.fromarray(image).resize((size[1], size[0]), Image.Resampling.BILINEAR)
            )
        out.append(image)
    if not out:
        return np.zeros((0, *(size or (0, 0))), dtype=np.uint8)
    return np.stack(out)
