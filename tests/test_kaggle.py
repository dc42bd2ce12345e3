"""Kaggle's datasets through kagglehub: the origin after the cache and the mirror."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

kagglehub = pytest.importorskip("kagglehub")

from cvcourse import settings  # noqa: E402
from cvcourse.datasets import files, kaggle, registry, verify  # noqa: E402
from cvcourse.datasets.errors import DataUnavailableError  # noqa: E402
from tests.kaggle_fake import make_download  # noqa: E402

SIGN = "sign_mnist.zip"
ROOT = Path(__file__).resolve().parent.parent


def cache_entries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*")) if folder.exists() else []


@pytest.fixture
def online_no_mirror(empty_cache, monkeypatch):
    """No class mirror, downloads allowed: the origin is the only source left."""
    monkeypatch.delenv("CVCOURSE_MIRROR", raising=False)
    monkeypatch.setenv("CVCOURSE_OFFLINE", "0")
    return empty_cache


@pytest.fixture
def fake_kaggle(mirror_dir, tmp_path, monkeypatch):
    """Replace kagglehub.dataset_download; returns the list of calls it gets."""

    def serve(damage=None):
        calls: list = []
        fake = make_download(mirror_dir, tmp_path / "kagglehub", damage=damage, calls=calls)
        monkeypatch.setattr(kagglehub, "dataset_download", fake)
        return calls

    return serve


def test_kaggle_download_is_packed_and_verified_by_content(online_no_mirror, fake_kaggle):
    calls = fake_kaggle()
    path = files.fetch(SIGN, progress=False)
    assert calls == [("datamunge/sign-language-mnist", False)]
    assert path == online_no_mirror / SIGN
    # the zip built from Kaggle's folder pins to the mirror's hash: same two CSVs, nothing else
    files.check(registry.FILES[SIGN], path)
    with zipfile.ZipFile(path) as zf:
        assert sorted(zf.namelist()) == ["sign_mnist_test.csv", "sign_mnist_train.csv"]
    assert cache_entries(online_no_mirror) == [SIGN]
    assert files.fetch(SIGN, progress=False) == path and len(calls) == 1, "cached now"


def test_damaged_kaggle_download_is_refused_and_leaves_nothing(online_no_mirror, fake_kaggle):
    def damage(folder):
        csv = folder / "sign_mnist_test.csv"
        data = csv.read_bytes()
        csv.write_bytes(data[:-10] + b"0" * 10)

    fake_kaggle(damage=damage)
    with pytest.raises(DataUnavailableError) as info:
        files.fetch(SIGN, progress=False)
    message = str(info.value)
    assert "Kaggle datamunge/sign-language-mnist (kagglehub): refused" in message
    assert "sha256" in message and "--force sign_mnist" in message
    assert cache_entries(online_no_mirror) == []


def test_failed_kaggle_says_what_was_tried_and_how_to_fix(online_no_mirror, monkeypatch):
    def unreachable(handle, *args, **kwargs):
        raise ConnectionError("Failed to resolve 'www.kaggle.com'")

    monkeypatch.setattr(kagglehub, "dataset_download", unreachable)
    with pytest.raises(DataUnavailableError) as info:
        files.fetch("chinese_mnist.zip", progress=False)
    message = str(info.value)
    for expected in (
        "cache ",
        "mirror: CVCOURSE_MIRROR is not set",
        "Kaggle gpreda/chinese-mnist (kagglehub): ConnectionError: Failed to resolve",
        "https://www.kaggle.com/datasets/gpreda/chinese-mnist",
        "export CVCOURSE_MIRROR=",
        "KAGGLE_API_TOKEN",
        "kagglehub.login()",
    ):
        assert expected in message
    assert cache_entries(online_no_mirror) == []


def test_offline_never_contacts_kaggle(online_no_mirror, monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("kagglehub called although CVCOURSE_OFFLINE=1")

    monkeypatch.setattr(kagglehub, "dataset_download", forbidden)
    monkeypatch.setenv("CVCOURSE_OFFLINE", "1")
    with pytest.raises(DataUnavailableError) as info:
        files.fetch(SIGN, progress=False)
    assert "skipped, CVCOURSE_OFFLINE=1" in str(info.value)
    assert "unset CVCOURSE_OFFLINE" in str(info.value)


def test_the_mirror_comes_before_kaggle(empty_cache, tmp_mirror, fake_kaggle, monkeypatch):
    monkeypatch.setenv("CVCOURSE_OFFLINE", "0")
    calls = fake_kaggle()
    files.fetch(SIGN, progress=False)
    assert calls == []


def test_force_asks_kagglehub_to_download_again(online_no_mirror, fake_kaggle):
    calls = fake_kaggle()
    files.fetch(SIGN, progress=False, force=True)
    assert calls == [("datamunge/sign-language-mnist", True)]


def test_a_folder_without_the_members_is_refused(tmp_path):
    (tmp_path / "readme.txt").write_text("not the dataset")
    with pytest.raises(Exception, match="none of the files the course reads"):
        kaggle.pack(registry.FILES[SIGN], tmp_path, tmp_path / "out.zip")


def test_kagglehub_may_hand_back_the_archive_itself(mirror_dir, tmp_path):
    (tmp_path / SIGN).symlink_to(mirror_dir / SIGN)
    kaggle.pack(registry.FILES[SIGN], tmp_path, tmp_path / "out.zip")
    verify.check(registry.FILES[SIGN], tmp_path / "out.zip")


@pytest.mark.slow
def test_cli_fetches_every_dataset_with_no_mirror(mirror_dir, tmp_path):
    """`cvcourse data fetch --all`, no mirror: Kaggle (faked) and the URLs (file://) supply all."""
    cache = tmp_path / "cache"
    env = {
        **os.environ,
        "CVCOURSE_DATA_DIR": str(cache),
        "CVCOURSE_MIRROR": "",
        "CVCOURSE_OFFLINE": "0",
        "KAGGLEHUB_CACHE": str(tmp_path / "kagglehub"),
    }
    shim = (
        "import sys, runpy; from tests.kaggle_fake import install; "
        f"install({str(mirror_dir)!r}, {str(tmp_path / 'kagglehub')!r}); "
        "sys.argv = ['cvcourse', 'data', 'fetch', '--all', '--quiet']; "
        "runpy.run_module('cvcourse.tools.cli', run_name='__main__')"
    )
    run = subprocess.run(
        [sys.executable, "-c", shim], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stdout + run.stderr
    for dataset in ("mnist", "chinese_mnist", "cats_vs_dogs", "sign_mnist", "imagenet"):
        assert f"{dataset}: ok, verified" in run.stdout
    for name, item in registry.FILES.items():
        verify.check(item, cache / name)
    assert (cache / "chinese_mnist" / "chinese_mnist.csv").is_file()
    assert not [p for p in cache.iterdir() if p.name.endswith(".part")]
    assert settings.mirror() is not None  # this process's settings were left alone
