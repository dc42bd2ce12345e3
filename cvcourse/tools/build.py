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
import html
import importlib.metadata
import json
import os
import platform
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..results import metrics_from_notebook

NOTEBOOK_GLOB = "[0-9][0-9]_*.ipynb"
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


def run_notebook(path: Path, out_dir: Path, *, timeout: int = 1800, progress: bool = True):
    """Execute one notebook in a fresh kernel, write it to ``out_dir``; a NotebookResult."""
    import nbclient
    import nbformat
    from tqdm.auto import tqdm

    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(_PROBE))
    bar = tqdm(total=len(nb.cells), desc=path.stem, unit="cell", disable=not progress, leave=False)
    client = nbclient.NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        record_timing=False,  # no per-cell timestamps: stored notebooks differ only in outputs
        on_cell_executed=lambda **_: bar.update(1),
    )
    start = time.perf_counter()
    status, error = "passed", ""
    try:
        client.execute()
    except nbclient.exceptions.CellExecutionError as err:
        status = "failed"
        error = f"{err.ename}: {err.evalue}".strip()
    except nbclient.exceptions.CellTimeoutError as err:
        status, error = "failed", f"timed out: {str(err).splitlines()[0]}"
    except Exception as err:  # kernel died, bad notebook: report it, go on with the next
        status, error = "failed", f"{type(err).__name__}: {err}"
    finally:
        bar.close()
    seconds = time.perf_counter() - start
    probe = {}
    for output in nb.cells[-1].get("outputs", []):
        probe.update(output.get("data", {}).get(_PROBE_MIMETYPE, {}))
    nb.cells.pop()
    out_dir.mkdir(parents=True, exist_ok=True)
    _write_atomic(out_dir / path.name, nbformat.writes(nb))
    metrics = metrics_from_notebook(nb)
    return NotebookResult(
        notebook=path.stem,
        status=status,
        seconds=round(seconds, 1),
        peak_memory_mb=probe.get("peak_memory_mb"),
        device=probe.get("device"),
        epochs=metrics.get("epochs") if isinstance(metrics.get("epochs"), int) else None,
        metrics=metrics,
        error=error,
    ), nb


def notebook_title(nb) -> tuple[str, str]:
    """(title, one-line description) from a notebook's first Markdown cell."""
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        lines = [line.strip() for line in cell.source.splitlines() if line.strip()]
        title, description = "", ""
        for line in lines:
            if line.startswith("# ") and not title:
                title = line[2:].strip()
            elif title and not line.startswith(("#", "[", "<", "!")):
                description = line
                break
        if title:
            return title, description
    return "", ""


def write_html(nb, path: Path) -> Path:
    """Render an executed notebook to a standalone HTML page (figures embedded)."""
    from nbconvert import HTMLExporter

    body, _ = HTMLExporter(template_name="lab").from_notebook_node(nb)
    _write_atomic(path, body)
    return path


HEADLINE_METRICS = ("test_accuracy", "accuracy", "val_accuracy")


def headline(metrics: dict) -> str:
    """The one number an index shows for a notebook: its test accuracy when it has one."""
    for key in HEADLINE_METRICS:
        if isinstance(metrics.get(key), (int, float)):
            return f"{key.replace('_', ' ')} {100 * metrics[key]:.1f}%"
    for key, value in metrics.items():
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return f"{key.replace('_', ' ')} {value:.4g}"
    return ""


def index_html(rows: list[dict], info: dict) -> str:
    """The syllabus page: one row per notebook with its link, status, time and result."""
    body = []
    for row in rows:
        status_class = "ok" if row["status"] == "passed" else "fail"
        body.append(
            "<tr>"
            f'<td><a href="{html.escape(row["html"])}">{html.escape(row["notebook"])}</a></td>'
            f"<td>{html.escape(row['title'])}<br><small>{html.escape(row['description'])}</small></td>"
            f'<td class="{status_class}">{html.escape(row["status"])}</td>'
            f"<td>{row['seconds'] / 60:.1f} min</td>"
            f"<td>{html.escape(row['headline'])}</td>"
            "</tr>"
        )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>cvcourse: the course</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }}
