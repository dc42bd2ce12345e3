"""cvcourse.tools.files.write_atomic: the old file or the new one, never half, never a temp file."""

import os

import pytest

from cvcourse.tools import files


def test_writes_utf8_text_exactly_and_creates_folders(tmp_path):
    target = tmp_path / "a" / "b" / "out.md"
    assert files.write_atomic(target, "é\r\nline\n") == target
    assert target.read_bytes() == "é\r\nline\n".encode()
    files.write_atomic(target, "new\n")
    assert target.read_bytes() == b"new\n"
    assert sorted(p.name for p in target.parent.iterdir()) == ["out.md"]
    plain = tmp_path / "plain.txt"
    plain.write_text("x")  # the permissions any new file gets here (not a private 0600)
    assert target.stat().st_mode & 0o777 == plain.stat().st_mode & 0o777


def test_a_failure_after_writing_keeps_the_old_file_and_no_temp(tmp_path, monkeypatch):
    target = tmp_path / "results.json"
    target.write_text("old\n", encoding="utf-8")

    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)  # the data is written, then the disk fails
    with pytest.raises(OSError, match="No space"):
        files.write_atomic(target, "new and longer\n" * 1000)
    assert target.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["results.json"]


def test_text_that_cannot_be_encoded_keeps_the_old_file_and_no_temp(tmp_path):
    target = tmp_path / "grades.md"
    target.write_text("old\n", encoding="utf-8")
    with pytest.raises(UnicodeEncodeError):
        files.write_atomic(target, "fine so far " * 10_000 + "\ud800")  # a lone surrogate
    assert target.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["grades.md"]


def test_an_interrupt_removes_the_temp_file(tmp_path, monkeypatch):
    def interrupted(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        files.write_atomic(tmp_path / "index.html", "<html>")
    assert list(tmp_path.iterdir()) == []
