"""The checker core: what exercise modules and ``cvcourse grade`` import, in one place.

In a notebook a student writes::

    from cvcourse.exercises import ex01 as ex
    ex.q1.check(my_kernels)   # correct / incorrect (with the reason) / not attempted
    ex.q1.hint()              # ex.q1.hint(2): the next hint, where there is one
    ex.q1.solution()

The core is split by concern, and this module gathers it:

- :mod:`~cvcourse.exercises.results`: :class:`Status`, :class:`Result`, how a result is
  shown, and :data:`MIMETYPE`, under which Jupyter records it;
- :mod:`~cvcourse.exercises.question`: :class:`Question` (check, hint, solution),
  :func:`call_student` and the time limit on student code;
- :mod:`~cvcourse.exercises.answers`: :class:`Answers`, a question declared as named
  answers, each judged by a kind of check;
- the kinds of check: :class:`Value` (a number or an array within a tolerance) and
  :class:`Items` (a list of answers) in :mod:`~cvcourse.exercises.values`;
  :class:`Function` (a student's function on the checker's cases) in
  :mod:`~cvcourse.exercises.functions`; :class:`Choice` (one of N options) and
  :class:`Selection` (a set of options) in :mod:`~cvcourse.exercises.choices`;
- :mod:`~cvcourse.exercises.parsers`: reading answers (:func:`as_array`,
  :func:`as_shape`, :func:`as_pair`, :func:`as_whole_number`, :func:`layers_of`, ...);
- :mod:`~cvcourse.exercises.solutions`: the solution code, from ``solutions.json``;
- and here, :func:`results_from_notebook`, which reads the results back for grading.

Writing a question
    Declare it: ``q1 = core.Answers(notebook="01", name="q1", ..., parts={"my_answer":
    core.Value(expected=...)})``, subclassing a kind where a question needs its own
    messages. A check looks only at public behaviour (shapes, values, layer types,
    predictions, what a function returns) and computes its own references. List a
    notebook's questions in its module by name: ``QUESTIONS = ("q1", "q2", "q3")``; a
    question's ``points=`` setting is what it scores in ``cvcourse grade`` (default 1).

The placeholder convention (*not attempted*)
    The placeholder is Python's ``...`` (Ellipsis). Solution code sits between
    ``# BEGIN SOLUTION`` and ``# END SOLUTION``; ``cvcourse release`` replaces it in the
    student copy by a placeholder that still runs: every name the solution assigns becomes
    ``name = ...`` and every function it defines keeps its signature with the body
    ``return ...``. A check therefore reports *not attempted* when the answer is ``...``,
    when the student's function returns ``...``, or when every part of an answer made of
    parts (a list of shapes, a dict of kernels) is still ``...``. Code after an exercise
    must not use the answers (or must skip the ``...`` ones), so the student copy runs.

Output
    ``check()`` shows its result as coloured HTML in Jupyter and as one line of text
    elsewhere, and publishes it as JSON under :data:`MIMETYPE`, so that
    :func:`results_from_notebook` can summarise what an executed notebook shows. A
    student's code can display anything, so ``cvcourse grade`` never scores from outputs:
    under it (``CVCOURSE_GRADE_EXPORT`` set) ``check()`` exports the answers it is given
    (:mod:`~cvcourse.exercises.exports`) and a separate judge process checks them.
    Taught from notebook 00 on.
"""

from __future__ import annotations

import re
from pathlib import Path

from .answers import Answers, Check, join_problems
from .choices import Choice, Selection
from .functions import Case, Function
from .parsers import (
    as_array,
    as_number,
    as_pair,
    as_shape,
    as_whole_number,
    describe,
    is_placeholder,
    layers_of,
)
from .question import STUDENT_TIME_LIMIT, Question, TimeLimitExceeded, call_student, time_limit
from .results import (
    MIMETYPE,
    NOT_ATTEMPTED_MESSAGE,
    PLACEHOLDER,
    Incorrect,
    NotAttempted,
    Note,
    Result,
    Status,
    show,
)
from .values import Items, Value

__all__ = [
    "MIMETYPE",
    "NOT_ATTEMPTED_MESSAGE",
    "PLACEHOLDER",
    "STUDENT_TIME_LIMIT",
    "Answers",
    "Case",
    "Check",
    "Choice",
    "Function",
    "Incorrect",
    "Items",
    "Note",
    "NotAttempted",
    "Question",
    "Result",
    "Selection",
    "Status",
    "TimeLimitExceeded",
    "Value",
    "as_array",
    "as_number",
    "as_pair",
    "as_shape",
    "as_whole_number",
    "call_student",
    "describe",
    "is_placeholder",
    "join_problems",
    "layers_of",
    "results_from_notebook",
    "show",
    "time_limit",
]


# ---------------------------------------------------------------------------- grading


def _question_order(name: str):
    digits = re.findall(r"\d+", name)
    return (int(digits[0]) if digits else 0, name)


def results_from_notebook(nb, questions=None) -> dict[str, Result]:
    """The check results recorded in an executed notebook, by question (last one wins).

    ``nb`` is an nbformat notebook (or a dict, or a path to an .ipynb). With
    ``questions`` (e.g. ``ex01.QUESTIONS``), questions never checked are included as
    *not attempted* (names as in ``QUESTIONS`` will do) and records of other notebooks'
    questions are left out. Ordered q1,
    q2, ... A student's kernel can display any record, so this is a summary of what a
    notebook shows, not a grade: ``cvcourse grade`` judges exported answers itself.
    """
    from ..results import custom_outputs

    if isinstance(nb, (str, Path)):
        import nbformat

        nb = nbformat.read(str(nb), as_version=4)
    questions = list(questions or [])
    notebooks = {q.notebook for q in questions if not isinstance(q, str)}
    found: dict[str, Result] = {}
    for _, payload in custom_outputs(nb, MIMETYPE):
        try:
            result = Result.from_dict(payload)
        except (KeyError, ValueError, TypeError, AttributeError):
            continue  # a damaged record counts as no record
        if notebooks and result.notebook not in notebooks:
            continue  # another notebook's question
        found[result.question] = result
    for q in questions:
        if isinstance(q, str):  # a name from QUESTIONS
            found.setdefault(q, Result("", q, Status.NOT_ATTEMPTED, NOT_ATTEMPTED_MESSAGE))
        else:
            found.setdefault(q.name, q.not_attempted_result())
    return {name: found[name] for name in sorted(found, key=_question_order)}
