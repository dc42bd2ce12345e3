"""Copying one file from a folder or a URL into the cache: temp file, verify, rename.

Used by :mod:`cvcourse.datasets.files` for mirrors and origin URLs, and by
:mod:`cvcourse.datasets.kaggle` for what kagglehub downloads. Nothing here decides
*where* a file comes from; it only moves bytes safely.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from .errors import CorruptFileError
from .registry import RemoteFile

USER_AGENT = "cvcourse (https://github.com/cvcourse/cvcourse)"


def join(source: str, name: str) -> str:
    """``name`` inside a mirror: a folder path or a URL prefix ending in ``/``."""
    return source + name if "://" in source else str(Path(source) / name)


def reason(err: BaseException) -> str:
    """A short, readable reason for a failed transfer (HTTP status, unreachable host...)."""
    if isinstance(err, urllib.error.HTTPError):
        return f"HTTP {err.code} {err.reason}"
    if isinstance(err, urllib.error.URLError):
        return f"unreachable ({err.reason})"
    return f"{type(err).__name__}: {err}"


def open_source(where: str):
    """A readable binary stream and its size (or None) for a folder path or a URL.

    Raises FileNotFoundError for a missing file or an HTTP 404, URLError/OSError otherwise.
    """
    if "://" not in where:
        path = Path(where)
        if not path.is_file():
            raise FileNotFoundError(where)
        return open(path, "rb"), path.stat().st_size
    if where.startswith("file://"):
        path = Path(urllib.request.url2pathname(where[len("file://") :]))
        if not path.is_file():
            raise FileNotFoundError(where)
        return open(path, "rb"), path.stat().st_size
    request = urllib.request.Request(where, headers={"User-Agent": USER_AGENT})
    try:
        response = urllib.request.urlopen(request, timeout=60)
    except urllib.error.HTTPError as err:
        if err.code == 404:
            raise FileNotFoundError(where) from err
        raise
    size = response.headers.get("Content-Length")
    return response, int(size) if size and size.isdigit() else None


def progress_bar_class():
    """tqdm's notebook bar where ipywidgets can draw it, else the plain text bar."""
    try:
        import ipywidgets  # noqa: F401
        from tqdm.auto import tqdm
    except ImportError:
        from tqdm.std import tqdm
    return tqdm


def make_shareable(path: Path) -> None:
    """Give a temp file or folder the permissions of a normal one (mkstemp makes them private).

    A cache shared as a class mirror must be readable by everyone the umask allows.
    """
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, (0o777 if path.is_dir() else 0o666) & ~umask)


def publish_folder(tmp: Path, root: Path) -> None:
    """Put a finished temp folder ``tmp`` in place as ``root``: shareable, then one rename.

    Every folder inside gets normal permissions; an older ``root`` is removed first.
    """
    for folder in [tmp, *(p for p in tmp.rglob("*") if p.is_dir())]:
        make_shareable(folder)
    if root.exists():
        shutil.rmtree(root)
    os.replace(tmp, root)


def install_verified(
    item: RemoteFile,
    target: Path,
    write: Callable[[Path], None],
    check: Callable[[RemoteFile, Path], None],
) -> None:
    """Write ``item`` with ``write(tmp)`` to a temp file beside ``target``, check, rename.

    ``check(item, tmp)`` raises CorruptFileError for content that does not match the
    registry; then the temp file is removed and ``target`` is left as it was.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        check(item, tmp)
        make_shareable(tmp)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def copy_verified(item: RemoteFile, where: str, target: Path, *, progress: bool, check) -> None:
    """Copy a folder file or URL ``where`` into ``target``, verified by ``check``."""
    tqdm = progress_bar_class()
    stream, size = open_source(where)

    def write(tmp: Path) -> None:
        with (
            stream,
            open(tmp, "wb") as out,
            tqdm(
                total=size,
                unit="B",
                unit_scale=True,
                unit_divisor=1024,
                desc=item.name,
                disable=not progress,
                leave=False,
            ) as bar,
        ):
            while True:
                chunk = stream.read(1 << 20)
                if not chunk:
                    break
                out.write(chunk)
                bar.update(len(chunk))
        if size is not None and tmp.stat().st_size != size:
            raise CorruptFileError(
                f"the transfer stopped after {tmp.stat().st_size} of {size} bytes"
            )

    try:
        install_verified(item, target, write, check)
    finally:
        stream.close()
