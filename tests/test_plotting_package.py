"""cvcourse.plotting as a package: every call the notebooks make exists, each module is one
kind of figure, and importing it (or drawing with it) brings in neither TensorFlow nor Keras."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest

from cvcourse import plotting

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").rglob("*.ipynb"))


def notebook_calls() -> set[str]:
    names = set()
    for path in NOTEBOOKS:
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code":
                names.update(re.findall(r"\bplotting\.([A-Za-z_]\w*)\s*\(", cell.source))
    return names


def test_every_function_the_notebooks_call_is_exported():
    called = notebook_calls()
    assert {"show_images", "plot_history", "show_gradcam"} <= called  # the search works
    missing = sorted(name for name in called if not callable(getattr(plotting, name, None)))
    assert not missing, f"notebooks call plotting.{missing}, which cvcourse.plotting lacks"
    assert called <= set(plotting.__all__)


def uses_in_package(name: str) -> int:
    """How often the package's code reads ``name`` (calls, references; not its definition,
    imports or ``__all__``), outside plotting/__init__.py, which only re-exports."""
    count = 0
    for path in (ROOT / "cvcourse").rglob("*.py"):
        if path == ROOT / "cvcourse" / "plotting" / "__init__.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            read = getattr(node, "id", None) if isinstance(node, ast.Name) else None
            if isinstance(node, ast.Attribute):
                read = node.attr
            count += read == name
    return count


def test_uses_in_package_counts_references_not_definitions():
    assert uses_in_package("smooth_curve") >= 2  # plot_history and compare_histories
    assert uses_in_package("show_before_after") == 0  # defined, called by notebook 01 only


def test_every_exported_function_is_used_by_a_notebook_or_the_package():
    used = notebook_calls()
    unused = [n for n in plotting.__all__ if n not in used and not uses_in_package(n)]
    assert not unused, f"plotting.{unused}: no notebook or module uses them; remove them"


@pytest.mark.parametrize(
    "module,names",
    [
        ("images", {"show_images", "show_kernel", "show_kernels", "show_before_after"}),
        ("curves", {"plot_history", "compare_histories", "smooth_curve"}),
        ("evaluation", {"plot_confusion_matrix", "show_mistakes", "show_top_predictions"}),
        ("overlays", {"show_activation_grid", "show_filter_patterns", "show_gradcam"}),
        ("fonts", {"font_for_text", "readable_labels"}),
    ],
)
def test_each_kind_of_figure_lives_in_its_module(module, names):
    for name in names:
        assert getattr(plotting, name).__module__ == f"cvcourse.plotting.{module}"


def test_drawing_imports_neither_tensorflow_nor_keras():
    script = textwrap.dedent(
        """
        import sys
        import cvcourse.plotting as plotting
        assert "matplotlib" not in sys.modules, "importing plotting imported matplotlib"
        import matplotlib
        matplotlib.use("Agg")
        import numpy as np
        image = np.zeros((16, 16, 3), np.uint8)
        plotting.show_images([image], ["x"])
        plotting.show_kernels([np.eye(3)])
        plotting.plot_history({"loss": [1.0, 0.5], "val_loss": [1.2, 0.7]}, smoothing=0.5)
        plotting.plot_confusion_matrix(np.eye(3, dtype=int), ["零", "一", "二"])
        plotting.show_mistakes([image], [0], [1], [0.9])
        plotting.show_activation_grid(np.ones((4, 4, 3)))
        plotting.show_gradcam(image, np.eye(4)).canvas.draw()
        loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("tensorflow", "keras"))
        print("loaded:", loaded)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr
    assert "loaded: []" in result.stdout, result.stdout
