"""The solution texts that ``ex.qN.solution()`` shows, generated from the solution notebooks.

``cvcourse release`` writes ``cvcourse/exercises/solutions.json`` (package data, so
``solution()`` works where the package is installed without the notebooks, as in Colab)::

    {"ex01": {"q1": "<the code of q1's solution block(s)>", "q2": "..."}, ...}

keyed by the exercise module a notebook imports (``from cvcourse.exercises import ex01 as
ex``) and the question it checks (``ex.q1.check(...)``). A question's text is the code of
its solution block(s), dedented, without the ``# BEGIN SOLUTION`` / ``# END SOLUTION``
lines and without ``# STUDENT:`` lines; several blocks are joined by a blank line, in
notebook order. ``cvcourse release --check`` fails when the file is out of date.

Which question a solution block belongs to (the one rule, :func:`attribute_blocks`)
    A block belongs to the question whose ``.check(`` call is in the same cell; a cell with
    blocks and no check call gives them to the first question checked in a later cell. A
    block is an error (:class:`~cvcourse.tools.markers.ReleaseError`, naming the notebook
    and the cell) when its cell checks two different questions, or when no check follows it.
"""

from __future__ import annotations

import json

from .markers import Block, ReleaseError, check_calls, exercise_aliases, has_solution, split_blocks


def attribute_blocks(nb, *, label: str = "notebook") -> list[tuple[str, str, int, Block]]:
    """Every solution block of a notebook with the question it belongs to (see module doc).

    Takes an nbformat notebook and ``label`` (its file name, for messages); returns
    ``[(module, question, cell_index, block), ...]`` in notebook order, e.g.
    ``("ex01", "q1", 52, Block(...))``. Raises ``ReleaseError`` for a block that cannot be
    attributed (or malformed markers).
    """
    aliases = exercise_aliases(nb)
    calls = [
        check_calls(cell.source, aliases) if cell.cell_type == "code" else [] for cell in nb.cells
    ]
    found: list[tuple[str, str, int, Block]] = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or not has_solution(cell.source):
            continue
        where = f"{label}, cell {index}"
        blocks = [p for p in split_blocks(cell.source, where=where) if isinstance(p, Block)]
        here = list(dict.fromkeys(calls[index]))  # distinct, in order
        if len(here) > 1:
            names = " and ".join(f"{module}.{q}" for module, q in here)
            raise ReleaseError(
                f"{where}: its solution block cannot be attributed: the cell checks {names}. "
                "Give each question its own cell (its solution block and its check)."
            )
        later = next((c[0] for c in calls[index:] if c), None)
        if later is None:
            raise ReleaseError(
                f"{where}: its solution block cannot be attributed: no ex.qN.check(...) call "
                "follows it (in this cell or a later one). Check the question after its solution, "
                "with the exercise module imported as `from cvcourse.exercises import exNN as ex`."
            )
        module, question = later
        found.extend((module, question, index, block) for block in blocks)
    return found


def solution_texts(nb, *, label: str = "notebook") -> dict[str, dict[str, str]]:
    """``{module: {question: solution code}}`` for one notebook (see the module docstring)."""
    texts: dict[str, dict[str, list[str]]] = {}
    for module, question, _, block in attribute_blocks(nb, label=label):
        texts.setdefault(module, {}).setdefault(question, []).append(block.solution_code())
    return {m: {q: "\n\n".join(codes) for q, codes in qs.items()} for m, qs in texts.items()}


def solutions_json(notebooks: list[tuple[str, object]]) -> str:
    """The text of ``solutions.json`` for ``[(file name, nbformat notebook), ...]``.

    Sorted keys, indent 1, a trailing newline; the same notebooks always give the same
    bytes. Raises ``ReleaseError`` as :func:`attribute_blocks` does.
    """
    merged: dict[str, dict[str, str]] = {}
    for label, nb in notebooks:
        for module, questions in solution_texts(nb, label=label).items():
            for question, text in questions.items():
                known = merged.setdefault(module, {})
                known[question] = f"{known[question]}\n\n{text}" if question in known else text
    return json.dumps(merged, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
