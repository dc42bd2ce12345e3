"""Getting a registry file onto disk: cache, then mirror, then origin; verified, atomic.

``fetch(name)`` returns the path of a verified copy in the cache directory:

1. the cache (``settings.data_dir()``): used when its content hash matches; a cached file
   that does not match is refused with a message, never used;
2. the mirror (``CVCOURSE_MIRROR``, a folder or a URL prefix): copied in;
3. each origin URL of the registry, unless ``CVCOURSE_OFFLINE=1``.

Every copy goes to a temporary file beside its destination, is verified, and only then
renamed into place, so an interrupted or corrupt transfer leaves nothing behind.
Zip archives are unpacked by :func:`extract` into a folder, also atomically, and the folder
is checked against the same content hash each time it is used.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

from .. import settings
from . import verify
from .errors import CorruptFileError, DataUnavailableError
from .registry import FILES, RemoteFile

HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
EXTRACTED_MARKER = ".cvcourse-extracted.json"
USER_AGENT = "cvcourse (https://github.com/cvcourse/cvcourse)"


def entry(name: str) -> RemoteFile:
    """The registry entry for a file name; KeyError lists the known names."""
    try:
        return FILES[name]
    except KeyError:
        raise KeyError(
            f"{name!r} is not in the registry; known files: {', '.join(FILES)}"
        ) from None


def offline() -> bool:
    """True when ``CVCOURSE_OFFLINE`` forbids downloads from the origins."""
    return os.environ.get("CVCOURSE_OFFLINE", "").strip().lower() in {"1", "true", "yes"}


def check(item: RemoteFile, path: Path) -> None:
    """Raise CorruptFileError unless ``path`` holds ``item``'s content."""
    if item.sha256 is None:
        # Weights: no published hash. Check the container here; loading checks the rest.
        with open(path, "rb") as f:
            head = f.read(len(HDF5_SIGNATURE))
        if head != HDF5_SIGNATURE:
            raise CorruptFileError(
                f"{path} is not an HDF5 weights file (it does not start with the HDF5 signature)."
            )
        return
    actual = verify.content_digest(path, item.content, item.members)
    if actual != item.sha256:
        what = {"raw": "bytes", "gzip": "decompressed bytes", "zip": "archive members"}[
            item.content
        ]
        raise CorruptFileError(
            f"{path} does not hold the expected {item.name}: the sha256 of its {what} is "
            f"{actual}, the registry expects {item.sha256}."
        )


def status(name: str) -> str:
    """``"cached"``, ``"in mirror"``, ``"corrupt in cache"`` or ``"missing"``, without copying.

    A folder mirror is checked for presence only; use ``cvcourse data verify`` for content.
    """
    item = entry(name)
    cached = settings.data_dir() / name
    if cached.is_file():
        try:
            check(item, cached)
            return "cached"
        except CorruptFileError:
            return "corrupt in cache"
    source = settings.mirror()
    if source and "://" not in source and (Path(source) / name).is_file():
        return "in mirror"
    if source and "://" in source:
        return "mirror URL (not checked)"
    return "missing"


def fetch(name: str, *, progress: bool = True, force: bool = False) -> Path:
    """A verified copy of registry file ``name`` in the cache directory; its path.

    ``force=True`` discards a cached copy (good or bad) and fetches it again.
    Raises CorruptFileError for a cached copy that fails verification, and
    DataUnavailableError, naming every place tried and how to fix it, when no source works.
    """
    item = entry(name)
    cache_dir = settings.data_dir()
    target = cache_dir / name
    if target.exists() and force:
        target.unlink()
    if target.exists():
        try:
            check(item, target)
        except CorruptFileError as err:
            raise CorruptFileError(
                f"The cached copy of {name} (dataset {item.dataset!r}) is refused: {err}\n"
                f"Delete it and fetch it again:  cvcourse data fetch --force {item.dataset}"
            ) from None
        return target

    tried: list[str] = [f"cache {target}: not there"]
    source = settings.mirror()
    candidates: list[tuple[str, str]] = []
    if source:
        candidates.append(("mirror", _join(source, name)))
    else:
        tried.append("mirror: CVCOURSE_MIRROR is not set")
    if offline():
        tried.append("origin: skipped, CVCOURSE_OFFLINE is set")
    else:
        candidates.extend(("origin", url) for url in item.urls)

    for kind, where in candidates:
        try:
            _copy_verified(item, where, target, progress=progress)
            return target
        except FileNotFoundError:
            tried.append(f"{kind} {where}: no such file")
        except CorruptFileError as err:
            tried.append(f"{kind} {where}: refused, {err}")
        except (urllib.error.URLError, OSError, TimeoutError) as err:
            tried.append(f"{kind} {where}: {_reason(err)}")
    raise DataUnavailableError(_unavailable_message(item, tried))


def _join(source: str, name: str) -> str:
    return source + name if "://" in source else str(Path(source) / name)


def _reason(err: BaseException) -> str:
    if isinstance(err, urllib.error.HTTPError):
        return f"HTTP {err.code} {err.reason}"
    if isinstance(err, urllib.error.URLError):
        return f"unreachable ({err.reason})"
    return f"{type(err).__name__}: {err}"


def _unavailable_message(item: RemoteFile, tried: list[str]) -> str:
    lines = [
        f"Could not get {item.name} of dataset {item.dataset!r} ({item.description}).",
        "Tried:",
        *(f"  - {t}" for t in tried),
        f"Its origin: {item.urls[0]}",
    ]
    if item.login_note:
        lines.append(item.login_note)
    lines += [
        "To fix it, point CVCOURSE_MIRROR at a folder (or URL prefix) that holds "
        f"{item.name}, for example a class mirror made with `cvcourse data fetch --all`:",
        "    export CVCOURSE_MIRROR=/path/to/mirror      (Windows: set CVCOURSE_MIRROR=...)",
        f"or connect to the internet and run:  cvcourse data fetch {item.dataset}",
    ]
    return "\n".join(lines)


def _open_source(where: str):
    """A readable binary stream and its size (or None) for a folder path or a URL."""
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


def _copy_verified(item: RemoteFile, where: str, target: Path, *, progress: bool) -> None:
    """Copy ``where`` to a temporary file beside ``target``, verify, then rename into place."""
    tqdm = progress_bar_class()

    stream, size = _open_source(where)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        with (
            stream,
            os.fdopen(fd, "wb") as out,
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
        check(item, tmp)
        make_shareable(tmp)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


# --------------------------------------------------------------------------- archives


def extract(name: str, *, progress: bool = True) -> Path:
    """The folder holding the course's members of zip file ``name``, verified; its path.

    The folder is ``<data dir>/<name without .zip>``. It is (re)built from the verified
    archive when missing or when its files no longer match the registry.
    """
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


def make_shareable(path: Path) -> None:
    """Give a temp file or folder the permissions of a normal one (mkstemp makes them private).

    A cache shared as a class mirror must be readable by everyone the umask allows.
    """
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, (0o777 if path.is_dir() else 0o666) & ~umask)


def _extracted_ok(item: RemoteFile, root: Path) -> bool:
    marker = root / EXTRACTED_MARKER
    try:
        info = json.loads(marker.read_text(encoding="utf-8"))
        names = info["members"]
        return info["sha256"] == item.sha256 and verify.tree_digest(root, names) == item.sha256
    except (OSError, ValueError, KeyError, TypeError):
        return False
