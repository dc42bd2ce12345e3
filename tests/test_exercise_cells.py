"""Every exercise in every teaching notebook is stated before it is checked.

The rules (issue: exercises worth doing):

- each ``ex.qN.check(...)`` is preceded, after the previous question's check, by a markdown
  cell headed "Exercise N" (a heading ``### Exercise N: ...`` or a paragraph starting
  ``**Exercise N``) that names every variable the check receives (in backticks) and says how
  it is judged (the word "judged");
- every notebook that teaches has at least three checked exercises, and at least one of
  them is more than transcription: its heading says ``(predict)``, ``(debug)``,
  ``(transfer)`` or ``(design)``;
- every question of the notebook's exercise module is checked in the notebook.
"""

import ast
import importlib
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
STUDENT = sorted((ROOT / "notebooks" / "student").glob("[0-9][0-9]_*.ipynb"))
IDS = [p.stem[:2] for p in NOTEBOOKS]
CHECK = re.compile(r"\bex\.q(\d+)\.check\(")
HEADING = re.compile(r"^(?:#{2,4}\s+|\*\*)Exercise\s+(\d+)\b(.*)$", re.MULTILINE)
KINDS = ("(predict)", "(debug)", "(transfer)", "(design)")


def check_calls(source: str) -> list[tuple[int, list[str]]]:
    """(question number, names passed) for every ``ex.qN.check(...)`` call in a code cell."""
    lines = [ln for ln in source.splitlines() if not ln.lstrip().startswith(("!", "%"))]
    try:
        tree = ast.parse("\n".join(lines))
    except SyntaxError:
        return [(int(n), []) for n in CHECK.findall(source)]
    calls = []
    for node in ast.walk(tree):
        func = node.func if isinstance(node, ast.Call) else None
        if (
            isinstance(func, ast.Attribute)
            and func.attr == "check"
            and isinstance(func.value, ast.Attribute)
            and re.fullmatch(r"q\d+", func.value.attr)
            and isinstance(func.value.value, ast.Name)
            and func.value.value.id == "ex"
        ):
            args = [*node.args, *(k.value for k in node.keywords)]
            names = [a.id for a in args if isinstance(a, ast.Name)]
            calls.append((int(func.value.attr[1:]), names))
    return calls


def exercises(path: Path) -> list[dict]:
    """Each checked question, in order, with the markdown cell stating it (or None)."""
    nb = nbformat.read(path, as_version=4)
    found, markdown_since, seen = [], [], set()
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            markdown_since.append(cell.source)
            continue
        if cell.cell_type != "code":
            continue
        for number, names in check_calls(cell.source):
            if number in seen:
                continue  # a question checked again later (after a re-run) is stated once
            seen.add(number)
            statement = next(
                (
                    text
                    for text in reversed(markdown_since)
                    for m in HEADING.finditer(text)
                    if int(m.group(1)) == number
                ),
                None,
            )
            found.append({"number": number, "names": names, "cell": index, "text": statement})
            markdown_since = []
    return found


def exercise_module(path: Path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        match = re.search(r"from cvcourse\.exercises import (ex\d\d) as ex", cell.source)
        if cell.cell_type == "code" and match:
            return importlib.import_module(f"cvcourse.exercises.{match.group(1)}")
    return None


def test_check_calls_reads_names():
    assert check_calls("ex.q2.check(conv3_shape, flatten_length=n)") == [(2, ["conv3_shape", "n"])]
    assert check_calls("x = 1") == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_each_check_follows_its_exercise_cell(path):
    for exercise in exercises(path):
        n, text = exercise["number"], exercise["text"]
        assert text is not None, (
            f"{path.name}: ex.q{n}.check (cell {exercise['cell']}) has no markdown cell headed "
            f"'### Exercise {n}: ...' before it (after the previous question's check)"
        )
        for name in exercise["names"]:
            assert f"`{name}`" in text, (
                f"{path.name}, Exercise {n}: say which name to assign: `{name}` is not named"
            )
        assert "judged" in text.lower(), (
            f"{path.name}, Exercise {n}: say how the answer is judged (the word 'judged')"
        )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_every_teaching_notebook_has_three_exercises_one_beyond_transcription(path):
    found = exercises(path)
    assert len(found) >= 3, f"{path.name} has {len(found)} checked exercises; at least 3"
    kinds = [
        m.group(2)
        for e in found
        if e["text"]
        for m in HEADING.finditer(e["text"])
        if int(m.group(1)) == e["number"]
    ]
    assert any(kind in heading for heading in kinds for kind in KINDS), (
        f"{path.name}: no exercise beyond transcription; head one {' or '.join(KINDS)}"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_every_question_of_the_module_is_checked(path):
    module = exercise_module(path)
    assert module is not None, f"{path.name} imports no exercise module"
    questions = sorted(int(name[1:]) for name in dir(module) if re.fullmatch(r"q\d+", name))
    checked = sorted(e["number"] for e in exercises(path))
    assert checked == questions, f"{path.name} checks {checked}; {module.__name__} has {questions}"


@pytest.mark.parametrize("path", STUDENT, ids=[p.stem[:2] for p in STUDENT])
def test_student_copies_keep_the_exercise_cells(path):
    source = ROOT / "notebooks" / path.name
    assert [e["number"] for e in exercises(path)] == [e["number"] for e in exercises(source)]
