"""cvcourse.exercises.core: results, display, the placeholder convention, reading results back."""

from __future__ import annotations

import json

import nbformat
import numpy as np
import pytest

from cvcourse import exercises
from cvcourse.exercises import core


class Doubler(core.Question):
    """A toy question: the answer is a function that doubles an array."""

    notebook = "99"
    name = "q1"
    title = "double it"
    usage = "ex.q1.check(double)"
    hints = ("Multiply by 2.", "Return 2 * x.")

    def check_answer(self, double):
        x = np.arange(6.0).reshape(2, 3)
        got = core.as_array(core.call_student(double, x, what="double"), "what double returned")
        if got.shape != x.shape:
            raise core.Incorrect(f"double returned shape {got.shape}, expected {x.shape}.")
        if not np.allclose(got, 2 * x):
            raise core.Incorrect("double returned the wrong values.")
        return "double doubles."


class Broken(core.Question):
    notebook = "99"
    name = "q2"
    title = "a checker with a bug"

    def check_answer(self, answer):
        return {}["missing"]  # KeyError inside the checker itself


q = Doubler()


def test_correct_answer():
    result = q.evaluate(lambda x: 2 * x)
    assert result.status is core.Status.CORRECT and result.correct
    assert result.message == "double doubles."
    assert (result.notebook, result.question) == ("99", "q1")


@pytest.mark.parametrize(
    "answer,words",
    [
        (lambda x: x.sum(), "shape ()"),  # wrong shape
        (lambda x: 3 * x, "wrong values"),  # wrong values
        (lambda x: "twice", "numbers"),  # wrong type returned
        (lambda x: None, "None"),  # forgot to return
        (lambda x: 1 / 0, "ZeroDivisionError"),  # an exception inside the student's function
        (lambda: 0, "TypeError"),  # wrong signature: raises when called
        (42, "expected a function"),  # not a function at all
    ],
)
def test_incorrect_answers_say_why(answer, words):
    result = q.evaluate(answer)
    assert result.status is core.Status.INCORRECT
    assert words in result.message


def test_not_attempted():
    assert q.evaluate(...).status is core.Status.NOT_ATTEMPTED
    assert q.evaluate(lambda x: ...).status is core.Status.NOT_ATTEMPTED  # placeholder body
    assert q.not_attempted_result().message == core.NOT_ATTEMPTED_MESSAGE


def test_called_the_wrong_way():
    result = q.evaluate()
    assert result.status is core.Status.INCORRECT and "ex.q1.check(double)" in result.message
    assert q.evaluate(1, 2).status is core.Status.INCORRECT


def test_a_bug_in_the_checker_is_reported_not_raised(capsys):
    result = Broken().evaluate(1)
    assert result.status is core.Status.INCORRECT
    assert "KeyError" in result.message
    Broken().check(1)  # must not raise
    assert "Incorrect" in capsys.readouterr().out


def test_student_function_cannot_spoil_the_checker_input():
    def double_in_place(x):
        x *= 2
        return x

    assert q.evaluate(double_in_place).correct


def test_check_prints_text_outside_ipython(capsys):
    assert q.check(lambda x: 2 * x) is None
    assert q.check(...) is None
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("Correct - q1 (double it): double doubles.")
    assert out[1].startswith("Not attempted - q1")


def test_hints_print_one_by_one(capsys):
    q.hint()
    q.hint(2)
    q.hint(9)  # past the last: the last one
    out = capsys.readouterr().out
    assert out.count("Multiply by 2.") == 1 and out.count("Return 2 * x.") == 2
    assert "Hint for q1 (2 of 2)" in out
    Broken().hint()
    assert "No hint for this question." in capsys.readouterr().out


def test_settings_are_checked():
    with pytest.raises(TypeError, match="no setting 'hint_text'"):
        Doubler(hint_text="typo")
    with pytest.raises(TypeError, match="no setting 'tolerance'"):
        core.Value(tolerance=0.1)


def test_check_publishes_the_machine_readable_record_under_ipython(monkeypatch):
    import IPython
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython, "get_ipython", lambda: object())
    monkeypatch.setattr(IPython.display, "display", lambda obj, raw=False: shown.append((obj, raw)))
    q.check(lambda x: 3 * x)
    ((bundle, raw),) = shown
    assert raw is True
    assert set(bundle) == {"text/plain", "text/html", core.MIMETYPE}
    assert bundle[core.MIMETYPE] == {
        "notebook": "99",
        "question": "q1",
        "status": "incorrect",
        "message": "double returned the wrong values.",
    }
    assert "#b42318" in bundle["text/html"]  # red for incorrect
    json.dumps(bundle)  # everything in the bundle is JSON-serialisable


def test_display_failure_falls_back_to_text(monkeypatch, capsys):
    import IPython
    import IPython.display

    def broken_display(*args, **kwargs):
        raise RuntimeError("no frontend")

    monkeypatch.setattr(IPython, "get_ipython", lambda: object())
    monkeypatch.setattr(IPython.display, "display", broken_display)
    q.check(lambda x: 2 * x)
    assert capsys.readouterr().out.startswith("Correct")


