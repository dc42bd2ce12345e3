"""Transfer learning helpers (notebook 07): feature extraction, frozen layers, the cached head.

``tests/test_pretrained.py`` already checks that ``models.pretrained`` matches
``keras.applications`` on the ImageNet top; these tests check what notebook 07 builds on it.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from cvcourse import datasets, models, plotting

SIZE = 96  # small images keep the base fast; the weights work at any size >= 32


@pytest.fixture(scope="module")
def splits(mirror_dir):
    return datasets.load_cats_vs_dogs(progress=False)


def _folder_arrays(folder, per_class: int, size: int = SIZE):
    """The first ``per_class`` images of each class as uint8 (n, size, size, 3), labels 0/1."""
    x, y = [], []
    for label, name in enumerate(("cats", "dogs")):
        for path in sorted((folder / name).glob("*.jpg"))[:per_class]:
            x.append(np.asarray(keras.utils.load_img(path, target_size=(size, size)), np.uint8))
            y.append(label)
    return np.stack(x), np.array(y, dtype=np.float32)


def _dataset(x, y, batch_size: int = 16):
    return tf.data.Dataset.from_tensor_slices((x, y)).batch(batch_size)


def _extractor(base, size: int = SIZE):
    """[0, 255] images -> MobileNetV2's [-1, 1] -> pooled base features."""
    return keras.Sequential(
        [keras.Input((size, size, 3)), keras.layers.Rescaling(1 / 127.5, offset=-1), base]
    )


# ---------------------------------------------------------------------- extract_features


def test_extract_features_equals_keras_applications_with_the_same_weights(splits):
    x, y = _folder_arrays(splits.test_dir, 6)
    base = models.pretrained(
        include_top=False, input_shape=(SIZE, SIZE, 3), pooling="avg", progress=False
    )
    features, labels = models.extract_features(_extractor(base), _dataset(x, y), progress=False)
    weights = datasets.mobilenet_v2_weights(include_top=False, progress=False)
    reference = keras.applications.MobileNetV2(
        weights=str(weights), include_top=False, input_shape=(SIZE, SIZE, 3), pooling="avg"
    )
    expected = reference.predict(
        keras.applications.mobilenet_v2.preprocess_input(x.astype(np.float32)),
        batch_size=16,
        verbose=0,
    )
    assert features.shape == (12, 1280) and features.dtype == np.float32
    np.testing.assert_allclose(features, expected, rtol=1e-4, atol=1e-4)  # batching reorders sums
    np.testing.assert_array_equal(labels, y)  # labels come back with their images, in order


def test_extract_features_keeps_each_label_with_its_image_when_shuffled():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Lambda(lambda t: 2.0 * t)])
    x = np.arange(60, dtype=np.float32).reshape(20, 3)
    y = np.arange(20, dtype=np.float32)
    shuffled = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(20, seed=1).batch(6)
    features, labels = models.extract_features(model, shuffled, progress=False)
    assert not np.array_equal(labels, y)  # really shuffled
    np.testing.assert_array_equal(features, 2.0 * x[labels.astype(int)])


def test_extract_features_without_labels_and_on_bad_input():
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3)])
    images_only = tf.data.Dataset.from_tensor_slices(np.ones((5, 2), np.float32)).batch(2)
    features, labels = models.extract_features(model, images_only, progress=False)
    assert features.shape == (5, 3) and labels is None
    empty = tf.data.Dataset.from_tensor_slices(np.ones((0, 2), np.float32)).batch(2)
    with pytest.raises(ValueError, match="no batches"):
        models.extract_features(model, empty, progress=False)
    inputs = keras.Input((2,))
    two_outputs = keras.Model(
        inputs, [keras.layers.Dense(1)(inputs), keras.layers.Dense(2)(inputs)]
    )
    with pytest.raises(ValueError, match="one output"):
        models.extract_features(two_outputs, images_only, progress=False)


# ----------------------------------------------------------------------- freezing, BN


def _fine_tuning_classifier():
    """A pretrained base with its last block trainable (BN frozen) under a new head."""
    base = models.pretrained(
        include_top=False, input_shape=(64, 64, 3), pooling="avg", progress=False
    )
    base.trainable = True
    on = False
    for layer in base.layers:
        on = on or layer.name == "block_16_expand"
        layer.trainable = on and not isinstance(layer, keras.layers.BatchNormalization)
    inputs = keras.Input((64, 64, 3))
    x = base(keras.layers.Rescaling(1 / 127.5, offset=-1)(inputs), training=False)
    outputs = keras.layers.Dense(1, activation="sigmoid")(x)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="binary_crossentropy")
    return base, model


