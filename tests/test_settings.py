import random

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
