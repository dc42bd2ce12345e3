"""Time limits on student code, and SystemExit / KeyboardInterrupt raised by it, inside a check."""

from __future__ import annotations

import os
import signal
import threading
import time

import numpy as np
import pytest

from cvcourse.exercises import core, ex00
from cvcourse.exercises.limits import capped, limits_capped


def test_limits_are_capped_by_the_setting_and_the_environment(monkeypatch):
    assert capped(60) == 60 and capped(None) is None
    with limits_capped(2):
        assert capped(60) == 2 and capped(None) == 2 and capped(1) == 1
    monkeypatch.setenv("CVCOURSE_TIME_LIMIT", "5")
    assert capped(60) == 5
    monkeypatch.setenv("CVCOURSE_TIME_LIMIT", "not a number")
    assert capped(60) == 60


def test_a_function_that_never_returns_is_stopped_at_the_cap():
    def to_gray_dot(rgb):
        while True:
            pass

    start = time.monotonic()
    with limits_capped(1):
        result = ex00.q2.evaluate(to_gray_dot)
    assert result.status is core.Status.INCORRECT
    assert "did not finish within 1 seconds" in result.message
    assert time.monotonic() - start < 10


@pytest.mark.parametrize(
    ("error", "words"),
    [(SystemExit(0), "SystemExit"), (KeyboardInterrupt(), "KeyboardInterrupt")],
)
def test_exit_and_interrupt_raised_by_student_code_are_reported(error, words):
    def to_gray_dot(rgb):
        raise error

    result = ex00.q2.evaluate(to_gray_dot)
    assert result.status is core.Status.INCORRECT and words in result.message


def test_a_real_ctrl_c_still_interrupts_a_check():
    def to_gray_dot(rgb):
        time.sleep(30)
        return np.zeros(rgb.shape[:2])

    timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            ex00.q2.evaluate(to_gray_dot)
    finally:
        timer.cancel()