def test_frozen_layers_do_not_change_during_fit(mirror_dir):
    keras.utils.set_random_seed(0)
    base, model = _fine_tuning_classifier()
    frozen = {v.path: np.array(v) for v in base.non_trainable_weights}
    trainable = {v.path: np.array(v) for v in base.trainable_weights}
    moving = [p for p in frozen if "moving_" in p]
    assert moving and frozen and trainable
    assert not any("block_15" in p or "_bn/" in p.lower() for p in trainable)
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 255, (32, 64, 64, 3)).astype(np.float32)
    y = rng.integers(0, 2, (32, 1)).astype(np.float32)
    model.fit(x, y, epochs=2, batch_size=8, verbose=0)
    after = {v.path: np.array(v) for v in base.weights}
    for path, value in frozen.items():  # every frozen weight, BN statistics included
        np.testing.assert_array_equal(after[path], value, err_msg=path)
    assert any(not np.array_equal(after[p], v) for p, v in trainable.items())


def test_frozen_batch_normalization_runs_in_inference_mode(mirror_dir):
    """With BN frozen, fit's training=True changes nothing in the base's output."""
    base, _ = _fine_tuning_classifier()
    x = np.random.default_rng(1).uniform(-1, 1, (8, 64, 64, 3)).astype(np.float32)
    np.testing.assert_allclose(base(x, training=True), base(x, training=False), atol=1e-6)
    for layer in base.layers:  # unfreezing BN would switch it to the batch's statistics
        if isinstance(layer, keras.layers.BatchNormalization):
            layer.trainable = True
    assert (
        np.abs(np.asarray(base(x, training=True)) - np.asarray(base(x, training=False))).max() > 0.1
    )


# ------------------------------------------------------------------ a head on features


@pytest.mark.slow
def test_head_trains_on_cached_features_and_beats_chance(splits):
    base = models.pretrained(
        include_top=False, input_shape=(SIZE, SIZE, 3), pooling="avg", progress=False
    )
    base.trainable = False
    extractor = _extractor(base)
    x_train, y_train = _folder_arrays(splits.train_dir, 60)
    x_test, y_test = _folder_arrays(splits.test_dir, 30)
    order = np.random.default_rng(0).permutation(len(x_train))
    train_features, train_labels = models.extract_features(
        extractor, _dataset(x_train[order], y_train[order], 32), progress=False
    )
    test_features, test_labels = models.extract_features(
        extractor, _dataset(x_test, y_test, 32), progress=False
    )
    keras.utils.set_random_seed(0)
    head = keras.Sequential([keras.Input((1280,)), keras.layers.Dense(1, activation="sigmoid")])
    head.compile(
        optimizer=keras.optimizers.Adam(1e-3), loss="binary_crossentropy", metrics=["accuracy"]
    )
    before = head.evaluate(test_features, test_labels, verbose=0)[0]
    head.fit(train_features, train_labels, epochs=30, batch_size=16, verbose=0)
    loss, accuracy = head.evaluate(test_features, test_labels, verbose=0)
    assert loss < before
    assert accuracy >= 0.7, (
        f"head on pretrained features: test accuracy {accuracy:.2f}"
    )  # chance: 0.5
    assert not base.trainable_weights  # the base took no part in training


# ------------------------------------------------------------------------- plotting


def test_show_top_predictions_draws_each_image_with_its_bars():
    import matplotlib.pyplot as plt

    images = [np.zeros((20, 30, 3), np.uint8), np.full((10, 10, 3), 0.5, np.float32)]
    decoded = [
        [("n1", "tabby", 0.7), ("n2", "tiger_cat", 0.2), ("n3", "lynx", 0.05)],
        [("n4", "espresso", 0.96), ("n5", "cup", 0.01), ("n6", "eggnog", 0.001)],
    ]
    fig = plotting.show_top_predictions(images, decoded, titles=["a", "b"])
    try:
        bars = [ax for ax in fig.axes if ax.patches]
        assert len(bars) == 2
        ticks = dict(zip(bars[0].get_yticks(), (t.get_text() for t in bars[0].get_yticklabels())))
        assert ticks[max(ticks)] == "tabby" and "tiger cat" in ticks.values()  # best on top
        assert [round(p.get_width(), 2) for p in bars[1].patches] == [0.96, 0.01, 0.0]
    finally:
        plt.close(fig)
    with pytest.raises(ValueError, match="2 images but 1"):
        plotting.show_top_predictions(images, decoded[:1])
    with pytest.raises(ValueError, match="at least one"):
        plotting.show_top_predictions([], [])
