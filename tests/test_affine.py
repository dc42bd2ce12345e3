"""cvcourse.affine.RandomAffine: the geometry of its one matrix (checked against NumPy's
exact rotations, mirrors and shifts), its random draws (within the ranges asked for, one per
image, repeatable), identity at inference, and saving with a model."""

from __future__ import annotations

import math

import numpy as np
import pytest

keras = pytest.importorskip("keras")
tf = pytest.importorskip("tensorflow")

from cvcourse import affine, augment  # noqa: E402


@pytest.fixture(scope="module")
def photo() -> np.ndarray:
    """One 15x15 RGB image with no symmetry (every pixel different), values 0-255, float32."""
    values = np.random.default_rng(0).permutation(15 * 15 * 3).astype(np.float32)
    return (values / values.max() * 255).reshape(15, 15, 3)


def transform_one(image, *, angle=0.0, zoom=1.0, shift=(0.0, 0.0), signs=(1.0, 1.0)):
    """``image`` put through one explicit transform, nearest-pixel, constant fill 0."""
    one = lambda value: tf.constant([value], tf.float32)  # noqa: E731
    rows = affine.affine_transforms(
        one(angle),
        one(zoom),
        one(shift[0]),
        one(shift[1]),
        one(signs[0]),
        one(signs[1]),
        image.shape[0],
        image.shape[1],
    )
    out = keras.ops.image.affine_transform(
        image[None], rows, interpolation="nearest", fill_mode="constant"
    )
    return np.asarray(out)[0]


def test_no_change_is_the_identity(photo):
    np.testing.assert_allclose(transform_one(photo), photo)


def test_a_quarter_turn_is_numpys_rotation_about_the_centre(photo):
    turned = transform_one(photo, angle=math.pi / 2)
    matches = [k for k in (1, 3) if np.allclose(turned, np.rot90(photo, k=k))]
    assert len(matches) == 1, "a quarter turn must equal one of NumPy's exact rotations"
    # the opposite angle turns the other way
    back = transform_one(photo, angle=-math.pi / 2)
    np.testing.assert_allclose(back, np.rot90(photo, k=4 - matches[0]))


def test_signs_mirror_the_axes(photo):
    np.testing.assert_allclose(transform_one(photo, signs=(-1.0, 1.0)), photo[:, ::-1])
    np.testing.assert_allclose(transform_one(photo, signs=(1.0, -1.0)), photo[::-1])


def test_a_shift_moves_the_content_and_fills_the_gap(photo):
    moved = transform_one(photo, shift=(3.0, -2.0))  # 3 columns right, 2 rows up
    np.testing.assert_allclose(moved[:-2, 3:], photo[2:, :-3])
    assert not moved[:, :3].any() and not moved[-2:].any()


def test_a_zoom_about_the_centre(photo):
    zoomed_in = transform_one(photo, zoom=0.5)  # each output pixel spans half an input pixel
    np.testing.assert_allclose(zoomed_in[7, 7], photo[7, 7])  # the centre stays
    np.testing.assert_allclose(zoomed_in[5, 9], photo[6, 8])  # 2 pixels out read 1 out
    zoomed_out = transform_one(photo, zoom=2.0)
    np.testing.assert_allclose(zoomed_out[6, 8], photo[5, 9])
    assert not zoomed_out[0].any()  # the border now reads from outside: filled


@pytest.fixture(scope="module")
def dots() -> np.ndarray:
    """64 black 33x33 images with one white 3x3 square in the centre (channels: 1)."""
    images = np.zeros((64, 33, 33, 1), np.float32)
    images[:, 15:18, 15:18] = 255
    return images


def centroids(images) -> np.ndarray:
    """(n, 2) centres of brightness (row, column) of a batch of one-channel images."""
    images = np.asarray(images)[..., 0]
    rows, cols = np.indices(images.shape[1:])
    total = images.sum(axis=(1, 2))
    return np.stack([(images * rows).sum((1, 2)) / total, (images * cols).sum((1, 2)) / total], 1)


def test_shifts_stay_within_the_range_and_differ_per_image(dots):
    layer = affine.RandomAffine(translation=0.1, flip=None, fill_mode="constant", seed=1)
    moves = centroids(layer(dots)) - 16.0
    assert np.abs(moves).max() <= 0.1 * 33 + 0.5
    assert np.abs(moves).max() > 0.05 * 33  # the range is used, not just a sliver of it
    assert len(np.unique(np.round(moves, 3), axis=0)) > 50  # one draw per image
    assert (moves[:, 1] > 0.5).any() and (moves[:, 1] < -0.5).any()  # both directions


