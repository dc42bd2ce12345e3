"""``cvcourse build``: execute the course's notebooks in order and tabulate the results.

Each notebook runs in a fresh kernel with the chosen profile. Written to ``build/``:

- ``NN_name.ipynb``, the executed notebook, and ``NN_name.html``, the same as a web page;
- ``index.html``, the syllabus with a link, the time and the headline result of each;
- ``results.json`` and ``results.md``: per notebook its status, wall time, the kernel's
  peak memory, the device, and the metrics it reported through
  :func:`cvcourse.results.report`, with the profile, machine and library versions.

A notebook that fails does not stop the others; :func:`build` says whether all passed.
"""

from __future__ import annotations

import datetime as _dt
import importlib.metadata
import json
import os
import platform
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..results import custom_outputs, metrics_from_notebook
from .course import NOTEBOOK_GLOB
from .files import write_atomic
from .pages import headline, index_html, notebook_title, write_html
from .runner import execute
from .tables import markdown_table

# Appended to the executed copy, read back, then removed: the kernel's own peak memory.
_PROBE_MIMETYPE = "application/vnd.cvcourse.probe+json"
_PROBE = f"""
import sys as _s, json as _j
try:
    import resource as _r
    _peak = _r.getrusage(_r.RUSAGE_SELF).ru_maxrss / (1024 * 1024 if _s.platform == "darwin" else 1024)
except ImportError:
    import psutil as _p
    _peak = getattr(_p.Process().memory_info(), "peak_wset", 0) / 2**20
_dev = "not used"
if "tensorflow" in _s.modules:
    _g = _s.modules["tensorflow"].config.list_physical_devices("GPU")
    _dev = ", ".join(g.name for g in _g) if _g else "CPU"
from IPython.display import display as _d
_d({{"{_PROBE_MIMETYPE}": {{"peak_memory_mb": round(_peak, 1), "device": _dev}}, "text/plain": ""}}, raw=True)
"""


@dataclass
class NotebookResult:
    """One notebook's outcome in a build."""

    notebook: str
    status: str  # "passed" or "failed"
    seconds: float
    peak_memory_mb: float | None = None
    device: str | None = None
    epochs: int | None = None  # as reported by the notebook (metrics["epochs"]), if any
    metrics: dict = field(default_factory=dict)
    error: str = ""


def discover(notebooks_dir: Path, names: list[str] | None = None) -> list[Path]:
    """The course notebooks in order, or those named (by stem, file name or number prefix)."""
    found = sorted(notebooks_dir.glob(NOTEBOOK_GLOB))
    if not names:
        return found
    chosen = []
    for name in names:
        stem = Path(name).stem
        matches = [p for p in found if p.stem == stem or p.stem.startswith(stem + "_")]
        if not matches:
            known = ", ".join(p.stem for p in found) or "(none)"
            raise FileNotFoundError(f"no notebook {name!r} in {notebooks_dir}; known: {known}")
        chosen.extend(m for m in matches if m not in chosen)
    return chosen


def run_notebook(
    path: Path,
    out_dir: Path,
    *,
    env: dict[str, str] | None = None,
    timeout: int = 1800,
    progress: bool = True,
) -> tuple[NotebookResult, object]:
    """Execute one notebook in a fresh kernel (in its own folder) and write it to ``out_dir``.

    Takes the notebook's path, the output folder, the kernel's environment ``env`` (default:
    this process's), ``timeout``, the seconds allowed per cell, and ``progress`` (a bar).
    The run stops at the first cell that raises. Returns (:class:`NotebookResult`, the
    executed nbformat notebook, without the memory probe).
    """
    import nbformat

    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(_PROBE))
    run = execute(
        nb,
        cwd=path.parent,
        env=env,
        cell_timeout=timeout,
        progress=path.stem if progress else None,
    )
    probe: dict = {}
    for index, data in custom_outputs(nb, _PROBE_MIMETYPE):
        if index == len(nb.cells) - 1 and isinstance(data, dict):
            probe.update(data)
    nb.cells.pop()
    write_atomic(out_dir / path.name, nbformat.writes(nb))
    metrics = metrics_from_notebook(nb)
    return NotebookResult(
        notebook=path.stem,
        status="passed" if run.ok else "failed",
        seconds=round(run.seconds, 1),
        peak_memory_mb=probe.get("peak_memory_mb"),
        device=probe.get("device"),
        epochs=metrics.get("epochs") if isinstance(metrics.get("epochs"), int) else None,
        metrics=metrics,
        error=run.error,
    ), nb


