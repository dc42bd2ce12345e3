"""``cvcourse data list|fetch|verify``: the course's datasets in the cache and the mirror.

These commands work on the data folder (``settings.data_dir()``, ``CVCOURSE_MIRROR``),
not on a course folder, and print which one.
"""

from __future__ import annotations

from pathlib import Path

from .. import settings


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
