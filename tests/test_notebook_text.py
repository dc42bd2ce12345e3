"""Lesson text is finished: no template tokens left in any notebook's markdown."""

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").rglob("[0-9][0-9]_*.ipynb"))
IDS = [p.relative_to(ROOT / "notebooks").as_posix() for p in NOTEBOOKS]
# ALL-CAPS words joined by underscores (RUNTIME_TEXT), outside code spans and code blocks
TOKEN = re.compile(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b")
CODE = re.compile(r"```.*?```|`[^`\n]*`", re.DOTALL)


def template_tokens(markdown: str) -> list[str]:
    """The template tokens in a markdown text, in order of appearance (code left out)."""
    return TOKEN.findall(CODE.sub("", markdown))


def test_template_tokens_are_found_outside_code_only():
    assert template_tokens("It took (RUNTIME_TEXT).\n\nERROR_ANALYSIS_TEXT") == [
        "RUNTIME_TEXT",
        "ERROR_ANALYSIS_TEXT",
    ]
    assert template_tokens("Set `CVCOURSE_MIRROR` or\n```\nCVCOURSE_PROFILE=quick\n```") == []
    assert template_tokens("A CNN on MNIST, 99.3% (Keras book)") == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_no_template_tokens_in_markdown(path):
    nb = nbformat.read(path, as_version=4)
    found = {
        index: template_tokens(cell.source)
        for index, cell in enumerate(nb.cells)
        if cell.cell_type == "markdown" and template_tokens(cell.source)
    }
    assert not found, f"{path.name}: unfinished text (template tokens) in cells {found}"
