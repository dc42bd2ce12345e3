"""Each loader on the real data, and on damaged copies of it."""

import gzip
import shutil

import numpy as np
import pytest

from cvcourse import datasets
from cvcourse.datasets import chinese_mnist, mnist, sign_mnist
from cvcourse.datasets.errors import BadDataError, CorruptFileError


def test_mnist_like_keras(mirror_dir):
    (x_train, y_train), (x_test, y_test) = datasets.load_mnist(progress=False)
    assert x_train.shape == (60000, 28, 28) and x_train.dtype == np.uint8
    assert y_train.shape == (60000,) and y_train.dtype == np.uint8
    assert x_test.shape == (10000, 28, 28) and y_test.shape == (10000,)
    assert y_train[:5].tolist() == [5, 0, 4, 1, 9]  # the famous first digits
    assert np.bincount(y_test).tolist()[:3] == [980, 1135, 1032]
    assert x_train.max() == 255 and x_train.min() == 0


def test_idx_reader_refuses_truncated_and_foreign_files(tmp_path, mirror_dir):
    content = gzip.decompress((mirror_dir / "t10k-labels-idx1-ubyte.gz").read_bytes())
    short = tmp_path / "short.gz"
    short.write_bytes(gzip.compress(content[:-10]))
    with pytest.raises(CorruptFileError, match="truncated"):
        mnist.read_idx(short, 1)
    with pytest.raises(CorruptFileError, match="magic number"):
        mnist.read_idx(short, 3)  # labels are not images
    plain = tmp_path / "labels"
    plain.write_bytes(content)
    assert mnist.read_idx(plain, 1).shape == (10000,)


def test_chinese_mnist_table(mirror_dir):
    table = datasets.load_chinese_mnist(progress=False)
    assert len(table) == 15000
    assert list(table.columns) == [
        "suite_id",
        "sample_id",
        "code",
        "value",
        "character",
        "label",
        "path",
    ]
    assert table["label"].value_counts().tolist() == [1000] * 15
    assert sorted(table["label"].unique()) == list(range(15))
    row = table[(table["code"] == 15)].iloc[0]
    assert row["character"] == "亿" and row["value"] == 100000000
    images = datasets.load_images(table["path"][:4])
    assert images.shape == (4, 64, 64) and images.dtype == np.uint8
    small = datasets.load_images(table["path"][:2], size=(32, 32))
    assert small.shape == (2, 32, 32)


@pytest.fixture
def chinese_copy(tmp_path, mirror_dir):
    """A small, editable copy of the Chinese MNIST folder: 30 rows and their images."""
    table = datasets.load_chinese_mnist(progress=False)
    source = chinese_mnist.extract(chinese_mnist.ARCHIVE, progress=False)
    root = tmp_path / "cm"
    (root / chinese_mnist.IMAGE_DIR).mkdir(parents=True)
    keep = table.groupby("code").head(2)
    keep[list(chinese_mnist.COLUMNS)].to_csv(root / chinese_mnist.CSV_NAME, index=False)
    for path in keep["path"]:
        shutil.copy(path, root / chinese_mnist.IMAGE_DIR)
    assert source.is_dir()
    return root


def test_chinese_mnist_copy_reads(chinese_copy):
    assert len(chinese_mnist.read_table(chinese_copy)) == 30


def test_csv_row_with_missing_value(chinese_copy):
    csv = chinese_copy / chinese_mnist.CSV_NAME
    lines = csv.read_text(encoding="utf-8").splitlines()
    fields = lines[5].split(",")
    fields[3] = ""  # the value column of the fifth data row
    lines[5] = ",".join(fields)
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(BadDataError, match="line 6: missing value in value"):
        chinese_mnist.read_table(chinese_copy)


def test_csv_row_whose_image_is_missing(chinese_copy):
    victim = sorted((chinese_copy / chinese_mnist.IMAGE_DIR).iterdir())[3]
    victim.unlink()
    with pytest.raises(BadDataError, match=victim.name):
        chinese_mnist.read_table(chinese_copy)


def test_csv_row_with_wrong_character(chinese_copy):
    csv = chinese_copy / chinese_mnist.CSV_NAME
    text = csv.read_text(encoding="utf-8")
    csv.write_text(text.replace("零", "一", 1), encoding="utf-8")
    with pytest.raises(BadDataError, match="should be 零"):
        chinese_mnist.read_table(chinese_copy)


def test_cats_vs_dogs_splits(mirror_dir):
    splits = datasets.load_cats_vs_dogs(progress=False)
    assert splits.class_names == ("cats", "dogs")
    assert splits.counts() == {
        "train": {"cats": 1000, "dogs": 1000},
        "validation": {"cats": 250, "dogs": 250},
        "test": {"cats": 250, "dogs": 250},
    }
    val = {p.name for p in splits.validation_dir.rglob("*.jpg")}
    test = {p.name for p in splits.test_dir.rglob("*.jpg")}
    train = {p.name for p in splits.train_dir.rglob("*.jpg")}
    assert not (val & test) and not (train & (val | test))
    # deterministic: loading again gives the same held-out files
    again = datasets.load_cats_vs_dogs(progress=False)
    assert {p.name for p in again.test_dir.rglob("*.jpg")} == test


