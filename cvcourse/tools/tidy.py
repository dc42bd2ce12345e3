"""Keeping the notebooks uniform: the Colab link and install cell, and normalised metadata.

``cvcourse tidy`` applies both to every notebook (and student copy); ``cvcourse tidy
--check`` fails when one is not tidy, which the tests and the pre-commit hook use.

- **Colab**: the first Markdown cell ends with an "Open in Colab" badge whose link is built
  from :data:`REPOSITORY`, the one configured repository URL; the Setup section's first
  code cell is exactly :func:`colab_install_source`, which installs the course package
  only when the notebook runs in Colab and does nothing anywhere else.
- **Metadata**: the kernel is ``python3`` ("Python 3"), the language info carries no
  Python patch version, and no per-cell execution timestamps are stored, so re-running a
  notebook changes only its outputs.
"""

from __future__ import annotations

from pathlib import Path

from .course import NOTEBOOK_GLOB
from .files import write_atomic

REPOSITORY = "https://github.com/cvcourse/cvcourse"  # also [project.urls] in pyproject.toml
BRANCH = "main"
BADGE_IMAGE = "https://colab.research.google.com/assets/colab-badge.svg"
COLAB_MARKER = "# Colab only: install the course package"

KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}


def colab_url(relative_path: str) -> str:
    """The Colab address of a notebook, given its path in the repository."""
    owner_repo = REPOSITORY.removeprefix("https://github.com/")
    return f"https://colab.research.google.com/github/{owner_repo}/blob/{BRANCH}/{relative_path}"


def colab_badge(relative_path: str) -> str:
    """The Markdown "Open in Colab" badge for a notebook."""
    return f"[![Open In Colab]({BADGE_IMAGE})]({colab_url(relative_path)})"


def colab_install_source() -> str:
    """The Setup cell that installs the course package in Colab, and only there."""
    return (
        f"{COLAB_MARKER} (does nothing anywhere else).\n"
        "import sys\n"
        "\n"
        'if "google.colab" in sys.modules:\n'
        "    import subprocess\n"
        "\n"
        "    subprocess.run(\n"
        f'        [sys.executable, "-m", "pip", "install", "-q", "git+{REPOSITORY}"],\n'
        "        check=True,\n"
        "    )"
    )


def _first_markdown(nb):
    return next((c for c in nb.cells if c.cell_type == "markdown"), None)


def tidy(nb, relative_path: str):
    """Return ``nb`` tidied in place: badge, Colab cell, metadata (see module docstring)."""
    import nbformat

    first = _first_markdown(nb)
    if first is not None:
        lines = [
            line for line in first.source.rstrip().splitlines() if "colab-badge.svg" not in line
        ]
        while lines and not lines[-1].strip():
            lines.pop()
        first.source = "\n".join(lines) + "\n\n" + colab_badge(relative_path)
    install = next(
        (
            c
            for c in nb.cells
            if c.cell_type == "code" and "google.colab" in c.source and "pip" in c.source
        ),
        None,
    )
    if install is not None:
        install.source = colab_install_source()
        install.outputs = []
    else:
        setup = next(
            (
                i
                for i, c in enumerate(nb.cells)
                if c.cell_type == "markdown" and c.source.lstrip().startswith("## Setup")
            ),
            None,
        )
        if setup is not None:
            nb.cells.insert(setup + 1, nbformat.v4.new_code_cell(colab_install_source()))
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["language_info"] = {"name": "python", "pygments_lexer": "ipython3"}
    for key in ("widgets", "toc", "varInspector"):
        nb.metadata.pop(key, None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.pop("ExecuteTime", None)
    return nb


def notebook_paths(root: Path) -> list[Path]:
    """Every course notebook and student copy under ``root`` (the checkout)."""
    folder = root / "notebooks"
    return sorted(folder.glob(NOTEBOOK_GLOB)) + sorted((folder / "student").glob(NOTEBOOK_GLOB))


def tidy_all(root: Path, *, check: bool = False) -> list[Path]:
    """Tidy every notebook under ``root``; the paths that were (or, with check, would be) changed."""
    import nbformat

    changed = []
    for path in notebook_paths(root):
        before = path.read_text(encoding="utf-8")
        nb = nbformat.reads(before, as_version=4)
        after = nbformat.writes(tidy(nb, path.relative_to(root).as_posix())) + "\n"
        if after != before and after.rstrip("\n") != before.rstrip("\n"):
            changed.append(path)
            if not check:
                write_atomic(path, after)
    return changed
