"""The package's two rooms: what notebooks import, and the course's tools (cvcourse.tools).

The teaching modules never import the tools, notebooks never import the tools, and every
module stays small enough to read in one sitting.
"""

import ast
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "cvcourse"
MODULES = sorted(PACKAGE.rglob("*.py"))
TEACHING = [p for p in MODULES if "tools" not in p.relative_to(PACKAGE).parts]
NOTEBOOKS = sorted((ROOT / "notebooks").rglob("*.ipynb"))
MAX_LINES = 300


def imported_modules(tree: ast.AST, package: str) -> set[str]:
    """Absolute names of the modules a piece of code imports (relative imports resolved)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def module_package(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    else:
        parts.pop()  # the package a module sits in
    return ".".join(parts)


def test_imported_modules_resolves_relative_imports():
    tree = ast.parse("from ..tools import cli\nfrom . import core\nimport os")
    names = imported_modules(tree, "cvcourse.exercises")
    assert {"cvcourse.tools", "cvcourse.tools.cli", "cvcourse.exercises.core", "os"} <= names


def test_the_tools_room_exists():
    assert (PACKAGE / "tools" / "cli.py").is_file()
    assert TEACHING and len(TEACHING) < len(MODULES)


@pytest.mark.parametrize("path", TEACHING, ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_teaching_modules_do_not_import_the_tools(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = imported_modules(tree, module_package(path))
    assert not any(n == "cvcourse.tools" or n.startswith("cvcourse.tools.") for n in names), (
        f"{path.relative_to(ROOT)} imports cvcourse.tools: the tools import the teaching "
        "modules, never the reverse"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_notebooks_do_not_import_the_tools(path):
    nb = nbformat.read(path, as_version=4)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        source = "\n".join(
            "" if line.lstrip().startswith(("!", "%")) else line
            for line in cell.source.splitlines()
        )
        names = imported_modules(ast.parse(source), "")
        assert not any(n.startswith("cvcourse.tools") for n in names), (
            f"cell {index} imports cvcourse.tools, which is the course's tooling, not a lesson's"
        )


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_modules_are_small(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, (
        f"{path.relative_to(ROOT)} has {lines} lines; split it by concern (at most {MAX_LINES})"
    )


def test_py_typed_is_shipped():
    assert (PACKAGE / "py.typed").is_file(), (
        "pyproject.toml lists cvcourse/py.typed as package data"
    )
