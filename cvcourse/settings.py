"""Run settings: the profile, where data lives, the class mirror and the random seed.

Every notebook asks this module, and only this module, how big a run should be::

    from cvcourse import settings
    epochs = settings.pick(full=15, quick=2)

Environment variables (read each time they are asked for, never cached):

``CVCOURSE_PROFILE``
    ``full`` (the default): the real course, full data and epochs.
    ``quick``: the same code on the same real data, fewer samples and epochs (CI uses it).
``CVCOURSE_DATA_DIR``
    The download cache. Default: ``data/`` of the checkout when the package is run from
    one, otherwise a per-user cache directory.
``CVCOURSE_MIRROR``
    A folder or URL prefix holding the registry's file names (a class mirror).
``CVCOURSE_OFFLINE``
    ``1``: never contact the origins (Kaggle included), only the cache and the mirror;
    ``0`` or unset: download what is missing.
``CVCOURSE_SEED``
    The random seed (default 42).
``CVCOURSE_STRICT``
    ``1`` (set by CI): a skipped test counts as a failure.

:func:`validate` checks them all at once (``cvcourse`` commands call it first); each
reader below raises the same :class:`SettingsError` for its own variable.

A relative folder in ``CVCOURSE_DATA_DIR`` or ``CVCOURSE_MIRROR`` is taken from the
checkout's root folder, where the README's commands run, so it names the same folder in a
terminal and in a notebook's kernel (which runs in ``notebooks/``); outside a checkout,
from the current folder.

Importing this module changes nothing: no seeding, no directories created.
"""

from __future__ import annotations

import difflib
import os
import random
from pathlib import Path
from typing import TypeVar

PROFILES = ("full", "quick")
DEFAULT_PROFILE = "full"
DEFAULT_SEED = 42

MIRROR_SCHEMES = ("http", "https", "file")
KNOWN = (
    "CVCOURSE_PROFILE",
    "CVCOURSE_DATA_DIR",
    "CVCOURSE_MIRROR",
    "CVCOURSE_OFFLINE",
    "CVCOURSE_SEED",
    "CVCOURSE_STRICT",
)

T = TypeVar("T")


class SettingsError(ValueError):
    """A ``CVCOURSE_*`` variable has a value the course cannot use.

    The message names the variable and its value, says what is wrong and how to fix it.
    """


def _problem(name: str, what: str, fix: str) -> SettingsError:
    return SettingsError(f"{name}={os.environ.get(name, '')!r}: {what}. Fix: {fix}.")


def profile() -> str:
    """The run profile: ``"full"`` (default) or ``"quick"``, from ``CVCOURSE_PROFILE``."""
    value = os.environ.get("CVCOURSE_PROFILE", "").strip().lower() or DEFAULT_PROFILE
    if value not in PROFILES:
        raise _problem(
            "CVCOURSE_PROFILE",
            "is not a profile",
            f"choose one of: {', '.join(PROFILES)}, or unset it (unset means {DEFAULT_PROFILE!r})",
        )
    return value


def is_quick() -> bool:
    """True in the quick profile."""
    return profile() == "quick"


def pick(*, full: T, quick: T) -> T:
    """The value for the current profile: ``pick(full=15, quick=2)``.

    A notebook's Parameters cell is the only place that calls this, so the rest of the
    notebook runs the same code in both profiles.
    """
    return quick if is_quick() else full


def checkout_dir() -> Path | None:
    """The source checkout the package runs from, or None when installed elsewhere."""
    root = Path(__file__).resolve().parent.parent
    pyproject = root / "pyproject.toml"
    if pyproject.is_file() and 'name = "cvcourse"' in pyproject.read_text(encoding="utf-8"):
        return root
    return None


def _folder(value: str) -> Path:
    """An absolute path for a folder setting; a relative one is taken from the checkout."""
    path = Path(value).expanduser()
    if not path.is_absolute():
        path = (checkout_dir() or Path.cwd()) / path
    return path.resolve()


def data_dir() -> Path:
    """The download cache: ``CVCOURSE_DATA_DIR``, else the checkout's ``data/``, else a user cache.

    The directory is not created here; the data layer creates it when it first writes.
    Raises SettingsError when ``CVCOURSE_DATA_DIR`` names a file, not a folder.
    """
    env = os.environ.get("CVCOURSE_DATA_DIR", "").strip()
    if env:
        path = _folder(env)
        if path.exists() and not path.is_dir():
            raise _problem(
                "CVCOURSE_DATA_DIR",
                f"{path} is a file, not a folder",
                "set it to a folder (it is created when needed), or unset it to use the default",
            )
        return path
    root = checkout_dir()
    if root is not None:
        return root / "data"
    import platformdirs

    return Path(platformdirs.user_cache_dir("cvcourse"))


