"""``cvcourse record``: the results of the stored notebooks' runs, for the README.

``cvcourse build --profile full --inplace`` stores each notebook with its run (profile,
time, memory, device in the notebook's metadata; metrics in its outputs).
:func:`recorded_results` collects them and :func:`record` writes them to
``notebooks/results.json`` and the README's tables (:mod:`cvcourse.tools.readme`), so
nothing there is typed by hand.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..results import metrics_from_notebook
from .files import write_atomic
from .readme import update_readme


def recorded_results(notebooks: list[Path]) -> dict:
    """The results of the runs that made the stored notebooks, read from the notebooks.

    ``cvcourse build --inplace`` stores each run's profile, time, memory and device in the
    notebook's metadata, and its metrics are in its outputs; this collects them, so the
    README's table comes from the stored notebooks and nothing is typed by hand. Takes the
    notebooks' paths (in order); returns ``{"environment": {...}, "notebooks": [{...}]}``
    (the latest run's machine and versions; one entry per notebook that records a run).
    Raises ``ValueError`` when none does.
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


def record(course: Path, notebooks: list[Path], *, check: bool = False) -> bool:
    """Write (or, with ``check``, only compare) ``notebooks/results.json`` and the README.

    Takes the course folder and its notebooks (paths, in order); returns True when either
    file changed (with ``check``: would change). Raises ``ValueError`` when no notebook
    records a run, or the README lacks its generated sections.
    """
    target = course / "notebooks" / "results.json"
    text = json.dumps(recorded_results(notebooks), indent=2, ensure_ascii=False) + "\n"
    stale = not target.is_file() or target.read_bytes() != text.encode("utf-8")
    if check:
        return update_readme(course / "README.md", json.loads(text), check=True) or stale
    if stale:
        write_atomic(target, text)
    return update_readme(course / "README.md", json.loads(text)) or stale
