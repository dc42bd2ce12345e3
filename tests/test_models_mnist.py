"""The model builders of notebooks 02 and 03: shapes, parameter counts, layer types."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from cvcourse import models


def layer_types(model) -> list[str]:
    return [type(layer).__name__ for layer in model.layers]


def check_probabilities(model, input_shape, num_classes):
    x = np.random.default_rng(0).random((2, *input_shape), dtype=np.float32)
    out = model.predict(x, verbose=0)
    assert out.shape == (2, num_classes)
    np.testing.assert_allclose(out.sum(axis=1), 1.0, rtol=1e-5)


def test_dense_mnist_classifier():
    model = models.dense_mnist_classifier()
    assert isinstance(model, keras.Model) and not model.compiled
    assert layer_types(model) == ["Flatten", "Dense", "Dropout", "Dense"]
    assert model.input_shape == (None, 28, 28, 1)
    assert model.count_params() == 784 * 512 + 512 + 512 * 10 + 10 == 407_050
    assert model.get_layer("hidden").activation.__name__ == "relu"
    assert model.get_layer("dropout").rate == 0.5
    check_probabilities(model, (28, 28, 1), 10)


def test_dense_mnist_classifier_options():
    model = models.dense_mnist_classifier((8, 8), 3, units=16, dropout=0.1)
    assert model.count_params() == 64 * 16 + 16 + 16 * 3 + 3
    check_probabilities(model, (8, 8), 3)


def test_mnist_convnet_shapes_and_parameters():
    model = models.mnist_convnet()
    assert not model.compiled
    assert layer_types(model) == [
        "Conv2D", "MaxPooling2D", "Conv2D", "MaxPooling2D", "Conv2D", "Flatten", "Dense", "Dense"
    ]  # fmt: skip
    shapes = {layer.name: tuple(layer.output.shape[1:]) for layer in model.layers}
    assert shapes == {
        "conv1": (26, 26, 32),
        "pool1": (13, 13, 32),
        "conv2": (11, 11, 64),
        "pool2": (5, 5, 64),
        "conv3": (3, 3, 64),
        "flatten": (576,),
        "dense": (64,),
        "probabilities": (10,),
    }
    counts = {layer.name: layer.count_params() for layer in model.layers}
    assert counts["conv1"] == 320 and counts["conv2"] == 18_496 and counts["conv3"] == 36_928
    assert counts["dense"] == 36_928 and counts["probabilities"] == 650
    assert model.count_params() == 93_322
    check_probabilities(model, (28, 28, 1), 10)


def test_mnist_convnet_with_batch_norm_and_dropout():
    model = models.mnist_convnet(batch_norm=True, dropout=0.5)
    assert "BatchNormalization" in layer_types(model) and "Dropout" in layer_types(model)
    assert model.get_layer("conv1").use_bias is False
    # biases (32 + 64 + 64) go, 4 numbers per channel come in, half of them trained
    assert model.count_params() == 93_322 - 160 + 4 * 160 == 93_802
    non_trainable = sum(int(np.prod(w.shape)) for w in model.non_trainable_weights)
    assert non_trainable == 2 * 160
    assert model.get_layer("conv3_relu").output.shape[1:] == (3, 3, 64)
    check_probabilities(model, (28, 28, 1), 10)


def test_mnist_convnet_on_other_images():
    model = models.mnist_convnet((32, 32, 3), 5)
    assert model.get_layer("conv3").output.shape[1:] == (4, 4, 64)
    assert model.get_layer("flatten").output.shape[-1] == 1024
    check_probabilities(model, (32, 32, 3), 5)


def test_chinese_mnist_cnn_is_the_seed_model():
    model = models.chinese_mnist_cnn()
    assert not model.compiled
    assert layer_types(model) == [
        "Conv2D", "Conv2D", "MaxPooling2D", "Dropout", "Conv2D", "Conv2D", "Dropout", "Flatten",
        "Dense",
    ]  # fmt: skip
    assert [layer.filters for layer in model.layers if hasattr(layer, "filters")] == [16] * 4
    assert all(
        layer.padding == "same"
        for layer in model.layers
        if hasattr(layer, "padding") and hasattr(layer, "filters")
    )
    assert model.get_layer("conv4").output.shape[1:] == (32, 32, 16)
    assert model.get_layer("flatten").output.shape[-1] == 16_384
    assert model.get_layer("probabilities").count_params() == 16_384 * 15 + 15
    assert model.count_params() == 252_895
    check_probabilities(model, (64, 64, 1), 15)


def test_chinese_mnist_cnn_options():
    model = models.chinese_mnist_cnn(filters=(8, 8, 16, 32), batch_norm=True, dropout=0.3)
    assert [layer.filters for layer in model.layers if hasattr(layer, "filters")] == [8, 8, 16, 32]
    assert sum(isinstance(layer, keras.layers.BatchNormalization) for layer in model.layers) == 4
    assert model.get_layer("dropout1").rate == 0.3
    assert model.get_layer("flatten").output.shape[-1] == 32 * 32 * 32
    check_probabilities(model, (64, 64, 1), 15)
    with pytest.raises(ValueError, match="four numbers"):
        models.chinese_mnist_cnn(filters=(16, 16))


def test_vgg_style_cnn_halves_the_maps_in_every_block():
    model = models.vgg_style_cnn()
    assert not model.compiled
    shapes = [
        tuple(layer.output.shape[1:]) for layer in model.layers if layer.name.startswith("pool")
    ]
    assert shapes == [(32, 32, 16), (16, 16, 32), (8, 8, 64), (4, 4, 64)]
    assert model.get_layer("flatten").output.shape[-1] == 1024
    assert model.get_layer("probabilities").count_params() == 1024 * 15 + 15
    assert model.count_params() == 160 + 4_640 + 18_496 + 36_928 + 15_375 == 75_599
    check_probabilities(model, (64, 64, 1), 15)


def test_vgg_style_cnn_puts_the_preprocessing_layer_first():
    x = np.random.default_rng(1).random((50, 64, 64, 1), dtype=np.float32) * 0.1
    normalizer = keras.layers.Normalization(axis=None, name="standardize")
    normalizer.adapt(x)
    model = models.vgg_style_cnn(filters=(8, 8), preprocessing=normalizer)
    assert model.layers[0].name == "standardize"
    standardized = np.asarray(model.layers[0](x))
    assert abs(standardized.mean()) < 1e-3 and abs(standardized.std() - 1) < 1e-2
    assert model.get_layer("flatten").output.shape[-1] == 16 * 16 * 8
    check_probabilities(model, (64, 64, 1), 15)


@pytest.mark.parametrize(
    "build, smallest, last",
    [
        (models.mnist_convnet, 18, "conv3"),  # 18 -> 16 -> 8 -> 6 -> 3 -> 1
        (lambda shape: models.vgg_style_cnn(shape, filters=(8, 8, 8)), 8, "pool3"),
        (models.chinese_mnist_cnn, 2, "conv4"),
    ],
)
def test_builders_accept_their_smallest_input_and_refuse_one_pixel_less(build, smallest, last):
    model = build((smallest, smallest, 1))
    assert model.get_layer(last).output.shape[1:3] == (1, 1)
    with pytest.raises(ValueError, match=rf"\({smallest}, {smallest - 1}, 1\).*{smallest}x"):
        build((smallest, smallest - 1, 1))
