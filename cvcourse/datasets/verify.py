"""Content hashes: what the registry pins, independent of how a file was packed.

- ``raw``: the sha256 of the file's bytes.
- ``gzip``: the sha256 of the decompressed bytes, so a re-compressed copy verifies alike.
- ``zip``: one sha256 over the sorted member names the course reads and each member's own
  sha256 (``name\\0hexdigest\\n`` per member), so a re-packed archive verifies alike and
  files the course never reads (an upstream script, say) do not matter.

The same ``zip`` digest is computed over an extracted folder by :func:`tree_digest`, so an
extraction can be checked against the registry too. :func:`check` is the one test every
copy passes before it enters the cache, whether it came from a mirror, a URL or Kaggle.
"""

from __future__ import annotations

import gzip
import hashlib
import re
import zipfile
import zlib
from collections.abc import Iterable
from pathlib import Path

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


def tree_digest(root: Path, names: Iterable[str]) -> str:
    """The combined digest of files under ``root``, named relative to it (as in the archive)."""
    pairs = []
    for name in names:
        pairs.append((name, file_digest(root / name)))
    return combine(pairs)


def content_digest(path: Path, content: str, members: str | None = None) -> str:
    """The registry digest of ``path`` for its content kind (``raw``, ``gzip`` or ``zip``)."""
    if content == "raw":
        return file_digest(path)
    if content == "gzip":
        return gzip_digest(path)
    if content == "zip":
        return zip_digest(path, members)
    raise ValueError(f"unknown content kind {content!r}: expected raw, gzip or zip")


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
        what = {"raw": "bytes", "gzip": "decompressed bytes", "zip": "archive members"}[
            item.content
        ]
        raise CorruptFileError(
            f"{path} does not hold the expected {item.name}: the sha256 of its {what} is "
            f"{actual}, the registry expects {item.sha256}."
        )