table {{ border-collapse: collapse; width: 100%; }}
td, th {{ border-bottom: 1px solid #ddd; padding: .5rem; text-align: left; vertical-align: top; }}
.ok {{ color: #1a7f37; }} .fail {{ color: #b42318; font-weight: bold; }}
small {{ color: #57606a; }}
</style></head><body>
<h1>cvcourse: computer vision with Keras 3</h1>
<p>Built {html.escape(info["date"])} with the <b>{html.escape(info["profile"])}</b> profile on
{html.escape(info["machine"])}; TensorFlow {html.escape(info["tensorflow"])}, Keras {html.escape(info["keras"])}.
Results: <a href="results.md">results.md</a>, <a href="results.json">results.json</a>.</p>
<table><thead><tr><th>notebook</th><th>what it teaches</th><th>status</th><th>time</th><th>result</th></tr></thead>
<tbody>
{chr(10).join(body)}
</tbody></table></body></html>
"""


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.part")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


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
    """The results table as Markdown."""
    lines = [
        f"# Course build ({info['profile']} profile)",
        "",
        f"{info['date']} on {info['machine']}; Python {info['python']}, TensorFlow "
        f"{info['tensorflow']}, Keras {info['keras']}.",
        "",
        "| notebook | status | wall time | peak memory | device | metrics |",
        "| --- | --- | ---: | ---: | --- | --- |",
    ]
    for r in results:
        metrics = ", ".join(
            f"{k} {v:.4f}" if isinstance(v, float) else f"{k} {v}" for k, v in r.metrics.items()
        )
        memory = f"{r.peak_memory_mb:.0f} MB" if r.peak_memory_mb is not None else "?"
        status = r.status if not r.error else f"{r.status}: {r.error[:80]}"
        lines.append(
            f"| {r.notebook} | {status} | {r.seconds:.0f} s | {memory} | {r.device or '?'} "
            f"| {metrics or '-'} |"
        )
    passed = sum(r.status == "passed" for r in results)
    lines += ["", f"{passed} of {len(results)} notebooks passed."]
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
    """Run ``notebooks`` in order with ``profile``; write executed copies and results.

    With ``inplace`` the executed notebooks also replace their sources, which is how the
    stored outputs of a full run are made. Returns (all passed, results).
    """
    import nbformat

    os.environ["CVCOURSE_PROFILE"] = profile  # the kernels inherit it
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    info = environment_info(profile)
    results, rows = [], []
    for i, path in enumerate(notebooks, 1):
        echo(f"[{i}/{len(notebooks)}] {path.stem} ...")
        result, nb = run_notebook(path, out_dir, timeout=timeout, progress=progress)
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
            from .tidy import tidy

            # the run that made the stored outputs, for `cvcourse record`
            nb.metadata["cvcourse"] = {
                **info,
                "seconds": result.seconds,
                "peak_memory_mb": result.peak_memory_mb,
                "device": result.device,
            }
            relative = f"notebooks/{path.name}"
            _write_atomic(path, nbformat.writes(tidy(nb, relative)) + "\n")
    out_dir.mkdir(parents=True, exist_ok=True)
    payload = {"environment": info, "notebooks": [asdict(r) for r in results]}
    _write_atomic(
        out_dir / "results.json", json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
    )
    markdown = results_markdown(results, info)
    _write_atomic(out_dir / "results.md", markdown)
    _write_atomic(out_dir / "index.html", index_html(rows, info))
    echo("")
    echo(markdown)
    return all(r.status == "passed" for r in results), results


def recorded_results(notebooks: list[Path]) -> dict:
    """The results of the runs that made the stored notebooks, read from the notebooks.

    ``cvcourse build --inplace`` stores each run's profile, time, memory and device in the
    notebook's metadata, and its metrics are in its outputs; this collects them, so the
    README's table comes from the stored notebooks and nothing is typed by hand.
    """
    import nbformat

    entries, environments = [], []
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        run = nb.metadata.get("cvcourse")
        if not run:
            continue
        metrics = metrics_from_notebook(nb)
        environments.append(run)
        entries.append(
            {
                "notebook": path.stem,
                "status": "passed",
                "profile": run["profile"],
                "date": run["date"],
                "seconds": run["seconds"],
                "peak_memory_mb": run["peak_memory_mb"],
                "device": run["device"],
                "epochs": metrics.get("epochs") if isinstance(metrics.get("epochs"), int) else None,
                "metrics": metrics,
            }
        )
    if not environments:
        raise ValueError("no stored notebook records a run: use cvcourse build --inplace first")
    latest = max(environments, key=lambda e: e["date"])
    profiles = sorted({e["profile"] for e in environments})
    environment = {
        k: latest[k] for k in ("date", "machine", "python", "tensorflow", "keras", "cvcourse")
    }
    environment["profile"] = "/".join(profiles)
    return {"environment": environment, "notebooks": entries}
