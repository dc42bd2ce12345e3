"""The ``cvcourse`` command: doctor, data, build, record, tidy, release, grade.

Before any command, the ``CVCOURSE_*`` settings are checked (``settings.validate()``): a
wrong one prints its message and exits with status 2. ``build``, ``record``, ``tidy``,
``release`` and ``grade`` work on a course folder, the one they run in (or its nearest
parent) or ``--course DIR`` (:mod:`cvcourse.tools.course`), and first print which; a
folder that is not a course exits with status 2. ``doctor`` and ``data`` work on the data
folder and the mirror, and print those. Other errors that a user can fix (no data, a
corrupt file, malformed solution markers) print their message and exit with status 1,
without a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .. import settings
from .course import NotACourseError, find_course
from .data_commands import cmd_data_fetch, cmd_data_list, cmd_data_verify


def cmd_doctor(args) -> int:
    """Print the doctor's report (versions, device, settings, data); 0."""
    from .doctor import report

    print(report())
    return 0


def cmd_build(args) -> int:
    """Execute the course's notebooks into ``--output`` (default: the course's build/)."""
    from .build import build, discover

    notebooks = discover(args.course_dir / "notebooks", args.notebooks)
    ok, _ = build(
        notebooks,
        profile=args.profile or settings.profile(),
        out_dir=Path(args.output) if args.output else args.course_dir / "build",
        inplace=args.inplace,
        timeout=args.timeout,
        progress=not args.quiet,
    )
    return 0 if ok else 1


def cmd_record(args) -> int:
    """Write (``--check``: compare) notebooks/results.json and the README's tables."""
    from .build import discover
    from .record import record

    root = args.course_dir
    try:
        changed = record(root, discover(root / "notebooks"), check=args.check)
    except ValueError as err:  # no notebook records a run; the README lacks its sections
        print(f"cvcourse: {err}", file=sys.stderr)
        return 1
    if args.check:
        print("results.json and README are out of date" if changed else "results are up to date")
        return 1 if changed else 0
    print("wrote notebooks/results.json and the README's tables" if changed else "up to date")
    return 0


def _relative(paths: list[Path], root: Path) -> list[str]:
    return [p.resolve().relative_to(root).as_posix() for p in paths]


def cmd_release(args) -> int:
    """Write (``--check``: compare) the student copies and cvcourse/exercises/solutions.json."""
    from .release import release

    root = args.course_dir
    stale = release(
        root / "notebooks",
        root / "notebooks" / "student",
        solutions_file=root / "cvcourse" / "exercises" / "solutions.json",
        check=args.check,
    )
    if args.check:
        if stale:
            print("Out of date (run `cvcourse release`):")
            print("\n".join(f"  {p}" for p in _relative(stale, root)))
            return 1
        print("Student copies and solutions.json are up to date.")
        return 0
    print("\n".join(f"wrote {p}" for p in _relative(stale, root)) or "nothing to write")
    return 0


def cmd_tidy(args) -> int:
    """Tidy (``--check``: only compare) every notebook and student copy."""
    from .tidy import tidy_all

    root = args.course_dir
    changed = _relative(tidy_all(root, check=args.check), root)
    if args.check:
        if changed:
            print("Not tidy (run `cvcourse tidy`):")
            print("\n".join(f"  {p}" for p in changed))
            return 1
        print("All notebooks are tidy.")
        return 0
    print("\n".join(f"tidied {p}" for p in changed) or "all notebooks were tidy")
    return 0


def cmd_grade(args) -> int:
    """Grade a folder of submissions into ``--output`` (default: ./grades)."""
    from .grade import grade

    out_dir = Path(args.output) if args.output else Path.cwd() / "grades"
    subs = grade(
        Path(args.submissions),
        out_dir,
        profile=args.profile or settings.profile(),
        timeout=args.timeout,
        notebooks_dir=args.course_dir / "notebooks",
        jobs=args.jobs,
    )
    print(f"\nGraded {len(subs)} submission(s): {out_dir / 'grades.csv'}, {out_dir / 'grades.md'}")
    return 0


