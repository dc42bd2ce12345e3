"""Which course notebook a submitted file is, and reading it (for ``cvcourse grade``).

Students rename files, so the file name is the last resort. In order:

1. the notebook's metadata ``cvcourse.source`` (``"09_capstone_sign_language.ipynb"``),
   which ``cvcourse release`` writes into every student copy and which Jupyter and
   Colab keep when a notebook is renamed or saved;
2. the exercise module it imports (``from cvcourse.exercises import ex09 as ex``);
3. a file name starting with the two-digit notebook number (``09_...``).
"""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

from .course import NOTEBOOK_GLOB

_NUMBER = re.compile(r"^(\d{2})_")
_EXERCISE_IMPORT = re.compile(r"cvcourse\.exercises(?:\s+import\s+|\.)ex(\d{2})\b")


def find_submissions(folder: Path, *, exclude: Path | None = None) -> list[Path]:
    """Every file under ``folder``, sorted; hidden files/folders, checkpoints and ``exclude`` skipped."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder} is not a folder of submissions")
    exclude = exclude.resolve() if exclude is not None else None
    found = []
    for path in sorted(folder.rglob("*")):
        parts = path.relative_to(folder).parts
        if any(p.startswith(".") or p == "__pycache__" or p == ".ipynb_checkpoints" for p in parts):
            continue
        if exclude is not None and (path.resolve() == exclude or exclude in path.resolve().parents):
            continue
        if path.is_file():
            found.append(path)
    return found


def course_notebooks(notebooks_dir: Path | None) -> dict[str, str]:
    """Notebook number -> stem of the course's solution notebooks (``{"09": "09_capstone..."}``)."""
    if notebooks_dir is None or not Path(notebooks_dir).is_dir():
        return {}
    return {p.name[:2]: p.stem for p in sorted(Path(notebooks_dir).glob(NOTEBOOK_GLOB))}


def identify(nb, file_name: str, known: dict[str, str] | None = None) -> str:
    """The course notebook a submission is (its stem, or its number when the stem is unknown).

    Looks at the ``cvcourse.source`` metadata, then the exercise import, then the file
    name (see the module docstring); returns "" when none of them says.
    """
    known = known or {}
    source = nb.get("metadata", {}).get("cvcourse", {}).get("source", "")
    number = ""
    if isinstance(source, str) and _NUMBER.match(source):
        stem = Path(source).stem
        return known.get(stem[:2], stem)
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        match = _EXERCISE_IMPORT.search(_source(cell))
        if match:
            number = match.group(1)
            break
    if not number:
        match = _NUMBER.match(Path(file_name).name)
        number = match.group(1) if match else ""
    if not number:
        return ""
    return known.get(number, number)


def _source(cell) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def read_notebook(path: Path):
    """The notebook at ``path`` (nbformat v4), or raise ValueError saying why it is not one."""
    import nbformat

    try:
        text = path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError) as err:
        raise ValueError(f"cannot be read as text ({type(err).__name__})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise ValueError(f"not valid JSON (line {err.lineno})") from None
    if not isinstance(data, dict) or "cells" not in data:
        raise ValueError("JSON, but not a Jupyter notebook (no cells)")
    try:  # no strict schema check: a notebook saved by an older Jupyter still runs
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. cells without ids
            nb = nbformat.reads(text, as_version=4)
    except Exception as err:  # noqa: BLE001 - nbformat raises several kinds
        raise ValueError(f"not a readable notebook ({type(err).__name__})") from None
    if not isinstance(nb.get("cells"), list) or any(
        not isinstance(c, dict) or "cell_type" not in c for c in nb.cells
    ):
        raise ValueError("JSON, but its cells are not notebook cells")
    return nb
