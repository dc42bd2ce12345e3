"""The README: its commands are the ones CI runs, its results come from the stored notebooks."""

import json
import re
from pathlib import Path

from cvcourse.tools import build, cli, readme, record

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def fenced_line_after(marker: str) -> str:
    match = re.search(re.escape(marker) + r"\s*```bash\n(.+?)\n```", README)
    assert match, f"README has no command after {marker}"
    return match.group(1)


def test_quickstart_has_exactly_two_commands():
    build_cmd = fenced_line_after("<!-- quickstart:build -->")
    test_cmd = fenced_line_after("<!-- quickstart:test -->")
    assert "cvcourse build" in build_cmd and "pip install -e ." in build_cmd
    assert test_cmd.endswith("pytest") and '".[test]"' in test_cmd
    quickstart = README.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    assert quickstart.count("```bash") == 2


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "<!-- quickstart:test -->" in ci


def test_results_section_is_generated_from_the_stored_notebooks():
    recorded = ROOT / "notebooks" / "results.json"
    section = README.split(readme.START, 1)[1].split(readme.END, 1)[0].strip()
    notebooks = build.discover(ROOT / "notebooks")
    try:
        expected = record.recorded_results(notebooks)
    except ValueError:  # no stored notebook records a run yet
        assert not recorded.exists()
        assert section == "No full-profile run has been recorded yet."
        return
    assert json.loads(recorded.read_text(encoding="utf-8")) == expected, "run `cvcourse record`"
    assert section == readme.results_section(expected), "run `cvcourse record`"
    syllabus = README.split(readme.SYLLABUS_START, 1)[1].split(readme.SYLLABUS_END, 1)[0].strip()
    assert syllabus == readme.syllabus_section(expected), "run `cvcourse record`"


def test_record_check_passes(capsys):
    assert cli.main(["record", "--check", "--course", str(ROOT)]) == 0
    assert "results are up to date" in capsys.readouterr().out


def test_syllabus_lists_every_notebook_with_its_time_and_headline():
    notebooks = [path.stem for path in build.discover(ROOT / "notebooks")]
    listed = [entry[0] for entry in readme.SYLLABUS]
    assert [name for name in listed if name in notebooks] == notebooks, (
        "a notebook missing from SYLLABUS"
    )
    payload = {
        "notebooks": [
            {
                "notebook": "02_dense_vs_convnet_mnist",
                "seconds": 270,
                "metrics": {"test_accuracy": 0.9938},
            },
            {"notebook": "00_images_as_arrays", "seconds": 30, "metrics": {}},
        ]
    }
    text = readme.syllabus_section(payload)
    rows = {line.split(" | ")[0].strip("| "): line for line in text.splitlines()[2:]}
    assert len(rows) == len(readme.SYLLABUS)
    assert rows["02_dense_vs_convnet_mnist"].endswith(
        "| 4.5 | MNIST test accuracy, convnet: 99.4% |"
    )
    assert "| 0.5 | - (nothing is trained) |" in rows["00_images_as_arrays"]
    assert rows["03_chinese_mnist_project"].endswith(
        "| not run yet | Chinese MNIST test accuracy: not run yet |"
    )


def test_results_section_lists_published_figures():
    payload = {
        "environment": {
            "profile": "full",
            "date": "2026-01-01T00:00:00+00:00",
            "machine": "Linux, 2 CPU cores",
            "tensorflow": "2.21.0",
            "keras": "3.15.1",
        },
        "notebooks": [
            {
                "notebook": "05_data_augmentation",
                "status": "passed",
                "seconds": 600,
                "peak_memory_mb": 2048,
                "metrics": {"test_accuracy": 0.861},
            },
        ],
    }
    text = readme.results_section(payload)
    assert "| 05_data_augmentation | passed | 10.0 | 2.0 GB |" in text
    assert (
        "| cats vs dogs, with augmentation, last epoch (05) | 86.1% | 82-84% | Keras book |" in text
    )
    assert "best-validation epoch (05)" not in text  # a metric the run did not report
    assert "02" not in text.split("| result |")[1]  # only notebooks that ran are compared
