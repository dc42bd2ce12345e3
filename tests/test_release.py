"""cvcourse.tools.release: placeholders that run, checks that say "not attempted", exact --check."""

from __future__ import annotations

import contextlib
import io
import textwrap
from pathlib import Path

import nbformat
import pytest

from cvcourse.exercises import core, ex01
from cvcourse.tools import release as rel

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
STUDENT = NOTEBOOKS / "student"


def src(text: str) -> str:
    return textwrap.dedent(text).strip("\n")


# ------------------------------------------------------------------------ placeholders


def test_auto_placeholder_assigns_the_placeholder_to_every_name():
    student, names = rel.strip_solutions(
        src(
            """
            import math
            # BEGIN SOLUTION
            import numpy as np
            a = np.ones(3)
            b, (c, d) = 1, (2, 3)
            e: int = 4
            for i in range(2):
                f = i
            print(a)  # dropped
            # END SOLUTION
            ex.q1.check(a)
            """
        )
    )
    assert names == ["a", "b", "c", "d", "e", "i", "f"]
    assert student == src(
        f"""
        import math
        {rel.PLACEHOLDER_COMMENT}
        import numpy as np
        a = ...
        b = ...
        c = ...
        d = ...
        e = ...
        i = ...
        f = ...
        ex.q1.check(a)
        """
    )


def test_auto_placeholder_keeps_a_function_signature_and_docstring():
    student, names = rel.strip_solutions(
        src(
            '''
            # BEGIN SOLUTION
            def area(width: float, height: float = 1.0, *args, scale=2, **kw) -> float:
                """Width times height."""
                return width * height * scale


            total = area(2, 3)
            # END SOLUTION
            ex.q3.check(area)
            '''
        )
    )
    assert names == ["area", "total"]
    namespace = {}
    exec(student.replace("ex.q3.check(area)", ""), namespace)
    assert namespace["area"](1) is ...  # the placeholder runs and returns ...
    assert namespace["area"].__doc__ == "Width times height."
    assert namespace["total"] is ...
    assert "width * height" not in student


def test_student_lines_replace_the_block():
    student, names = rel.strip_solutions(
        src(
            """
            # BEGIN SOLUTION
            shapes = [(30, 30, 16)]
            # STUDENT: shapes = [...]  # one tuple per layer
            # END SOLUTION
            """
        )
    )
    assert student == "shapes = [...]  # one tuple per layer"
    assert names == ["shapes"]


def test_indented_blocks_use_student_lines():
    source = src(
        """
        def f(x):
            # BEGIN SOLUTION
            return 2 * x
            # STUDENT: return ...
            # END SOLUTION
        """
    )
    student, _ = rel.strip_solutions(source)
    assert student == "def f(x):\n    return ..."
    with pytest.raises(rel.ReleaseError, match="STUDENT"):
        rel.strip_solutions(source.replace("    # STUDENT: return ...\n", ""))


@pytest.mark.parametrize(
    "source,match",
    [
        ("# BEGIN SOLUTION\nx = 1", "without a matching"),
        ("x = 1\n# END SOLUTION", "without a '# BEGIN"),
        ("# BEGIN SOLUTION\n# BEGIN SOLUTION\nx = 1\n# END SOLUTION", "inside another"),
        ("# BEGIN SOLUTION\nx = (\n# END SOLUTION", "not valid Python"),
        ("if True:\n# BEGIN SOLUTION\n    x = 1\n# END SOLUTION", "not valid Python"),
    ],
)
def test_malformed_markers_are_errors(source, match):
    with pytest.raises(rel.ReleaseError, match=match):
        rel.strip_solutions(source, where="nb, cell 3")


# ------------------------------------------------------------------------ whole notebooks


def _toy_notebook() -> nbformat.NotebookNode:
    cells = [
        nbformat.v4.new_markdown_cell("# Toy"),
        nbformat.v4.new_code_cell("import numpy as np\nfrom cvcourse.exercises import ex01 as ex"),
        nbformat.v4.new_code_cell(
            src(
                """
                # BEGIN SOLUTION
                my_kernels = {"blur": np.full((3, 3), 1 / 9), "edges": -np.ones((3, 3)) + 9 * np.eye(3)[1:2].T @ np.eye(3)[1:2]}
                # STUDENT: my_kernels = {"blur": ..., "edges": ...}
                # END SOLUTION
                ex.q1.check(my_kernels)
                """
            )
        ),
        nbformat.v4.new_code_cell(
            src(
                """
                # BEGIN SOLUTION
                def count_conv2d_params(kernel_size, in_channels, filters):
                    return (kernel_size * kernel_size * in_channels + 1) * filters
                # END SOLUTION
                """
            )
        ),
        nbformat.v4.new_code_cell("ex.q3.check(count_conv2d_params)\nex.q2.check(...)"),
        nbformat.v4.new_code_cell("print('after the exercises')"),
    ]
    nb = nbformat.v4.new_notebook(cells=cells)
    for i, cell in enumerate(nb.cells):
        cell.id = f"cell-{i}"
        if cell.cell_type == "code":
            cell.execution_count = i
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=f"solution {i}\n")]
    return nb


def _run_without_kernel(nb) -> str:
    """Execute a notebook's code cells in one namespace (no IPython: checks print text)."""
    namespace: dict = {}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        for cell in nb.cells:
            if cell.cell_type == "code":
                exec(cell.source, namespace)
    return out.getvalue()


def test_student_copy_runs_and_every_check_is_not_attempted():
    solution = _toy_notebook()
    assert _run_without_kernel(solution).count("Correct") == 2

    student = rel.make_student_copy(solution, source_name="99_toy.ipynb")
    printed = _run_without_kernel(student)
    assert printed.count("Not attempted") == 3 and "Correct" not in printed
    assert "after the exercises" in printed


