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
# three or more ALL-CAPS words in a row (ERROR ANALYSIS TO BE WRITTEN), and the usual markers
SHOUTED = re.compile(r"\b[A-Z]{2,}(?:[ \t]+[A-Z]{2,}){2,}\b")
MARKER = re.compile(r"\b(?:TODO|TBD|FIXME|XXX)\b|\bto be (?:written|filled|added|done)\b", re.I)
CODE = re.compile(r"```.*?```|`[^`\n]*`", re.DOTALL)
FINDERS = (TOKEN, SHOUTED, MARKER)


def template_tokens(markdown: str) -> list[str]:
    """The template tokens in a markdown text, in order of appearance (code left out)."""
    text = CODE.sub("", markdown)
    spans = sorted(
        (match.start(), -match.end(), match.group())
        for finder in FINDERS
        for match in finder.finditer(text)
    )
    tokens, reached = [], -1
    for _start, minus_end, token in spans:
        if -minus_end > reached:  # not inside a longer token found already
            tokens.append(token)
            reached = -minus_end
    return tokens


def test_template_tokens_are_found_outside_code_only():
    assert template_tokens("It took (RUNTIME_TEXT).\n\nERROR_ANALYSIS_TEXT") == [
        "RUNTIME_TEXT",
        "ERROR_ANALYSIS_TEXT",
    ]
    assert template_tokens("Set `CVCOURSE_MIRROR` or\n```\nCVCOURSE_PROFILE=quick\n```") == []
    assert template_tokens("A CNN on MNIST, 99.3% (Keras book)") == []
    assert template_tokens("ERROR ANALYSIS TO BE WRITTEN FROM THE FULL RUN") == [
        "ERROR ANALYSIS TO BE WRITTEN FROM THE FULL RUN"
    ]
    assert template_tokens("The summary is to be written. TODO: a figure") == [
        "to be written",
        "TODO",
    ]
    assert template_tokens("RGB and HSV images, a CNN, `TODO` in code") == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_no_template_tokens_in_markdown(path):
    nb = nbformat.read(path, as_version=4)
    found = {
        index: template_tokens(cell.source)
        for index, cell in enumerate(nb.cells)
        if cell.cell_type == "markdown" and template_tokens(cell.source)
    }
    assert not found, f"{path.name}: unfinished text (template tokens) in cells {found}"
