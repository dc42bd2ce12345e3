import os
import random
from pathlib import Path

import numpy as np
import pytest

from cvcourse import settings


def test_profile_defaults_to_full(monkeypatch):
    monkeypatch.delenv("CVCOURSE_PROFILE", raising=False)
    assert settings.profile() == "full"
    assert settings.pick(full=10, quick=1) == 10


def test_quick_profile_picks_quick_value(monkeypatch):
    monkeypatch.setenv("CVCOURSE_PROFILE", " Quick ")
    assert settings.is_quick()
    assert settings.pick(full=10, quick=1) == 1


def test_unknown_profile_lists_the_choices(monkeypatch):
    monkeypatch.setenv("CVCOURSE_PROFILE", "fast")
    with pytest.raises(settings.SettingsError, match="'fast'.*full, quick"):
        settings.profile()


def test_data_dir_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("CVCOURSE_DATA_DIR", str(tmp_path / "d"))
    assert settings.data_dir() == (tmp_path / "d").resolve()
    assert not (tmp_path / "d").exists(), "asking for the data dir must not create it"


def test_data_dir_defaults_to_the_checkout(monkeypatch):
    monkeypatch.delenv("CVCOURSE_DATA_DIR", raising=False)
    root = settings.checkout_dir()
    assert root is not None and (root / "pyproject.toml").is_file()
    assert settings.data_dir() == root / "data"


def test_mirror_folder_and_url(monkeypatch, tmp_path):
    monkeypatch.delenv("CVCOURSE_MIRROR", raising=False)
    assert settings.mirror() is None
    monkeypatch.setenv("CVCOURSE_MIRROR", str(tmp_path))
    assert settings.mirror() == str(tmp_path.resolve())
    monkeypatch.setenv("CVCOURSE_MIRROR", "http://class.local/data")
    assert settings.mirror() == "http://class.local/data/"


def test_relative_folders_are_taken_from_the_checkout(monkeypatch, tmp_path):
    # The README's `export CVCOURSE_MIRROR=../shared/datasets` is typed in the checkout, but a
    # notebook's kernel runs in notebooks/: both must read the same folder.
    root = settings.checkout_dir()
    assert root is not None
    monkeypatch.chdir(tmp_path)  # anywhere but the checkout
    monkeypatch.setenv("CVCOURSE_MIRROR", "../shared/datasets")
    monkeypatch.setenv("CVCOURSE_DATA_DIR", "data")
    assert settings.mirror() == str((root.parent / "shared" / "datasets").resolve())
    assert settings.data_dir() == (root / "data").resolve()
    monkeypatch.setattr(settings, "checkout_dir", lambda: None)  # installed, not a checkout
    assert settings.data_dir() == (tmp_path / "data").resolve()


def test_seed(monkeypatch):
    monkeypatch.delenv("CVCOURSE_SEED", raising=False)
    assert settings.seed() == 42
    monkeypatch.setenv("CVCOURSE_SEED", "7")
    assert settings.seed() == 7
    monkeypatch.setenv("CVCOURSE_SEED", "seven")
    with pytest.raises(settings.SettingsError, match="CVCOURSE_SEED='seven'"):
        settings.seed()


def test_seed_everything_repeats_python_numpy_and_keras():
    import keras

    def draw():
        settings.seed_everything(123)
        layer = keras.layers.Dense(2)
        layer.build((None, 3))  # initial weights come from Keras' global seed
        return random.random(), np.random.rand(), keras.ops.convert_to_numpy(layer.kernel).tolist()

    first, second = draw(), draw()
    assert first == second
    settings.seed_everything(124)
    assert np.random.rand() != first[1]


def test_importing_cvcourse_has_no_side_effects(tmp_path):
    import subprocess
    import sys

    code = (
        "import sys, numpy as np; s = np.random.get_state()[1][0];"
        "import cvcourse, cvcourse.settings, cvcourse.datasets, cvcourse.images;"
        "assert np.random.get_state()[1][0] == s, 'seeded on import';"
        "assert 'tensorflow' not in sys.modules, 'tensorflow imported';"
        "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot imported'"
    )
    env = {"PATH": "", "CVCOURSE_DATA_DIR": str(tmp_path / "never")}
    subprocess.run([sys.executable, "-c", code], check=True, env=env)
    assert not (tmp_path / "never").exists()


