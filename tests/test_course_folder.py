"""The tools work on the course folder they run in (or --course DIR), never the installed one."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from cvcourse.tools import course

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = "01_convolution_relu_pooling.ipynb"


def cvcourse(*args, cwd):
    return subprocess.run(
        [sys.executable, "-m", "cvcourse.tools.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=dict(os.environ),
        timeout=600,
    )


def course_copy(folder: Path) -> Path:
    """README.md, pyproject.toml and notebooks/ of the course, copied into ``folder``."""
    folder.mkdir()
    for name in ("README.md", "pyproject.toml"):
        shutil.copyfile(ROOT / name, folder / name)
    shutil.copytree(ROOT / "notebooks", folder / "notebooks")
    return folder


def test_find_course_from_the_folder_or_a_parent(tmp_path):
    copy = course_copy(tmp_path / "copy")
    assert course.find_course(start=copy) == copy.resolve()
    assert course.find_course(start=copy / "notebooks" / "student") == copy.resolve()
    assert course.find_course(str(copy), start=tmp_path) == copy.resolve()
    with pytest.raises(course.NotACourseError, match="no notebooks/NN_"):
        course.find_course(start=tmp_path)
    (copy / "pyproject.toml").write_text('[project]\nname = "other"\n', encoding="utf-8")
    with pytest.raises(course.NotACourseError, match=r'--course .*not name the project "cvcourse"'):
        course.find_course(copy)
    (copy / "pyproject.toml").unlink()
    with pytest.raises(course.NotACourseError, match="no pyproject.toml"):
        course.find_course(copy)


def test_release_checks_and_writes_the_copy_it_runs_in_never_the_original(tmp_path):
    originals = {
        p: p.read_bytes()
        for p in [
            ROOT / "notebooks" / "student" / NOTEBOOK,
            ROOT / "cvcourse/exercises/solutions.json",
        ]
    }
    copy = course_copy(tmp_path / "copy")
    path = copy / "notebooks" / NOTEBOOK
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if "def count_conv2d_params" in c.source)
    cell.source = cell.source.replace("# END SOLUTION", "checked_by_hand = True\n# END SOLUTION")
    nbformat.write(nb, path)

    check = cvcourse("release", "--check", cwd=copy)
    assert check.returncode == 1, check.stdout + check.stderr
    assert f"Course folder: {copy.resolve()}" in check.stdout.splitlines()[0]
    assert f"notebooks/student/{NOTEBOOK}" in check.stdout
    assert "cvcourse/exercises/solutions.json" in check.stdout  # the copy has none yet

    written = cvcourse("release", cwd=copy / "notebooks")  # from a subfolder, too
    assert written.returncode == 0, written.stdout + written.stderr
    student = nbformat.read(copy / "notebooks" / "student" / NOTEBOOK, as_version=4)
    assert any("checked_by_hand = ..." in c.source for c in student.cells)
    texts = json.loads((copy / "cvcourse/exercises/solutions.json").read_text(encoding="utf-8"))
    assert texts["ex01"]["q3"].endswith("checked_by_hand = True")
    assert {p: p.read_bytes() for p in originals} == originals  # the original is untouched

    again = cvcourse("release", "--check", "--course", str(copy), cwd=tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "up to date" in again.stdout


def test_a_folder_that_is_not_a_course_exits_with_status_2(tmp_path):
    for args in (["release", "--check"], ["record", "--check"], ["tidy", "--check"]):
        run = cvcourse(*args, cwd=tmp_path)
        assert run.returncode == 2, run.stdout + run.stderr
        assert str(tmp_path.resolve()) in run.stderr and "--course DIR" in run.stderr
        assert "Traceback" not in run.stderr
    run = cvcourse("build", "--course", str(tmp_path / "nowhere"), cwd=ROOT)
    assert run.returncode == 2 and "is not a course folder (it is not a folder)" in run.stderr
