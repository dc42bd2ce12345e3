"""Solutions: the notebooks are their single source, and ``ex.qN.solution()`` shows them.

Also the helpers the checker tests use to run a question's solution as the notebook has
it (:func:`solution_code`, :func:`run_solution`): each checker is tested against the
solution code between ``# BEGIN SOLUTION`` and ``# END SOLUTION`` in its notebook.
"""

from __future__ import annotations

import functools
import importlib
import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from cvcourse import exercises
from cvcourse.exercises import solutions

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
MODULES = sorted(p.stem for p in (ROOT / "cvcourse" / "exercises").glob("ex[0-9][0-9].py"))


@functools.cache
def _cells(number: str) -> list[str]:
    (path,) = NOTEBOOKS.glob(f"{number}_*.ipynb")
    nb = nbformat.read(path, as_version=4)
    return [cell.source for cell in nb.cells if cell.cell_type == "code"]


def solution_code(number: str, question: str) -> str:
    """The solution block that answers ``ex.<question>.check`` in notebook ``number``.

    The block is the last one at or before the first cell that checks the question;
    ``# STUDENT:`` lines (the student copy's placeholder) are left out.
    """
    cells = _cells(number)
    checking = next(i for i, s in enumerate(cells) if f"ex.{question}.check(" in s)
    source = next(s for s in reversed(cells[: checking + 1]) if "# BEGIN SOLUTION" in s)
    lines = source.split("\n")
    begin = max(i for i, line in enumerate(lines) if line.strip() == "# BEGIN SOLUTION")
    end = next(i for i in range(begin, len(lines)) if lines[i].strip() == "# END SOLUTION")
    block = [line for line in lines[begin + 1 : end] if not line.strip().startswith("# STUDENT:")]
    return "\n".join(block).strip("\n") + "\n"


def run_solution(number: str, question: str, **names) -> dict:
    """Run a question's solution code with ``names`` defined; return its namespace."""
    namespace = dict(names)
    exec(compile(solution_code(number, question), f"<{number} {question}>", "exec"), namespace)
    return namespace


def notebook_definition(number: str, name: str, *, until: str, **names):
    """The function ``name`` as the notebook defines it in a (non-solution) exercise cell.

    Runs that cell's source up to the first ``until`` (where its demonstration starts),
    with ``names`` defined, and returns the function.
    """
    source = next(s for s in _cells(number) if f"def {name}(" in s)
    namespace = dict(names)
    exec(compile(source[: source.index(until)], f"<{number} {name}>", "exec"), namespace)
    return namespace[name]


# ------------------------------------------------------------------------ the tests


@pytest.mark.parametrize("module_name", MODULES)
def test_every_question_is_declared_in_full_and_has_a_solution_block(module_name):
    module = importlib.import_module(f"cvcourse.exercises.{module_name}")
    number = module_name[2:]
    assert module.QUESTIONS and all(isinstance(name, str) for name in module.QUESTIONS)
    declared = [getattr(module, name) for name in module.QUESTIONS]
    assert exercises.questions(number) == declared
    defined = sorted(name for name in dir(module) if re.fullmatch(r"q\d+", name))
    assert sorted(module.QUESTIONS) == defined, "QUESTIONS must list every question"
    (path,) = NOTEBOOKS.glob(f"{number}_*.ipynb")
    for q in declared:
        assert getattr(module, q.name) is q  # the attribute name keys solutions.json
        assert q.notebook == number and q.notebook_name == path.stem
        assert q.title and q.usage.startswith(f"ex.{q.name}.check(") and q.hint_texts()[0]
        assert solution_code(number, q.name).strip()


@pytest.fixture
def solutions_file(tmp_path, monkeypatch):
    """Point the solutions file at a temporary path; return a function that writes it."""
    path = tmp_path / "solutions.json"
    monkeypatch.setattr(solutions, "solutions_path", lambda: path)

    def write(content):
        path.write_text(content if isinstance(content, str) else json.dumps(content))
        return path

    return write


def test_solution_shows_the_released_text(solutions_file, capsys):
    from cvcourse.exercises import ex01

    solutions_file({"ex01": {"q3": "def count(k, c, f):\n    return (k * k * c + 1) * f\n"}})
    ex01.q3.solution()
    out = capsys.readouterr().out
    assert out.startswith("Solution to q3:\n") and "return (k * k * c + 1) * f" in out
    assert ex01.q3.solution_text().startswith("def count")
    ex01.q1.solution()  # the file exists, but has no entry for q1
    out = capsys.readouterr().out
    assert "no solution for ex01.q1" in out
    assert "01_convolution_relu_pooling.ipynb" in out


@pytest.mark.parametrize(
    "content, words",
    [
        (None, "no solutions.json is installed"),
        ("{not json", "not valid JSON"),
        ("[1, 2]", "does not map"),
        ({"ex00": {"q1": ""}}, "no solution for ex00.q1"),
    ],
)
def test_solution_says_plainly_where_it_is_when_the_text_is_missing(
    solutions_file, capsys, content, words
):
    from cvcourse.exercises import ex00

    if content is not None:
        solutions_file(content)
    ex00.q1.solution()  # never raises
    out = capsys.readouterr().out
    assert words in out
    assert "the solution is in the solution notebook 00_images_as_arrays.ipynb" in out
    assert ex00.q1.solution_text() is None


def test_the_file_is_read_lazily_and_not_on_import():
    code = (
        "from cvcourse.exercises import ex00, ex01, ex02, ex03, solutions\n"
        "print(solutions._read.cache_info().currsize)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "0"


def test_solution_code_helper_reads_the_block_without_student_lines():
    code = solution_code("01", "q1")
    assert code.startswith("my_kernels = {") and "# STUDENT:" not in code
    assert "ex.q1.check" not in code
    assert "def count_conv2d_params" in solution_code("01", "q3")
