"""Numbers in lesson text are measured or cited.

Every accuracy (a percentage, or a fraction such as 0.73 next to the word accuracy) and
every time (seconds, minutes, hours) quoted in a markdown cell must either be printed by
the notebook's own stored outputs, at the precision the text gives it, or sit in a
sentence that names its published source (a link, "et al.", a year in parentheses, the
Keras book, "published", "documentation", ...). A percentage that is a setting of the
notebook's code (``validation_split=0.2`` and "20% for validation") counts as printed.
The stored outputs are those of the full profile.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))

CODE_SPAN = re.compile(r"```.*?```|`[^`\n]*`", re.DOTALL)
NUMBER = r"(\d+(?:,\d{3})*(?:\.\d+)?)"
PERCENT = re.compile(NUMBER + r"\s?(?:%|percent\b)")
TIME_UNITS = {
    "ms": 0.001,
    "millisecond": 0.001,
    "milliseconds": 0.001,
    "s": 1.0,
    "sec": 1.0,
    "second": 1.0,
    "seconds": 1.0,
    "min": 60.0,
    "minute": 60.0,
    "minutes": 60.0,
    "h": 3600.0,
    "hour": 3600.0,
    "hours": 3600.0,
}
TIME = re.compile(
    NUMBER + r"[\s-]?(" + "|".join(sorted(TIME_UNITS, key=len, reverse=True)) + r")\b"
)
ACCURACY_WORD = r"(?:accuracy|accuracies|score[sd]?)"
FRACTION = re.compile(
    rf"{ACCURACY_WORD}[^.\d]{{0,25}}?(0\.\d{{2,4}})\b|\b(0\.\d{{2,4}})\s+(?:test\s+|validation\s+)?{ACCURACY_WORD}",
    re.IGNORECASE,
)
SOURCE = re.compile(
    r"\]\(https?://|https?://|et al\.|\(\D*\d{4}\)|, \d{4}\)|Keras book|published|documentation"
    r"|\bpaper\b|\breports?\b|\breported\b|leaderboard|Kaggle|Chollet|\bsource\b",
    re.IGNORECASE,
)
SENTENCE_END = re.compile(r"(?<=[.;!?])\s+(?=[A-Z(*])|\n\s*\n|\n(?=\s*[-*|] )")


def _value(text: str) -> float:
    return float(text.replace(",", ""))


def _decimals(text: str) -> int:
    return len(text.split(".")[1]) if "." in text else 0


def _close(value: float, quoted: str, scale: float = 1.0) -> bool:
    """Does ``value`` round to the number ``quoted`` at the precision it is quoted with?"""
    target = _value(quoted) * scale
    return abs(value - target) <= 0.5 * 10 ** -_decimals(quoted) * scale + 1e-9


def output_text(nb) -> str:
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if "text" in out:
                parts.append(out["text"])
            data = out.get("data", {})
            for kind in ("text/plain", "text/markdown", "text/html"):
                if kind in data:
                    parts.append(data[kind])
    return "\n".join(p if isinstance(p, str) else "".join(p) for p in parts)


def printed_numbers(text: str) -> tuple[list[float], list[float]]:
    """(percentages, seconds) that a notebook's outputs print.

    Percentages: numbers followed by % and fractions 0.xx-0.xxxx (as percentages). Times:
    numbers followed by a unit of time, in seconds.
    """
    percents = [_value(m.group(1)) for m in PERCENT.finditer(text)]
    percents += [
        100 * float(m) for m in re.findall(r"(?<![\d.])(0\.\d{2,6}|1\.0{2,6})(?![\d])", text)
    ]
    seconds = [_value(m.group(1)) * TIME_UNITS[m.group(2)] for m in TIME.finditer(text)]
    return percents, seconds


def code_fractions(nb) -> set[str]:
    """Literal fractions in the code cells (settings), for percentages that are settings."""
    source = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    return set(re.findall(r"(?<![\w.])(0?\.\d+)(?![\w.])", source))


def sentences(markdown: str) -> list[str]:
    """A markdown text's sentences, table rows and list items, code left out."""
    return [s for s in SENTENCE_END.split(CODE_SPAN.sub(" ", markdown)) if s.strip()]


def unbacked_numbers(nb) -> list[tuple[int, str]]:
    """(cell index, quoted number) for each accuracy or time that is neither printed nor cited."""
    percents, seconds = printed_numbers(output_text(nb))
    settings = code_fractions(nb)
    found = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        table_cited = bool(SOURCE.search(cell.source))
        for sentence in sentences(cell.source):
            if SOURCE.search(sentence) or (sentence.lstrip().startswith("|") and table_cited):
                continue
            for m in PERCENT.finditer(sentence):
                quoted = m.group(1)
                as_fraction = f"{_value(quoted) / 100:g}".lstrip("0") or "0"
                if any(_close(p, quoted) for p in percents):
                    continue
                if as_fraction in {s.lstrip("0") for s in settings}:
                    continue
                found.append((index, m.group(0)))
            for m in TIME.finditer(sentence):
                quoted, unit = m.group(1), m.group(2)
                if not any(_close(s, quoted, TIME_UNITS[unit]) for s in seconds):
                    found.append((index, m.group(0)))
            for m in FRACTION.finditer(sentence):
                quoted = m.group(1) or m.group(2)
                percent = f"{100 * float(quoted):.{max(_decimals(quoted) - 2, 0)}f}"
                if not any(_close(p, percent) for p in percents):
                    found.append((index, quoted))
    return found


def _notebook(markdown: str, outputs: str, code: str = "x = 1"):
    nb = nbformat.v4.new_notebook()
    code_cell = nbformat.v4.new_code_cell(code)
    code_cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=outputs)]
    nb.cells = [code_cell, nbformat.v4.new_markdown_cell(markdown)]
    return nb


def test_printed_numbers_pass_at_the_quoted_precision():
    nb = _notebook(
        "It reaches 98.6% test accuracy, about 99%, in about 3 minutes (174 seconds).",
        "test accuracy 0.9861 after 174.2 s",
    )
    assert unbacked_numbers(nb) == []


def test_hand_typed_numbers_fail():
    nb = _notebook(
        "It reaches 97.1% here, an accuracy of 0.95, and takes 20 minutes.",
        "test accuracy 0.9861 after 174.2 s",
    )
    assert [quoted for _, quoted in unbacked_numbers(nb)] == ["97.1%", "20 minutes", "0.95"]


def test_cited_numbers_and_settings_pass():
    nb = _notebook(
        "The published figure is 99.1% (Simonyan and Zisserman, 2015). "
        "We keep 20% of the images for validation.\n\n"
        "| model | accuracy |\n| --- | --- |\n| VGG16 | 71.3% |\n\nSource: the Keras documentation.",
        "nothing",
        code="split = dict(validation_split=0.2)",
    )
    assert unbacked_numbers(nb) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem[:2] for p in NOTEBOOKS])
def test_every_quoted_accuracy_and_time_is_printed_or_cited(path):
    nb = nbformat.read(path, as_version=4)
    found = unbacked_numbers(nb)
    assert not found, (
        f"{path.name}: numbers in markdown that no output prints and no source backs "
        f"(cell, number): {found}. Print them in a code cell, or name the published source."
    )
