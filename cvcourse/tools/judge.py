"""The judge: a clean Python process that scores a submission's exported answers with the course's checks.

``cvcourse grade`` runs ``python -I -m cvcourse.tools.judge EXPORTS NOTEBOOK RESULTS`` after
the submission's kernel has finished. This process imports only the course's own
``cvcourse.exercises`` modules (``-I``: no current folder, no ``PYTHONPATH``, no user site;
the submission's folder is never on its path), reads the answers that the kernel's checks
exported (:mod:`cvcourse.exercises.exports`: ``.npy``, JSON, ``.keras`` in safe mode) for
the questions of **the notebook the submission was identified as** (``NOTEBOOK``; exports
of other notebooks' questions are ignored), and calls the real ``Question.evaluate`` on
them. A student's function is never unpickled here: it becomes a
:class:`~cvcourse.tools.callee.Remote`, called in a sandboxed child. Each verdict is
appended to ``RESULTS`` (JSON lines, flushed), so a judge that is stopped keeps the
verdicts it reached. A question with no export is written as ``"absent"``; the grader
tells *not attempted* from *error* with the executed notebook.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ABSENT = "absent"


def question_list(notebook: str) -> list:
    """The Question objects of a notebook, whether ``QUESTIONS`` lists names or objects."""
    from ..exercises import questions

    return questions(notebook)


def judge_one(question, folder: Path, hide=()) -> dict:
    """The verdict on one question's export folder, as a JSON-able record."""
    from ..exercises import exports
    from ..exercises.results import Status
    from .callee import Remote

    record = {
        "question": question.name,
        "title": question.title,
        "points": float(getattr(question, "points", 1)),
    }
    if not (folder / "answer.json").is_file():
        return {**record, "status": ABSENT, "message": ""}
    remotes: list[Remote] = []

    def make_function(path, name):
        remote = Remote(path, name, hide=hide)
        remotes.append(remote)
        return remote

    try:
        args, kwargs = exports.read_answer(folder, make_function)
        unreadable = [a for a in [*args, *kwargs.values()] if isinstance(a, exports.Unreadable)]
        if unreadable:
            status, message = (
                Status.INCORRECT.value,
                (
                    f"your answer could not be recorded for grading: {unreadable[0].reason}. "
                    "Pass the forms the exercise asks for (numbers, arrays, lists, a Keras model, "
                    "a function)."
                ),
            )
        else:
            result = question.evaluate(*args, **kwargs)
            status, message = result.status.value, result.message
    except Exception as err:  # noqa: BLE001 - a damaged export is the student's answer
        status = Status.INCORRECT.value
        message = f"the recorded answer could not be read ({type(err).__name__})."
    finally:
        for remote in remotes:
            remote.close()
    return {**record, "status": status, "message": message}


def main(argv: list[str]) -> int:
    """``EXPORTS NOTEBOOK RESULTS [HIDE...]``: judge every question of NOTEBOOK."""
    exports_dir, notebook, results = Path(argv[0]), argv[1], Path(argv[2])
    hide = [Path(p) for p in argv[3:]]
    questions = question_list(notebook)
    with results.open("a", encoding="utf-8") as out:
        for question in questions:
            folder = exports_dir / str(question.notebook) / str(question.name)
            out.write(json.dumps(judge_one(question, folder, hide)) + "\n")
            out.flush()
    return 0


def read_results(path: Path) -> dict[str, dict]:
    """The verdicts a judge wrote (question -> record); a damaged line is skipped."""
    found: dict[str, dict] = {}
    if not Path(path).is_file():
        return found
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
            found[str(record["question"])] = record
        except (ValueError, KeyError, TypeError):
            continue
    return found


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
