"""Unpacking a verified zip or tar archive of the registry into a cache folder, atomically.

``extract(name)`` returns ``<data dir>/<name without .zip or .tar.gz>``, holding the
members the course reads. The folder is built in a temporary folder beside it, checked
against the registry's content hash, and renamed into place; each later call checks it
again and rebuilds it from the archive when a file was changed. Only plain files are
written, each checked to land inside the folder: a member with an absolute name, ``..``
or a link pointing out refuses the whole archive (:func:`cvcourse.datasets.verify.unsafe_member`).
Used by the Chinese MNIST (notebook 03) and cats-vs-dogs (notebooks 04-08) loaders; the
CIFAR-10 loader decodes its tarball directly and needs no extracted folder.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import zipfile
from pathlib import Path

from .. import settings
from . import verify
from .errors import CorruptFileError
from .registry import RemoteFile
from .transfer import publish_folder

EXTRACTED_MARKER = ".cvcourse-extracted.json"


def extract(name: str, *, progress: bool = True) -> Path:
    """The folder holding the course's members of archive ``name``, verified; its path.

    ``name`` is a registry file name such as ``"chinese_mnist.zip"`` or
    ``"cifar10_images.tar.gz"``; the archive is fetched first (cache, mirror, origin) if
    needed. Raises ValueError for a file that is not a zip or tar archive, and the errors of
    :func:`cvcourse.datasets.fetch`.
    """
    from .files import entry, fetch  # files re-exports extract: import it lazily

    item = entry(name)
    if item.content not in ("zip", "tar"):
        raise ValueError(f"{name} is not a zip or tar archive")
    root = settings.data_dir() / folder_name(name)
    if root.is_dir() and _extracted_ok(item, root):
        return root
    archive = fetch(name, progress=progress)
    tmp = Path(tempfile.mkdtemp(prefix=f".{root.name}.", suffix=".part", dir=root.parent))
    try:
        unpack = unpack_tar if item.content == "tar" else _unpack_zip
        names = unpack(archive, tmp, item.members)
        digest = verify.tree_digest(tmp, names)
        if digest != item.sha256:  # the archive verified, so this is a disk problem
            raise CorruptFileError(f"extracting {archive} produced different files; disk full?")
        (tmp / EXTRACTED_MARKER).write_text(
            json.dumps({"file": name, "sha256": digest, "members": names}), encoding="utf-8"
        )
        publish_folder(tmp, root)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return root


def folder_name(name: str) -> str:
    """The folder an archive is extracted into: its name without .zip, .tar.gz, .tgz or .tar."""
    for suffix in (".zip", ".tar.gz", ".tgz", ".tar"):
        if name.endswith(suffix):
            return name.removesuffix(suffix)
    return name


def _destination(root: Path, archive: Path, member: str) -> Path:
    dest = (root / member).resolve()
    if root.resolve() not in dest.parents:
        raise CorruptFileError(f"{archive} has a member outside its folder: {member}")
    dest.parent.mkdir(parents=True, exist_ok=True)
    return dest


def _unpack_zip(archive: Path, root: Path, pattern: str | None) -> list[str]:
    with zipfile.ZipFile(archive) as zf:
        names = verify.selected_members(zf.namelist(), pattern)
        for member in names:
            with zf.open(member) as src, open(_destination(root, archive, member), "wb") as out:
                shutil.copyfileobj(src, out)
    return names


def unpack_tar(archive: Path, root: Path, pattern: str | None = None) -> list[str]:
    """Write the selected plain-file members of a tar archive under ``root``; their names.

    Links, devices and folders are never created from the archive (folders are made as
    needed); an unsafe member anywhere refuses the archive with CorruptFileError before or
    while writing, so call it on a temporary folder, as :func:`extract` does.
    """
    names = []
    for member, data in verify.iter_tar_members(archive, pattern):
        _destination(root, archive, member).write_bytes(data)
        names.append(member)
    return sorted(names)


def _extracted_ok(item: RemoteFile, root: Path) -> bool:
    marker = root / EXTRACTED_MARKER
    try:
        info = json.loads(marker.read_text(encoding="utf-8"))
        names = info["members"]
        return info["sha256"] == item.sha256 and verify.tree_digest(root, names) == item.sha256
    except (OSError, ValueError, KeyError, TypeError):
        return False