def mirror() -> str | None:
    """The class mirror from ``CVCOURSE_MIRROR``: a folder path or a URL prefix, or None.

    A URL comes back ending in ``/``; a folder as an absolute path. Raises SettingsError
    for a folder that does not exist or is not a folder, and for a URL that is not
    http(s):// or file://. Whether a URL answers is found out when it is used.
    """
    value = os.environ.get("CVCOURSE_MIRROR", "").strip()
    if not value:
        return None
    if "://" in value:
        scheme = value.split("://", 1)[0].lower()
        if scheme not in MIRROR_SCHEMES:
            raise _problem(
                "CVCOURSE_MIRROR",
                f"a mirror URL must start with http://, https:// or file://, not {scheme}://",
                "give the web address of the mirror folder (https://server/cvcourse-data/) "
                "or a folder path",
            )
        return value.rstrip("/") + "/"
    path = _folder(value)
    if not path.is_dir():
        what = "is a file, not a folder" if path.exists() else "does not exist"
        raise _problem(
            "CVCOURSE_MIRROR",
            f"the mirror folder {path} {what}",
            "set it to the folder that holds the course's data files (a relative path is "
            "taken from the checkout's root), or unset it",
        )
    return str(path)


def offline() -> bool:
    """True when ``CVCOURSE_OFFLINE=1``: no origin (Kaggle included) is contacted.

    Unset, empty or ``0`` means False; anything else raises SettingsError.
    """
    value = os.environ.get("CVCOURSE_OFFLINE", "").strip()
    if value not in ("", "0", "1"):
        raise _problem(
            "CVCOURSE_OFFLINE",
            "must be 0 or 1",
            "set it to 1 to use only the cache and the mirror, or 0 (or unset it) to download",
        )
    return value == "1"


def seed() -> int:
    """The course's random seed, from ``CVCOURSE_SEED`` (default 42)."""
    value = os.environ.get("CVCOURSE_SEED", "").strip()
    if not value:
        return DEFAULT_SEED
    try:
        return int(value)
    except ValueError:
        raise _problem(
            "CVCOURSE_SEED", "is not an integer", "set it to a whole number such as 42, or unset it"
        ) from None


def _check_data_dir_writable() -> None:
    """SettingsError unless the data folder exists and is writable, or can be created."""
    path = data_dir()
    existing = path
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        what = (
            f"the data folder {path} is not writable"
            if existing == path
            else f"the data folder {path} cannot be created ({existing} is not a writable folder)"
        )
        raise _problem(
            "CVCOURSE_DATA_DIR",
            what,
            "set CVCOURSE_DATA_DIR to a folder you can write to, e.g. one in your home folder",
        )


def _check_names() -> None:
    for name in sorted(os.environ):
        if name.startswith("CVCOURSE_") and name not in KNOWN:
            close = difflib.get_close_matches(name, KNOWN, n=1)
            fix = f"did you mean {close[0]}? Rename it" if close else "unset it"
            raise SettingsError(
                f"{name}={os.environ[name]!r}: not a setting of the course (known: "
                f"{', '.join(KNOWN)}). Fix: {fix}."
            )


def _check_strict() -> None:
    if os.environ.get("CVCOURSE_STRICT", "").strip() not in ("", "0", "1"):
        raise _problem("CVCOURSE_STRICT", "must be 0 or 1", "set it to 1 (CI) or 0, or unset it")


def validate() -> None:
    """Check every ``CVCOURSE_*`` variable; return None or raise one SettingsError.

    The error lists every problem found, one line each, with the variable, its value,
    what is wrong and the fix: an unknown name (a typo such as ``CVCOURSE_PROFIL``), an
    unknown profile, a data folder that cannot be created or written, a mirror folder that
    does not exist, a mirror URL that is not http(s)/file, a seed that is not an integer,
    ``CVCOURSE_OFFLINE`` or ``CVCOURSE_STRICT`` not 0/1. Creates nothing.
    """
    problems = []
    for check in (_check_names, profile, _check_data_dir_writable, mirror, offline, seed):
        try:
            check()
        except SettingsError as err:
            problems.append(str(err))
    try:
        _check_strict()
    except SettingsError as err:
        problems.append(str(err))
    if problems:
        raise SettingsError("\n".join(problems))


def seed_everything(value: int | None = None) -> int:
    """Seed Python, NumPy and Keras/TensorFlow so a run can be repeated; returns the seed.

    Called explicitly in each notebook's Setup cell (importing ``cvcourse`` seeds nothing).
    Keras' ``set_random_seed`` also seeds TensorFlow. Ops that are nondeterministic on
    some hardware stay so: runs on one CPU repeat, across machines they agree closely.
    """
    value = seed() if value is None else int(value)
    random.seed(value)
    import numpy as np

    np.random.seed(value)
    try:
        import keras
    except ImportError:  # pragma: no cover - keras is a dependency
        return value
    keras.utils.set_random_seed(value)
    return value


def describe() -> dict[str, str]:
    """The settings in force, as strings, for ``cvcourse doctor`` and notebook headers."""
    return {
        "profile": profile(),
        "data dir": str(data_dir()),
        "mirror": mirror() or "(none: CVCOURSE_MIRROR is not set)",
        "offline": "yes (CVCOURSE_OFFLINE=1)" if offline() else "no",
        "seed": str(seed()),
    }
