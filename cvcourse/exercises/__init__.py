"""Self-checking exercises: the checker core and one module per notebook.

In notebook NN::

    from cvcourse.exercises import exNN as ex
    ex.q1.check(answer)
    ex.q1.hint()
    ex.q1.solution()

Each module lists its questions in ``QUESTIONS``; :func:`questions` finds them by
notebook number. See :mod:`cvcourse.exercises.core` for how checks work and for the
placeholder convention of the student copies. Importing this package imports no
exercise module (and so no TensorFlow).
"""

from __future__ import annotations

import importlib

from .core import MIMETYPE, Question, Result, Status, results_from_notebook

__all__ = [
    "MIMETYPE",
    "Question",
    "Result",
    "Status",
    "module_for",
    "questions",
    "results_from_notebook",
]


def module_for(notebook: str):
    """The exercise module of a notebook, from its number or name ("01", "01_conv...").

    Returns None when the notebook has no exercises.
    """
    number = str(notebook).split("_", 1)[0]
    if not (len(number) == 2 and number.isdigit()):
        raise ValueError(f"{notebook!r} does not start with a two-digit notebook number")
    try:
        return importlib.import_module(f"{__name__}.ex{number}")
    except ModuleNotFoundError as err:
        if err.name == f"{__name__}.ex{number}":
            return None
        raise


def questions(notebook: str) -> list[Question]:
    """Every question of a notebook, in order (empty when it has no exercises).

    ``QUESTIONS`` lists the questions' names (``("q1", "q2")``) or the questions themselves.
    """
    module = module_for(notebook)
    entries = getattr(module, "QUESTIONS", ()) if module is not None else ()
    return [getattr(module, e) if isinstance(e, str) else e for e in entries]