def make_parser() -> argparse.ArgumentParser:
    """The argument parser; each command's ``func`` takes the parsed arguments, returns 0/1."""
    parser = argparse.ArgumentParser(
        prog="cvcourse", description="Run, check and teach the cvcourse notebooks."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    on_course = argparse.ArgumentParser(add_help=False)
    on_course.add_argument(
        "--course",
        metavar="DIR",
        help="the course folder (default: the current folder or its nearest parent that is one)",
    )
    profile_help = "default: CVCOURSE_PROFILE or full"

    p = sub.add_parser("doctor", help="versions, device, settings and data status")
    p.set_defaults(func=cmd_doctor)

    data = sub.add_parser("data", help="list, fetch and verify the course's datasets")
    dsub = data.add_subparsers(dest="data_command", required=True)
    p = dsub.add_parser("list", help="every dataset and file, with its status")
    p.set_defaults(func=cmd_data_list)
    p = dsub.add_parser("fetch", help="fetch and verify datasets (cache, mirror, origin)")
    p.add_argument("names", nargs="*", metavar="NAME", help="dataset names (see `data list`)")
    p.add_argument("--all", action="store_true", help="every dataset")
    p.add_argument("--force", action="store_true", help="discard cached copies and fetch again")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.set_defaults(func=cmd_data_fetch)
    p = dsub.add_parser("verify", help="check every cached file's content hash")
    p.add_argument("--mirror", action="store_true", help="also verify the mirror's copies")
    p.set_defaults(func=cmd_data_verify)

    p = sub.add_parser(
        "build", parents=[on_course], help="execute the notebooks in order and tabulate results"
    )
    p.add_argument(
        "notebooks", nargs="*", metavar="NOTEBOOK", help="e.g. 02 or 02_dense_vs_convnet_mnist"
    )
    p.add_argument("--profile", choices=settings.PROFILES, help=profile_help)
    p.add_argument("--output", help="output folder (default: build/ of the course folder)")
    p.add_argument(
        "--inplace",
        action="store_true",
        help="also store the executed notebooks over their sources",
    )
    p.add_argument("--timeout", type=int, default=1800, help="seconds allowed per cell")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser(
        "record",
        parents=[on_course],
        help="notebooks/results.json and the README table from the stored notebooks",
    )
    p.add_argument("--check", action="store_true", help="fail if they are out of date")
    p.set_defaults(func=cmd_record)

    p = sub.add_parser(
        "tidy", parents=[on_course], help="Colab link and cell, normalised metadata, everywhere"
    )
    p.add_argument("--check", action="store_true", help="fail if a notebook is not tidy")
    p.set_defaults(func=cmd_tidy)

    p = sub.add_parser(
        "release", parents=[on_course], help="write the student copies and the solution texts"
    )
    p.add_argument("--check", action="store_true", help="fail if either is out of date")
    p.set_defaults(func=cmd_release)

    p = sub.add_parser(
        "grade", parents=[on_course], help="execute submitted notebooks and tabulate the checks"
    )
    p.add_argument("submissions", metavar="SUBMISSIONS_DIR", help="folder of submitted files")
    p.add_argument(
        "--output", help="where grades.csv, grades.md and executed/ go (default: ./grades)"
    )
    p.add_argument("--profile", choices=settings.PROFILES, help=profile_help)
    p.add_argument(
        "--timeout", type=int, default=1800, help="seconds allowed per notebook (default 1800)"
    )
    p.add_argument("--jobs", type=int, default=1, help="submissions graded at once (default 1)")
    p.set_defaults(func=cmd_grade)
    return parser


def validate_settings() -> None:
    """Check every ``CVCOURSE_*`` setting; raises ``settings.SettingsError`` for a wrong one.

    Uses ``settings.validate()``; where the settings module has none yet, reading every
    setting (``settings.describe()``) raises the same errors.
    """
    validate = getattr(settings, "validate", None)
    if validate is None:
        settings.describe()
    else:
        validate()


def main(argv: list[str] | None = None) -> int:
    """Run the command in ``argv`` (default: ``sys.argv[1:]``); returns the exit status.

    0: done; 1: the command failed (a notebook, a stale file, missing data); 2: a wrong
    setting, not a course folder, or bad arguments; 130: interrupted.
    """
    from ..datasets.errors import DataError
    from .markers import ReleaseError

    args = make_parser().parse_args(argv)
    try:
        validate_settings()
        if hasattr(args, "course"):
            args.course_dir = find_course(args.course)
            print(f"Course folder: {args.course_dir}", flush=True)
    except (settings.SettingsError, NotACourseError) as err:
        print(f"cvcourse: {err}", file=sys.stderr)
        return 2
    try:
        return args.func(args)
    except (DataError, ReleaseError, FileNotFoundError) as err:
        print(f"cvcourse: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("cvcourse: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
