"""Getting a registry file onto disk: cache, then mirror, then origin; verified, atomic.

``fetch(name)`` returns the path of a verified copy in the cache directory:

1. the cache (``settings.data_dir()``): used when its content hash matches; a cached file
   that does not match is refused with a message, never used;
2. the mirror (``CVCOURSE_MIRROR``, a folder or a URL prefix): copied in;
3. the origin, unless ``CVCOURSE_OFFLINE=1``: each origin URL of the registry, or for
   Kaggle's public datasets (Chinese MNIST, Sign Language MNIST) ``kagglehub``, which
   needs no account for them (:mod:`cvcourse.datasets.kaggle`).

Every copy goes to a temporary file beside its destination, is verified by
:func:`cvcourse.datasets.verify.check`, and only then renamed into place, so an
interrupted or corrupt transfer leaves nothing behind (:mod:`cvcourse.datasets.transfer`).
Zip archives are unpacked by :func:`extract` (:mod:`cvcourse.datasets.archives`).
"""

from __future__ import annotations

import urllib.error
from pathlib import Path

from .. import settings
from . import kaggle
from .archives import EXTRACTED_MARKER, extract
from .errors import CorruptFileError, DataUnavailableError
from .registry import FILES, RemoteFile
from .transfer import copy_verified, join, make_shareable, progress_bar_class, reason
from .verify import HDF5_SIGNATURE, check

__all__ = [
    "EXTRACTED_MARKER",
    "HDF5_SIGNATURE",
    "check",
    "entry",
    "extract",
    "fetch",
    "make_shareable",
    "offline",
    "progress_bar_class",
    "status",
]


def entry(name: str) -> RemoteFile:
    """The registry entry for a file name; KeyError lists the known names."""
    try:
        return FILES[name]
    except KeyError:
        raise KeyError(
            f"{name!r} is not in the registry; known files: {', '.join(FILES)}"
        ) from None


def offline() -> bool:
    """True when ``CVCOURSE_OFFLINE=1`` forbids contacting the origins (Kaggle included).

    Raises SettingsError for a value other than 0/1 (see :func:`cvcourse.settings.offline`).
    """
    return settings.offline()


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

    ``force=True`` discards a cached copy (good or bad) and fetches it again (and asks
    kagglehub to download again rather than reuse its own cache).
    Raises CorruptFileError for a cached copy that fails verification, and
    DataUnavailableError, naming every place tried and how to fix it, when no source works.
    """
    item = entry(name)
    target = settings.data_dir() / name
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
        candidates.append(("mirror", join(source, name)))
    else:
        tried.append("mirror: CVCOURSE_MIRROR is not set")
    if offline():
        tried.append(f"origin {_origin(item)}: skipped, CVCOURSE_OFFLINE=1")
    else:
        candidates.extend(("origin", url) for url in item.urls)
        if item.kaggle:
            candidates.append(("kaggle", item.kaggle))

    for kind, where in candidates:
        label = {
            "mirror": f"mirror {where} (CVCOURSE_MIRROR)",
            "origin": f"origin {where}",
            "kaggle": f"Kaggle {where} (kagglehub)",
        }[kind]
        try:
            if kind == "kaggle":
                kaggle.fetch_from_kaggle(item, target, progress=progress, force=force)
            else:
                copy_verified(item, where, target, progress=progress, check=check)
            return target
        except FileNotFoundError:
            tried.append(f"{label}: no such file")
        except CorruptFileError as err:
            tried.append(f"{label}: refused, {err}")
        except (urllib.error.URLError, OSError, TimeoutError) as err:
            tried.append(f"{label}: {reason(err)}")
        except Exception as err:  # kagglehub's own errors: HTTP, authentication, parsing
            if kind != "kaggle":
                raise
            tried.append(f"{label}: {reason(err)}")
    raise DataUnavailableError(_unavailable_message(item, tried))


def _origin(item: RemoteFile) -> str:
    if item.kaggle:
        return f"Kaggle dataset {item.kaggle} ({kaggle.page(item)}), through kagglehub"
    return item.urls[0]


def _unavailable_message(item: RemoteFile, tried: list[str]) -> str:
    lines = [
        f"Could not get {item.name} of dataset {item.dataset!r} ({item.description}).",
        "Tried:",
        *(f"  - {t}" for t in tried),
        f"Its origin: {_origin(item)}",
        "To fix it, point CVCOURSE_MIRROR at a folder (or URL prefix) that holds "
        f"{item.name}, for example a class mirror made with `cvcourse data fetch --all`:",
        "    export CVCOURSE_MIRROR=/path/to/mirror      (Windows: set CVCOURSE_MIRROR=...)",
    ]
    if settings.offline():
        lines.append(
            "or allow downloads (unset CVCOURSE_OFFLINE, or set it to 0) and run:  "
            f"cvcourse data fetch {item.dataset}"
        )
    else:
        lines.append(f"or connect to the internet and run:  cvcourse data fetch {item.dataset}")
    if item.kaggle:
        lines += [
            "Kaggle serves this public dataset without an account through kagglehub.",
            kaggle.SIGN_IN_HINT,
            f"A damaged download is fetched again with:  cvcourse data fetch --force {item.dataset}",
        ]
    return "\n".join(lines)
