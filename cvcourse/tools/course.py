"""Which course folder a command works on: the one it runs in, never the installed package's.

A *course folder* holds ``notebooks/`` with at least one course notebook (``NN_*.ipynb``)
and a ``pyproject.toml`` whose ``[project]`` is named ``cvcourse``: a checkout of the
course, or any copy of it (an instructor's fork, a folder with only ``README.md``,
``pyproject.toml`` and ``notebooks/``). ``cvcourse build``, ``record``, ``release``,
``tidy`` and ``grade`` work on the course folder that is the current folder or its nearest
parent (so they work from ``notebooks/`` too), or on ``--course DIR``; each prints which
folder it works on. A ``README.md`` alone does not make a course folder: many folders with
notebooks have one.

In a course folder the tools read and write ``notebooks/`` (solution notebooks, stored
results), ``notebooks/student/``, ``README.md`` and ``cvcourse/exercises/solutions.json``.
"""

from __future__ import annotations

import re
from pathlib import Path

NOTEBOOK_GLOB = "[0-9][0-9]_*.ipynb"  # a course notebook: 00_images_as_arrays.ipynb ...
_PROJECT_NAME = re.compile(r"""^name\s*=\s*["']([^"']+)["']""", re.MULTILINE)


class NotACourseError(Exception):
    """The folder a command was pointed at (or run in) is not a course folder."""


def _why_not(folder: Path) -> str:
    """ "" when ``folder`` is a course folder, else what it lacks (one phrase)."""
    if not folder.is_dir():
        return "it is not a folder"
    if not any((folder / "notebooks").glob(NOTEBOOK_GLOB)):
        return "it has no notebooks/NN_*.ipynb"
    pyproject = folder / "pyproject.toml"
    if not pyproject.is_file():
        return "it has no pyproject.toml"
    if _project_name(pyproject) != "cvcourse":
        return 'its pyproject.toml does not name the project "cvcourse"'
    return ""


def _project_name(pyproject: Path) -> str | None:
    """``[project] name`` of a pyproject.toml, or None when it has none or cannot be read."""
    text = pyproject.read_text(encoding="utf-8", errors="replace")
    try:
        import tomllib  # Python 3.11+
    except ImportError:  # Python 3.10: the first top-level `name = "..."` line
        match = _PROJECT_NAME.search(text)
        return match.group(1) if match else None
    try:
        name = tomllib.loads(text).get("project", {}).get("name")
    except tomllib.TOMLDecodeError:
        return None
    return name if isinstance(name, str) else None


def is_course(folder: Path) -> bool:
    """True when ``folder`` (a path) is a course folder (see the module docstring)."""
    return not _why_not(Path(folder))


def find_course(explicit: str | Path | None = None, *, start: Path | None = None) -> Path:
    """The course folder a command works on, as an absolute path.

    Takes ``explicit``, the ``--course DIR`` option (or None), and ``start``, the folder to
    search from (default: the current working folder). With ``explicit``, that folder must
    be a course folder; otherwise the first of ``start`` and its parents that is one.
    Raises :class:`NotACourseError` with a message naming the folder, what is wrong and the
    fix.
    """
    if explicit is not None:
        folder = Path(explicit).expanduser().resolve()
        why = _why_not(folder)
        if why:
            raise NotACourseError(
                f"--course {explicit}: {folder} is not a course folder ({why}). Give the "
                "folder that holds the course's notebooks/ and pyproject.toml."
            )
        return folder
    start = (start or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        if is_course(folder):
            return folder
    raise NotACourseError(
        f"{start} is not in a course folder ({_why_not(start)}, and no parent folder is one). "
        "Run the command in the course's folder (the one with notebooks/ and a pyproject.toml "
        "naming cvcourse) or pass --course DIR."
    )
