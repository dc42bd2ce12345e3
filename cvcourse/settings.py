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
``CVCOURSE_SEED``
    The random seed (default 42).

A relative folder in ``CVCOURSE_DATA_DIR`` or ``CVCOURSE_MIRROR`` is taken from the
checkout's root folder, where the README's commands run, so it names the same folder in a
terminal and in a notebook's kernel (which runs in ``notebooks/``); outside a checkout,
from the current folder.

Importing this module changes nothing: no seeding, no directories created.
"""

from __future__ import annotations

import os
import random
from pathlib import Path
from typing import TypeVar

PROFILES = ("full", "quick")
DEFAULT_PROFILE = "full"
DEFAULT_SEED = 42

T = TypeVar("T")


class SettingsError(ValueError):
    """A setting read from the environment has a value the course cannot use."""


def profile() -> str:
    """The run profile: ``"full"`` (default) or ``"quick"``, from ``CVCOURSE_PROFILE``."""
    value = os.environ.get("CVCOURSE_PROFILE", "").strip().lower() or DEFAULT_PROFILE
    if value not in PROFILES:
        raise SettingsError(
            f"CVCOURSE_PROFILE={os.environ['CVCOURSE_PROFILE']!r} is not a profile. "
            f"Choose one of: {', '.join(PROFILES)} (unset means {DEFAULT_PROFILE!r})."
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
    """
    env = os.environ.get("CVCOURSE_DATA_DIR", "").strip()
    if env:
        return _folder(env)
    root = checkout_dir()
    if root is not None:
        return root / "data"
    import platformdirs

    return Path(platformdirs.user_cache_dir("cvcourse"))


def mirror() -> str | None:
    """The class mirror from ``CVCOURSE_MIRROR``: a folder path or a URL prefix, or None."""
    value = os.environ.get("CVCOURSE_MIRROR", "").strip()
    if not value:
        return None
    if "://" in value:
        return value.rstrip("/") + "/"
    return str(_folder(value))


def seed() -> int:
    """The course's random seed, from ``CVCOURSE_SEED`` (default 42)."""
    value = os.environ.get("CVCOURSE_SEED", "").strip()
    if not value:
        return DEFAULT_SEED
    try:
        return int(value)
    except ValueError:
        raise SettingsError(
            f"CVCOURSE_SEED={value!r} is not an integer. Set it to a whole number such as 42, "
            "or unset it."
        ) from None


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
        "seed": str(seed()),
    }