def test_sign_mnist(mirror_dir):
    (x_train, y_train), (x_test, y_test) = datasets.load_sign_mnist(progress=False)
    assert x_train.shape == (27455, 28, 28) and x_train.dtype == np.uint8
    assert x_test.shape == (3578, 28, 28) and y_test.dtype == np.uint8
    assert sorted(np.unique(y_train)) == list(range(24))
    assert len(datasets.SIGN_LETTERS) == 24 and "J" not in datasets.SIGN_LETTERS
    x_only, y_only = sign_mnist.load_sign_mnist_test(progress=False)
    assert np.array_equal(x_only, x_test) and np.array_equal(y_only, y_test)


def test_sign_mnist_test_file_splits_into_two_stratified_halves(mirror_dir):
    _, (x_test, y_test) = sign_mnist.load_sign_mnist(progress=False)
    x_held, y_held = sign_mnist.load_sign_mnist_held_out(progress=False)
    assert x_held.shape == (3594, 28, 28) and y_held.dtype == np.uint8
    assert len(x_test) + len(x_held) == sign_mnist.TEST_ROWS == 7172
    # every letter in both halves, in nearly the same number
    handed, held = np.bincount(y_test, minlength=24), np.bincount(y_held, minlength=24)
    assert handed.min() > 60 and np.abs(handed - held).max() <= 6
    # the rows are the same images and classes, with the label first
    rows = sign_mnist.load_sign_mnist_rows("held_out", progress=False)
    assert rows.shape == (3594, 785) and rows.dtype == np.int64
    assert np.array_equal(rows[:, 1:].reshape(-1, 28, 28), x_held)
    assert np.array_equal(sign_mnist.csv_label_to_class(rows[:, 0]), y_held)
    assert 9 not in rows[:, 0] and rows[:, 0].max() == 24
    assert sign_mnist.load_sign_mnist_rows("test", progress=False).shape == (3578, 785)
    with pytest.raises(ValueError, match="held_out"):
        sign_mnist.load_sign_mnist_rows("validation", progress=False)


@pytest.mark.slow
def test_sign_mnist_halves_are_the_rule_and_share_no_photo(mirror_dir):
    """The stored split is what held_out_mask computes, and it keeps near copies together."""
    _, (x_test, y_test) = sign_mnist.load_sign_mnist(progress=False)
    x_held, y_held = sign_mnist.load_sign_mnist_held_out(progress=False)
    rows = np.concatenate(
        [sign_mnist.load_sign_mnist_rows(s, progress=False) for s in ("test", "held_out")]
    )
    mask = sign_mnist._stored_mask()
    x_all = np.empty((len(mask), 28, 28), np.uint8)
    x_all[~mask], x_all[mask] = x_test, x_held
    y_all = np.empty(len(mask), np.uint8)
    y_all[~mask], y_all[mask] = y_test, y_held
    assert len(rows) == len(mask)
    assert np.array_equal(sign_mnist.held_out_mask(x_all, y_all), mask)
    # no held-out image has a near copy (RMS < 15 gray levels) among the handed-out ones
    a = x_test.reshape(len(x_test), -1).astype(np.float64)
    b = x_held.reshape(len(x_held), -1).astype(np.float64)
    squared = (b**2).sum(1)[:, None] - 2 * b @ a.T + (a**2).sum(1)[None, :]
    assert np.sqrt(squared.min() / 784) >= sign_mnist.NEAR_COPY_RMS


def test_sign_labels_skip_j_without_off_by_one():
    letters = sign_mnist.csv_label_to_class(np.array([0, 8, 10, 24]))
    assert [sign_mnist.LETTERS[i] for i in letters] == ["A", "I", "K", "Y"]
    with pytest.raises(BadDataError, match=r"\[9\]"):
        sign_mnist.csv_label_to_class(np.array([1, 9]))
    with pytest.raises(BadDataError, match=r"\[25\]"):
        sign_mnist.csv_label_to_class(np.array([25]))


def test_bundled_samples():
    assert datasets.load_sample("chelsea").shape == (300, 451, 3)
    assert datasets.load_sample("camera").shape == (512, 512)
    assert datasets.load_sample("logo").shape[-1] == 4
    assert datasets.sample_path("rocket").suffix == ".jpg"
    with pytest.raises(KeyError, match="chelsea"):
        datasets.load_sample("dog")


def test_imagenet_class_index(mirror_dir):
    index = datasets.imagenet_class_index(progress=False)
    assert len(index) == 1000
    assert index["285"] == ("n02124075", "Egyptian_cat")
