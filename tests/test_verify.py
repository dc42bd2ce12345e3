"""Content hashes: re-packed containers verify alike, damaged ones are refused."""

import gzip
import hashlib
import zipfile

import pytest

from cvcourse.datasets import verify
from cvcourse.datasets.errors import CorruptFileError


def test_gzip_digest_is_the_hash_of_the_content(tmp_path):
    content = b"hello " * 10_000
    a, b = tmp_path / "a.gz", tmp_path / "b.gz"
    a.write_bytes(gzip.compress(content, compresslevel=1, mtime=0))
    b.write_bytes(gzip.compress(content, compresslevel=9, mtime=12345))
    assert a.read_bytes() != b.read_bytes()
    assert verify.gzip_digest(a) == verify.gzip_digest(b) == hashlib.sha256(content).hexdigest()


def test_truncated_gzip_is_corrupt(tmp_path):
    path = tmp_path / "t.gz"
    path.write_bytes(gzip.compress(b"x" * 100_000)[:-20])
    with pytest.raises(CorruptFileError, match="t.gz"):
        verify.gzip_digest(path)


def _zip(path, members, *, compression=zipfile.ZIP_DEFLATED, order=None):
    with zipfile.ZipFile(path, "w", compression=compression) as zf:
        for name in order or members:
            zf.writestr(name, members[name])
    return path


def test_repacked_zip_verifies_alike(tmp_path):
    members = {"set/a.jpg": b"aaa", "set/b.jpg": b"bbbb"}
    first = _zip(tmp_path / "1.zip", members)
    second = _zip(
        tmp_path / "2.zip",
        {**members, "set/readme.py": b"extra"},
        compression=zipfile.ZIP_STORED,
        order=["set/readme.py", "set/b.jpg", "set/a.jpg"],
    )
    pattern = r"\.jpg$"
    assert verify.zip_digest(first, pattern) == verify.zip_digest(second, pattern)
    assert verify.zip_digest(first, None) != verify.zip_digest(second, None)


def test_zip_with_changed_member_differs(tmp_path):
    a = _zip(tmp_path / "a.zip", {"x.jpg": b"1"})
    b = _zip(tmp_path / "b.zip", {"x.jpg": b"2"})
    assert verify.zip_digest(a, None) != verify.zip_digest(b, None)


def test_truncated_zip_is_corrupt(tmp_path):
    good = _zip(tmp_path / "g.zip", {f"{i}.jpg": bytes(1000) * (i + 1) for i in range(5)})
    bad = tmp_path / "bad.zip"
    bad.write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])
    with pytest.raises(CorruptFileError, match="bad.zip"):
        verify.zip_digest(bad, None)


def test_tree_digest_matches_zip_digest(tmp_path):
    members = {"d/a.jpg": b"aaa", "d/e/b.jpg": b"bb"}
    archive = _zip(tmp_path / "a.zip", members)
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(tmp_path / "out")
    assert verify.tree_digest(tmp_path / "out", members) == verify.zip_digest(archive, None)
