"""cvcourse.tools.solutions: solution texts come from the notebooks' solution blocks."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from cvcourse.exercises import ex01
from cvcourse.tools import release, solutions
from cvcourse.tools.markers import ReleaseError

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
SOLUTIONS = ROOT / "cvcourse" / "exercises" / "solutions.json"


def src(text: str) -> str:
    return textwrap.dedent(text).strip("\n")


def notebook(*sources: str):
    cells = [new_markdown_cell("# Toy")]
    cells += [new_code_cell(src(s)) for s in sources]
    return new_notebook(cells=cells)


IMPORT = "from cvcourse.exercises import ex01 as ex"


def test_a_block_belongs_to_the_check_in_its_cell_else_the_next_one():
    nb = notebook(
        IMPORT,
        """
        # BEGIN SOLUTION
        a = 1
        # STUDENT: a = ...
        # END SOLUTION
        ex.q2.check(a)
        """,
        """
        def f(x):
            # BEGIN SOLUTION
            return 2 * x
            # STUDENT: return ...
            # END SOLUTION
        """,
        "print('no check here')",
        """
        # BEGIN SOLUTION
        b = f(a)
        # END SOLUTION
        """,
        "ex.q3.check(f)\nex.q1.check(b)",
    )
    found = [(m, q, i) for m, q, i, _ in solutions.attribute_blocks(nb, label="toy.ipynb")]
    assert found == [("ex01", "q2", 2), ("ex01", "q3", 3), ("ex01", "q3", 5)]
    assert solutions.solution_texts(nb) == {
        "ex01": {"q2": "a = 1", "q3": "return 2 * x\n\nb = f(a)"}
    }


def test_solution_code_is_dedented_without_markers_or_student_lines():
    nb = notebook(
        IMPORT,
        """
        if True:
            # BEGIN SOLUTION

            x = [
                1,  # one
            ]
            # STUDENT: x = ...

            # END SOLUTION
        ex.q1.check(x)
        """,
    )
    assert solutions.solution_texts(nb)["ex01"]["q1"] == "x = [\n    1,  # one\n]"


@pytest.mark.parametrize(
    "sources,match",
    [
        ((IMPORT, "# BEGIN SOLUTION\nx = 1\n# END SOLUTION"), "no ex.qN.check"),
        (("x = 0", "# BEGIN SOLUTION\nx = 1\n# END SOLUTION", "print(x)"), "no ex.qN.check"),
        (
            (IMPORT, "# BEGIN SOLUTION\nx = 1\n# END SOLUTION\nex.q1.check(x)\nex.q2.check(x)"),
            "ex01.q1 and ex01.q2",
        ),
        ((IMPORT, "# BEGIN SOLUTION\nx = 1"), "without a matching"),
    ],
)
def test_a_block_that_cannot_be_attributed_names_notebook_and_cell(sources, match):
    with pytest.raises(ReleaseError, match=match) as err:
        solutions.attribute_blocks(notebook(*sources), label="99_toy.ipynb")
    assert "99_toy.ipynb, cell 2" in str(err.value)


def test_solutions_json_is_sorted_indented_and_ends_with_a_newline():
    first = notebook(
        "from cvcourse.exercises import ex02 as ex",
        "# BEGIN SOLUTION\nz = 'é'\n# END SOLUTION\nex.q2.check(z)",
        "# BEGIN SOLUTION\ny = 2\n# END SOLUTION\nex.q1.check(y)",
    )
    second = notebook(IMPORT, "# BEGIN SOLUTION\nw = 3\n# END SOLUTION\nex.q1.check(w)")
    text = solutions.solutions_json([("02_b.ipynb", first), ("01_a.ipynb", second)])
    assert text == (
        '{\n "ex01": {\n  "q1": "w = 3"\n },\n "ex02": {\n  "q1": "y = 2",\n  "q2": "z = \'é\'"\n }\n}\n'
    )


def test_release_writes_and_checks_solutions_json(tmp_path):
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    nb = notebook(IMPORT, "# BEGIN SOLUTION\nw = 3\n# END SOLUTION\nex.q1.check(w)")
    nbformat.write(nb, notebooks / "01_a.ipynb")
    target = tmp_path / "cvcourse" / "exercises" / "solutions.json"
    student = notebooks / "student"
    kwargs = {"solutions_file": target}
    assert release.release(notebooks, student, check=True, **kwargs) == [
        student / "01_a.ipynb",
        target,
    ]
    assert not target.exists()
    release.release(notebooks, student, **kwargs)
    assert json.loads(target.read_text(encoding="utf-8")) == {"ex01": {"q1": "w = 3"}}
    assert release.release(notebooks, student, check=True, **kwargs) == []
    nb.cells[2].source = nb.cells[2].source.replace("w = 3", "w = 4")  # same student copy
    nbformat.write(nb, notebooks / "01_a.ipynb")
    assert release.release(notebooks, student, check=True, **kwargs) == [target]


def test_the_course_solutions_file_is_generated_from_the_notebooks():
    paths = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    expected = solutions.solutions_json([(p.name, nbformat.read(p, as_version=4)) for p in paths])
    assert SOLUTIONS.read_text(encoding="utf-8") == expected, "run `cvcourse release`"
    data = json.loads(expected)
    assert set(data["ex01"]) == set(ex01.QUESTIONS)
    assert "def count_conv2d_params(kernel_size, in_channels, filters):" in data["ex01"]["q3"]
    assert "BEGIN SOLUTION" not in expected and "STUDENT:" not in expected


def test_solutions_json_ships_as_package_data():
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    table = pyproject.split("[tool.setuptools.package-data]", 1)[1].split("\n[", 1)[0]
    assert '"exercises/solutions.json"' in table
