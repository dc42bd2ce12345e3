"""The ``cvcourse`` command: doctor, data, build, release, grade.

Errors that a user can fix (no data, a corrupt file, a bad setting) print their message
and exit with status 1, without a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .. import settings


def _project_dir() -> Path:
    """The checkout when run from one, else the current directory."""
    return settings.checkout_dir() or Path.cwd()


# ----------------------------------------------------------------------------- doctor


def cmd_doctor(args) -> int:
    from .doctor import report

    print(report())
    return 0


# ------------------------------------------------------------------------------- data


def cmd_data_list(args) -> int:
    from ..datasets import files as fetch_mod
    from ..datasets.registry import DATASETS, FILES

    print(f"Data directory: {settings.data_dir()}")
    print(f"Mirror:         {settings.mirror() or '(none)'}")
    print()
    for name, ds in DATASETS.items():
        print(f"{name}: {ds.title}  [{ds.licence}]")
        print(f"    loader: cvcourse.datasets.{ds.loader}()   origin: {ds.origin}")
        for file_name in ds.files:
            item = FILES[file_name]
            print(f"    {file_name:<66} {item.size / 2**20:7.1f} MB  {fetch_mod.status(file_name)}")
        if not ds.files:
            print("    (bundled with scikit-image: nothing to download)")
    return 0


def _selected(args) -> list[str]:
    from ..datasets.registry import DATASETS

    if args.all:
        return [n for n, d in DATASETS.items() if d.files]
    if not args.names:
        raise SystemExit("name one or more datasets, or --all; see `cvcourse data list`")
    unknown = [n for n in args.names if n not in DATASETS]
    if unknown:
        raise SystemExit(f"unknown dataset(s) {unknown}; known: {', '.join(DATASETS)}")
    return list(args.names)


def cmd_data_fetch(args) -> int:
    from ..datasets import fetch_dataset

    for name in _selected(args):
        print(f"{name}: fetching ...", flush=True)
        fetch_dataset(name, progress=not args.quiet, force=args.force)
        print(f"{name}: ok, verified")
    print(f"\nEverything is in {settings.data_dir()}")
    return 0


def cmd_data_verify(args) -> int:
    """Verify every cached file (and, with --mirror, the mirror's copies) by content hash."""
    from ..datasets import files as fetch_mod
    from ..datasets.errors import CorruptFileError
    from ..datasets.registry import FILES

    places = [("cache", settings.data_dir())]
    if args.mirror:
        mirror = settings.mirror()
        if not mirror or "://" in mirror:
            raise SystemExit("--mirror needs CVCOURSE_MIRROR set to a folder")
        places.append(("mirror", Path(mirror)))
    bad = 0
    for label, folder in places:
        print(f"{label}: {folder}")
        for name, item in FILES.items():
            path = folder / name
            if not path.is_file():
                print(f"  missing  {name}")
                continue
            try:
                fetch_mod.check(item, path)
                print(f"  ok       {name}")
            except CorruptFileError as err:
                bad += 1
                print(f"  CORRUPT  {name}: {err}")
    if bad:
        print(f"\n{bad} file(s) failed verification. Fetch them again with --force.")
    return 1 if bad else 0


# ------------------------------------------------------------------------------ build


def cmd_build(args) -> int:
    from .build import build, discover

    root = _project_dir()
    notebooks = discover(root / "notebooks", args.notebooks)
    if not notebooks:
        raise SystemExit(f"no notebooks found in {root / 'notebooks'}")
    ok, _ = build(
        notebooks,
        profile=args.profile or settings.profile(),
        out_dir=Path(args.output) if args.output else root / "build",
        inplace=args.inplace,
        timeout=args.timeout,
        progress=not args.quiet,
    )
    return 0 if ok else 1


def cmd_record(args) -> int:
    import json

    from .build import discover, recorded_results
    from .readme import update_readme

    root = _project_dir()
    try:
        payload = recorded_results(discover(root / "notebooks"))
    except ValueError as err:
        print(f"cvcourse: {err}", file=sys.stderr)
        return 1
    target = root / "notebooks" / "results.json"
    text = json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
    if args.check:
        stale = not target.is_file() or target.read_text(encoding="utf-8") != text
        stale = update_readme(root / "README.md", target, check=True) or stale
        print("results.json and README are out of date" if stale else "results are up to date")
        return 1 if stale else 0
    tmp = target.with_name(".results.json.part")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(target)
    update_readme(root / "README.md", target)
    print(f"wrote {target.relative_to(root)} and the README's results section")
    return 0


# ---------------------------------------------------------------------------- release


def cmd_release(args) -> int:
    from .release import release

    root = _project_dir()
    stale = release(root / "notebooks", root / "notebooks" / "student", check=args.check)
    if args.check:
        if stale:
            print("Student copies out of date (run `cvcourse release`):")
            print("\n".join(f"  {p}" for p in stale))
            return 1
        print("Student copies are up to date.")
        return 0
    print("\n".join(f"wrote {p}" for p in stale) or "nothing to write")
    return 0


# ------------------------------------------------------------------------------- tidy


def cmd_tidy(args) -> int:
    from .tidy import tidy_all

    root = _project_dir()
    changed = tidy_all(root, check=args.check)
    if args.check:
        if changed:
            print("Not tidy (run `cvcourse tidy`):")
            print("\n".join(f"  {p.relative_to(root)}" for p in changed))
            return 1
        print("All notebooks are tidy.")
        return 0
    print("\n".join(f"tidied {p.relative_to(root)}" for p in changed) or "all notebooks were tidy")
    return 0


# ------------------------------------------------------------------------------ grade


def cmd_grade(args) -> int:
    from .grade import grade

    submissions = Path(args.submissions)
    out_dir = Path(args.output) if args.output else Path.cwd() / "grades"
    subs = grade(
        submissions,
        out_dir,
        profile=args.profile or settings.profile(),
        timeout=args.timeout,
        notebooks_dir=_project_dir() / "notebooks",
    )
    print(f"\nGraded {len(subs)} submission(s): {out_dir / 'grades.csv'}, {out_dir / 'grades.md'}")
    return 0


# ------------------------------------------------------------------------------ main


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cvcourse", description="Run, check and teach the cvcourse notebooks."
    )
    sub = parser.add_subparsers(dest="command", required=True)

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

    p = sub.add_parser("build", help="execute the notebooks in order and tabulate results")
    p.add_argument(
        "notebooks", nargs="*", metavar="NOTEBOOK", help="e.g. 02 or 02_dense_vs_convnet_mnist"
    )
    p.add_argument("--profile", choices=settings.PROFILES, help="default: CVCOURSE_PROFILE or full")
    p.add_argument("--output", help="output folder (default: build/ of the checkout)")
    p.add_argument(
        "--inplace",
        action="store_true",
        help="also store the executed notebooks over their sources",
    )
    p.add_argument("--timeout", type=int, default=1800, help="seconds allowed per cell")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser(
        "record", help="notebooks/results.json and the README table from the stored notebooks"
    )
    p.add_argument("--check", action="store_true", help="fail if they are out of date")
    p.set_defaults(func=cmd_record)

    p = sub.add_parser("tidy", help="Colab link and cell, normalised metadata, in every notebook")
    p.add_argument("--check", action="store_true", help="fail if a notebook is not tidy")
    p.set_defaults(func=cmd_tidy)

    p = sub.add_parser("release", help="write the student copies (solutions removed)")
    p.add_argument("--check", action="store_true", help="fail if a student copy is out of date")
    p.set_defaults(func=cmd_release)

    p = sub.add_parser("grade", help="execute submitted student notebooks and tabulate the checks")
    p.add_argument("submissions", metavar="SUBMISSIONS_DIR", help="folder of submitted files")
    p.add_argument(
        "--output", help="where grades.csv, grades.md and executed/ go (default: ./grades)"
    )
    p.add_argument("--profile", choices=settings.PROFILES, help="default: CVCOURSE_PROFILE or full")
    p.add_argument(
        "--timeout", type=int, default=1800, help="seconds allowed per notebook (default 1800)"
    )
    p.set_defaults(func=cmd_grade)
    return parser


def main(argv: list[str] | None = None) -> int:
    from ..datasets.errors import DataError

    args = make_parser().parse_args(argv)
    try:
        return args.func(args)
    except (DataError, settings.SettingsError, FileNotFoundError) as err:
        print(f"cvcourse: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("cvcourse: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
