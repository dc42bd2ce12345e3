"""Cats vs dogs: the 3,000-image ``cats_and_dogs_filtered`` subset, as class folders."""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .. import settings
from .files import extract
from .transfer import publish_folder

ARCHIVE = "cats_and_dogs_filtered.zip"
CLASS_NAMES = ("cats", "dogs")
SPLITS_DIR = "cats_vs_dogs_splits"
# The upstream validation folder holds cat/dog.2000-2499. The course keeps 2000-2249 of
# each class for validation and holds out 2250-2499 as a test set no model selection sees.
VALIDATION_NUMBERS = range(2000, 2250)
TEST_NUMBERS = range(2250, 2500)


@dataclass(frozen=True)
class FolderSplits:
    """Three folders in the layout ``keras.utils.image_dataset_from_directory`` reads."""

    train_dir: Path
    validation_dir: Path
    test_dir: Path
    class_names: tuple[str, ...]

    def counts(self) -> dict[str, dict[str, int]]:
        """Images per split and class, e.g. ``{"train": {"cats": 1000, "dogs": 1000}, ...}``."""
        return {
            split: {c: sum(1 for _ in (folder / c).glob("*.jpg")) for c in self.class_names}
            for split, folder in (
                ("train", self.train_dir),
                ("validation", self.validation_dir),
                ("test", self.test_dir),
            )
        }


def _expected(numbers: range) -> dict[str, list[str]]:
    return {c: [f"{c[:-1]}.{i}.jpg" for i in numbers] for c in CLASS_NAMES}


def _link_or_copy(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _splits_ok(root: Path, source: Path) -> bool:
    for split, numbers in (("validation", VALIDATION_NUMBERS), ("test", TEST_NUMBERS)):
        for cls, names in _expected(numbers).items():
            folder = root / split / cls
            if not folder.is_dir() or sorted(p.name for p in folder.iterdir()) != sorted(names):
                return False
            for name in names:
                if (folder / name).stat().st_size != (source / cls / name).stat().st_size:
                    return False
    return True


def load_cats_vs_dogs(*, progress: bool = True) -> FolderSplits:
    """Cats vs dogs as train / validation / test class folders; returns their paths.

    - train: 1,000 cats + 1,000 dogs (cat.0-999, dog.0-999), the upstream train folder;
    - validation: 250 + 250 (cat/dog.2000-2249), the first half of upstream validation;
    - test: 250 + 250 (cat/dog.2250-2499), held out, for a test accuracy no model
      selection has seen.

    Each folder holds ``cats/`` and ``dogs/`` of RGB JPEGs of varying size (about
    500x375). Validation and test are hard links to the extracted files (copies where
    links are impossible). Source: the TensorFlow tutorials' cats_and_dogs_filtered.zip,
    a subset of Kaggle's Dogs vs. Cats (Asirra, Microsoft Research), pinned by the hash
    of its image members. Taught in notebooks 04-08.
    """
    extracted = extract(ARCHIVE, progress=progress) / "cats_and_dogs_filtered"
    source = extracted / "validation"
    root = settings.data_dir() / SPLITS_DIR
    if not (root.is_dir() and _splits_ok(root, source)):
        tmp = Path(tempfile.mkdtemp(prefix=f".{SPLITS_DIR}.", suffix=".part", dir=root.parent))
        try:
            for split, numbers in (("validation", VALIDATION_NUMBERS), ("test", TEST_NUMBERS)):
                for cls, names in _expected(numbers).items():
                    (tmp / split / cls).mkdir(parents=True)
                    for name in names:
                        _link_or_copy(source / cls / name, tmp / split / cls / name)
            publish_folder(tmp, root)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return FolderSplits(
        train_dir=extracted / "train",
        validation_dir=root / "validation",
        test_dir=root / "test",
        class_names=CLASS_NAMES,
    )
