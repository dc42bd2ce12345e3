"""Where student code runs under ``cvcourse grade``: a scrubbed, limited and (where possible) isolated process.

Every process that runs a submission's code (the notebook's kernel, and the children that
call a student's function for the judge) starts through :func:`popen_args`:

- a scrubbed environment (:func:`clean_env`): only what Python, Jupyter and the course
  need (``PATH``, locale, ``CVCOURSE_*`` settings, thread counts); ``HOME``, ``TMPDIR``
  and the data cache point into the submission's own temporary folder, so instructor
  tokens (``KAGGLE_KEY``, ``GITHUB_TOKEN``, ...) and ``~/.kaggle`` never reach it;
- resource limits (:func:`limiter`): address space (``--memory``), CPU seconds, file
  size, no core files; its own session, so the whole process group can be killed;
- with bubblewrap (``bwrap``, Linux; ``apt-get install bubblewrap``): a read-only view of
  the file system with the home folders, ``/tmp``, the submissions, the grades and the
  course's notebooks hidden, its own folder the one place it can write, no network
  (``--unshare-net``: only its own loopback), its own process and IPC namespaces, dying
  with the grader. :func:`bwrap_status` probes once whether bwrap works here (it needs
  user namespaces, or root); where it does not, the same limits apply without the
  isolation and the grade table says so.
"""

from __future__ import annotations

import contextlib
import functools
import os
import resource
import shutil
import subprocess
from pathlib import Path

KEEP_ENV = (
    "PATH",
    "LANG",
    "LC_ALL",
    "LC_CTYPE",
    "TZ",
    "OMP_NUM_THREADS",
    "TF_NUM_INTEROP_THREADS",
    "TF_NUM_INTRAOP_THREADS",
    "KERAS_BACKEND",
    "CUDA_VISIBLE_DEVICES",
    "CVCOURSE_PROFILE",
    "CVCOURSE_MIRROR",
    "CVCOURSE_SEED",
    "CVCOURSE_OFFLINE",
    "CVCOURSE_STRICT",
    "CVCOURSE_TIME_LIMIT",
    "CVCOURSE_EXPORT_LIMIT_MB",
)
DEFAULT_MEMORY = 8 * 2**30  # bytes of address space per process (TensorFlow maps a lot)


@functools.cache
def bwrap_status() -> tuple[bool, str]:
    """``(True, "bwrap")`` when bubblewrap isolates here, else ``(False, why not)``."""
    if os.environ.get("CVCOURSE_NO_SANDBOX"):
        return False, "turned off (CVCOURSE_NO_SANDBOX)"
    exe = shutil.which("bwrap")
    if exe is None:
        return False, "no bwrap (apt-get install bubblewrap)"
    probe = [exe, *_isolation([]), "--", "true"]
    try:
        done = subprocess.run(probe, capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired) as err:
        return False, f"bwrap does not start ({type(err).__name__})"
    if done.returncode != 0:
        why = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["failed"]
        return False, f"bwrap does not work here ({why[0][:100]})"
    return True, "bwrap"


def sandbox_label() -> str:
    """What the grade table says about isolation: "bwrap", or "none (why)"."""
    ok, why = bwrap_status()
    return "bwrap" if ok else f"none: {why}"


