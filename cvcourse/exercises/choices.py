"""Kinds of check for choices: one of N options, or a set chosen from N options.

:class:`Choice` is right when the answer is the one right option (a class, a layer's
name); :class:`Selection` when a set of options holds every option it must and none it
must not (the rest may go either way). Each wrong pick is explained with the reason the
module gives for that option. Parts of an
:class:`~cvcourse.exercises.answers.Answers` question. Taught from notebook 03 on.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .answers import Check, join_problems
from .parsers import describe


class Choice(Check):
    """One of N options, right when it is ``answer``.

    Settings: ``options`` and ``answer`` (values, or functions of the check's arguments),
    ``parse`` (turns the student's answer into an option, or None: e.g. "1000" -> 1000)
    and ``why`` (option -> why it is not the right one). Hooks: :meth:`not_an_option`
    and :meth:`wrong`.
    """

    options: Any = ()
    answer: Any = None
    parse: Callable | None = None
    why: Mapping = {}

    def not_an_option(self, value, options, name: str) -> str:
        shown = ", ".join(str(o) for o in options)
        return f"{name} should be one of {shown}, not {describe(value)}"

    def wrong(self, option, name: str, answers: Mapping) -> str:
        return self.why.get(option) or f"{name}: {option!r} is not the right choice"

    def judge(self, value, name: str, answers: Mapping) -> str | None:
        options = list(self.resolve(self.options, answers))
        try:
            option = self.parse(value) if self.parse is not None else value
        except (TypeError, ValueError):
            option = None
        try:
            known = option is not None and option in options
        except TypeError:  # an unhashable or odd answer
            known = False
        if not known:
            return self.not_an_option(value, options, name)
        if option == self.resolve(self.answer, answers):
            return None
        return self.wrong(option, name, answers)


class Selection(Check):
    """A set of options, right when it has every one of ``must`` and none of ``must_not``.

    Settings: ``options`` (the names a student may use), ``must`` and ``must_not``
    (option -> why), ``text_ok`` (also take "B, C, E" as text), ``normalise`` (e.g.
    ``str.upper``), ``example`` (a set to show in messages), ``option_words`` ("names",
    "setups"), ``chosen_wrongly`` and ``missed`` (message templates with ``{name}``,
    ``{option}`` and ``{why}``).
    """

    options: Any = ()
    must: Mapping = {}
    must_not: Mapping = {}
    text_ok: bool = False
    normalise: Callable | None = None
    example: str = "{'a', 'b'}"
    option_words: str = "options"
    chosen_wrongly: str = "{name} has {option}, but {why}"
    missed: str = "{name} leaves out {option}, which helps: {why}"

    def judge(self, value, name: str, answers: Mapping) -> str | None:
        if self.text_ok and isinstance(value, str):
            value = value.replace(",", " ").split()
        if isinstance(value, str) or not isinstance(value, (set, frozenset, list, tuple)):
            return (
                f"{name} should be a set of {self.option_words} such as {self.example}, "
                f"but it is {describe(value)}."
            )
        options = list(self.options)
        chosen, unknown = set(), []
        for item in value:
            key = item
            if self.normalise is not None and isinstance(item, str):
                key = self.normalise(item)
            if not isinstance(key, str) or key not in options:
                unknown.append(item)
            else:
                chosen.add(key)
        if unknown:
            items = ", ".join(repr(u) if not isinstance(u, str) else u for u in unknown)
            return (
                f"{items} in {name}: the {self.option_words} are "
                f"{', '.join(str(o) for o in options)}."
            )
        problems = [
            self.chosen_wrongly.format(name=name, option=option, why=why)
            for option, why in self.must_not.items()
            if option in chosen
        ]
        problems += [
            self.missed.format(name=name, option=option, why=why)
            for option, why in self.must.items()
            if option not in chosen
        ]
        return join_problems(problems) if problems else None
