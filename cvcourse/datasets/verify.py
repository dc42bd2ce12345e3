"""Content hashes: what the registry pins, independent of how a file was packed.

- ``raw``: the sha256 of the file's bytes.
- ``gzip``: the sha256 of the decompressed bytes, so a re-compressed copy verifies alike.
- ``zip``: one sha256 over the sorted member names the course reads and each member's own
  sha256 (``name\\0hexdigest\\n`` per member), so a re-packed archive verifies alike and
  files the course never reads (an upstream script, say) do not matter.
- ``tar``: the same digest over the members of a tar archive (gzip-compressed or not), so
  a re-packed tarball verifies like upstream's. An archive with a member that could land
  outside its folder (an absolute name, ``..``, a link pointing out) is refused outright,
  and so is one whose selected members are not plain files or are listed twice.

The same ``zip``/``tar`` digest is computed over an extracted folder by
:func:`tree_digest`, so an extraction can be checked against the registry too. :func:`check` is the one test every
copy passes before it enters the cache, whether it came from a mirror, a URL or Kaggle.
"""

from __future__ import annotations

import gzip
import hashlib
import re
import tarfile
import zipfile
import zlib
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from .errors import CorruptFileError
from .registry import RemoteFile

CHUNK = 1 << 20
HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"


def _hash_stream(stream, *, into=None) -> str:
    digest = hashlib.sha256()
    while True:
        chunk = stream.read(CHUNK)
        if not chunk:
            break
        digest.update(chunk)
        if into is not None:
            into.update(chunk)
    return digest.hexdigest()


def file_digest(path: Path) -> str:
    """sha256 of a file's bytes."""
    with open(path, "rb") as f:
        return _hash_stream(f)


def gzip_digest(path: Path) -> str:
    """sha256 of a gzip file's decompressed bytes; CorruptFileError if it does not decompress."""
    try:
        with gzip.open(path, "rb") as f:
            return _hash_stream(f)
    except (OSError, EOFError, zlib.error) as err:
        raise CorruptFileError(
            f"{path} is not a complete gzip file ({err}). It is truncated or damaged."
        ) from err


def combine(members: Iterable[tuple[str, str]]) -> str:
    """One digest over (member name, member sha256) pairs, sorted by name."""
    digest = hashlib.sha256()
    for name, member_hash in sorted(members):
        digest.update(f"{name}\0{member_hash}\n".encode())
    return digest.hexdigest()


def selected_members(names: Iterable[str], pattern: str | None) -> list[str]:
    """The archive members the course reads: files (not folders) whose name matches."""
    regex = re.compile(pattern) if pattern else None
    return sorted(n for n in names if not n.endswith("/") and (regex is None or regex.search(n)))


def zip_member_hashes(path: Path, pattern: str | None) -> dict[str, str]:
    """sha256 of each selected member of a zip archive, decompressed (CRCs checked too)."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = selected_members(archive.namelist(), pattern)
            hashes = {}
            for name in names:
                with archive.open(name) as member:
                    hashes[name] = _hash_stream(member)
            return hashes
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as err:
        raise CorruptFileError(
            f"{path} is not a complete zip archive ({err}). It is truncated or damaged."
        ) from err


def zip_digest(path: Path, pattern: str | None) -> str:
    """The combined digest of a zip archive's selected members."""
    return combine(zip_member_hashes(path, pattern).items())


def unsafe_member(member: tarfile.TarInfo) -> str | None:
    """Why a tar member could be written outside the folder it is extracted into, or None."""
    name = PurePosixPath(member.name)
    if not name.parts and member.isdir():  # "./", as `tar -C folder .` writes it
        return None
    if not name.parts or name.is_absolute() or "\\" in member.name or ":" in name.parts[0]:
        return f"{member.name!r} is not a plain relative name"
    if ".." in name.parts:
        return f"{member.name!r} climbs out of its folder (..)"
    if member.issym() or member.islnk():
        target = PurePosixPath(member.linkname)
        base = name.parent if member.issym() else PurePosixPath()
        depth = 0
        for part in (base / target).parts:
            depth += -1 if part == ".." else 0 if part == "." else 1
            if depth < 0:
                break
        if target.is_absolute() or depth < 0:
            return f"{member.name!r} links outside its folder (to {member.linkname!r})"
    return None


