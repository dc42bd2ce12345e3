"""Unpacking a verified zip archive of the registry into a folder of the cache, atomically.

``extract(name)`` returns ``<data dir>/<name without .zip>``, holding the members the
course reads. The folder is built in a temporary folder beside it, checked against the
registry's content hash, and renamed into place; each later call checks it again and
rebuilds it from the archive when a file was changed. Used by the Chinese MNIST
(notebook 03) and cats-vs-dogs (notebooks 04-07) loaders.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import zipfile
from pathlib import Path

from .. import settings
from . import verify
from .errors import CorruptFileError
from .registry import RemoteFile
from .transfer import make_shareable

EXTRACTED_MARKER = ".cvcourse-extracted.json"


def extract(name: str, *, progress: bool = True) -> Path:
    """The folder holding the course's members of zip file ``name``, verified; its path.

    ``name`` is a registry file name such as ``"chinese_mnist.zip"``; the archive is
    fetched first (cache, mirror, origin) if needed. Raises ValueError for a file that is
    not a zip archive, and the errors of :func:`cvcourse.datasets.fetch`.
    """
    from .files import entry, fetch  # files re-exports extract: import it lazily

    item = entry(name)
    if item.content != "zip":
        raise ValueError(f"{name} is not a zip archive")
    root = settings.data_dir() / name.removesuffix(".zip")
    if root.is_dir() and _extracted_ok(item, root):
        return root
    archive = fetch(name, progress=progress)
    tmp = Path(tempfile.mkdtemp(prefix=f".{root.name}.", suffix=".part", dir=root.parent))
    try:
        with zipfile.ZipFile(archive) as zf:
            names = verify.selected_members(zf.namelist(), item.members)
            for member in names:
                dest = (tmp / member).resolve()
                if tmp.resolve() not in dest.parents:
                    raise CorruptFileError(f"{archive} has a member outside its folder: {member}")
                dest.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(member) as src, open(dest, "wb") as out:
                    shutil.copyfileobj(src, out)
        digest = verify.tree_digest(tmp, names)
        if digest != item.sha256:  # the archive verified, so this is a disk problem
            raise CorruptFileError(f"extracting {archive} produced different files; disk full?")
        (tmp / EXTRACTED_MARKER).write_text(
            json.dumps({"file": name, "sha256": digest, "members": names}), encoding="utf-8"
        )
        for folder in [tmp, *(p for p in tmp.rglob("*") if p.is_dir())]:
            make_shareable(folder)
        if root.exists():
            shutil.rmtree(root)
        os.replace(tmp, root)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return root


def _extracted_ok(item: RemoteFile, root: Path) -> bool:
    marker = root / EXTRACTED_MARKER
    try:
        info = json.loads(marker.read_text(encoding="utf-8"))
        names = info["members"]
        return info["sha256"] == item.sha256 and verify.tree_digest(root, names) == item.sha256
    except (OSError, ValueError, KeyError, TypeError):
        return False
