"""cvcourse.augment: random in training, the identity at inference, shapes and dtypes kept,
seeded previews that repeat."""

from __future__ import annotations

import numpy as np
import pytest

keras = pytest.importorskip("keras")
tf = pytest.importorskip("tensorflow")

from cvcourse import augment  # noqa: E402

ALL = dict(rotation=0.1, zoom=0.2, translation=0.1, contrast=0.3, brightness=0.2)


@pytest.fixture(scope="module")
def batch() -> np.ndarray:
    """Eight 32x32 RGB images with structure (a gradient plus noise), values 0-255, float32."""
    rng = np.random.default_rng(0)
    ramp = np.linspace(0, 255, 32, dtype=np.float32)
    images = ramp[None, :, None, None] * np.ones((8, 32, 32, 3), np.float32)
    images = images.transpose(0, 2, 1, 3) * 0.5 + rng.uniform(0, 127, (8, 32, 32, 3))
    return images.astype(np.float32)


def test_pipeline_holds_the_layers_asked_for_in_order():
    pipeline = augment.augmentation_pipeline(**ALL)
    kinds = [type(layer).__name__ for layer in pipeline.layers]
    assert kinds == [
        "RandomFlip",
        "RandomRotation",
        "RandomZoom",
        "RandomTranslation",
        "RandomContrast",
        "RandomBrightness",
    ]
    only_flip = augment.augmentation_pipeline()
    assert [type(layer).__name__ for layer in only_flip.layers] == ["RandomFlip"]
    assert augment.augmentation_pipeline(flip=None).layers == []


def test_settings_reach_the_layers():
    pipeline = augment.augmentation_pipeline(
        flip="vertical", rotation=0.05, zoom=0.1, fill_mode="nearest"
    )
    flip, rotation, zoom = pipeline.layers
    assert flip.get_config()["mode"] == "vertical"
    assert tuple(rotation.get_config()["factor"]) == (-0.05, 0.05)
    assert rotation.get_config()["fill_mode"] == "nearest"
    assert zoom.get_config()["height_factor"] == 0.1
    assert zoom.get_config()["fill_mode"] == "nearest"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"flip": "diagonal"},
        {"rotation": -0.1},
        {"zoom": 1.5},
        {"translation": "a lot"},
        {"contrast": True},
        {"fill_mode": "mirror"},
    ],
)
def test_bad_settings_are_refused(kwargs):
    with pytest.raises(ValueError):
        augment.augmentation_pipeline(**kwargs)


@pytest.mark.parametrize("name", ["flip", *ALL])
def test_each_layer_is_random_in_training(batch, name):
    kwargs = (
        {"flip": "horizontal_and_vertical"} if name == "flip" else {"flip": None, name: ALL[name]}
    )
    pipeline = augment.augmentation_pipeline(**kwargs, seed=1)
    first = np.asarray(pipeline(batch, training=True))
    second = np.asarray(pipeline(batch, training=True))
    assert not np.allclose(first, batch), "training images must change"
    assert not np.allclose(first, second), "two epochs must see different versions"
    changed = [not np.allclose(first[i], batch[i]) for i in range(len(batch))]
    assert sum(changed) >= 4, "most images of a batch should be changed"


@pytest.mark.parametrize("name", ["flip", *ALL])
def test_each_layer_is_the_identity_at_inference(batch, name):
    kwargs = (
        {"flip": "horizontal_and_vertical"} if name == "flip" else {"flip": None, name: ALL[name]}
    )
    pipeline = augment.augmentation_pipeline(**kwargs, seed=1)
    out = pipeline(batch, training=False)
    np.testing.assert_array_equal(np.asarray(out), batch)


def test_inside_a_model_it_works_in_fit_and_not_in_predict(batch):
    pipeline = augment.augmentation_pipeline(**ALL, seed=3)
    inputs = keras.Input(batch.shape[1:])
    model = keras.Model(inputs, pipeline(inputs))
    np.testing.assert_array_equal(model.predict(batch, verbose=0), batch)
    assert not np.allclose(np.asarray(model(batch, training=True)), batch)


