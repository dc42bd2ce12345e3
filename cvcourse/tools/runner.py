"""Executing a notebook: the one runner behind ``cvcourse build`` and ``cvcourse grade``.

:func:`execute` runs a notebook in place in a fresh Jupyter kernel with nbclient and
reports how it went as a :class:`Run`: a status, the first error (or where it stopped) and
the seconds it took. ``build`` stops at the first cell that raises; ``grade`` keeps going
(``keep_going=True``), as Jupyter's "run all, ignoring errors" does.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

# How a run went.
OK = "ok"  # every cell ran
ERRORS = "errors"  # a cell raised (with keep_going, the later cells still ran)
TIMEOUT = "timed out"
DIED = "kernel died"
FAILED = "could not run"  # the kernel did not start, a bad kernelspec...


@dataclass
class Run:
    """The outcome of :func:`execute`.

    ``status`` is one of :data:`OK`, :data:`ERRORS`, :data:`TIMEOUT`, :data:`DIED`,
    :data:`FAILED`; ``error`` is "" for OK, else one line (the first error as
    ``"code cell N: Name: message"``, or where the run stopped); ``seconds`` is the wall
    time of the run (float).
    """

    status: str
    error: str
    seconds: float

    @property
    def ok(self) -> bool:
        """True when every cell ran without raising."""
        return self.status == OK


def shorten(text: str, limit: int = 160) -> str:
    """``text`` on one line, cut to ``limit`` characters (with "..." when cut)."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def first_error(nb) -> str:
    """``"code cell N: Name: message"`` for the first error output in ``nb``, or "".

    Code cells are counted from 1, as a reader counts them in Jupyter.
    """
    number = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        number += 1
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                message = f"{output.get('ename', 'Error')}: {output.get('evalue', '')}".strip()
                return f"code cell {number}: {shorten(message)}"
    return ""


def _code_cell_number(nb, index: int | None) -> str:
    """' in code cell N' for the cell at ``index`` of ``nb.cells``, or ''."""
    if index is None:
        return ""
    number = sum(c.cell_type == "code" for c in nb.cells[: index + 1])
    return f" in code cell {number}"


def execute(
    nb,
    *,
    cwd: Path,
    env: dict[str, str] | None = None,
    timeout: float | None = None,
    cell_timeout: float | None = None,
    keep_going: bool = False,
    progress: str | None = None,
    quiet_kernel: bool = False,
    kernel_name: str = "python3",
) -> Run:
    """Execute the nbformat notebook ``nb`` in place in a fresh kernel; never raises for its code.

    ``cwd`` is the kernel's working folder; ``env`` the kernel's environment variables
    (default: this process's); ``timeout`` limits the whole notebook and ``cell_timeout``
    each cell, in seconds (None: no limit); with ``keep_going`` a cell that raises does not
    stop the run; ``progress`` (a label) shows a progress bar; ``quiet_kernel`` sends the
    kernel's own stderr (TensorFlow's log lines) to the null device. The outputs land in
    ``nb``; no per-cell timestamps are stored. Returns a :class:`Run`.
    """
    import nbclient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
    from tqdm.auto import tqdm

    start = time.monotonic()
    deadline = None if timeout is None else start + timeout
    current: dict[str, int | None] = {"index": None}
    bar = tqdm(total=len(nb.cells), desc=progress, unit="cell", disable=not progress, leave=False)

    def on_start(cell, cell_index, **_):
        current["index"] = cell_index
        bar.update(1)

    def limit(cell) -> int | None:
        limits = [cell_timeout] if cell_timeout is not None else []
        if deadline is not None:
            limits.append(deadline - time.monotonic())
        return max(1, int(min(limits))) if limits else None

    client = nbclient.NotebookClient(
        nb,
        timeout_func=limit,
        kernel_name=kernel_name,
        allow_errors=keep_going,
        interrupt_on_timeout=False,
        record_timing=False,  # stored notebooks then differ only in their outputs
        on_cell_start=on_start,
    )
    where = ""
    null = open(os.devnull, "w") if quiet_kernel else None  # noqa: SIM115 - closed below
    try:
        client.execute(env=dict(os.environ if env is None else env), cwd=str(cwd), stderr=null)
        status = OK
    except CellExecutionError:
        status = ERRORS
    except CellTimeoutError:
        status, where = TIMEOUT, _code_cell_number(nb, current["index"])
    except DeadKernelError:
        status, where = DIED, _code_cell_number(nb, current["index"])
    except Exception as err:  # noqa: BLE001 - a kernel that does not start, a bad notebook
        return Run(FAILED, shorten(f"{type(err).__name__}: {err}"), time.monotonic() - start)
    finally:
        bar.close()
        if null is not None:
            null.close()
    seconds = time.monotonic() - start
    if status == TIMEOUT:
        if deadline is not None and time.monotonic() >= deadline - 1:
            which = f"the {timeout:.0f} s limit"
        else:
            which = f"the {cell_timeout:.0f} s limit per cell"
        return Run(TIMEOUT, f"stopped after {which}{where}", seconds)
    if status == DIED:
        note = f"the kernel died{where} (out of memory, or the code ended Python)"
        return Run(DIED, note, seconds)
    error = first_error(nb)
    if status == ERRORS and not error:
        error = "a cell raised"
    return Run(ERRORS if error else OK, error, seconds)


def main(argv: list[str]) -> int:
    """``python -m cvcourse.tools.runner IN.ipynb OUT.ipynb TIMEOUT``: ``cvcourse grade``'s runner.

    Runs inside the submission's sandbox (:mod:`cvcourse.tools.sandbox`), in its own
    folder: executes IN with ``keep_going``, writes the executed notebook to OUT and the
    :class:`Run` to ``OUT.run.json``. What it writes is the student's side of the story,
    for the instructor to read; scores come from the judge.
    """
    import json

    import nbformat

    source, target, timeout = Path(argv[0]), Path(argv[1]), float(argv[2])
    nb = nbformat.read(source, as_version=4)
    run = execute(nb, cwd=Path.cwd(), timeout=timeout, keep_going=True, quiet_kernel=True)
    target.write_text(nbformat.writes(nb), encoding="utf-8")
    record = {"status": run.status, "error": run.error, "seconds": run.seconds}
    Path(f"{target}.run.json").write_text(json.dumps(record), encoding="utf-8")
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