def environment_info(profile: str) -> dict:
    """Profile, machine and library versions, recorded with every build."""

    def version(name: str) -> str:
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            return "not installed"

    return {
        "profile": profile,
        "date": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPU cores",
        "python": platform.python_version(),
        "tensorflow": version("tensorflow"),
        "keras": version("keras"),
        "cvcourse": version("cvcourse"),
    }


def results_markdown(results: list[NotebookResult], info: dict) -> str:
    """``results.md``: a title, the environment, one table row per notebook, the tally."""
    rows = []
    for r in results:
        metrics = ", ".join(
            f"{k} {v:.4f}" if isinstance(v, float) else f"{k} {v}" for k, v in r.metrics.items()
        )
        memory = f"{r.peak_memory_mb:.0f} MB" if r.peak_memory_mb is not None else "?"
        status = r.status if not r.error else f"{r.status}: {r.error[:80]}"
        rows.append(
            [r.notebook, status, f"{r.seconds:.0f} s", memory, r.device or "?", metrics or "-"]
        )
    header = ["notebook", "status", "wall time", "peak memory", "device", "metrics"]
    passed = sum(r.status == "passed" for r in results)
    lines = [
        f"# Course build ({info['profile']} profile)",
        "",
        f"{info['date']} on {info['machine']}; Python {info['python']}, TensorFlow "
        f"{info['tensorflow']}, Keras {info['keras']}.",
        "",
        markdown_table(header, rows, right={"wall time", "peak memory"}),
        "",
        f"{passed} of {len(results)} notebooks passed.",
    ]
    return "\n".join(lines) + "\n"


def build(
    notebooks: list[Path],
    *,
    profile: str,
    out_dir: Path,
    inplace: bool = False,
    timeout: int = 1800,
    progress: bool = True,
    echo=print,
) -> tuple[bool, list[NotebookResult]]:
    """Run ``notebooks`` (paths) in order with ``profile``; write executed copies and results.

    Each kernel gets this process's environment with ``CVCOURSE_PROFILE=profile``;
    ``timeout`` is the seconds allowed per cell; ``echo`` prints progress lines. With
    ``inplace`` the executed notebooks that passed also replace their sources, which is how
    the stored outputs of a full run are made. Returns (all passed, the NotebookResults).
    """
    import nbformat

    from .tidy import tidy

    env = {**os.environ, "CVCOURSE_PROFILE": profile}
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    info = environment_info(profile)
    results, rows = [], []
    for i, path in enumerate(notebooks, 1):
        echo(f"[{i}/{len(notebooks)}] {path.stem} ...")
        result, nb = run_notebook(path, out_dir, env=env, timeout=timeout, progress=progress)
        results.append(result)
        try:
            write_html(nb, out_dir / f"{path.stem}.html")
        except Exception as err:  # a page that cannot render must not hide the run's result
            result.status, result.error = "failed", f"HTML export: {type(err).__name__}: {err}"
        title, description = notebook_title(nb)
        rows.append(
            {
                "notebook": path.stem,
                "html": f"{path.stem}.html",
                "title": title,
                "description": description,
                "status": result.status,
                "seconds": result.seconds,
                "headline": headline(result.metrics),
            }
        )
        echo(
            f"      {result.status} in {result.seconds:.0f} s"
            + (f": {result.error}" if result.error else "")
        )
        if inplace and result.status == "passed":
            # the run that made the stored outputs, for `cvcourse record`
            nb.metadata["cvcourse"] = {
                **info,
                "seconds": result.seconds,
                "peak_memory_mb": result.peak_memory_mb,
                "device": result.device,
            }
            relative = f"notebooks/{path.name}"
            write_atomic(path, nbformat.writes(tidy(nb, relative)) + "\n")
    payload = {"environment": info, "notebooks": [asdict(r) for r in results]}
    write_atomic(out_dir / "results.json", json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    markdown = results_markdown(results, info)
    write_atomic(out_dir / "results.md", markdown)
    write_atomic(out_dir / "index.html", index_html(rows, info))
    echo("")
    echo(markdown)
    return all(r.status == "passed" for r in results), results