def test_student_copy_outputs():
    solution = _toy_notebook()
    before = nbformat.writes(solution)
    student = rel.make_student_copy(solution, source_name="99_toy.ipynb")
    assert nbformat.writes(solution) == before  # the input is not changed
    assert student.metadata["cvcourse"] == {"student_copy": True, "source": "99_toy.ipynb"}
    cells = student.cells
    assert "BEGIN SOLUTION" not in "".join(c.source for c in cells)
    # check cells: exactly the not-attempted reports, in order, still "run" for nbval
    expected = [ex01.q1.not_attempted_result()._repr_mimebundle_()]
    assert [o.data for o in cells[2].outputs] == expected and cells[2].execution_count == 2
    assert [o.data[core.MIMETYPE]["question"] for o in cells[4].outputs] == ["q3", "q2"]
    assert all(o.data[core.MIMETYPE]["status"] == "not_attempted" for o in cells[4].outputs)
    # the solution cell: no outputs, not run
    assert cells[3].outputs == [] and cells[3].execution_count is None
    # lesson cells that read no answer keep the full run's outputs
    for i in (1, 5):
        assert cells[i].outputs == solution.cells[i].outputs and cells[i].execution_count == i
    assert [c.id for c in cells] == [c.id for c in solution.cells]


def test_student_copy_in_a_real_kernel():
    nbclient = pytest.importorskip("nbclient")
    student = rel.make_student_copy(_toy_notebook())
    nbclient.NotebookClient(student, timeout=120, kernel_name="python3").execute()
    found = core.results_from_notebook(student, questions=ex01.QUESTIONS)
    assert {name: r.status.value for name, r in found.items()} == dict.fromkeys(
        ex01.QUESTIONS, "not_attempted"
    )


def test_a_check_of_an_unknown_question_is_an_error():
    nb = _toy_notebook()
    nb.cells[4].source = "ex.q9.check(count_conv2d_params)"
    with pytest.raises(rel.ReleaseError, match="no question q9"):
        rel.make_student_copy(nb)


# ------------------------------------------------------------------------------ release


def test_release_writes_checks_and_cleans_up(tmp_path):
    notebooks, student = tmp_path / "notebooks", tmp_path / "notebooks" / "student"
    notebooks.mkdir()
    nbformat.write(_toy_notebook(), notebooks / "98_toy.ipynb")
    nbformat.write(_toy_notebook(), notebooks / "notes.ipynb")  # not a course notebook

    assert rel.release(notebooks, student, check=True) == [student / "98_toy.ipynb"]
    assert not student.exists()  # --check writes nothing
    assert rel.release(notebooks, student) == [student / "98_toy.ipynb"]
    first = (student / "98_toy.ipynb").read_bytes()
    assert rel.release(notebooks, student, check=True) == []
    assert rel.release(notebooks, student) == []  # nothing to write
    assert (student / "98_toy.ipynb").read_bytes() == first  # byte-identical

    changed = _toy_notebook()
    changed.cells[5].source = "print('changed')"
    nbformat.write(changed, notebooks / "98_toy.ipynb")
    (student / "97_gone.ipynb").write_text("{}")  # its solution notebook no longer exists
    stale = rel.release(notebooks, student, check=True)
    assert stale == [student / "98_toy.ipynb", student / "97_gone.ipynb"]
    assert rel.release(notebooks, student) == stale
    assert not (student / "97_gone.ipynb").exists()
    assert rel.release(notebooks, student, check=True) == []


def test_release_needs_a_notebooks_folder(tmp_path):
    with pytest.raises(FileNotFoundError):
        rel.release(tmp_path / "missing", tmp_path / "student")


def test_course_student_copies_and_solutions_are_up_to_date():
    solutions = ROOT / "cvcourse" / "exercises" / "solutions.json"
    stale = rel.release(NOTEBOOKS, STUDENT, solutions_file=solutions, check=True)
    assert stale == [], f"run `cvcourse release`: stale {stale}"


@pytest.mark.parametrize("name", ["00_images_as_arrays", "01_convolution_relu_pooling"])
def test_course_student_copies_hold_no_solution(name):
    solution = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    student = nbformat.read(STUDENT / f"{name}.ipynb", as_version=4)
    text = "\n".join(c.source for c in student.cells)
    assert "BEGIN SOLUTION" not in text and "STUDENT:" not in text
    student_lines = {line.split("#")[0].strip() for line in text.splitlines()}
    given = set()  # lines the notebook shows outside solutions (a broken function to repair)
    for cell in solution.cells:
        outside = cell.source.split("# BEGIN SOLUTION")[0]
        for part in cell.source.split("# END SOLUTION")[1:]:
            outside += "\n" + part.split("# BEGIN SOLUTION")[0]
        given |= {line.split("#")[0].strip() for line in outside.splitlines()}
    for cell in solution.cells:
        if "# BEGIN SOLUTION" in cell.source:
            block = cell.source.split("# BEGIN SOLUTION")[1].split("# END SOLUTION")[0]
            for line in block.splitlines():
                code = line.split("#")[0].strip()
                if code.startswith(("def ", '"""')):
                    continue  # signatures and docstrings are kept on purpose
                if len(code) > 25 and code not in given:  # a substantial solution line
                    assert code not in student_lines, code
    statuses = [
        o.data[core.MIMETYPE]["status"]
        for c in student.cells
        for o in c.get("outputs", [])
        if core.MIMETYPE in o.get("data", {})
    ]
    assert statuses and set(statuses) == {"not_attempted"}
