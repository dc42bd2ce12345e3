"""Which cells of a solution notebook a student copy shows without their outputs.

A student copy keeps the stored outputs of the full run (figures, tables, printed results)
wherever the student's own answers cannot change them, so the copy reads like the lesson it
is; :mod:`cvcourse.tools.release` clears the outputs of the cells :func:`cleared_cells`
names: every code cell of the ``## Exercises`` section (the student's own work, including a
cell that shows the truth after a *predict* exercise), and every cell that depends on an
answer: one that holds a solution block, reads a name that a solution block binds
(``rps_model``, ``to_gray_dot``), or reads a name bound by a cell that depends on one
(``rps_test_accuracy = rps_model.evaluate(...)``), in notebook order.
"""

from __future__ import annotations

import ast

from .markers import Block, has_solution, python_only, split_blocks


def _parse(source: str) -> ast.AST | None:
    try:
        return ast.parse(python_only(source))
    except SyntaxError:
        return None


def bound_names(tree: ast.AST) -> set[str]:
    """Names a piece of code binds at its top level: assignments, imports, functions, classes."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return names


def read_names(tree: ast.AST) -> set[str]:
    """Names a piece of code reads (anywhere, function bodies included)."""
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def answer_dependent_cells(nb) -> set[int]:
    """Indexes of the code cells of ``nb`` whose outputs depend on an exercise's answer.

    Takes a solution notebook (nbformat v4); returns a set of cell indexes. A cell that
    cannot be parsed (rare IPython syntax) counts as dependent when it reads any answer name
    as text, so nothing that might show a solution's result is kept.
    """
    dependent_names: set[str] = set()
    cells: set[int] = set()
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        if has_solution(cell.source):
            cells.add(index)
            for part in split_blocks(cell.source, where=f"cell {index}"):
                if isinstance(part, Block):
                    tree = _parse(part.solution_code())
                    if tree is not None:
                        dependent_names |= bound_names(tree)
            continue
        tree = _parse(cell.source)
        if tree is None:
            if any(name in cell.source for name in dependent_names):
                cells.add(index)
            continue
        if _reads_before_binding(tree) & dependent_names:
            cells.add(index)
            dependent_names |= bound_names(tree)
        else:
            dependent_names -= bound_names(tree)  # rebound from scratch: no longer an answer
    return cells


def _reads_before_binding(tree: ast.Module) -> set[str]:
    """Names a cell reads that it has not bound itself in an earlier statement."""
    bound: set[str] = set()
    free: set[str] = set()
    for statement in tree.body:
        free |= read_names(statement) - bound
        bound |= bound_names(statement)
    return free


def exercise_section_cells(nb) -> set[int]:
    """Indexes of the code cells between a ``## Exercises`` heading and the next ``## `` one."""
    inside, cells = False, set()
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            headings = [ln.strip() for ln in cell.source.splitlines() if ln.startswith("## ")]
            if headings:
                inside = headings[-1].startswith("## Exercises")
        elif cell.cell_type == "code" and inside:
            cells.add(index)
    return cells


def cleared_cells(nb) -> set[int]:
    """Indexes of the code cells whose outputs a student copy leaves out (see above)."""
    return answer_dependent_cells(nb) | exercise_section_cells(nb)