def test_shapes_and_dtypes_are_kept(batch):
    pipeline = augment.augmentation_pipeline(**ALL, seed=0)
    out = pipeline(batch, training=True)
    assert tuple(out.shape) == batch.shape
    assert out.dtype == tf.float32
    one = pipeline(batch[:1], training=True)  # a batch of one image
    assert tuple(one.shape) == (1, *batch.shape[1:])
    wide = np.zeros((2, 24, 40, 3), np.float32)  # not square
    assert tuple(pipeline(wide, training=True).shape) == (2, 24, 40, 3)
    as_uint8 = pipeline(batch.astype(np.uint8), training=True)
    assert tuple(as_uint8.shape) == batch.shape and as_uint8.dtype == tf.float32


def test_values_stay_in_the_pixel_range(batch):
    pipeline = augment.augmentation_pipeline(**ALL, seed=0)
    out = np.asarray(pipeline(batch, training=True))
    assert out.min() >= 0.0 and out.max() <= 255.0


def test_the_same_seed_repeats_the_same_choices(batch):
    a = augment.augmentation_pipeline(**ALL, seed=5)(batch, training=True)
    b = augment.augmentation_pipeline(**ALL, seed=5)(batch, training=True)
    c = augment.augmentation_pipeline(**ALL, seed=6)(batch, training=True)
    np.testing.assert_allclose(np.asarray(a), np.asarray(b))
    assert not np.allclose(np.asarray(a), np.asarray(c))


def test_preview_is_reproducible_and_varied(batch):
    pipeline = augment.augmentation_pipeline(**ALL, seed=0)
    image = batch[0].astype(np.uint8)
    first = augment.preview(pipeline, image, n=6, seed=3)
    again = augment.preview(pipeline, image, n=6, seed=3)
    other = augment.preview(pipeline, image, n=6, seed=4)
    assert first.shape == (6, 32, 32, 3) and first.dtype == np.uint8
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)
    assert len({panel.tobytes() for panel in first}) == 6, "every panel should differ"


def test_preview_leaves_the_pipeline_alone(batch):
    pipeline = augment.augmentation_pipeline(**ALL, seed=9)
    twin = augment.augmentation_pipeline(**ALL, seed=9)
    augment.preview(pipeline, batch[0], n=4, seed=0)
    np.testing.assert_allclose(
        np.asarray(pipeline(batch, training=True)), np.asarray(twin(batch, training=True))
    )


def test_preview_refuses_a_batch(batch):
    pipeline = augment.augmentation_pipeline()
    with pytest.raises(ValueError, match="height, width, channels"):
        augment.preview(pipeline, batch, n=2)
    with pytest.raises(ValueError):
        augment.preview(pipeline, batch[0], n=0)


def test_augment_dataset_changes_images_and_keeps_labels(batch):
    labels = np.arange(len(batch), dtype=np.float32)[:, None]
    plain = tf.data.Dataset.from_tensor_slices((batch, labels)).batch(4)
    pipeline = augment.augmentation_pipeline(**ALL, seed=2)
    augmented = augment.augment_dataset(plain, pipeline)
    seen = list(augmented.as_numpy_iterator())
    assert [x.shape for x, _ in seen] == [(4, 32, 32, 3), (4, 32, 32, 3)]
    np.testing.assert_array_equal(np.concatenate([y for _, y in seen]), labels)
    assert not np.allclose(np.concatenate([x for x, _ in seen]), batch)
    # the dataset it was made from is untouched: validation data stay as they are
    np.testing.assert_array_equal(np.concatenate([x for x, _ in plain.as_numpy_iterator()]), batch)


def test_legacy_transform_keeps_shape_and_is_identity_without_ranges(batch):
    rng = np.random.default_rng(0)
    image = batch[0]
    same = augment.legacy_random_transform(image, rng)
    assert same.shape == image.shape and same.dtype == np.float32
    np.testing.assert_allclose(same, image, atol=1e-3)
    moved = augment.legacy_random_transform(
        image, rng, rotation_range=40, width_shift_range=0.2, zoom_range=0.2
    )
    assert moved.shape == image.shape and not np.allclose(moved, image)


def test_legacy_transform_repeats_with_the_same_generator_state(batch):
    settings = dict(rotation_range=30, height_shift_range=0.1, horizontal_flip=True)
    a = augment.legacy_random_transform(batch[1], np.random.default_rng(7), **settings)
    b = augment.legacy_random_transform(batch[1], np.random.default_rng(7), **settings)
    np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError):
        augment.legacy_random_transform(batch, np.random.default_rng(0))
