"""The solution code that ``ex.qN.solution()`` shows, from ``solutions.json``.

``cvcourse release`` writes ``cvcourse/exercises/solutions.json`` from the solution
notebooks' ``# BEGIN SOLUTION`` blocks: ``{"ex01": {"q1": "<code>", ...}, ...}``. The
notebooks stay the single source, and no exercise module types a solution out again.
The file is read on the first ``solution()`` call, not on import. Taught from notebook
00 on (``ex.q1.solution()``).
"""

from __future__ import annotations

import functools
import importlib.resources
import json


def solutions_path():
    """Where ``solutions.json`` is: a Traversable (or Path) inside this package."""
    return importlib.resources.files("cvcourse.exercises") / "solutions.json"


@functools.lru_cache(maxsize=4)
def _read(location: str, path) -> tuple[dict | None, str]:
    """(the parsed file, "") or (None, why it could not be read). Cached per location."""
    try:
        text = path.read_text(encoding="utf-8")
    except (FileNotFoundError, IsADirectoryError):
        return None, "no solutions.json is installed with the course package"
    except OSError as err:
        return None, f"solutions.json could not be read ({err})"
    try:
        data = json.loads(text)
    except ValueError as err:
        return None, f"solutions.json is not valid JSON ({err}); run `cvcourse release` again"
    if not isinstance(data, dict):
        return None, "solutions.json does not map exercise modules to solutions"
    return data, ""


def solution_code(module: str, question: str) -> tuple[str | None, str]:
    """The solution code of ``question`` ("q1") of ``module`` ("ex01"), or None and why not.

    Returns ``(code, "")`` when the file has the entry, else ``(None, reason)``; never
    raises (a missing or damaged file is a reason, not an error).
    """
    path = solutions_path()
    data, reason = _read(str(path), path)
    if data is None:
        return None, reason
    entry = data.get(module, {})
    code = entry.get(question) if isinstance(entry, dict) else None
    if not isinstance(code, str) or not code.strip():
        return None, f"solutions.json has no solution for {module}.{question}"
    return code.strip("\n"), ""
