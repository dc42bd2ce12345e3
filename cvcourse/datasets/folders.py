"""Datasets from class folders: ``folder/<class name>/<image files>`` to a batched ``tf.data``.

:func:`image_dataset` is the one call notebooks 04-07 use to read the cats-vs-dogs
folders (``load_cats_vs_dogs()`` gives their paths). It checks that every file decodes,
reads the folder with ``keras.utils.image_dataset_from_directory``, keeps the decoded and
resized images in memory, and prefetches batches while the model trains on the current
one. Taught in notebook 04.
"""

from __future__ import annotations

from pathlib import Path

_CHECKED: set[tuple[str, int, float]] = set()


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


def image_dataset(
    folder,
    *,
    image_size,
    batch_size: int = 32,
    shuffle: bool = False,
    seed: int | None = None,
    limit: int | None = None,
    label_mode: str = "binary",
    cache: bool = True,
    check: bool = True,
):
    """A ``tf.data.Dataset`` of ``(images, labels)`` batches read from class folders.

    ``folder`` holds one subfolder per class (``cats/``, ``dogs/``); classes are the
    subfolder names in alphabetical order, listed in the result's ``class_names``.

    - ``image_size``: (height, width), or one int for a square; every image is resized
      to it (squashed, not cropped), as the old ``target_size`` did.
    - ``batch_size``: images per batch; the last batch may be smaller.
    - ``shuffle``: a new random order every epoch (training data). Validation and test
      data keep the folder order (``shuffle=False``).
    - ``seed``: makes the shuffle (and ``limit``'s choice) repeatable.
    - ``limit``: keep only this many images, drawn at random from all classes (the
      quick profile uses it); None keeps them all.
    - ``label_mode``: ``"binary"`` gives float32 labels of shape (batch, 1) for a
      sigmoid output; ``"int"`` gives int32 class indices (batch,) for
      ``sparse_categorical_crossentropy``; ``"categorical"`` one-hot rows.
    - ``cache``: keep the decoded, resized images in memory after the first epoch, as
      uint8 (a quarter of float32's memory: 2,000 images of 128x128 take 98 MB), so
      later epochs skip reading and decoding the JPEGs.
    - ``check``: first run :func:`cvcourse.images.check_image_folder`, which names every
      file that does not decode (``image_dataset_from_directory`` would stop in the
      middle of training on the first one); done once per folder and session.

    Images come as uint8 tensors (batch, height, width, 3) with values 0-255: the model
    rescales them (``keras.layers.Rescaling(1 / 255)``). Batches are prefetched, so
    reading the next one overlaps with training on the current one.
    """
    import keras
    import tensorflow as tf

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
    if label_mode not in ("binary", "int", "categorical"):
        raise ValueError(f"label_mode must be 'binary', 'int' or 'categorical', got {label_mode!r}")
    if check:
        check_folder_once(folder)
    dataset = keras.utils.image_dataset_from_directory(
        folder,
        label_mode=label_mode,
        image_size=image_size,
        batch_size=None,  # single images here; batched below, after the cache
        shuffle=shuffle or limit is not None,
        seed=seed,
        verbose=False,
    )
    class_names = list(dataset.class_names)
    count = int(dataset.cardinality())
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
    return dataset
