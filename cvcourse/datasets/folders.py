"""Datasets from class folders: ``folder/<class name>/<image files>`` to a batched ``tf.data``.

:func:`image_dataset` is the one call notebooks 04-08 use to read the cats-vs-dogs
folders (``load_cats_vs_dogs()`` gives their paths), and the one a student uses for their
own photos (notebook 09). It checks that every file decodes, names the files that Keras
would skip without a word (``.tif``, ``.webp``, ``.heic``...), reads the folder with
``keras.utils.image_dataset_from_directory``, keeps the decoded and resized images in
memory, and prefetches batches while the model trains on the current one. Transparent
images are composited over white, as :func:`cvcourse.images.read_rgb` does. Taught in
notebook 04.
"""

from __future__ import annotations

import warnings
from pathlib import Path

_CHECKED: set[tuple[str, int, float]] = set()

KERAS_SUFFIXES = (".bmp", ".gif", ".jpeg", ".jpg", ".png")  # what Keras' reader lists
OTHER_IMAGE_SUFFIXES = (  # images that Keras' reader skips without a word
    ".tif", ".tiff", ".webp", ".heic", ".heif", ".avif", ".jp2", ".jxl", ".ico", ".psd",
    ".dng", ".cr2", ".nef", ".arw", ".svg",
)  # fmt: skip
COLOR_MODES = {"rgb": 3, "grayscale": 1, "rgba": 4}
SUBSETS = ("training", "validation", "both")


class UnsupportedImageWarning(UserWarning):
    """Image files in a class folder that Keras' folder reader does not read."""


def _folder_key(folder: Path) -> tuple[str, int, float]:
    """What identifies a folder's state: its path, file count and newest change time."""
    files = [p for p in folder.rglob("*") if p.is_file()]
    newest = max((p.stat().st_mtime for p in files), default=0.0)
    return (str(folder.resolve()), len(files), newest)


def check_folder_once(folder) -> None:
    """:func:`cvcourse.images.check_image_folder` on ``folder``, skipped when done already.

    The check decodes every image (a few seconds per thousand), so it runs once per
    folder and Python session; changing, adding or removing a file makes it run again.
    """
    from .. import images

    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(
            f"{folder} is not a folder. Pass a folder with one subfolder of images per "
            "class, such as load_cats_vs_dogs().train_dir."
        )
    key = _folder_key(folder)
    if key not in _CHECKED:
        images.check_image_folder(folder)
        _CHECKED.add(key)


def class_folders(folder: Path) -> list[str]:
    """The class names: the non-hidden subfolders of ``folder``, sorted (as Keras lists them)."""
    return sorted(p.name for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))


def unsupported_files(folder) -> list[Path]:
    """Image files under ``folder``'s class subfolders that Keras' reader would skip; sorted."""
    folder = Path(folder)
    return sorted(
        p
        for name in class_folders(folder)
        for p in (folder / name).rglob("*")
        if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in OTHER_IMAGE_SUFFIXES
    )


def _warn_unsupported(folder: Path) -> list[str]:
    skipped = [str(p) for p in unsupported_files(folder)]
    if skipped:
        listing = "\n".join(f"  - {p}" for p in skipped[:20])
        more = f"\n  ... and {len(skipped) - 20} more" if len(skipped) > 20 else ""
        warnings.warn(
            f"{len(skipped)} image file(s) under {folder} are left out: Keras reads only "
            f"{', '.join(KERAS_SUFFIXES)}.\n{listing}{more}\nConvert them to PNG or JPEG, e.g. "
            "with Pillow: Image.open(path).save(path.with_suffix('.png')) (for .heic, "
            "`pip install pillow-heif` first), and delete the originals.",
            UnsupportedImageWarning,
            stacklevel=3,
        )
    return skipped


def has_alpha(path) -> bool:
    """True when an image file carries transparency (reads the header only, not the pixels)."""
    from PIL import Image

    if Path(path).suffix.lower() not in (".png", ".gif", ".bmp"):
        return False  # JPEG has no alpha channel
    with Image.open(path) as img:
        return img.mode in ("RGBA", "LA", "PA") or "transparency" in img.info


