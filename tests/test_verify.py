"""Content hashes: re-packed containers verify alike, damaged ones are refused."""

import gzip
import hashlib
import io
import os
import shutil
import tarfile
import zipfile

import pytest

from cvcourse.datasets import archives, registry, verify
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


def _tar(path, members, *, mode="w:gz", order=None, mtime=0, links=()):
    """A tar archive of ``members`` (name -> bytes), plus (name, target, symbolic) links."""
    with tarfile.open(path, mode) as tar:
        for name in order or members:
            info = tarfile.TarInfo(name)
            info.size, info.mtime = len(members[name]), mtime
            tar.addfile(info, io.BytesIO(members[name]))
        for name, target, symbolic in links:
            info = tarfile.TarInfo(name)
            info.type = tarfile.SYMTYPE if symbolic else tarfile.LNKTYPE
            info.linkname = target
            tar.addfile(info)
    return path


TAR_MEMBERS = {"top/train/cat/0000.jpg": b"cat", "top/test/dog/0001.jpg": b"dog" * 100}


def test_repacked_tar_verifies_alike(tmp_path):
    first = _tar(tmp_path / "1.tar.gz", TAR_MEMBERS)
    second = _tar(
        tmp_path / "2.tar.xz",
        {**TAR_MEMBERS, "top/README.md": b"# readme"},
        mode="w:xz",
        order=["top/README.md", "top/test/dog/0001.jpg", "top/train/cat/0000.jpg"],
        mtime=1_554_014_139,
    )
    pattern = r"\.jpg$"
    assert first.read_bytes() != second.read_bytes()
    assert verify.tar_digest(first, pattern) == verify.tar_digest(second, pattern)
    assert verify.tar_digest(first, None) != verify.tar_digest(second, None)
    # the same digest as a zip of the same members, and as the extracted folder
    zipped = _zip(tmp_path / "same.zip", TAR_MEMBERS)
    assert verify.tar_digest(first, None) == verify.zip_digest(zipped, None)
    root = tmp_path / "out"
    names = archives.unpack_tar(second, root, pattern)
    assert names == sorted(TAR_MEMBERS)
    assert verify.tree_digest(root, names) == verify.tar_digest(first, None)
    assert not (root / "top" / "README.md").exists()


def test_tar_with_changed_member_differs(tmp_path):
    a = _tar(tmp_path / "a.tar.gz", TAR_MEMBERS)
    b = _tar(tmp_path / "b.tar.gz", {**TAR_MEMBERS, "top/train/cat/0000.jpg": b"cow"})
    assert verify.tar_digest(a, None) != verify.tar_digest(b, None)


def test_truncated_tar_is_corrupt(tmp_path):
    members = {f"{i}.jpg": os.urandom(20_000) for i in range(5)}
    good = _tar(tmp_path / "g.tar.gz", members)
    bad = tmp_path / "bad.tar.gz"
    bad.write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])
    with pytest.raises(CorruptFileError, match="bad.tar.gz"):
        verify.tar_digest(bad, None)


@pytest.mark.parametrize(
    "name, links, why",
    [
        ("top/../../evil.jpg", (), "climbs out"),
        ("/etc/evil.jpg", (), "not a plain relative name"),
        ("top/ok.jpg", [("top/link.jpg", "../../etc/passwd", True)], "links outside"),
        ("top/ok.jpg", [("top/hard.jpg", "/etc/passwd", False)], "links outside"),
        ("top/ok.jpg", [("top/inside.jpg", "ok.jpg", True)], "not a plain file"),
    ],
    ids=["dotdot", "absolute", "symlink-out", "hardlink-out", "link-selected"],
)
def test_unsafe_tar_is_refused_and_writes_nothing(tmp_path, name, links, why):
    path = _tar(tmp_path / "evil.tar.gz", {name: b"x"}, links=links)
    with pytest.raises(CorruptFileError, match=why):
        verify.tar_digest(path, r"\.jpg$")
    root = tmp_path / "out"
    root.mkdir()
    with pytest.raises(CorruptFileError, match=why):
        archives.unpack_tar(path, root, r"\.jpg$")
    # nothing outside the folder, no link at all (a plain member before the bad one may
    # have been written: extract() unpacks into a temporary folder that it then removes)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["evil.tar.gz", "out"]
    assert {p.name for p in root.rglob("*") if p.is_file() or p.is_symlink()} <= {"ok.jpg"}


def test_extract_unpacks_a_registry_tarball_atomically(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    cache.mkdir()
    monkeypatch.setenv("CVCOURSE_DATA_DIR", str(cache))
    monkeypatch.setenv("CVCOURSE_OFFLINE", "1")
    _tar(cache / "toy.tar.gz", {**TAR_MEMBERS, "top/README.md": b"#"})
    item = registry.RemoteFile(
        name="toy.tar.gz",
        dataset="cifar10",
        urls=("https://example.org/toy.tar.gz",),
        sha256=verify.tar_digest(cache / "toy.tar.gz", r"\.jpg$"),
        content="tar",
        size=1,
        licence="test",
        description="a toy tarball",
        members=r"\.jpg$",
    )
    monkeypatch.setitem(registry.FILES, item.name, item)
    root = archives.extract("toy.tar.gz", progress=False)
    assert root == cache / "toy"
    assert (root / "top/test/dog/0001.jpg").read_bytes() == b"dog" * 100
    assert not (root / "top/README.md").exists()
    (root / "top/train/cat/0000.jpg").write_bytes(b"changed")
    assert archives.extract("toy.tar.gz", progress=False) == root  # rebuilt from the archive
    assert (root / "top/train/cat/0000.jpg").read_bytes() == b"cat"
    _tar(cache / "toy.tar.gz", {"top/../evil.jpg": b"x"})  # replaced by an unsafe archive
    shutil.rmtree(root)
    with pytest.raises(CorruptFileError, match="climbs out"):
        archives.extract("toy.tar.gz", progress=False)
    assert sorted(p.name for p in cache.iterdir()) == ["toy.tar.gz"]