def test_result_html_and_text_for_each_status():
    for status, color in [
        (core.Status.CORRECT, "#1a7f37"),
        (core.Status.INCORRECT, "#b42318"),
        (core.Status.NOT_ATTEMPTED, "#57606a"),
    ]:
        result = core.Result("01", "q3", status, "a <b> message", "t")
        assert color in result.html() and "a &lt;b&gt; message" in result.html()
        assert result.text() == f"{status.label} - q3 (t): a <b> message"
        assert repr(result) == result.text()
        assert core.Result.from_dict(result.to_dict()).status is status


# ------------------------------------------------------------------ helper functions


def test_as_array_accepts_tensors_and_lists():
    class FakeTensor:
        def numpy(self):
            return np.ones((2, 2))

    assert core.as_array(FakeTensor()).shape == (2, 2)
    assert core.as_array([[1, 2], [3, 4]]).dtype.kind == "i"


@pytest.mark.parametrize(
    "value,words",
    [
        ("text", "array of numbers"),
        ({"a": 1}, "array of numbers"),
        (None, "None"),
        ([[1, 2], [3]], "could not"),
        (np.array(["a", "b"]), "numbers"),
        (print, "array of numbers"),
    ],
)
def test_as_array_rejects(value, words):
    with pytest.raises(core.Incorrect, match=words):
        core.as_array(value, "x")


def test_as_array_placeholder_is_not_attempted():
    with pytest.raises(core.NotAttempted):
        core.as_array(...)


def test_call_student():
    assert core.call_student(lambda a, b: a + b, 1, 2) == 3
    with pytest.raises(core.NotAttempted):
        core.call_student(lambda: ...)
    with pytest.raises(core.NotAttempted):
        core.call_student(...)
    with pytest.raises(core.Incorrect, match=r"raised ValueError: nope \(called with an array"):
        core.call_student(lambda x: (_ for _ in ()).throw(ValueError("nope")), np.zeros(3))
    with pytest.raises(core.Incorrect, match="expected a function"):
        core.call_student("not callable")


def test_describe():
    assert core.describe(None) == "None"
    assert core.describe(...) == "the placeholder ..."
    assert core.describe(np.zeros((2, 3))) == "an array of shape (2, 3) and dtype float64"
    assert core.describe([1, 2]) == "a list of 2 items"
    assert "function" in core.describe(len)


# ------------------------------------------------------------------------- reading back


def _output(record):
    return nbformat.v4.new_output(
        "display_data", data={"text/plain": "x", core.MIMETYPE: record}, metadata={}
    )


def _record(question, status):
    return {"notebook": "99", "question": question, "status": status, "message": "m"}


def test_results_from_notebook_last_status_wins(tmp_path):
    nb = nbformat.v4.new_notebook()
    first = nbformat.v4.new_code_cell("ex.q1.check(a)")
    first.outputs = [_output(_record("q1", "incorrect"))]
    second = nbformat.v4.new_code_cell("ex.q1.check(b); ex.q10.check(c)")
    second.outputs = [
        _output(_record("q1", "correct")),
        _output(json.dumps(_record("q10", "not_attempted"))),  # stored as a string
        _output({"question": "q3"}),  # damaged: ignored
        nbformat.v4.new_output("stream", name="stdout", text="hello\n"),
    ]
    nb.cells = [nbformat.v4.new_markdown_cell("# title"), first, second]
    found = core.results_from_notebook(nb)
    assert list(found) == ["q1", "q10"]
    assert found["q1"].status is core.Status.CORRECT
    assert found["q10"].status is core.Status.NOT_ATTEMPTED

    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, path)
    with_questions = core.results_from_notebook(path, questions=[q, Broken()])
    assert list(with_questions) == ["q1", "q2", "q10"]
    assert with_questions["q2"].status is core.Status.NOT_ATTEMPTED


def test_a_real_kernel_records_the_check(tmp_path):
    """End to end: run checks in a Jupyter kernel, then grade the executed notebook."""
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("from cvcourse.exercises import ex01 as ex"),
        nbformat.v4.new_code_cell("ex.q3.check(lambda k, c, f: (k * k * c + 1) * f)"),
        nbformat.v4.new_code_cell("ex.q2.check([...] * 4)\nex.q1.check({'blur': 'soft'})"),
    ]
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    found = core.results_from_notebook(nb, questions=exercises.questions("01"))
    statuses = {k: v.status.value for k, v in found.items()}
    assert {k: statuses.pop(k) for k in ("q1", "q2", "q3")} == {
        "q1": "incorrect",
        "q2": "not_attempted",
        "q3": "correct",
    }
    assert set(statuses.values()) <= {"not_attempted"}  # questions added since
    html = nb.cells[1].outputs[0].data["text/html"]
    assert "Correct" in html


def test_questions_by_notebook():
    from cvcourse.exercises import ex00, ex01

    # QUESTIONS lists names (or questions); questions() gives the Question objects, in order
    assert [x.name for x in exercises.questions("01_convolution_relu_pooling")] == [
        getattr(q, "name", q) for q in ex01.QUESTIONS
    ]
    assert exercises.questions("00") == [
        getattr(ex00, getattr(q, "name", q)) for q in ex00.QUESTIONS
    ]
    assert exercises.questions("98") == []
    with pytest.raises(ValueError):
        exercises.module_for("intro")
    for name in ["00", "01"]:
        for question in exercises.questions(name):
            assert question.notebook == name
            assert question.title and question.usage and question.hint_texts()[0]
