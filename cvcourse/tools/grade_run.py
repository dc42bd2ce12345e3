"""The two processes of grading one submission: the student's sandboxed run, then the judge.

:func:`run_student` executes the notebook through ``python -I -m cvcourse.tools.runner``
inside :mod:`cvcourse.tools.sandbox` with ``CVCOURSE_GRADE_EXPORT`` set, so its checks
export their answers; :func:`run_judge` copies those exports (regular files only, size
limited) out of the student's folder and judges them in a fresh process
(:mod:`cvcourse.tools.judge`); :func:`check_errors` finds the check cells that raised.
Used by :mod:`cvcourse.tools.grade`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from . import judge, sandbox
from .runner import DIED, FAILED, TIMEOUT, first_error, shorten
from .submissions import read_notebook

EXPORT_LIMIT = 1024 * 2**20  # bytes of exported answers per submission
EXPORT_FILES = 10_000  # files of exported answers per submission
_CHECK_CALL = re.compile(r"\.(q\d+)\s*\.\s*check\s*\(")


def copy_exports(source: Path, target: Path) -> None:
    """Regular files only (no links), at most EXPORT_LIMIT bytes and EXPORT_FILES files, into ``target``."""
    used = count = 0
    for folder, dirs, files in os.walk(source, followlinks=False):
        dirs[:] = [d for d in dirs if not (Path(folder) / d).is_symlink()]
        for name in files:
            path = Path(folder) / name
            if path.is_symlink() or not path.is_file():
                continue
            used, count = used + path.stat().st_size, count + 1
            if used > EXPORT_LIMIT or count > EXPORT_FILES:
                return
            dest = target / path.relative_to(source)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, dest)


def check_errors(nb) -> dict[str, str]:
    """question -> "code cell N: Name: message" for check cells whose run raised."""
    found: dict[str, str] = {}
    number = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        number += 1
        source = cell.source if isinstance(cell.source, str) else "".join(cell.source)
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if not errors:
            continue
        text = shorten(f"{errors[0].get('ename', 'Error')}: {errors[0].get('evalue', '')}")
        for name in _CHECK_CALL.findall(source):
            found.setdefault(name, f"code cell {number}: {text}")
    return found


def run_student(nb, run_dir: Path, *, timeout: float, profile: str, memory, hide) -> tuple:
    """Execute ``nb`` sandboxed in ``run_dir``; (status, note, executed notebook or None)."""
    import json

    import nbformat

    (run_dir / "submission.ipynb").write_text(nbformat.writes(nb), encoding="utf-8")
    argv = [sys.executable, "-I", "-m", "cvcourse.tools.runner"]
    argv += ["submission.ipynb", "executed.ipynb", str(timeout)]
    kwargs = sandbox.popen_args(
        argv,
        run_dir,
        memory=memory,
        hide=hide,
        CVCOURSE_GRADE_EXPORT=run_dir / "exports",
        CVCOURSE_PROFILE=profile,
    )
    proc = subprocess.Popen(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kwargs)
    status = note = ""
    try:
        proc.wait(timeout=timeout + 60)
    except subprocess.TimeoutExpired:
        status, note = TIMEOUT, f"stopped after the {timeout:.0f} s limit"
    finally:
        sandbox.kill_group(proc)
    executed = None
    try:
        executed = read_notebook(run_dir / "executed.ipynb")
        record = json.loads((run_dir / "executed.ipynb.run.json").read_text(encoding="utf-8"))
        status = status or str(record.get("status", FAILED))
        note = note or str(record.get("error", ""))
    except (ValueError, OSError, AttributeError):
        status = status or DIED
        note = note or "the run ended before it wrote its notebook (out of memory, or killed)"
    if executed is not None and not note:
        note = first_error(executed)
    return status, shorten(note), executed


def run_judge(run_dir: Path, judge_dir: Path, notebook: str, *, timeout, profile, hide) -> dict:
    exports = judge_dir / "exports"
    exports.mkdir(parents=True)
    if (run_dir / "exports").is_dir():
        copy_exports(run_dir / "exports", exports)
    results = judge_dir / "results.jsonl"
    argv = [sys.executable, "-I", "-m", "cvcourse.tools.judge", str(exports), notebook]
    argv += [str(results), *[str(h) for h in hide]]
    env = sandbox.clean_env(judge_dir, {"CVCOURSE_PROFILE": profile})
    stopped = ""
    try:
        done = subprocess.run(
            argv,
            env=env,
            cwd=judge_dir,
            timeout=timeout,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            check=False,
        )
        if done.returncode != 0:
            lines = done.stderr.decode(errors="replace").strip().splitlines()
            stopped = f"the judge failed ({shorten(lines[-1] if lines else done.returncode)})"
    except subprocess.TimeoutExpired:
        stopped = f"the judge stopped after {timeout:.0f} s"
    found = judge.read_results(results)
    return {"records": found, "stopped": stopped}