def _decode_paths(paths, labels, *, image_size, color_mode: str, shuffle: bool, seed):
    """A dataset of (float32 image, label) read from ``paths`` with transparency handled.

    Each file is decoded with its own channels; gray becomes RGB, an alpha channel is kept
    (``rgba``) or composited over white at full size before resizing (``rgb``,
    ``grayscale``), as ``images.read_rgb`` / ``read_gray`` then ``images.resize`` do.
    """
    import tensorflow as tf

    def load(path, label):
        img = tf.io.decode_image(tf.io.read_file(path), expand_animations=False)
        img = tf.ensure_shape(img, [None, None, None])
        channels = tf.shape(img)[-1]
        rgb = tf.cond(
            channels < 3, lambda: tf.image.grayscale_to_rgb(img[..., :1]), lambda: img[..., :3]
        )
        opaque = tf.fill(tf.concat([tf.shape(img)[:2], [1]], 0), tf.constant(255, tf.uint8))
        alpha = tf.cond(tf.equal(channels % 2, 0), lambda: img[..., -1:], lambda: opaque)
        if color_mode == "rgba":
            out = tf.concat([rgb, alpha], -1)
        else:
            a = tf.cast(alpha, tf.float32) / 255.0
            out = tf.round(tf.cast(rgb, tf.float32) * a + 255.0 * (1.0 - a))
            if color_mode == "grayscale":
                out = tf.image.rgb_to_grayscale(out)
        out = tf.image.resize(tf.cast(out, tf.float32), image_size, method="bilinear")
        return tf.ensure_shape(out, [*image_size, COLOR_MODES[color_mode]]), label

    dataset = tf.data.Dataset.from_tensor_slices((paths, labels))
    if shuffle:
        dataset = dataset.shuffle(len(paths), seed=seed, reshuffle_each_iteration=True)
    return dataset.map(load, num_parallel_calls=tf.data.AUTOTUNE)


def _labels(paths, folder: Path, class_names, label_mode: str):
    import numpy as np

    index = np.array(
        [class_names.index(Path(p).relative_to(folder).parts[0]) for p in paths], np.int32
    )
    if label_mode == "binary":
        return index.astype(np.float32)[:, None]
    if label_mode == "categorical":
        return np.eye(len(class_names), dtype=np.float32)[index]
    return index


