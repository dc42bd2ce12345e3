"""cvcourse.datasets.image_dataset: class folders to batched tf.data datasets."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

tf = pytest.importorskip("tensorflow")

from cvcourse import datasets, images  # noqa: E402
from cvcourse.datasets import folders  # noqa: E402


def make_folder(root, counts=None, size=(30, 20)):
    """Class folders of small JPEGs: cats are dark, dogs are bright (so labels can be checked)."""
    counts = counts or {"cats": 6, "dogs": 4}
    for cls, n in counts.items():
        (root / cls).mkdir(parents=True)
        for i in range(n):
            value = 30 if cls == "cats" else 220
            pixels = np.full((size[1], size[0], 3), value, np.uint8)
            pixels[0, 0] = i  # make every file distinct
            Image.fromarray(pixels).save(root / cls / f"{cls[:-1]}.{i}.jpg", quality=95)
    return root


def gather(dataset):
    xs, ys = zip(*dataset.as_numpy_iterator())
    return np.concatenate(xs), np.concatenate(ys)


def test_batches_shapes_dtypes_and_labels(tmp_path):
    root = make_folder(tmp_path / "train")
    ds = datasets.image_dataset(root, image_size=(16, 24), batch_size=4)
    assert ds.class_names == ["cats", "dogs"]
    assert ds.num_images == 10
    shapes = [x.shape for x, _ in ds.as_numpy_iterator()]
    assert shapes == [(4, 16, 24, 3), (4, 16, 24, 3), (2, 16, 24, 3)]
    x, y = gather(ds)
    assert x.dtype == np.uint8 and y.dtype == np.float32 and y.shape == (10, 1)
    # folder order without shuffling: the 6 cats (label 0, dark) then the 4 dogs
    np.testing.assert_array_equal(y[:, 0], [0] * 6 + [1] * 4)
    assert x[y[:, 0] == 0].mean() < 60 < 190 < x[y[:, 0] == 1].mean()


def test_square_size_from_one_int_and_int_labels(tmp_path):
    root = make_folder(tmp_path / "train")
    ds = datasets.image_dataset(root, image_size=8, batch_size=3, label_mode="int")
    x, y = gather(ds)
    assert x.shape == (10, 8, 8, 3)
    assert y.dtype == np.int32 and y.shape == (10,)


def test_shuffle_is_seeded_and_changes_every_epoch(tmp_path):
    root = make_folder(tmp_path / "train", {"cats": 20, "dogs": 20})
    first = datasets.image_dataset(root, image_size=8, batch_size=8, shuffle=True, seed=1)
    again = datasets.image_dataset(root, image_size=8, batch_size=8, shuffle=True, seed=1)
    epoch1 = gather(first)[1][:, 0]
    epoch2 = gather(first)[1][:, 0]
    np.testing.assert_array_equal(epoch1, gather(again)[1][:, 0])
    assert not np.array_equal(epoch1, epoch2), "a new order every epoch"
    assert sorted(epoch1) == [0] * 20 + [1] * 20  # every image once per epoch
    assert not np.array_equal(epoch1, [0] * 20 + [1] * 20)


def test_limit_takes_a_mixed_subset_that_stays_fixed(tmp_path):
    root = make_folder(tmp_path / "train", {"cats": 30, "dogs": 30})
    ds = datasets.image_dataset(root, image_size=8, batch_size=5, limit=20, seed=3)
    x1, y1 = gather(ds)
    x2, y2 = gather(ds)
    assert ds.num_images == 20 and len(y1) == 20
    assert 0 < y1.sum() < 20, "a limit must not take one class only"
    np.testing.assert_array_equal(x1, x2)  # cached: the same images every epoch


def test_bad_image_is_named_before_any_training(tmp_path):
    root = make_folder(tmp_path / "train")
    (root / "dogs" / "dog.99.jpg").write_bytes(b"not a jpeg at all")
    with pytest.raises(images.ImageReadError, match="dog.99.jpg"):
        datasets.image_dataset(root, image_size=8)


def test_check_runs_once_per_folder_state(tmp_path, monkeypatch):
    root = make_folder(tmp_path / "train")
    calls = []
    real = images.check_image_folder
    monkeypatch.setattr(images, "check_image_folder", lambda f: calls.append(f) or real(f))
    datasets.image_dataset(root, image_size=8)
    datasets.image_dataset(root, image_size=8)
    assert len(calls) == 1
    make_folder(tmp_path / "more")  # a new file in the folder: checked again
    Image.fromarray(np.zeros((5, 5, 3), np.uint8)).save(root / "cats" / "cat.50.jpg")
    datasets.image_dataset(root, image_size=8)
    assert len(calls) == 2
    datasets.image_dataset(root, image_size=8, check=False)
    assert len(calls) == 2


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"image_size": (0, 8)}, "image_size"),
        ({"image_size": (8, 8, 3)}, "image_size"),
        ({"image_size": 8, "batch_size": 0}, "batch_size"),
        ({"image_size": 8, "limit": 0}, "limit"),
        ({"image_size": 8, "label_mode": "onehot"}, "label_mode"),
    ],
)
def test_bad_arguments_are_refused(tmp_path, kwargs, message):
    root = make_folder(tmp_path / "train")
    with pytest.raises(ValueError, match=message):
        datasets.image_dataset(root, **kwargs)


def test_missing_folder_says_what_to_pass(tmp_path):
    with pytest.raises(FileNotFoundError, match="one subfolder of images per class"):
        datasets.image_dataset(tmp_path / "nowhere", image_size=8)


def test_check_folder_once_is_exported():
    assert datasets.image_dataset is folders.image_dataset


# ------------------------------------------------- your own images: any classes, splits


def photo_folder(root):
    """Three classes from scikit-image's bundled photos, crops and flips; one .webp, one .tif."""
    from skimage import data

    photos = {"astronaut": data.astronaut(), "cat": data.chelsea(), "coffee": data.coffee()}
    for cls, photo in photos.items():
        (root / cls).mkdir(parents=True)
        h, w = photo.shape[:2]
        for i in range(8):
            top, left = (i * 17) % (h // 3), (i * 29) % (w // 3)
            crop = photo[top : top + h // 2, left : left + w // 2]
            if i % 2:
                crop = crop[:, ::-1]
            Image.fromarray(np.ascontiguousarray(crop)).save(root / cls / f"{cls}_{i}.jpg")
    Image.fromarray(photos["cat"][:100, :100]).save(root / "cat" / "phone_photo.webp")
    Image.fromarray(photos["coffee"][:100, :100]).save(root / "coffee" / "scan.tif")
    return root


def test_three_classes_split_augmented_and_trained(tmp_path):
    import keras

    from cvcourse import augment

    root = photo_folder(tmp_path / "mine")
    with pytest.warns(folders.UnsupportedImageWarning) as record:
        train_ds, val_ds = datasets.image_dataset(
            root, image_size=32, batch_size=8, shuffle=True, validation_split=0.25,
            subset="both", seed=5,
        )  # fmt: skip
    message = str(record[0].message)
    assert "phone_photo.webp" in message and "scan.tif" in message and "PNG or JPEG" in message
    assert sorted(Path(p).name for p in train_ds.skipped_files) == ["phone_photo.webp", "scan.tif"]
    assert train_ds.class_names == val_ds.class_names == ["astronaut", "cat", "coffee"]
    assert (train_ds.num_images, val_ds.num_images) == (18, 6)
    x, y = gather(train_ds)
    assert x.shape == (18, 32, 32, 3) and x.dtype == np.uint8
    assert y.dtype == np.int32 and sorted(set(y.tolist())) == [0, 1, 2], "int labels, 3 classes"
    # the same seed splits alike in separate calls: validation images never train
    again = datasets.image_dataset(
        root, image_size=32, validation_split=0.25, subset="validation", seed=5
    )
    np.testing.assert_array_equal(np.sort(gather(again)[0].sum(axis=(1, 2, 3))),
                                  np.sort(gather(val_ds)[0].sum(axis=(1, 2, 3))))  # fmt: skip

    model = keras.Sequential(
        [
            keras.Input((32, 32, 3)),
            augment.augmentation_pipeline(flip="horizontal", rotation=0.05, seed=1),
            keras.layers.Rescaling(1 / 255),
            keras.layers.Conv2D(8, 3, activation="relu"),
            keras.layers.GlobalAveragePooling2D(),
            keras.layers.Dense(len(train_ds.class_names), activation="softmax"),
        ]
    )
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(train_ds, validation_data=val_ds, epochs=1, verbose=0, shuffle=False)
    assert np.isfinite(history.history["val_loss"][0])
    assert model.predict(val_ds, verbose=0).shape == (6, 3)


def test_transparent_png_is_composited_over_white_like_read_rgb(tmp_path):
    root = make_folder(tmp_path / "train", size=(16, 16))
    pixels = np.zeros((16, 16, 4), np.uint8)
    pixels[..., 0] = 200  # red, ...
    pixels[:8, :, 3] = 255  # ... opaque in the top half, transparent below
    pixels[8:12, :, 3] = 128
    Image.fromarray(pixels).save(root / "dogs" / "sticker.png")
    x, y = gather(datasets.image_dataset(root, image_size=(16, 16), label_mode="int"))
    sticker = x[-1]  # dogs' files in name order: dog.0-3.jpg, then sticker.png
    np.testing.assert_array_equal(sticker, images.read_rgb(root / "dogs" / "sticker.png"))
    assert tuple(sticker[15, 0]) == (255, 255, 255), "transparent is white, not black"
    gray = gather(datasets.image_dataset(root, image_size=16, color_mode="grayscale"))[0]
    np.testing.assert_allclose(gray[-1, ..., 0], images.read_gray(root / "dogs" / "sticker.png"),
                               atol=1)  # fmt: skip
    rgba = gather(datasets.image_dataset(root, image_size=16, color_mode="rgba"))[0]
    assert rgba.shape == (11, 16, 16, 4)
    np.testing.assert_array_equal(rgba[-1], pixels)
    assert (rgba[:-1, ..., 3] == 255).all(), "JPEGs are opaque"


def test_jpeg_folders_read_as_before(tmp_path):
    """No transparency, no split: Keras' own decoding, the data notebooks 04/05 stored."""
    import keras

    root = make_folder(tmp_path / "train")
    ours = gather(datasets.image_dataset(root, image_size=(16, 24), batch_size=4))
    theirs = keras.utils.image_dataset_from_directory(
        root, label_mode="binary", image_size=(16, 24), shuffle=False, verbose=False
    )
    np.testing.assert_array_equal(
        ours[0], np.round(np.concatenate([x for x, _ in theirs.as_numpy_iterator()]))
    )


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"label_mode": "binary"}, "exactly 2 class folders.*astronaut, cat, coffee"),
        ({"validation_split": 0.2}, "validation_split and subset go together"),
        ({"validation_split": 1.5, "subset": "both"}, "between 0 and 1"),
        ({"subset": "training"}, "go together"),
        ({"color_mode": "rgbx"}, "color_mode"),
    ],
)
def test_bad_split_colour_and_label_settings(tmp_path, kwargs, message):
    root = photo_folder(tmp_path / "mine")
    with pytest.raises(ValueError, match=message), warnings.catch_warnings():
        warnings.simplefilter("ignore", folders.UnsupportedImageWarning)
        datasets.image_dataset(root, image_size=8, **kwargs)