# ------------------------------------------------------------------ settings.validate()


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    """No CVCOURSE_* variable but a writable data folder."""
    for name in list(os.environ):
        if name.startswith("CVCOURSE_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("CVCOURSE_DATA_DIR", str(tmp_path / "cache"))
    return monkeypatch


def test_validate_accepts_good_settings(clean_env, tmp_path):
    assert settings.validate() is None
    for name, value in [
        ("CVCOURSE_PROFILE", "quick"),
        ("CVCOURSE_MIRROR", str(tmp_path)),
        ("CVCOURSE_OFFLINE", "1"),
        ("CVCOURSE_SEED", "-3"),
        ("CVCOURSE_STRICT", "1"),
    ]:
        clean_env.setenv(name, value)
        assert settings.validate() is None
    for url in ("https://class.local/data", "http://10.0.0.1:8000/", "file:///srv/data/"):
        clean_env.setenv("CVCOURSE_MIRROR", url)
        assert settings.validate() is None
    assert not (tmp_path / "cache").exists(), "validate creates nothing"


@pytest.mark.parametrize(
    "name, value, expected",
    [
        ("CVCOURSE_PROFILE", "fast", r"CVCOURSE_PROFILE='fast': is not a profile.*full, quick"),
        ("CVCOURSE_PROFIL", "quick", r"CVCOURSE_PROFIL='quick': not a setting.*CVCOURSE_PROFILE"),
        ("CVCOURSE_MIROR", "x", r"did you mean CVCOURSE_MIRROR"),
        ("CVCOURSE_SEED", "4.5", r"CVCOURSE_SEED='4.5': is not an integer.*Fix: set it"),
        ("CVCOURSE_OFFLINE", "yes", r"CVCOURSE_OFFLINE='yes': must be 0 or 1.*Fix"),
        ("CVCOURSE_STRICT", "on", r"CVCOURSE_STRICT='on': must be 0 or 1"),
        (
            "CVCOURSE_MIRROR",
            "ftp://files.local/",
            r"CVCOURSE_MIRROR='ftp.*http://, https:// or file://",
        ),
        (
            "CVCOURSE_MIRROR",
            "/no/such/mirror",
            r"mirror folder /no/such/mirror does not exist.*Fix",
        ),
    ],
)
def test_validate_names_variable_value_problem_and_fix(clean_env, name, value, expected):
    clean_env.setenv(name, value)
    with pytest.raises(settings.SettingsError, match=f"(?s){expected}"):
        settings.validate()


def test_readers_raise_the_same_error_for_their_own_variable(clean_env, tmp_path):
    clean_env.setenv("CVCOURSE_MIRROR", str(tmp_path / "nowhere"))
    with pytest.raises(settings.SettingsError, match="CVCOURSE_MIRROR=.*does not exist"):
        settings.mirror()
    (tmp_path / "afile").write_text("x")
    clean_env.setenv("CVCOURSE_MIRROR", str(tmp_path / "afile"))
    with pytest.raises(settings.SettingsError, match="is a file, not a folder"):
        settings.mirror()
    clean_env.setenv("CVCOURSE_DATA_DIR", str(tmp_path / "afile"))
    with pytest.raises(settings.SettingsError, match="CVCOURSE_DATA_DIR=.*is a file, not a folder"):
        settings.data_dir()
    clean_env.setenv("CVCOURSE_OFFLINE", "true")
    with pytest.raises(settings.SettingsError, match="CVCOURSE_OFFLINE='true'"):
        settings.offline()
    clean_env.setenv("CVCOURSE_OFFLINE", "0")
    assert settings.offline() is False


def test_a_data_folder_that_cannot_be_created(clean_env, tmp_path):
    (tmp_path / "afile").write_text("x")
    clean_env.setenv("CVCOURSE_DATA_DIR", str(tmp_path / "afile" / "cache"))
    with pytest.raises(settings.SettingsError, match="CVCOURSE_DATA_DIR=.*cannot be created"):
        settings.validate()


def test_a_read_only_data_folder(clean_env, tmp_path, monkeypatch):
    # root (CI) may write anywhere, so the permission answer is what the test sets
    folder = tmp_path / "ro"
    folder.mkdir()
    clean_env.setenv("CVCOURSE_DATA_DIR", str(folder))
    monkeypatch.setattr(settings.os, "access", lambda path, mode: Path(path) != folder)
    with pytest.raises(settings.SettingsError, match=r"CVCOURSE_DATA_DIR=.*ro is not writable"):
        settings.validate()


def test_validate_reports_every_problem_at_once(clean_env):
    clean_env.setenv("CVCOURSE_PROFILE", "fast")
    clean_env.setenv("CVCOURSE_SEED", "x")
    with pytest.raises(settings.SettingsError) as info:
        settings.validate()
    assert len(str(info.value).splitlines()) == 2