def iter_tar_members(path: Path, pattern: str | None):
    """Yield ``(name, bytes)`` for each selected member of a tar archive, in archive order.

    Refuses (CorruptFileError) the whole archive for any unsafe member (see
    :func:`unsafe_member`), a selected member that is not a plain file, or one listed twice.
    Reads the archive as a stream, so gzip, bz2 and xz tarballs are read in one pass.
    """
    regex = re.compile(pattern) if pattern else None
    seen: set[str] = set()
    try:
        with tarfile.open(path, "r|*") as archive:
            for member in archive:
                problem = unsafe_member(member)
                if problem:
                    raise CorruptFileError(f"{path} is refused: its member {problem}.")
                if member.isdir() or (regex is not None and not regex.search(member.name)):
                    continue
                if not member.isfile():
                    raise CorruptFileError(
                        f"{path} is refused: {member.name!r} is not a plain file (a link?)."
                    )
                if member.name in seen:
                    raise CorruptFileError(f"{path} is refused: {member.name!r} is listed twice.")
                seen.add(member.name)
                data = archive.extractfile(member).read()
                if len(data) != member.size:
                    raise EOFError(f"{member.name!r} is cut short")
                yield member.name, data
    except (tarfile.TarError, OSError, EOFError, zlib.error) as err:
        raise CorruptFileError(
            f"{path} is not a complete tar archive ({err}). It is truncated or damaged."
        ) from err


def tar_member_hashes(path: Path, pattern: str | None) -> dict[str, str]:
    """sha256 of each selected member of a tar archive (see :func:`iter_tar_members`)."""
    return {
        name: hashlib.sha256(data).hexdigest() for name, data in iter_tar_members(path, pattern)
    }


def tar_digest(path: Path, pattern: str | None) -> str:
    """The combined digest of a tar archive's selected members, as :func:`zip_digest`."""
    return combine(tar_member_hashes(path, pattern).items())


def tree_digest(root: Path, names: Iterable[str]) -> str:
    """The combined digest of files under ``root``, named relative to it (as in the archive)."""
    pairs = []
    for name in names:
        pairs.append((name, file_digest(root / name)))
    return combine(pairs)


def content_digest(path: Path, content: str, members: str | None = None) -> str:
    """The registry digest of ``path`` for its content kind (raw, gzip, zip or tar)."""
    if content == "raw":
        return file_digest(path)
    if content == "gzip":
        return gzip_digest(path)
    if content == "zip":
        return zip_digest(path, members)
    if content == "tar":
        return tar_digest(path, members)
    raise ValueError(f"unknown content kind {content!r}: expected raw, gzip, zip or tar")


def check(item: RemoteFile, path: Path) -> None:
    """Raise CorruptFileError unless ``path`` holds ``item``'s content; returns None.

    Weights (``sha256`` None, no published hash) are checked for the HDF5 signature only;
    loading them into their model checks the rest.
    """
    if item.sha256 is None:
        with open(path, "rb") as f:
            head = f.read(len(HDF5_SIGNATURE))
        if head != HDF5_SIGNATURE:
            raise CorruptFileError(
                f"{path} is not an HDF5 weights file (it does not start with the HDF5 signature)."
            )
        return
    actual = content_digest(path, item.content, item.members)
    if actual != item.sha256:
        what = {"raw": "bytes", "gzip": "decompressed bytes"}.get(item.content, "archive members")
        raise CorruptFileError(
            f"{path} does not hold the expected {item.name}: the sha256 of its {what} is "
            f"{actual}, the registry expects {item.sha256}."
        )
