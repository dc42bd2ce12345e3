"""Fixtures shared by the unit tests."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest

from cvcourse import settings


@pytest.fixture(scope="session")
def mirror_dir() -> Path:
    """The class mirror the tests read (CVCOURSE_MIRROR, set by the root conftest)."""
    value = settings.mirror()  # resolved as the course resolves it
    if not value or not Path(value).is_dir():
        pytest.skip("no data mirror: set CVCOURSE_MIRROR to a folder holding the course's files")
    return Path(value)


@pytest.fixture
def empty_cache(tmp_path, monkeypatch) -> Path:
    """A fresh, empty data directory for this test only."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("CVCOURSE_DATA_DIR", str(cache))
    return cache


@pytest.fixture
def tmp_mirror(tmp_path, mirror_dir, monkeypatch) -> Path:
    """A copy of the mirror (symbolic links to its files) that a test may damage."""
    copy = tmp_path / "mirror"
    copy.mkdir()
    for item in mirror_dir.iterdir():
        if item.is_file():
            (copy / item.name).symlink_to(item)
    monkeypatch.setenv("CVCOURSE_MIRROR", str(copy))
    return copy


@pytest.fixture
def no_network(monkeypatch):
    """Origins are off: CVCOURSE_OFFLINE=1, as on a machine without internet."""
    monkeypatch.setenv("CVCOURSE_OFFLINE", "1")


def replace_with(path: Path, data: bytes) -> None:
    """Replace a (possibly symlinked) file with new bytes."""
    path.unlink()
    path.write_bytes(data)


def regzip(source: Path, *, change=None, level: int = 9) -> bytes:
    """Decompress a gzip, optionally change its content, compress it again."""
    with gzip.open(source, "rb") as f:
        content = f.read()
    if change is not None:
        content = change(content)
    return gzip.compress(content, compresslevel=level, mtime=0)


def copy_file(src: Path, dst: Path) -> Path:
    shutil.copyfile(src, dst)
    return dst
