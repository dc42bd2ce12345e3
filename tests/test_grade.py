"""``cvcourse grade``: identifying, executing and tabulating submitted notebooks.

The real-notebook test grades the solved notebooks 00 and 01 (full marks, and the time
each takes) and a blank student copy. Small notebooks built here are the hostile
submissions: one that displays forged results under the check's MIME type, one that
answers another notebook's questions, one that patches the checker (and writes a forged
export), functions that never return, exit or raise KeyboardInterrupt, a cell that
raises, a kernel that dies after an answer, and probes of the sandbox (tokens, writes
outside, the submissions folder). A slow test grades notebook 09's blank student copy.
"""

import csv
import io
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from cvcourse.exercises import core
from cvcourse.tools import cli, grade, judge, release, sandbox, submissions

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
    known = {"09": "09_capstone_sign_language"}
    by_metadata = small_notebook("print(1)", source_name="09_capstone_sign_language.ipynb")
    assert submissions.identify(by_metadata, "renamed by the student.ipynb", known) == (
        "09_capstone_sign_language"
    )
    by_import = small_notebook("from cvcourse.exercises import ex09 as ex\nex.q1.check(...)")
    assert submissions.identify(by_import, "jane.ipynb", known) == "09_capstone_sign_language"
    dotted = small_notebook("import cvcourse.exercises.ex03 as ex")
    assert submissions.identify(dotted, "jane.ipynb", {}) == "03"
    by_name = small_notebook("print(1)")
    assert submissions.identify(by_name, "09_capstone_sign_language (1).ipynb", known) == (
        "09_capstone_sign_language"
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


# ------------------------------------------------------------------------------ table


def _result(q, status):
    return core.Result("09", q, status, "")


def test_table_has_points_total_percent_time_and_sandbox():
    subs = [
        grade.Submission(
            Path("a.ipynb"),
            "a.ipynb",
            notebook="09_capstone_sign_language",
            seconds=12.5,
            sandbox="bwrap",
            results={
                "q1": _result("q1", core.Status.CORRECT),
                "q2": _result("q2", core.Status.INCORRECT),
                "q3": _result("q3", core.Status.ERROR),
            },
            max_points={"q1": 2, "q2": 1, "q3": 1},
        ),
        grade.Submission(Path("b.txt"), "b.txt", status=grade.NOT_A_NOTEBOOK, note="a .txt file"),
    ]
    header, rows = grade.table(subs)
    names = [q.name for q in judge.question_list("09")]
    assert header == ["submission", "notebook", "status", *names] + [
        "points",
        "out of",
        "percent",
        "seconds",
        "sandbox",
        "note",
    ]
    row = dict(zip(header, rows[0], strict=True))
    assert (row["q1"], row["q2"], row["q3"]) == ("correct", "incorrect", "error")
    assert (row["points"], row["out of"], row["percent"], row["seconds"]) == (
        "2",
        "4",
        "50",
        "12.5",
    )
    assert row["sandbox"] == "bwrap"
    assert rows[1][2] == "not a notebook" and rows[1][header.index("points")] == "0"
    markdown = grade.to_markdown(header, rows, title="Grades")
    assert markdown.startswith("# Grades\n") and "| b.txt | - | not a notebook |" in markdown
    assert list(csv.reader(io.StringIO(grade.to_csv(header, rows))))[1][:3] == [
        "a.ipynb",
        "09_capstone_sign_language",
        "ok",
    ]
    page = grade.feedback_page(subs[0])
    assert "2 of 4 points (50%)" in page and "Error" in page


# ------------------------------------------------------------------- hostile submissions

SOURCE_00 = "00_images_as_arrays.ipynb"
IMPORT_00 = "import numpy as np\nfrom cvcourse.exercises import ex00 as ex"
RIGHT_Q2 = "def to_gray_dot(rgb):\n    return np.asarray(rgb) @ np.array([0.2989, 0.5870, 0.1140])"
FORGE_DISPLAY = """
from IPython.display import display
from cvcourse.exercises import core
for q in ("q1", "q2", "q3"):
    forged = core.Result("00", q, core.Status.CORRECT, "forged")
    display(forged._repr_mimebundle_(), raw=True)
    display({core.MIMETYPE: {"notebook": "00", "question": q, "status": "correct", "message": ""}}, raw=True)
"""
FORGE_PATCH = """
import json, os, pathlib
from cvcourse.exercises import core, question
def always_right(self, *args, **kwargs):
    return core.Result(self.notebook, self.name, core.Status.CORRECT, "forged")
core.Question.evaluate = always_right
core.Answers.judge = lambda self, arguments: "forged"
ex.q1.check(...)
ex.q2.check(lambda rgb: rgb)
# a forged export: it only supplies an answer (none here), judged like any other
folder = pathlib.Path(os.environ["CVCOURSE_GRADE_EXPORT"], "00", "q3")
folder.mkdir(parents=True, exist_ok=True)
(folder / "answer.json").write_text(json.dumps({"notebook": "00", "question": "q3", "status": "correct", "args": []}))
question.Question.check = lambda self, *a, **k: core.show(always_right(self))
ex.q1.check(1)
"""
PROBE = """
import os, pathlib
secret = os.environ.get("INSTRUCTOR_TOKEN", "absent")[:6]
try:
    pathlib.Path({outside!r}).write_text("written by a submission")
    wrote = "wrote"
except OSError:
    wrote = "refused"
seen = "seen" if pathlib.Path({submission!r}).exists() else "hidden"
home = "tmp" if os.environ["HOME"] != {home!r} else "real"
ex.q2.check(f"{{secret}}|{{wrote}}|{{seen}}|{{home}}")
"""


def _write(folder: Path, name: str, *cells, source=SOURCE_00):
    nbformat.write(small_notebook(*cells, source_name=source), folder / name)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """Grade the hostile submissions once (two at a time, 3 s per student call)."""
    root = tmp_path_factory.mktemp("hostile")
    subs_dir = root / "submissions"
    subs_dir.mkdir()
    outside = Path(sys.prefix) / "written-by-a-submission.txt"  # read-only in the sandbox
    _write(subs_dir, "honest.ipynb", IMPORT_00, RIGHT_Q2, "ex.q2.check(to_gray_dot)")
    _write(subs_dir, "display.ipynb", IMPORT_00, FORGE_DISPLAY)
    other = "01_convolution_relu_pooling.ipynb"  # 00's right answer, in a notebook that is 01
    _write(subs_dir, "other.ipynb", IMPORT_00, RIGHT_Q2, "ex.q2.check(to_gray_dot)", source=other)
    _write(subs_dir, "patch.ipynb", IMPORT_00, FORGE_PATCH)
    never = "def to_gray_dot(rgb):\n    while True:\n        pass"
    _write(
        subs_dir,
        "hang.ipynb",
        IMPORT_00,
        never,
        "ex.q2.check(to_gray_dot)",
        "ex.q1.check(undefined_name)",
        "print('the notebook went on')",
    )
    leave = "def to_gray_dot(rgb):\n    raise SystemExit(0)"
    _write(
        subs_dir,
        "exit.ipynb",
        IMPORT_00,
        leave,
        "ex.q2.check(to_gray_dot)",
        "import os\nos._exit(3)",
        "ex.q1.check(None)",
    )
    interrupt = "def to_gray_dot(rgb):\n    raise KeyboardInterrupt"
    _write(subs_dir, "interrupt.ipynb", IMPORT_00, interrupt, "ex.q2.check(to_gray_dot)")
    probe = PROBE.format(
        outside=str(outside), submission=str(subs_dir / "probe.ipynb"), home=str(Path.home())
    )
    _write(subs_dir, "probe.ipynb", IMPORT_00, probe)
    mp = pytest.MonkeyPatch()
    mp.setenv("CVCOURSE_TIME_LIMIT", "3")
    mp.setenv("INSTRUCTOR_TOKEN", "s3cr3t-token")
    try:
        subs = grade.grade(
            subs_dir, root / "grades", profile="quick", timeout=240, jobs=2, echo=lambda *_: None
        )
    finally:
        mp.undo()
    return {"subs": {s.name: s for s in subs}, "root": root, "outside": outside}


def _statuses(sub):
    return {q: r.status for q, r in sub.results.items()}


def test_an_honest_answer_scores_so_the_forgeries_below_could_score(hostile):
    honest = hostile["subs"]["honest.ipynb"]
    assert honest.results["q2"].correct, honest.results["q2"].message
    assert honest.points == 1 and honest.total == len(judge.question_list("00"))


def test_displayed_results_with_the_checks_mimetype_score_zero(hostile):
    sub = hostile["subs"]["display.ipynb"]
    assert sub.status == grade.OK, sub.note
    assert sub.points == 0 and set(_statuses(sub).values()) == {core.Status.NOT_ATTEMPTED}


def test_answers_to_another_notebooks_questions_score_zero(hostile):
    sub = hostile["subs"]["other.ipynb"]
    assert sub.notebook.startswith("01") and sub.points == 0
    assert set(sub.results) == {q.name for q in judge.question_list("01")}
    assert set(_statuses(sub).values()) == {core.Status.NOT_ATTEMPTED}


def test_patching_the_checker_changes_nothing(hostile):
    sub = hostile["subs"]["patch.ipynb"]
    assert sub.points == 0, {q: (r.status, r.message) for q, r in sub.results.items()}
    assert sub.results["q1"].status is core.Status.NOT_ATTEMPTED
    assert sub.results["q2"].status is core.Status.INCORRECT
    assert sub.results["q3"].status is core.Status.INCORRECT  # the forged export: no answer
    assert "forged" not in " ".join(r.message for r in sub.results.values())


def test_a_function_that_never_returns_is_stopped_and_the_notebook_goes_on(hostile):
    sub = hostile["subs"]["hang.ipynb"]
    assert sub.results["q2"].status is core.Status.INCORRECT
    assert "did not finish within 3 seconds" in sub.results["q2"].message
    assert sub.results["q1"].status is core.Status.ERROR  # its cell raised NameError
    assert "NameError" in sub.results["q1"].message
    assert sub.results["q3"].status is core.Status.NOT_ATTEMPTED
    assert sub.seconds < 120


def test_exit_and_keyboard_interrupt_in_student_code_are_reported(hostile):
    exited = hostile["subs"]["exit.ipynb"]
    assert exited.results["q2"].status is core.Status.INCORRECT
    assert "SystemExit" in exited.results["q2"].message
    # the kernel died afterwards: the answer judged before it is kept
    assert exited.status == grade.DIED and exited.results["q1"].status is core.Status.NOT_ATTEMPTED
    interrupted = hostile["subs"]["interrupt.ipynb"]
    assert interrupted.results["q2"].status is core.Status.INCORRECT
    assert "KeyboardInterrupt" in interrupted.results["q2"].message


def test_the_sandbox_scrubs_tokens_and_hides_and_protects_files(hostile):
    sub = hostile["subs"]["probe.ipynb"]
    message = sub.results["q2"].message
    assert "s3cr3t" not in message and "absent|" in message, message
    assert "|tmp" in message, message
    written = hostile["outside"].exists()
    hostile["outside"].unlink(missing_ok=True)
    if sandbox.bwrap_status()[0]:
        assert sub.sandbox == "bwrap"
        assert "absent|refused|hidden|tmp" in message, message
        assert not written
    else:
        assert sub.sandbox.startswith("none")


def test_every_graded_submission_gets_a_feedback_page_and_the_table(hostile):
    out = hostile["root"] / "grades"
    rows = {r["submission"]: r for r in read_csv(out / "grades.csv")}
    assert rows["honest.ipynb"]["points"] == "1" and rows["honest.ipynb"]["percent"] == "33"
    assert rows["display.ipynb"]["points"] == "0"
    page = (out / "feedback" / "hang.ipynb.html").read_text(encoding="utf-8")
    assert "did not finish within 3 seconds" in page and "Error" in page
    assert not list((hostile["root"] / "submissions").rglob("grades*"))


# --------------------------------------------------------------------- errors, files


def test_hangs_and_broken_files_get_a_row_and_grading_goes_on(tmp_path):
    subs_dir = tmp_path / "submissions"
    subs_dir.mkdir()
    _write(subs_dir, "hang.ipynb", "import time\ntime.sleep(600)")
    nbformat.write(small_notebook("print('hello')"), subs_dir / "unknown.ipynb")
    (subs_dir / "broken.ipynb").write_text('{"cells": [', encoding="utf-8")
    (subs_dir / "not_a_notebook.ipynb").write_text('{"hello": 1}', encoding="utf-8")
    cells = '{"cells": [{"x": 1}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'
    (subs_dir / "odd_cells.ipynb").write_text(cells, encoding="utf-8")
    out = tmp_path / "grades"
    subs = grade.grade(subs_dir, out, profile="quick", timeout=20, echo=lambda *_: None)
    by_name = {s.name: s for s in subs}
    hang = by_name["hang.ipynb"]
    assert hang.status == grade.TIMEOUT and "20 s" in hang.note
    assert set(_statuses(hang).values()) == {core.Status.NOT_ATTEMPTED}
    assert by_name["broken.ipynb"].status == grade.NOT_A_NOTEBOOK
    assert "JSON" in by_name["broken.ipynb"].note
    assert by_name["not_a_notebook.ipynb"].status == grade.NOT_A_NOTEBOOK
    assert by_name["odd_cells.ipynb"].status == grade.NOT_A_NOTEBOOK
    assert by_name["unknown.ipynb"].status == grade.UNKNOWN
    assert [r["status"] for r in read_csv(out / "grades.csv")] == [
        "not a notebook",
        "timed out",
        "not a notebook",
        "not a notebook",
        "not a course notebook",
    ]


# ------------------------------------------------------------------ real notebooks


def test_solved_notebooks_00_and_01_score_full_marks_within_a_minute(tmp_path, capsys):
    """Through the `cvcourse grade` command, two at a time: solved 00 and 01, a blank 00, a .docx."""
    subs_dir = tmp_path / "submissions"
    subs_dir.mkdir()
    nbformat.write(nbformat.read(course_notebook("00"), as_version=4), subs_dir / "alice.ipynb")
    nbformat.write(nbformat.read(course_notebook("01"), as_version=4), subs_dir / "bob.ipynb")
    nbformat.write(student_copy(course_notebook("00")), subs_dir / "carol.ipynb")
    (subs_dir / "erin_answers.docx").write_bytes(b"PK\x03\x04 not a notebook")
    out = tmp_path / "grades"
    argv = ["grade", str(subs_dir), "--output", str(out), "--profile", "quick", "--jobs", "2"]
    assert cli.main([*argv, "--timeout", "300"]) == 0
    assert "Graded 4 submission(s)" in capsys.readouterr().out
    rows = {r["submission"]: r for r in read_csv(out / "grades.csv")}
    alice, bob, carol, erin = (
        rows[n] for n in ["alice.ipynb", "bob.ipynb", "carol.ipynb", "erin_answers.docx"]
    )
    for row in (alice, bob):
        assert row["status"] == "ok" and row["percent"] == "100", row
        assert row["points"] == row["out of"] and float(row["seconds"]) < 120, row
    assert carol["points"] == "0" and carol["percent"] == "0"
    assert erin["status"] == "not a notebook"
    assert (out / "feedback" / "alice.ipynb.html").is_file()
    assert (out / "executed" / "bob.ipynb").is_file()


@pytest.mark.slow
def test_blank_student_copy_of_the_capstone(tmp_path, mirror_dir):
    """09's student copy runs top to bottom in the quick profile with every check not attempted."""
    path = course_notebook("09")
    subs_dir = tmp_path / "in"
    subs_dir.mkdir()
    nbformat.write(student_copy(path), subs_dir / "student 09 (renamed).ipynb")
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
    assert set(_statuses(sub).values()) == {core.Status.NOT_ATTEMPTED}
