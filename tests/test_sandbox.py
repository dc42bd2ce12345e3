"""The grading sandbox: a scrubbed environment, resource limits and (with bubblewrap) isolation."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from cvcourse.tools import sandbox

needs_bwrap = pytest.mark.skipif(
    not sandbox.bwrap_status()[0], reason=f"no working sandbox: {sandbox.bwrap_status()[1]}"
)


def run_in(folder: Path, code: str, *, hide=(), memory=sandbox.DEFAULT_MEMORY, **env):
    kwargs = sandbox.popen_args(
        [sys.executable, "-I", "-c", code], folder, hide=hide, memory=memory, **env
    )
    argv = kwargs.pop("args")
    return subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False, **kwargs)


def test_the_environment_keeps_what_python_needs_and_drops_tokens(tmp_path, monkeypatch):
    monkeypatch.setenv("KAGGLE_KEY", "secret")
    monkeypatch.setenv("GITHUB_TOKEN", "secret")
    monkeypatch.setenv("CVCOURSE_PROFILE", "quick")
    env = sandbox.clean_env(tmp_path, {"EXTRA": "1"})
    assert "KAGGLE_KEY" not in env and "GITHUB_TOKEN" not in env
    assert env["CVCOURSE_PROFILE"] == "quick" and env["EXTRA"] == "1" and env["PATH"]
    assert env["HOME"] == str(tmp_path / "home") and Path(env["HOME"]).is_dir()
    assert env["CVCOURSE_OFFLINE"] == "1" and Path(env["CVCOURSE_DATA_DIR"]).is_dir()


def test_a_process_sees_the_scrubbed_environment_and_its_own_home(tmp_path, monkeypatch):
    monkeypatch.setenv("INSTRUCTOR_TOKEN", "secret")
    code = "import os; print(os.environ.get('INSTRUCTOR_TOKEN', 'absent'), os.environ['HOME'])"
    done = run_in(tmp_path, code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["absent", str(tmp_path / "home")]


def test_memory_is_limited(tmp_path):
    code = "b = bytearray(3 * 2**30); print('allocated')"
    done = run_in(tmp_path, code, memory=2 * 2**30)
    assert done.returncode != 0 and "MemoryError" in done.stderr


@needs_bwrap
def test_no_writes_outside_its_folder_and_hidden_folders_look_empty(tmp_path):
    own, outside, secret = tmp_path / "own", tmp_path / "outside", tmp_path / "secret"
    for folder in (own, outside, secret):
        folder.mkdir()
    (secret / "solutions.ipynb").write_text("{}")
    code = f"""
import pathlib
pathlib.Path({str(own / "ok.txt")!r}).write_text("mine")
try:
    pathlib.Path({str(outside / "x.txt")!r}).write_text("not mine")
    print("wrote")
except OSError:
    print("refused")
secret = pathlib.Path({str(secret)!r})
print(sorted(p.name for p in secret.iterdir()) if secret.exists() else [])
"""
    done = run_in(own, code, hide=[secret])
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:2] == ["refused", "[]"]
    assert (own / "ok.txt").read_text() == "mine" and not (outside / "x.txt").exists()


@needs_bwrap
def test_no_network_not_even_the_graders_loopback(tmp_path):
    import socket

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]
    code = f"""
import socket
try:
    socket.create_connection(("127.0.0.1", {port}), timeout=5)
    print("connected")
except OSError:
    print("no network")
"""
    try:
        done = run_in(tmp_path, code)
    finally:
        server.close()
    assert done.stdout.strip() == "no network", done.stderr


def test_the_label_says_whether_it_isolates(monkeypatch):
    ok, why = sandbox.bwrap_status()
    assert sandbox.sandbox_label() == ("bwrap" if ok else f"none: {why}")
    sandbox.bwrap_status.cache_clear()
    monkeypatch.setenv("CVCOURSE_NO_SANDBOX", "1")
    try:
        assert sandbox.sandbox_label().startswith("none: turned off")
        assert sandbox.wrap(["true"], Path("/tmp")) == ["true"]
    finally:
        sandbox.bwrap_status.cache_clear()
