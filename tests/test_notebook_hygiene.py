"""Every notebook (and student copy) has the course's shape and uses current APIs only."""

import re
import sys
import types
from pathlib import Path

import nbformat
import pytest

from cvcourse.tools import tidy

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = tidy.notebook_paths(ROOT)
IDS = [p.relative_to(ROOT / "notebooks").as_posix() for p in NOTEBOOKS]

DEPRECATED = {
    r"\bImageDataGenerator\s*\(": "ImageDataGenerator (use preprocessing layers)",
    r"\bfit_generator\s*\(": "fit_generator (use fit)",
    r"\bK\.gradients\b": "K.gradients (use tf.GradientTape)",
    r"\bK\.function\b": "K.function (use a keras.Model)",
    r"\blr\s*=": "lr= (use learning_rate=)",
    r"\bcm\.get_cmap\b": "matplotlib.cm.get_cmap (use matplotlib.colormaps[...])",
    r"from\s+tensorflow\s+import\s+keras|tf\.keras\.": "tf.keras (use import keras)",
    r"\.h5['\"]": "saving .h5 models (use .keras files)",
}
ABSOLUTE_PATH = re.compile(r"""["'](/home/|/Users/|/content/|/work/|/tmp/|[A-Za-z]:\\\\)""")


def code_without_comments(cell) -> str:
    lines = []
    for line in cell.source.splitlines():
        stripped = line.split("#", 1)[0] if not line.lstrip().startswith(("!", "%")) else ""
        lines.append(stripped)
    return "\n".join(lines)


def test_the_course_has_notebooks():
    assert any(p.parent.name == "notebooks" for p in NOTEBOOKS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_sections_in_order(path):
    nb = nbformat.read(path, as_version=4)
    first = nb.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# "), "title first"
    assert len([line for line in first.source.splitlines() if line.strip()]) >= 2, (
        "a one-line description under the title"
    )
    headings = [
        line.strip()
        for c in nb.cells
        if c.cell_type == "markdown"
        for line in c.source.splitlines()
        if line.startswith("## ")
    ]
    wanted = ["## Learning objectives", "## Setup", "## Parameters", "## Summary"]
    positions = []
    for heading in wanted:
        found = [i for i, h in enumerate(headings) if h.startswith(heading)]
        assert found, f"{path.name} has no '{heading}' section"
        positions.append(found[0])
    assert positions == sorted(positions), f"sections out of order: {headings}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_no_deprecated_api_or_absolute_path(path):
    nb = nbformat.read(path, as_version=4)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        code = code_without_comments(cell)
        for pattern, what in DEPRECATED.items():
            assert not re.search(pattern, code), f"cell {index} uses {what}"
        assert not ABSOLUTE_PATH.search(cell.source), f"cell {index} has a hard-coded path"
        assert "import *" not in code, f"cell {index} star-imports"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_only_the_parameters_cell_depends_on_the_profile(path):
    """settings.pick / is_quick (what makes a run smaller) appear only in Parameters."""
    nb = nbformat.read(path, as_version=4)
    cells = nb.cells
    parameters = next(
        i for i, c in enumerate(cells) if c.cell_type == "markdown" and "## Parameters" in c.source
    )
    assert cells[parameters + 1].cell_type == "code", "a code cell follows ## Parameters"
    users = [
        i
        for i, c in enumerate(cells)
        if c.cell_type == "code" and re.search(r"settings\.(pick|is_quick)\(", c.source)
    ]
    assert all(i == parameters + 1 for i in users), (
        f"settings.pick/is_quick outside the Parameters cell (cells {users})"
    )


def test_notebooks_are_tidy():
    untidy = tidy.tidy_all(ROOT, check=True)
    assert not untidy, f"run `cvcourse tidy`: {[p.name for p in untidy]}"


def test_repository_url_is_configured_once():
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    homepage = re.search(r'^Homepage = "([^"]+)"', pyproject, re.MULTILINE)
    assert homepage and homepage.group(1) == tidy.REPOSITORY
    assert tidy.colab_url("notebooks/00_x.ipynb").endswith(
        "/github/cvcourse/cvcourse/blob/main/notebooks/00_x.ipynb"
    )


def _run_colab_cell(monkeypatch, in_colab: bool) -> list:
    calls = []
    fake_subprocess = types.ModuleType("subprocess")
    fake_subprocess.run = lambda *args, **kwargs: calls.append((args, kwargs))
    monkeypatch.setitem(sys.modules, "subprocess", fake_subprocess)
    if in_colab:
        monkeypatch.setitem(sys.modules, "google", types.ModuleType("google"))
        monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    else:
        monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    exec(compile(tidy.colab_install_source(), "<colab cell>", "exec"), {})
    return calls


def test_colab_cell_installs_the_package_in_colab(monkeypatch):
    calls = _run_colab_cell(monkeypatch, in_colab=True)
    assert len(calls) == 1
    (command,), kwargs = calls[0]
    assert command[1:4] == ["-m", "pip", "install"] and command[-1] == f"git+{tidy.REPOSITORY}"
    assert kwargs == {"check": True}


def test_colab_cell_does_nothing_elsewhere(monkeypatch):
    assert _run_colab_cell(monkeypatch, in_colab=False) == []
