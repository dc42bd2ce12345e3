"""The cvcourse command, run as a user runs it, and the build on small real notebooks."""

import base64
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from cvcourse import results
from cvcourse.tools import build

ROOT = Path(__file__).resolve().parent.parent


def cvcourse(*args, env=None, cwd=None):
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "cvcourse.tools.cli", *args],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd,
        timeout=600,
    )


def test_fetch_all_with_mirror_verifies_everything(tmp_path, mirror_dir):
    run = cvcourse(
        "data",
        "fetch",
        "--all",
        "--quiet",
        env={"CVCOURSE_DATA_DIR": str(tmp_path), "CVCOURSE_OFFLINE": "1"},
    )
    assert run.returncode == 0, run.stderr
    for name in ("mnist", "chinese_mnist", "cats_vs_dogs", "sign_mnist", "imagenet"):
        assert f"{name}: ok, verified" in run.stdout
    verify = cvcourse("data", "verify", env={"CVCOURSE_DATA_DIR": str(tmp_path)})
    assert verify.returncode == 0 and "CORRUPT" not in verify.stdout
    # damage one cached file: verify says which, fetch refuses it
    (tmp_path / "t10k-labels-idx1-ubyte.gz").write_bytes(b"\x1f\x8b broken")
    verify = cvcourse("data", "verify", env={"CVCOURSE_DATA_DIR": str(tmp_path)})
    assert verify.returncode == 1 and "CORRUPT  t10k-labels-idx1-ubyte.gz" in verify.stdout


def test_fetch_all_offline_without_mirror_fails_cleanly(tmp_path):
    cache = tmp_path / "cache"
    run = cvcourse(
        "data",
        "fetch",
        "--all",
        env={"CVCOURSE_DATA_DIR": str(cache), "CVCOURSE_MIRROR": "", "CVCOURSE_OFFLINE": "1"},
    )
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    assert "train-images-idx3-ubyte.gz" in run.stderr and "CVCOURSE_MIRROR" in run.stderr
    assert not cache.exists() or not any(cache.rglob("*"))


def test_mirror_verify_finds_a_corrupted_copy(tmp_path, tmp_mirror):
    name = "t10k-images-idx3-ubyte.gz"
    data = (tmp_mirror / name).read_bytes()
    (tmp_mirror / name).unlink()
    (tmp_mirror / name).write_bytes(data[:-1000])
    run = cvcourse("data", "verify", "--mirror", env={"CVCOURSE_DATA_DIR": str(tmp_path)})
    assert run.returncode == 1 and f"CORRUPT  {name}" in run.stdout


def test_data_list_and_bad_profile_option():
    run = cvcourse("data", "list")
    assert run.returncode == 0 and "cats_and_dogs_filtered.zip" in run.stdout
    run = cvcourse("build", "--profile", "medium")
    assert run.returncode != 0 and "invalid choice" in run.stderr


@pytest.mark.parametrize("command", [["doctor"], ["release", "--check"], ["data", "list"]])
def test_a_wrong_setting_stops_every_command_with_status_2(command):
    run = cvcourse(*command, env={"CVCOURSE_PROFILE": "medium"}, cwd=ROOT)
    assert run.returncode == 2, run.stdout + run.stderr
    assert "CVCOURSE_PROFILE='medium'" in run.stderr and "full, quick" in run.stderr
    assert "Traceback" not in run.stderr and "Course folder" not in run.stdout


def test_doctor_reports_versions_device_and_data():
    run = cvcourse("doctor")
    assert run.returncode == 0, run.stderr
    for field in ("TensorFlow", "Keras", "Device", "profile", "mirror", "mnist", "cats_vs_dogs"):
        assert field in run.stdout
    assert "I0000" not in run.stdout + run.stderr  # TensorFlow's start-up chatter is hidden


def _notebook(path: Path, *sources: str) -> Path:
    title = nbformat.v4.new_markdown_cell(
        f"# {path.stem[3:].title()} notebook\n\nWhat it is about."
    )
    nb = nbformat.v4.new_notebook(cells=[title] + [nbformat.v4.new_code_cell(s) for s in sources])
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, path)
    return path


def test_build_runs_in_order_collects_metrics_and_survives_a_failure(tmp_path):
    nbdir = tmp_path / "notebooks"
    nbdir.mkdir()
    _notebook(
        nbdir / "00_first.ipynb",
        "from cvcourse import settings, results\nimport numpy as np\nblock = np.ones(50_000_000)",
        "import matplotlib.pyplot as plt\nplt.plot([1, 3, 2])\nplt.show()",
        "results.report('00_first', accuracy=0.5 + 0.25, profile=settings.profile())",
    )
    _notebook(nbdir / "01_broken.ipynb", "raise ValueError('on purpose')")
    _notebook(
        nbdir / "02_last.ipynb", "from cvcourse import results\nresults.report('02_last', epochs=3)"
    )
    notebooks = build.discover(nbdir)
    assert [p.stem for p in notebooks] == ["00_first", "01_broken", "02_last"]
    out = tmp_path / "build"
    ok, res = build.build(
        notebooks, profile="quick", out_dir=out, progress=False, echo=lambda *_: None
    )
    assert not ok
    assert [r.status for r in res] == ["passed", "failed", "passed"]
    assert res[0].metrics == {"accuracy": 0.75, "profile": "quick"}
    assert res[0].peak_memory_mb > 300  # the 400 MB array was really held
    assert "on purpose" in res[1].error
    saved = json.loads((out / "results.json").read_text())
    assert saved["environment"]["profile"] == "quick"
    assert [n["notebook"] for n in saved["notebooks"]] == ["00_first", "01_broken", "02_last"]
    assert "| 00_first | passed |" in (out / "results.md").read_text()
    executed = nbformat.read(out / "00_first.ipynb", as_version=4)
    assert len(executed.cells) == 4  # title + 3 cells: the memory probe is not left behind
    assert results.metrics_from_notebook(executed)["accuracy"] == 0.75
    assert res[2].epochs == 3 and saved["notebooks"][2]["epochs"] == 3
    # every page exists and shows its figures; the index links them with their results
    page = (out / "00_first.html").read_text()
    images = re.findall(r'<img[^>]+src="data:image/png;base64,([^"]+)"', page)
    assert images and all(len(base64.b64decode(i)) > 1000 for i in images)
    index = (out / "index.html").read_text()
    for name in ("00_first", "01_broken", "02_last"):
        assert f'href="{name}.html"' in index and (out / f"{name}.html").is_file()
    assert "First notebook" in index and "accuracy 75.0%" in index


def test_discover_by_number_and_unknown_name(tmp_path):
    for name in ("00_a.ipynb", "01_b.ipynb"):
        _notebook(tmp_path / name, "1")
    assert [p.name for p in build.discover(tmp_path, ["01"])] == ["01_b.ipynb"]
    with pytest.raises(FileNotFoundError, match="00_a"):
        build.discover(tmp_path, ["07"])


def test_report_outside_jupyter_prints(capsys):
    import numpy as np

    out = results.report("x", test_accuracy=np.float32(0.5), epochs=np.int64(3))
    assert out == {"test_accuracy": 0.5, "epochs": 3}
    assert "test_accuracy" in capsys.readouterr().out
    with pytest.raises(ValueError):
        results.report("x")
