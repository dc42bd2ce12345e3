"""Writing the tools' files: one atomic write, used for every file a command writes.

A reader (a test, a web server, a second command) sees either the old file or the new one,
never half of one, and an interrupted or failed write leaves no temporary file behind.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def write_atomic(path: Path | str, text: str) -> Path:
    """Replace the file at ``path`` by ``text`` (UTF-8, newlines exactly as given), atomically.

    Takes the target path and the whole text (``str``); creates missing parent folders.
    The text goes to a temporary file in the same folder (so the rename never crosses file
    systems), which is flushed and fsynced, then renamed over ``path`` with
    :func:`os.replace`. On any error, including ``KeyboardInterrupt``, the temporary file is
    removed, the old file (if any) is left as it was, and the error is raised again.
    Returns ``path`` as a :class:`~pathlib.Path`.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        # "x": a new file with the usual permissions (not mkstemp's 0600); newline="": no
        # translation, so the bytes on disk are the same on every system.
        with open(tmp, "x", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path
