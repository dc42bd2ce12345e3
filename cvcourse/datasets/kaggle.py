"""Kaggle's public datasets as an origin, through ``kagglehub`` (no account needed).

``kagglehub.dataset_download(handle)`` returns a folder holding the dataset's files, the
way Kaggle's bundle unpacks (``chinese_mnist.csv`` and ``data/data/*.jpg`` for Chinese
MNIST; the two CSVs, two copies of them in subfolders and three PNG charts for Sign
Language MNIST). On a plain machine that folder is kagglehub's own cache
(``~/.cache/kagglehub``, or ``KAGGLEHUB_CACHE``); in Kaggle's and Colab's notebooks it may
be a read-only mounted copy. :func:`fetch_from_kaggle` packs the members the registry
pins (its ``members`` pattern) into the registry's zip file name, checks that zip exactly
as a mirror copy is checked (the same content hash), and only then renames it into the
cache. Used for notebooks 03 (Chinese MNIST) and 09 (Sign Language MNIST).
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

from . import verify
from .errors import CorruptFileError
from .registry import RemoteFile
from .transfer import install_verified, progress_bar_class

STORED_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".zip", ".gz")  # compressed already

SIGN_IN_HINT = (
    "If Kaggle asks for an account, sign in: make an API token at "
    "https://www.kaggle.com/settings (API), then set KAGGLE_API_TOKEN (or KAGGLE_USERNAME and "
    "KAGGLE_KEY), or put kaggle.json in ~/.kaggle/, or run `import kagglehub; kagglehub.login()`."
)


def page(item: RemoteFile) -> str:
    """The Kaggle web page of ``item``'s dataset."""
    return f"https://www.kaggle.com/datasets/{item.kaggle}"


def download(handle: str, *, force: bool = False) -> Path:
    """kagglehub's folder (or file) for dataset ``handle`` such as ``"gpreda/chinese-mnist"``.

    Raises RuntimeError when kagglehub is not installed; kagglehub's own errors (no
    network, HTTP 401/403/404) pass through.
    """
    try:
        import kagglehub
    except ImportError:
        raise RuntimeError(
            "kagglehub is not installed; install it with `pip install kagglehub` "
            "(it is a dependency of cvcourse: `pip install -e .` installs it)"
        ) from None
    if force:
        return Path(kagglehub.dataset_download(handle, force_download=True))
    return Path(kagglehub.dataset_download(handle))


def dataset_files(root: Path) -> list[str]:
    """Every file under ``root``, as a relative POSIX path (the names of a zip's members)."""
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def pack(item: RemoteFile, source: Path, out: Path, *, progress: bool = False) -> None:
    """Write the zip ``item.name`` to ``out`` from kagglehub's ``source``.

    ``source`` is a folder of the dataset's files (the usual case), a folder that holds
    the archive itself under the registry's name, or the archive. Only the members that
    ``item.members`` selects go in. Raises CorruptFileError when none of them is there.
    """
    if source.is_file() or (source / item.name).is_file():
        shutil.copyfile(source if source.is_file() else source / item.name, out)
        return
    names = verify.selected_members(dataset_files(source), item.members)
    if not names:
        found = ", ".join(dataset_files(source)[:5]) or "nothing"
        raise CorruptFileError(
            f"kagglehub's folder {source} holds none of the files the course reads "
            f"(pattern {item.members}); found: {found}"
        )
    tqdm = progress_bar_class()
    with (
        zipfile.ZipFile(out, "w", compresslevel=1) as zf,
        tqdm(total=len(names), desc=f"packing {item.name}", disable=not progress) as bar,
    ):
        for name in names:
            kind = zipfile.ZIP_STORED if name.lower().endswith(STORED_SUFFIXES) else None
            zf.write(source / name, name, compress_type=kind or zipfile.ZIP_DEFLATED)
            bar.update(1)


def fetch_from_kaggle(
    item: RemoteFile, target: Path, *, progress: bool, force: bool = False
) -> Path:
    """Download ``item`` from Kaggle with kagglehub into ``target``, verified; ``target``.

    Nothing unverified reaches ``target``: the zip is built in a temporary file beside it,
    checked by :func:`cvcourse.datasets.verify.check`, then renamed. Raises
    CorruptFileError when what arrived does not match the registry (the temporary file
    is removed), and whatever kagglehub raises when the download fails.
    """
    if not item.kaggle:
        raise ValueError(f"{item.name} does not come from Kaggle")
    source = download(item.kaggle, force=force)
    install_verified(
        item, target, lambda tmp: pack(item, source, tmp, progress=progress), verify.check
    )
    return target