def image_dataset(
    folder,
    *,
    image_size,
    batch_size: int = 32,
    shuffle: bool = False,
    seed: int | None = None,
    limit: int | None = None,
    label_mode: str | None = None,
    color_mode: str = "rgb",
    validation_split: float | None = None,
    subset: str | None = None,
    cache: bool = True,
    check: bool = True,
):
    """A ``tf.data.Dataset`` of ``(images, labels)`` batches read from class folders.

    ``folder`` holds one subfolder per class (``cats/``, ``dogs/``, or any number of
    classes); classes are the subfolder names in alphabetical order, listed in the
    result's ``class_names``.

    - ``image_size``: (height, width), or one int for a square; every image is resized
      to it (squashed, not cropped), as the old ``target_size`` did.
    - ``batch_size``: images per batch; the last batch may be smaller.
    - ``shuffle``: a new random order every epoch (training data). Validation and test
      data keep one order (``shuffle=False``).
    - ``seed``: makes the shuffle, ``limit``'s choice and the validation split repeatable
      (default for a split: ``settings.seed()``, so two calls split alike).
    - ``limit``: keep only this many images, drawn at random from all classes (the
      quick profile uses it); None keeps them all.
    - ``label_mode``: None (default) follows the folders: ``"binary"`` for two classes
      (float32 labels (batch, 1) for a sigmoid output), ``"int"`` for more (int32 class
      indices (batch,) for ``sparse_categorical_crossentropy``); or ``"categorical"``
      for one-hot float32 rows (batch, classes).
    - ``color_mode``: ``"rgb"`` (batch, h, w, 3), ``"grayscale"`` (batch, h, w, 1) or
      ``"rgba"`` (batch, h, w, 4; opaque files get alpha 255). For rgb and grayscale a
      transparent PNG/GIF is composited over white, as ``images.read_rgb`` does.
    - ``validation_split``: a fraction in (0, 1) held out for validation, with ``subset``
      ``"training"``, ``"validation"`` or ``"both"`` (a tuple ``(train, validation)``);
      the same ``seed`` gives the same split in separate calls.
    - ``cache``: keep the decoded, resized images in memory after the first epoch, as
      uint8 (2,000 images of 128x128 RGB take 98 MB), so later epochs skip decoding.
    - ``check``: first run :func:`cvcourse.images.check_image_folder`, which names every
      file that does not decode (Keras would stop in the middle of training on the first
      one); done once per folder and session.

    Image files that Keras does not read (``.tif``, ``.webp``, ``.heic``...) are left out
    with an :class:`UnsupportedImageWarning` naming them and saying how to convert them;
    their paths are in the result's ``skipped_files``. Images come as uint8 tensors with
    values 0-255: the model rescales them (``keras.layers.Rescaling(1 / 255)``).
    ``num_images`` is the number of images in the result. Batches are prefetched.
    """
    folder = Path(folder)
    if isinstance(image_size, int):
        image_size = (image_size, image_size)
    image_size = tuple(int(v) for v in image_size)
    if len(image_size) != 2 or min(image_size) < 1:
        raise ValueError(f"image_size must be (height, width) or one int, got {image_size!r}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    if limit is not None and limit < 1:
        raise ValueError(f"limit must be a positive number of images or None, got {limit}")
    if label_mode not in (None, "binary", "int", "categorical"):
        raise ValueError(
            f"label_mode must be None, 'binary', 'int' or 'categorical', got {label_mode!r}"
        )
    if color_mode not in COLOR_MODES:
        raise ValueError(f"color_mode must be 'rgb', 'grayscale' or 'rgba', got {color_mode!r}")
    if validation_split is not None and not 0 < validation_split < 1:
        raise ValueError(f"validation_split must lie between 0 and 1, got {validation_split!r}")
    if (validation_split is None) != (subset is None) or subset not in (None, *SUBSETS):
        raise ValueError(
            "validation_split and subset go together: validation_split=0.2 with "
            f"subset='training', 'validation' or 'both' (got {validation_split!r}, {subset!r})"
        )
    if check:
        check_folder_once(folder)
    class_names = class_folders(folder)
    if label_mode is None:
        label_mode = "binary" if len(class_names) == 2 else "int"
    if label_mode == "binary" and len(class_names) != 2:
        raise ValueError(
            f"label_mode='binary' needs exactly 2 class folders; {folder} has "
            f"{len(class_names)} ({', '.join(class_names)}). Use 'int' or 'categorical'."
        )
    skipped = _warn_unsupported(folder)
    if validation_split is not None and seed is None:
        from .. import settings

        seed = settings.seed()
    import keras

    result = keras.utils.image_dataset_from_directory(
        folder,
        label_mode=label_mode,
        color_mode="grayscale" if color_mode == "grayscale" else "rgb",
        image_size=image_size,
        batch_size=None,  # single images here; batched below, after the cache
        shuffle=shuffle or limit is not None or validation_split is not None,
        seed=seed,
        validation_split=validation_split,
        subset=subset,
        verbose=False,
    )
    parts = list(result) if subset == "both" else [result]
    out = [
        _finish(
            part, folder, class_names, skipped, image_size=image_size, batch_size=batch_size,
            shuffle=shuffle, seed=seed, limit=limit, label_mode=label_mode,
            color_mode=color_mode, cache=cache,
        )
        for part in parts
    ]  # fmt: skip
    return tuple(out) if subset == "both" else out[0]


def _finish(dataset, folder, class_names, skipped, *, image_size, batch_size, shuffle, seed,
            limit, label_mode, color_mode, cache):  # fmt: skip
    """Keras' dataset, or the same files decoded with transparency handled; then batched."""
    import tensorflow as tf

    paths = list(dataset.file_paths)
    if color_mode == "rgba" or any(has_alpha(p) for p in paths):
        labels = _labels(paths, folder, class_names, label_mode)
        dataset = _decode_paths(
            paths, labels, image_size=image_size, color_mode=color_mode,
            shuffle=shuffle and not cache, seed=seed,
        )  # fmt: skip
    count = len(paths)
    if limit is not None:
        dataset = dataset.take(limit)
        count = min(count, limit)
    dataset = dataset.map(
        lambda image, label: (tf.cast(tf.clip_by_value(tf.round(image), 0, 255), tf.uint8), label),
        num_parallel_calls=tf.data.AUTOTUNE,
    )
    if cache:
        dataset = dataset.cache()
        if shuffle:  # the cache replays one order: shuffle again after it, every epoch
            dataset = dataset.shuffle(count, seed=seed, reshuffle_each_iteration=True)
    dataset = dataset.batch(batch_size).prefetch(tf.data.AUTOTUNE)
    dataset.class_names = class_names
    dataset.num_images = count
    dataset.skipped_files = skipped
    return dataset
