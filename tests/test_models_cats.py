"""models.cats_vs_dogs_convnet: the from-scratch convnet notebook 04 writes out and 05 reuses."""

from __future__ import annotations

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from cvcourse import augment, models  # noqa: E402


def test_shapes_and_parameter_count_of_notebook_04s_network():
    # 128 -> 64 (strided first convolution) -> 32 -> 16 -> 8 -> 4 after each pooling.
    model = models.cats_vs_dogs_convnet((128, 128, 3))
    assert model.input_shape == (None, 128, 128, 3)
    assert model.output_shape == (None, 1)
    assert model.get_layer("conv1").output.shape == (None, 64, 64, 32)
    assert model.get_layer("flatten").output.shape == (None, 4 * 4 * 128)
    assert model.get_layer("dense").count_params() == 2048 * 512 + 512
    # convolutions without bias (BatchNormalization follows), 4 BN layers of 4 x filters
    convs = 3 * 9 * 32 + 32 * 9 * 64 + 64 * 9 * 128 + 128 * 9 * 128
    bns = 4 * (32 + 64 + 128 + 128)
    assert model.count_params() == convs + bns + 2048 * 512 + 512 + 513 == 1_291_489


def test_each_block_is_convolution_batch_norm_relu_pooling():
    model = models.cats_vs_dogs_convnet((64, 64, 3), filters=(8, 16))
    kinds = [type(layer).__name__ for layer in model.layers]
    block = ["Conv2D", "BatchNormalization", "Activation", "MaxPooling2D"]
    assert kinds == ["Rescaling", *block * 2, "Flatten", "Dense", "Dense"]
    assert model.get_layer("conv1").get_config()["strides"] == (2, 2)
    assert model.get_layer("conv2").get_config()["strides"] == (1, 1)
    assert not model.get_layer("conv1").use_bias
    assert model.get_layer("bn1").momentum == 0.9
    assert model.get_layer("conv2").output.shape == (None, 16, 16, 16)  # "same" keeps 16


def test_the_global_average_head_has_no_hidden_dense_layer():
    # Notebook 05's network: five blocks, each feature map averaged to one number.
    model = models.cats_vs_dogs_convnet(
        (128, 128, 3), filters=(32, 64, 128, 256, 256), head="global_average", dropout=0.5
    )
    names = [layer.name for layer in model.layers]
    assert "flatten" not in names and "dense" not in names
    assert names[-3:] == ["global_average", "dropout", "p_dog"]
    assert model.get_layer("pool5").output.shape == (None, 2, 2, 256)
    assert model.get_layer("global_average").output.shape == (None, 256)
    assert model.get_layer("p_dog").count_params() == 257


def test_dropout_and_augmentation_are_placed_where_the_notebook_says():
    pipeline = augment.augmentation_pipeline(rotation=0.1, zoom=0.2, seed=0)
    model = models.cats_vs_dogs_convnet((64, 64, 3), dropout=0.5, augmentation=pipeline)
    names = [layer.name for layer in model.layers]
    assert names[0] == "augmentation" and names[1] == "rescale"
    assert names.index("dropout") == names.index("flatten") + 1
    assert model.get_layer("dropout").rate == 0.5


def test_output_is_a_probability_and_inference_is_deterministic():
    pipeline = augment.augmentation_pipeline(rotation=0.1, zoom=0.2, seed=0)
    model = models.cats_vs_dogs_convnet((48, 48, 3), dropout=0.5, augmentation=pipeline)
    images = np.random.default_rng(0).integers(0, 256, (5, 48, 48, 3)).astype(np.uint8)
    first = model.predict(images, verbose=0)
    again = model.predict(images, verbose=0)
    assert first.shape == (5, 1) and first.dtype == np.float32
    assert ((first > 0) & (first < 1)).all()
    np.testing.assert_array_equal(first, again)
    trained = np.asarray(model(images.astype(np.float32), training=True))
    assert not np.allclose(trained, first), "augmentation and dropout act in training"


def test_it_learns_an_easy_task():
    # Bright images are dogs, dark ones cats: a few steps must get most of them right.
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 2, 64).astype(np.float32)
    images = rng.integers(0, 100, (64, 32, 32, 3)) + 150 * labels[:, None, None, None]
    model = models.cats_vs_dogs_convnet((32, 32, 3), filters=(8, 16))
    model.compile(
        optimizer=keras.optimizers.Adam(1e-2), loss="binary_crossentropy", metrics=["accuracy"]
    )
    keras.utils.set_random_seed(0)
    model.fit(images, labels, epochs=15, batch_size=16, verbose=0)
    assert model.evaluate(images, labels, verbose=0)[1] > 0.9


@pytest.mark.parametrize(
    "kwargs",
    [
        {"filters": ()},
        {"dropout": 1.0},
        {"dropout": -0.1},
        {"head": "dense"},
    ],
)
def test_bad_settings_are_refused(kwargs):
    with pytest.raises(ValueError):
        models.cats_vs_dogs_convnet((32, 32, 3), **kwargs)


@pytest.mark.parametrize(
    "kwargs, smallest",
    [
        ({}, 31),  # 31 -> 16 (strided convolution) -> 8 -> 4 -> 2 -> 1 after each pooling
        ({"filters": (32, 64, 128, 256, 256)}, 63),  # notebook 05's five blocks
        ({"filters": (8, 8)}, 7),  # 7 -> 4 -> 2 -> 2 -> 1
    ],
)
def test_the_smallest_input_builds_and_one_pixel_less_is_refused(kwargs, smallest):
    model = models.cats_vs_dogs_convnet((smallest, smallest, 3), **kwargs)
    last_pool = f"pool{len(kwargs.get('filters', (32, 64, 128, 128)))}"
    assert model.get_layer(last_pool).output.shape[1:3] == (1, 1)  # nothing left to spare
    too_small = (smallest - 1, smallest, 3)
    with pytest.raises(ValueError, match=rf"\({smallest - 1}, {smallest}, 3\).*{smallest}x"):
        models.cats_vs_dogs_convnet(too_small, **kwargs)
