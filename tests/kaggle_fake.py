"""A stand-in for ``kagglehub.dataset_download`` that serves the class mirror's archives.

Like the real function (kagglehub 0.3-1.0, ``DatasetHttpResolver``), it returns a folder
holding the dataset's files as Kaggle's bundle unpacks them, under kagglehub's cache
layout ``datasets/<owner>/<slug>/versions/<n>``. For Sign Language MNIST it adds what
Kaggle's bundle holds besides the two CSVs (copies in subfolders, a PNG chart), which the
course does not read. Used by tests/test_kaggle.py, in-process and in a subprocess.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

ARCHIVES = {
    "gpreda/chinese-mnist": "chinese_mnist.zip",
    "datamunge/sign-language-mnist": "sign_mnist.zip",
}


def make_download(mirror: Path, root: Path, *, damage=None, calls: list | None = None):
    """A ``dataset_download(handle, path=None, *, force_download=False, ...)`` function.

    ``damage(folder)`` may change the served files; ``calls`` collects (handle, force).
    """

    def dataset_download(handle, path=None, *, force_download=False, output_dir=None):
        if calls is not None:
            calls.append((handle, force_download))
        if handle not in ARCHIVES:
            raise ValueError(f"no such dataset on the fake Kaggle: {handle}")
        folder = Path(root) / "datasets" / handle / "versions" / "1"
        if not (folder / ".complete").exists() or force_download:
            with zipfile.ZipFile(Path(mirror) / ARCHIVES[handle]) as zf:
                zf.extractall(folder)
            if handle == "datamunge/sign-language-mnist":
                for split in ("train", "test"):
                    extra = folder / f"sign_mnist_{split}" / f"sign_mnist_{split}.csv"
                    extra.parent.mkdir(exist_ok=True)
                    extra.write_bytes(b"label,pixel1\n")  # not what the course reads
                (folder / "amer_sign2.png").write_bytes(b"\x89PNG not read")
            if damage is not None:
                damage(folder)
            (folder / ".complete").write_text("")
        return str(folder)

    return dataset_download


def install(mirror: str, root: str) -> None:
    """Serve Kaggle from the mirror, and every other origin from the mirror's files.

    For a subprocess running ``cvcourse.tools.cli``: kagglehub's download is replaced,
    and each registry URL becomes the ``file://`` URL of the mirror's copy, so the
    origins, not ``CVCOURSE_MIRROR``, supply the data.
    """
    import dataclasses

    import kagglehub

    from cvcourse.datasets import registry

    kagglehub.dataset_download = make_download(Path(mirror), Path(root))
    for name, item in list(registry.FILES.items()):
        if item.urls:
            url = (Path(mirror) / name).resolve().as_uri()
            registry.FILES[name] = dataclasses.replace(item, urls=(url,))