def clean_env(folder: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a sandboxed process whose own folder is ``folder``."""
    env = {k: v for k, v in os.environ.items() if k in KEEP_ENV or k.startswith("LC_")}
    home, tmp = folder / "home", folder / "tmp"
    home.mkdir(parents=True, exist_ok=True)
    tmp.mkdir(parents=True, exist_ok=True)
    env.update(
        HOME=str(home),
        TMPDIR=str(tmp),
        MPLCONFIGDIR=str(home / ".matplotlib"),
        JUPYTER_RUNTIME_DIR=str(home / ".jupyter-runtime"),
        CVCOURSE_DATA_DIR=str(_data_cache(folder)),
        CVCOURSE_OFFLINE="1",
        TF_CPP_MIN_LOG_LEVEL=os.environ.get("TF_CPP_MIN_LOG_LEVEL", "2"),
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONNOUSERSITE="1",
    )
    env.update(extra or {})
    return env


def _data_cache(folder: Path) -> Path:
    """A writable data cache of links to the course's cached files (their targets read-only)."""
    from .. import settings

    cache = folder / "data"
    cache.mkdir(parents=True, exist_ok=True)
    try:
        real = settings.data_dir()
    except Exception:  # noqa: BLE001 - a bad CVCOURSE_DATA_DIR: an empty cache then
        return cache
    if real.is_dir():
        for item in real.iterdir():
            if not item.name.startswith(".") and not (cache / item.name).exists():
                (cache / item.name).symlink_to(item.resolve())
    return cache


def _needed() -> list[Path]:
    """Folders a sandboxed Python must read: its installation, the course, the data."""
    import sys

    from .. import settings

    places = {Path(sys.prefix), Path(sys.base_prefix), Path(__file__).resolve().parents[2]}
    with contextlib.suppress(Exception):
        places.add(settings.data_dir().resolve())
    with contextlib.suppress(Exception):
        mirror = settings.mirror()
        if mirror and "://" not in mirror:
            places.add(Path(mirror).resolve())
    return sorted(p for p in places if p.is_dir())


def _isolation(hide: list[Path]) -> list[str]:
    args = ["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
    for place in ["/tmp", "/root", "/home"]:
        if Path(place).is_dir():
            args += ["--tmpfs", place]
    for place in _needed():
        if str(place).startswith(("/tmp/", "/root/", "/home/")):
            args += ["--ro-bind", str(place), str(place)]
    for place in hide:  # those under /tmp and the homes are hidden already
        if Path(place).is_dir() and not str(place).startswith(("/tmp/", "/root/", "/home/")):
            args += ["--tmpfs", str(place)]
    args += ["--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts"]
    return [*args, "--die-with-parent", "--new-session"]


def wrap(argv: list[str], folder: Path, *, hide=()) -> list[str]:
    """``argv`` run inside bubblewrap (when it works here) with ``folder`` writable.

    ``hide`` are folders replaced by empty ones (submissions, grades, the solution
    notebooks); the home folders and ``/tmp`` are always hidden, except the Python
    installation, the course and the data, which stay readable.
    """
    if not bwrap_status()[0]:
        return list(argv)
    return [
        shutil.which("bwrap") or "bwrap",
        *_isolation([Path(h).resolve() for h in hide]),
        "--bind",
        str(folder),
        str(folder),
        "--chdir",
        str(folder),
        "--",
        *argv,
    ]


def limiter(memory: int | None = DEFAULT_MEMORY, cpu_seconds: int | None = None):
    """A ``preexec_fn`` setting the resource limits of a student process (Unix)."""

    def apply() -> None:
        if memory:
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        if cpu_seconds:
            resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 5))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        size = 2 * 2**30
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))

    return apply


def popen_args(argv, folder: Path, *, memory=DEFAULT_MEMORY, cpu_seconds=None, hide=(), **env):
    """Keyword arguments for :class:`subprocess.Popen` running ``argv`` sandboxed in ``folder``.

    Returns ``{"args", "env", "cwd", "preexec_fn", "start_new_session"}``; ``env`` entries
    are added to the scrubbed environment.
    """
    return {
        "args": wrap([str(a) for a in argv], Path(folder), hide=hide),
        "env": clean_env(Path(folder), {k: str(v) for k, v in env.items()}),
        "cwd": str(folder),
        "preexec_fn": limiter(memory, cpu_seconds),
        "start_new_session": True,
    }


def kill_group(proc: subprocess.Popen) -> None:
    """End a sandboxed process and everything it started (its session's process group)."""
    import signal

    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
