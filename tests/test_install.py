"""The install brings what the course needs, the same way for pip and conda users."""

import re
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def pip_requirements() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    found = {}
    for requirement in project["dependencies"]:
        name, bounds = re.match(r"([A-Za-z0-9_.-]+)\s*(.*)", requirement).groups()
        found[name.lower()] = bounds.replace(" ", "")
    return found


def conda_dependency_lines() -> list[str]:
    text = (ROOT / "environment.yml").read_text(encoding="utf-8")
    return text.split("\ndependencies:\n", 1)[1].splitlines()


def conda_requirements() -> dict[str, str]:
    found = {}
    for line in conda_dependency_lines():
        match = re.match(r"\s*-\s+([A-Za-z][A-Za-z0-9_.-]*)([<>=!~][^#\s]*)?\s*(#.*)?$", line)
        if match and match.group(1) not in ("python", "pip"):
            found[match.group(1).lower()] = (match.group(2) or "").replace(" ", "")
    return found


def test_environment_yml_lists_the_same_dependencies_and_bounds():
    pip, conda = pip_requirements(), conda_requirements()
    assert pip, "pyproject.toml lists no dependencies"
    assert conda == pip, (
        "environment.yml and pyproject.toml disagree: "
        f"only in pyproject {sorted(set(pip) - set(conda))}, "
        f"only in environment.yml {sorted(set(conda) - set(pip))}, "
        f"other bounds {sorted(n for n in set(pip) & set(conda) if pip[n] != conda[n])}"
    )


def test_every_environment_yml_entry_is_commented():
    for line in conda_dependency_lines():
        if re.match(r"\s*-\s+[A-Za-z]", line) and not line.strip().startswith("- pip:"):
            assert "#" in line, f"environment.yml: say why the course needs {line.strip()}"


def test_jupyter_is_part_of_the_install():
    assert "jupyterlab" in pip_requirements(), "pip install -e . must bring JupyterLab"


def test_the_readme_says_how_to_open_the_notebooks_on_every_system():
    start = README.split("## Quickstart", 1)[1].split("\n## ", 2)
    first_lines = start[0] + start[1]  # the Quickstart and the section after it
    assert ".venv/bin/jupyter lab notebooks/" in first_lines  # Linux and macOS
    assert r".venv\Scripts\jupyter lab notebooks" in first_lines  # Windows
    assert "conda env create -f environment.yml" in first_lines
