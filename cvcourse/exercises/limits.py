"""Time limits on student code, and telling Ctrl-C from student code that raises it.

:func:`time_limit` stops a block after some seconds (SIGALRM, main thread, Unix);
:func:`limits_capped` (or ``CVCOURSE_TIME_LIMIT``) shortens every limit, as the tests of
the checkers do with a 2 s cap. While a check runs, a Ctrl-C (SIGINT) still interrupts,
but a ``KeyboardInterrupt`` or ``SystemExit`` raised by the student's code is reported as
the student's mistake. Used by :mod:`~cvcourse.exercises.question`; every notebook's checks.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading

_CAP: list[float] = []  # limits_capped(): the smallest cap in force


class TimeLimitExceeded(Exception):
    """Raised inside student code that runs past its time limit."""


@contextlib.contextmanager
def limits_capped(seconds: float):
    """No time limit inside the block is longer than ``seconds`` (tests: a 2 s cap)."""
    _CAP.append(float(seconds))
    try:
        yield
    finally:
        _CAP.pop()


def capped(seconds: float | None) -> float | None:
    """``seconds`` shortened to the cap in force (:func:`limits_capped`, else
    ``CVCOURSE_TIME_LIMIT``, a number of seconds)."""
    caps = list(_CAP)
    with contextlib.suppress(ValueError):
        caps.append(float(os.environ.get("CVCOURSE_TIME_LIMIT", "")))
    caps = [c for c in caps if c > 0]
    if caps and (not seconds or seconds > min(caps)):
        return min(caps)
    return seconds


class Interrupts:
    """Tells a Ctrl-C (SIGINT, which must interrupt) from student code raising KeyboardInterrupt."""

    active = False
    signalled = False

    @classmethod
    @contextlib.contextmanager
    def watch(cls):
        if cls.active or threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = signal.getsignal(signal.SIGINT)

        def _on_sigint(signum, frame):
            cls.signalled = True
            raise KeyboardInterrupt

        try:
            signal.signal(signal.SIGINT, _on_sigint)
        except (ValueError, TypeError):  # not settable here
            yield
            return
        cls.active, cls.signalled = True, False
        try:
            yield
        finally:
            cls.active = False
            signal.signal(signal.SIGINT, previous)


def student_exit(err: BaseException) -> str:
    """The message for a SystemExit/KeyboardInterrupt raised by student code (or re-raise)."""
    if isinstance(err, KeyboardInterrupt) and (Interrupts.signalled or not Interrupts.active):
        raise err  # Ctrl-C: the user interrupts
    what = "ended Python (SystemExit: exit() or sys.exit())"
    if isinstance(err, KeyboardInterrupt):
        what = "raised KeyboardInterrupt itself"
    return f"{what}: a function that is checked must return its answer"


@contextlib.contextmanager
def time_limit(seconds: float | None):
    """Raise TimeLimitExceeded in the block after ``seconds`` (None or 0: no limit).

    Uses SIGALRM, so it limits only on Unix and in the main thread (where Jupyter runs
    cells); elsewhere, or inside another limit already running, the block runs as it is.
    The limit is shortened to a cap in force (:func:`capped`).
    """
    seconds = capped(seconds)
    usable = (
        seconds
        and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
        and signal.getitimer(signal.ITIMER_REAL)[0] == 0
    )
    if not usable:
        yield
        return

    def _stop(signum, frame):
        raise TimeLimitExceeded(f"stopped after {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, _stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
