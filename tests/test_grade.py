"""``cvcourse grade``: identifying, executing and tabulating submitted notebooks.

The main test grades a folder of five submissions made from a real course notebook (01,
which trains nothing and runs in seconds): the solved notebook, a blank student copy, a
half-done copy, one that kills its kernel, and a file that is not a notebook. Small
synthetic notebooks cover errors, hangs and broken files. A slow test grades notebook
08's blank student copy.
"""

import csv
import io
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from cvcourse.exercises import core, questions
from cvcourse.tools import cli, grade, release, submissions

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"


def course_notebook(number: str) -> Path:
    found = sorted(NOTEBOOKS.glob(f"{number}_*.ipynb"))
    assert found, f"notebook {number} is missing from {NOTEBOOKS}"
    return found[0]


def student_copy(path: Path):
    return release.make_student_copy(nbformat.read(path, as_version=4), source_name=path.name)


def small_notebook(*sources, source_name=None):
    nb = new_notebook(cells=[new_code_cell(s) for s in sources])
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    if source_name:
        nb.metadata["cvcourse"] = {"student_copy": True, "source": source_name}
    return nb


def read_csv(path: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


# --------------------------------------------------------------------- identification


def test_identify_by_metadata_then_import_then_file_name():
    known = {"08": "08_capstone_sign_language"}
    by_metadata = small_notebook("print(1)", source_name="08_capstone_sign_language.ipynb")
    assert submissions.identify(by_metadata, "renamed by the student.ipynb", known) == (
        "08_capstone_sign_language"
    )
    by_import = small_notebook("from cvcourse.exercises import ex08 as ex\nex.q1.check(...)")
    assert submissions.identify(by_import, "jane.ipynb", known) == "08_capstone_sign_language"
    dotted = small_notebook("import cvcourse.exercises.ex03 as ex")
    assert submissions.identify(dotted, "jane.ipynb", {}) == "03"
    by_name = small_notebook("print(1)")
    assert submissions.identify(by_name, "08_capstone_sign_language (1).ipynb", known) == (
        "08_capstone_sign_language"
    )
    assert submissions.identify(by_name, "homework.ipynb", known) == ""


def test_find_submissions_skips_hidden_files_checkpoints_and_the_output(tmp_path):
    (tmp_path / "a.ipynb").write_text("{}")
    (tmp_path / ".hidden.ipynb").write_text("{}")
    (tmp_path / "jane").mkdir()
    (tmp_path / "jane" / "b.ipynb").write_text("{}")
    (tmp_path / "jane" / ".ipynb_checkpoints").mkdir()
    (tmp_path / "jane" / ".ipynb_checkpoints" / "b-checkpoint.ipynb").write_text("{}")
    (tmp_path / "grades").mkdir()
    (tmp_path / "grades" / "grades.md").write_text("old")
    found = submissions.find_submissions(tmp_path, exclude=tmp_path / "grades")
    assert [p.relative_to(tmp_path).as_posix() for p in found] == ["a.ipynb", "jane/b.ipynb"]
    with pytest.raises(FileNotFoundError):
        submissions.find_submissions(tmp_path / "missing")


def test_table_has_one_row_per_submission_and_one_column_per_question():
    q1, q2 = questions("08")
    subs = [
        grade.Submission(
            Path("a.ipynb"),
            "a.ipynb",
            notebook="08_capstone_sign_language",
            seconds=12.5,
            results={
                "q1": core.Result("08", "q1", core.Status.CORRECT, "ok"),
                "q2": core.Result("08", "q2", core.Status.INCORRECT, "no | way"),
            },
        ),
        grade.Submission(Path("b.txt"), "b.txt", status=grade.NOT_A_NOTEBOOK, note="a .txt file"),
    ]
    header, rows = grade.table(subs)
    assert header == [
        "submission",
        "notebook",
        "status",
        q1.name,
        q2.name,
        "correct",
        "questions",
        "seconds",
        "note",
    ]
    assert rows[0][:8] == [
        "a.ipynb",
        "08_capstone_sign_language",
        "ok",
        "correct",
        "incorrect",
        "1",
        "2",
        "12.5",
    ]
    assert rows[1][2] == "not a notebook" and rows[1][3:7] == ["", "", "0", "0"]
    markdown = grade.to_markdown(header, rows, title="Grades")
    assert markdown.startswith("# Grades\n") and "| b.txt | - | not a notebook |" in markdown
    assert markdown.count("\n| ") == 4  # header, rule, two rows
    assert list(csv.reader(io.StringIO(grade.to_csv(header, rows))))[1][:3] == [
        "a.ipynb",
        "08_capstone_sign_language",
        "ok",
    ]


def test_columns_are_prefixed_when_several_notebooks_are_graded():
    subs = [
        grade.Submission(
            Path("a"),
            "a",
            notebook="01_x",
            results={"q1": core.Result("01", "q1", core.Status.CORRECT, "")},
        ),
        grade.Submission(
            Path("b"),
            "b",
            notebook="08_y",
            results={"q1": core.Result("08", "q1", core.Status.CORRECT, "")},
        ),
    ]
    header, rows = grade.table(subs)
    assert "01 q1" in header and "08 q2" in header
    assert rows[0][header.index("08 q1")] == "" and rows[1][header.index("08 q1")] == "correct"


# ------------------------------------------------------------------------- execution


def test_errors_hangs_and_broken_files_get_a_row_and_grading_goes_on(tmp_path):
    subs_dir = tmp_path / "submissions"
    subs_dir.mkdir()
    nbformat.write(
        small_notebook(
            "from cvcourse.exercises import ex08 as ex",
            "1 / 0",
            "ex.q1.check()",  # called the wrong way: incorrect; still checked after the error
            source_name="08_capstone_sign_language.ipynb",
        ),
        subs_dir / "error.ipynb",
    )
    nbformat.write(
        small_notebook(
            "import time\ntime.sleep(600)", source_name="08_capstone_sign_language.ipynb"
        ),
        subs_dir / "hang.ipynb",
    )
    nbformat.write(small_notebook("print('hello')"), subs_dir / "unknown.ipynb")
    (subs_dir / "broken.ipynb").write_text('{"cells": [', encoding="utf-8")
    (subs_dir / "not_a_notebook.ipynb").write_text('{"hello": 1}', encoding="utf-8")
    cells = '{"cells": [{"x": 1}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'
    (subs_dir / "odd_cells.ipynb").write_text(cells, encoding="utf-8")
    out = tmp_path / "grades"
    subs = grade.grade(subs_dir, out, profile="quick", timeout=20, echo=lambda *_: None)
    by_name = {s.name: s for s in subs}
    assert list(by_name) == [
        "broken.ipynb",
        "error.ipynb",
        "hang.ipynb",
        "not_a_notebook.ipynb",
        "odd_cells.ipynb",
        "unknown.ipynb",
    ]
    error = by_name["error.ipynb"]
    assert error.status == grade.ERRORS and "ZeroDivisionError" in error.note
    assert "code cell 2" in error.note
    assert error.results["q1"].status is core.Status.INCORRECT
    assert error.results["q2"].status is core.Status.NOT_ATTEMPTED
    hang = by_name["hang.ipynb"]
    assert hang.status == grade.TIMEOUT and "20 s" in hang.note and "code cell 1" in hang.note
    assert [r.status for r in hang.results.values()] == [core.Status.NOT_ATTEMPTED] * 2
    assert by_name["broken.ipynb"].status == grade.NOT_A_NOTEBOOK
    assert "JSON" in by_name["broken.ipynb"].note
    assert by_name["not_a_notebook.ipynb"].status == grade.NOT_A_NOTEBOOK
    assert by_name["odd_cells.ipynb"].status == grade.NOT_A_NOTEBOOK
    assert by_name["unknown.ipynb"].status == grade.UNKNOWN
    rows = read_csv(out / "grades.csv")
    assert [r["status"] for r in rows] == [
        "not a notebook",
        "errors",
        "timed out",
        "not a notebook",
        "not a notebook",
        "not a course notebook",
    ]
    assert sorted(p.name for p in (out / "executed").iterdir()) == ["error.ipynb", "hang.ipynb"]


def test_stored_outputs_do_not_count(tmp_path):
    """A submission that arrives with a 'correct' output but whose code does not make it scores 0."""
    nb = small_notebook("from cvcourse.exercises import ex08 as ex", "ex.q1.check(...)")
    forged = core.Result("08", "q1", core.Status.CORRECT, "forged")
    nb.cells[1].outputs = [
        nbformat.v4.new_output("display_data", data=forged._repr_mimebundle_(), metadata={})
    ]
    subs_dir = tmp_path / "in"
    subs_dir.mkdir()
    nbformat.write(nb, subs_dir / "forged.ipynb")
    (sub,) = grade.grade(
        subs_dir, tmp_path / "out", profile="quick", timeout=120, echo=lambda *_: None
    )
    assert sub.status == grade.OK and sub.correct == 0
    assert sub.results["q1"].status is core.Status.NOT_ATTEMPTED


def test_five_submissions_from_a_real_notebook(tmp_path, mirror_dir, capsys):
    """Solved, blank, half-done, crashing and not-a-notebook, through the `cvcourse grade` command."""
    solution_path = course_notebook("01")
    solved = nbformat.read(solution_path, as_version=4)
    qs = questions(solution_path.stem)
    assert len(qs) >= 2, "notebook 01 should have several questions"
    blank = student_copy(solution_path)
    half = student_copy(solution_path)
    first_solution = next(i for i, c in enumerate(solved.cells) if release.BEGIN in c.source)
    half.cells[first_solution].source = solved.cells[first_solution].source
    crashing = student_copy(solution_path)
    setup = next(
        i for i, c in enumerate(crashing.cells) if "import" in c.source and c.cell_type == "code"
    )
    crashing.cells.insert(setup + 2, new_code_cell("import os\n\nos._exit(3)  # the kernel dies"))
    crashing.cells.insert(setup + 2, new_markdown_cell("A cell a student should not have run."))

    subs_dir = tmp_path / "submissions"
    subs_dir.mkdir()
    nbformat.write(solved, subs_dir / "alice.ipynb")  # renamed: found by its exercise import
    nbformat.write(blank, subs_dir / "bob.ipynb")
    nbformat.write(half, subs_dir / "carol.ipynb")
    nbformat.write(crashing, subs_dir / "dave.ipynb")
    (subs_dir / "erin_answers.docx").write_bytes(b"PK\x03\x04 not a notebook")
    out = tmp_path / "grades"

    code = cli.main(
        ["grade", str(subs_dir), "--output", str(out), "--profile", "quick", "--timeout", "300"]
    )
    assert code == 0
    assert "Graded 5 submission(s)" in capsys.readouterr().out

    rows = {r["submission"]: r for r in read_csv(out / "grades.csv")}
    names = [q.name for q in qs]
    assert list(rows) == [
        "alice.ipynb",
        "bob.ipynb",
        "carol.ipynb",
        "dave.ipynb",
        "erin_answers.docx",
    ]
    assert list(next(iter(rows.values()))) == [
        "submission",
        "notebook",
        "status",
        *names,
        "correct",
        "questions",
        "seconds",
        "note",
    ]
    alice, bob, carol, dave, erin = rows.values()
    assert alice["notebook"] == solution_path.stem and alice["status"] == "ok", alice
    assert [alice[n] for n in names] == ["correct"] * len(names), alice
    assert alice["correct"] == alice["questions"] == str(len(names))
    assert bob["status"] == "ok" and [bob[n] for n in names] == ["not attempted"] * len(names)
    assert bob["correct"] == "0"
    assert carol["status"] == "ok" and carol[names[0]] == "correct", carol
    assert 1 <= int(carol["correct"]) < len(names)
    assert dave["status"] == "kernel died" and "code cell" in dave["note"], dave
    assert dave["correct"] == "0"
    assert erin["status"] == "not a notebook" and erin["correct"] == "0"

    markdown = (out / "grades.md").read_text(encoding="utf-8")
    assert markdown.startswith("# Grades (quick profile, 5 submissions)")
    assert markdown.count("\n| ") == 2 + 5
    executed = nbformat.read(out / "executed" / "alice.ipynb", as_version=4)
    assert all(r.correct for r in core.results_from_notebook(executed, qs).values())
    assert not list(subs_dir.rglob("grades*")), "nothing is written into the submissions folder"


@pytest.mark.slow
def test_blank_student_copy_of_the_capstone(tmp_path, mirror_dir):
    """08's student copy runs top to bottom in the quick profile with both checks not attempted."""
    path = course_notebook("08")
    subs_dir = tmp_path / "in"
    subs_dir.mkdir()
    nbformat.write(student_copy(path), subs_dir / "student 08 (renamed).ipynb")
    (sub,) = grade.grade(
        subs_dir,
        tmp_path / "out",
        profile="quick",
        timeout=600,
        notebooks_dir=NOTEBOOKS,
        echo=lambda *_: None,
    )
    assert sub.notebook == path.stem
    assert sub.status == grade.OK, sub.note
    assert {q: r.status for q, r in sub.results.items()} == {
        "q1": core.Status.NOT_ATTEMPTED,
        "q2": core.Status.NOT_ATTEMPTED,
    }