def test_rotation_and_zoom_keep_the_centre(dots):
    layer = affine.RandomAffine(rotation=0.2, zoom=0.3, flip=None, fill_mode="constant", seed=2)
    out = np.asarray(layer(dots))
    np.testing.assert_allclose(centroids(out), 16.0, atol=0.3)
    brightness = out.sum(axis=(1, 2, 3)) / dots[0].sum()  # area ratio, about 1 / zoom^2
    assert brightness.min() >= 1 / 1.3**2 - 0.1 and brightness.max() <= 1 / 0.7**2 + 0.1
    assert brightness.max() - brightness.min() > 0.5  # zooms in and out both happen


def test_flip_mirrors_about_half_of_the_images(photo):
    batch = np.repeat(photo[None], 64, axis=0)
    out = np.asarray(affine.RandomAffine(flip="horizontal", seed=3)(batch))
    mirrored = [np.allclose(image, photo[:, ::-1], atol=1e-3) for image in out]
    kept = [np.allclose(image, photo, atol=1e-3) for image in out]
    assert all(m or k for m, k in zip(mirrored, kept))
    assert 16 <= sum(mirrored) <= 48


def test_identity_at_inference_and_in_predict(photo):
    layer = affine.RandomAffine(rotation=0.1, zoom=0.2, translation=0.1, seed=4)
    batch = np.repeat(photo[None], 4, axis=0)
    np.testing.assert_array_equal(np.asarray(layer(batch, training=False)), batch)
    model = keras.Sequential([keras.Input(photo.shape), layer])
    np.testing.assert_array_equal(model.predict(batch, verbose=0), batch)
    assert not np.allclose(np.asarray(layer(batch)), batch)


def test_one_image_integers_and_dtypes(photo):
    layer = affine.RandomAffine(rotation=0.1, seed=5)
    one = layer(photo.astype(np.uint8))
    assert one.shape == photo.shape and one.dtype == "float32"
    assert layer.compute_output_shape((None, 15, 15, 3)) == (None, 15, 15, 3)


def test_the_same_seed_repeats_the_same_draws(photo):
    batch = np.repeat(photo[None], 8, axis=0)
    settings = dict(rotation=0.1, zoom=0.2, translation=0.1, flip="horizontal_and_vertical")
    a = affine.RandomAffine(**settings, seed=6)(batch)
    b = affine.RandomAffine(**settings, seed=6)(batch)
    c = affine.RandomAffine(**settings, seed=7)(batch)
    np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    assert not np.allclose(np.asarray(a), np.asarray(c))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"rotation": -0.1},
        {"zoom": 1.5},
        {"translation": True},
        {"flip": "diagonal"},
        {"fill_mode": "mirror"},
        {"interpolation": "bicubic"},
    ],
)
def test_bad_settings_are_refused(kwargs):
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        affine.RandomAffine(**kwargs)


def test_a_model_holding_it_saves_and_loads(tmp_path, photo):
    layer = affine.RandomAffine(rotation=0.05, zoom=0.1, fill_mode="nearest", seed=8)
    model = keras.Sequential([keras.Input(photo.shape), layer, keras.layers.Flatten()])
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    restored = loaded.layers[0]
    assert isinstance(restored, affine.RandomAffine)
    assert restored.get_config() == layer.get_config()
    np.testing.assert_allclose(
        loaded.predict(photo[None], verbose=0), model.predict(photo[None], verbose=0)
    )


def test_the_pipeline_combines_the_geometry_into_one_layer(photo):
    pipeline = augment.augmentation_pipeline(
        rotation=0.1, zoom=0.2, translation=0.1, contrast=0.2, combine_geometry=True, seed=9
    )
    assert [type(layer).__name__ for layer in pipeline.layers] == ["RandomAffine", "RandomContrast"]
    combined = pipeline.layers[0].get_config()
    assert (combined["rotation"], combined["zoom"], combined["translation"]) == (0.1, 0.2, 0.1)
    assert combined["flip"] == "horizontal" and combined["seed"] == 9
    only_contrast = augment.augmentation_pipeline(flip=None, contrast=0.2, combine_geometry=True)
    assert [type(layer).__name__ for layer in only_contrast.layers] == ["RandomContrast"]
    # previews and tf.data work with it as with the separate layers
    assert augment.preview(pipeline, photo, n=3, seed=0).shape == (3, 15, 15, 3)
    labels = np.zeros((8, 1), np.float32)
    data = tf.data.Dataset.from_tensor_slices((np.repeat(photo[None], 8, 0), labels)).batch(4)
    seen = [x for x, _ in augment.augment_dataset(data, pipeline).as_numpy_iterator()]
    assert [x.shape for x in seen] == [(4, 15, 15, 3)] * 2
    assert not np.allclose(seen[0][0], seen[0][1])
