"""A student copy keeps the full run's outputs wherever an exercise's answer cannot change them."""

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from cvcourse.tools import release
from cvcourse.tools.dependence import answer_dependent_cells, cleared_cells

ROOT = Path(__file__).resolve().parent.parent


def _executed(source: str, text: str):
    cell = new_code_cell(source, execution_count=1)
    cell.outputs = [new_output("stream", name="stdout", text=text)]
    return cell


def _notebook():
    return new_notebook(
        cells=[
            new_markdown_cell("# 99 · A lesson\n\nA line."),
            _executed("from cvcourse.exercises import ex01 as ex\nx = 2", "lesson\n"),
            _executed("# BEGIN SOLUTION\nanswer = x * 3\n# END SOLUTION\nprint(answer)", "6\n"),
            _executed("doubled = answer * 2\nprint(doubled)", "12\n"),  # reads the answer
            _executed("print(x + 1)", "3\n"),  # the lesson goes on: no answer read
            _executed("print(doubled - 1)", "11\n"),  # reads what the answer gave
            _executed("doubled = 5\nprint(doubled)", "5\n"),  # rebound from scratch
            _executed("print(doubled)", "5\n"),
        ]
    )


def test_dependent_cells_follow_the_answer_through_the_notebook():
    assert answer_dependent_cells(_notebook()) == {2, 3, 5}


def test_the_exercises_section_is_cleared_even_where_no_answer_is_read():
    nb = _notebook()
    nb.cells[4:4] = [new_markdown_cell("## Exercises\n\n### Exercise 2: predict (predict)")]
    nb.cells.insert(6, new_markdown_cell("## Summary"))
    # cell 5 (print(x + 1)) now sits in the Exercises section: it could show a prediction
    assert cleared_cells(nb) == answer_dependent_cells(nb) | {5}
    assert 5 not in answer_dependent_cells(nb)


def test_student_copy_keeps_lesson_outputs_and_clears_answer_outputs():
    student = release.make_student_copy(_notebook(), source_name="99_lesson.ipynb")
    kept = {i: c.outputs for i, c in enumerate(student.cells) if c.cell_type == "code"}
    assert kept[1][0]["text"] == "lesson\n" and kept[4][0]["text"] == "3\n"
    assert kept[7][0]["text"] == "5\n" and kept[6]
    assert kept[2] == [] and kept[3] == [] and kept[5] == []
    assert "answer = ..." in student.cells[2].source  # the solution itself is gone


def test_course_student_copies_keep_figures():
    """Every student copy shows most of the lesson's stored outputs, none of its answers'."""
    for path in sorted((ROOT / "notebooks" / "student").glob("[0-9][0-9]_*.ipynb")):
        source = nbformat.read(ROOT / "notebooks" / path.name, as_version=4)
        student = nbformat.read(path, as_version=4)
        dependent = cleared_cells(source)
        for index, (a, b) in enumerate(zip(source.cells, student.cells, strict=True)):
            if a.cell_type != "code" or index in dependent or "ex." in a.source:
                continue
            assert b.outputs == a.outputs, f"{path.name} cell {index}: lesson outputs differ"
