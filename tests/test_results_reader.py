"""cvcourse.results.custom_outputs: the one reader of the course's outputs, and what is built on it."""

import json
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from cvcourse import results
from cvcourse.exercises import core, ex01

ROOT = Path(__file__).resolve().parent.parent
OTHER = "application/vnd.example+json"


def display(data: dict):
    return new_output("display_data", data={"text/plain": "", **data}, metadata={})


def toy_notebook():
    metrics = results.METRICS_MIMETYPE
    cells = [
        new_markdown_cell("# Title"),
        new_code_cell("1", outputs=[display({metrics: {"notebook": "x", "metrics": {"a": 1}}})]),
        new_code_cell("2", outputs=[display({OTHER: {"z": 0}})]),
        new_code_cell(
            "3",
            outputs=[
                display({metrics: json.dumps({"notebook": "x", "metrics": {"a": 2, "b": 3}})}),
                display({metrics: "{not json"}),  # damaged: skipped
            ],
        ),
    ]
    return new_notebook(cells=cells)


def test_custom_outputs_gives_cell_index_and_decoded_payload():
    nb = toy_notebook()
    found = results.custom_outputs(nb, results.METRICS_MIMETYPE)
    assert found == [
        (1, {"notebook": "x", "metrics": {"a": 1}}),
        (3, {"notebook": "x", "metrics": {"a": 2, "b": 3}}),
    ]
    assert results.custom_outputs(nb, OTHER) == [(2, {"z": 0})]
    assert results.custom_outputs(nb, "application/none") == []
    as_dict = json.loads(nbformat.writes(nb))  # plain JSON, as read without nbformat
    assert results.custom_outputs(as_dict, OTHER) == [(2, {"z": 0})]


def test_metrics_from_notebook_merges_reports_in_order():
    assert results.metrics_from_notebook(toy_notebook()) == {"a": 2, "b": 3}


def test_check_results_are_read_with_the_same_reader():
    correct = core.Result("01", "q2", core.Status.CORRECT, "fine")._repr_mimebundle_()
    nb = new_notebook(
        cells=[
            new_code_cell("a", outputs=[display({core.MIMETYPE: {"status": "correct"}})]),
            new_code_cell("b", outputs=[new_output("display_data", data=correct, metadata={})]),
        ]
    )
    found = core.results_from_notebook(nb, ex01.QUESTIONS)
    expected = dict.fromkeys(ex01.QUESTIONS, "not_attempted") | {"q2": "correct"}
    assert {q: r.status.value for q, r in found.items()} == expected


def test_the_stored_course_notebooks_read_back():
    path = ROOT / "notebooks" / "01_convolution_relu_pooling.ipynb"
    nb = nbformat.read(path, as_version=4)
    checks = results.custom_outputs(nb, core.MIMETYPE)
    assert [data["question"] for _, data in checks] == list(ex01.QUESTIONS)
    assert all(
        nb.cells[i].cell_type == "code" and ".check(" in nb.cells[i].source for i, _ in checks
    )
