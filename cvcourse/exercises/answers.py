"""Declaring a question: named answers, each judged by a kind of check.

An exercise module declares its questions instead of writing checkers::

    q2 = core.Answers(
        notebook="02", name="q2", title="...", usage="ex.q2.check(conv3_shape, flatten_length)",
        parts={"conv3_shape": Conv3Shape(), "flatten_length": core.Value(expected=1024)},
        correct="conv3 gives ...",
    )

``ex.q2.check(a, b)`` binds its arguments to the names of ``context`` (arguments that
are not answers, such as the model a question is about) and then ``parts``, in order.
Each part is a :class:`Check`: :class:`~cvcourse.exercises.values.Value`,
:class:`~cvcourse.exercises.values.Items`, :class:`~cvcourse.exercises.functions.Function`,
:class:`~cvcourse.exercises.choices.Choice` or
:class:`~cvcourse.exercises.choices.Selection`, or a subclass with its own messages.

The outcome: *not attempted* when every answer (or any context argument) is still ``...``;
*incorrect* when a part finds a problem (all problems are listed, joined by " | ", and an
answer still ``...`` is one: "flatten_length is still ..."); else *correct*, with the
``correct`` message. Taught from notebook 00 on (every exercise).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping

from .question import Question, apply_settings
from .results import PLACEHOLDER, Incorrect, NotAttempted


def join_problems(problems: list[str]) -> str:
    """Problems as one message: "a | b | c." (one problem keeps its own end)."""
    texts = [p.strip() for p in problems if p and p.strip()]
    if len(texts) == 1:
        return texts[0] if texts[0].endswith((".", "?", "!")) else texts[0] + "."
    cut = [t[:-1] if t.endswith(".") and not t.endswith("...") else t for t in texts]
    return " | ".join(cut) + ("" if cut and cut[-1].endswith("...") else ".")


class Check:
    """One kind of check of one answer; settings are keyword arguments, hooks are methods.

    :meth:`judge` takes the answer, its name (for messages) and every argument of the
    check by name; it returns None when the answer is right and otherwise a problem in a
    student's words (or raises Incorrect / NotAttempted).
    """

    def __init__(self, **settings):
        apply_settings(self, settings)

    def judge(self, value, name: str, answers: Mapping) -> str | None:  # pragma: no cover
        raise NotImplementedError

    @staticmethod
    def resolve(setting, answers: Mapping):
        """A setting that may be given as a function of the check's arguments."""
        return setting(answers) if callable(setting) else setting


class Answers(Question):
    """A question made of named answers, each judged by a :class:`Check` (see module doc).

    Settings besides :class:`Question`'s: ``context`` (names of the arguments that are
    not answers), ``parts`` (answer name -> Check, in the order ``check`` takes them),
    ``partial`` ("incorrect": some answers still ``...`` is incorrect, the default;
    "not attempted": it is not attempted) and ``correct`` (the message, or a function
    taking the arguments by name and returning it).
    """

    context: tuple[str, ...] = ()
    parts: Mapping[str, Check] = {}
    partial: str = "incorrect"
    correct: str | Callable[..., str] | None = None

    def signature(self) -> inspect.Signature:
        kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
        names = (*self.context, *self.parts)
        return inspect.Signature([inspect.Parameter(n, kind) for n in names])

    def answer_names(self) -> tuple[str, ...]:
        return tuple(self.parts)

    def judge(self, arguments: dict) -> str | None:
        if any(arguments[name] is PLACEHOLDER for name in self.context):
            raise NotAttempted()  # the question builds on an earlier answer
        missing = [name for name in self.parts if arguments[name] is PLACEHOLDER]
        if missing and self.partial == "not attempted":
            raise NotAttempted()
        problems = []
        for name, check in self.parts.items():
            if name in missing:
                problems.append(f"{name} is still ...")
                continue
            try:
                problem = check.judge(arguments[name], name, arguments)
            except NotAttempted:  # e.g. a list whose items are all ..., a function returning ...
                missing.append(name)
                problem = f"{name} is still ..."
            except Incorrect as err:
                problem = str(err)
            if problem:
                problems.append(problem)
        if len(missing) == len(self.parts):
            raise NotAttempted()
        if problems:
            raise Incorrect(join_problems(problems))
        correct = self.correct
        return correct(**arguments) if callable(correct) else correct
