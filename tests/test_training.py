"""cvcourse.training: the schedules and the per-batch history callback, on tiny models."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from cvcourse import training


def tiny_data(n: int = 40, seed: int = 0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype("float32")
    y = (x[:, 0] + x[:, 1] > 0).astype("int64")
    return x, y


def tiny_model(dropout: float = 0.0):
    model = keras.Sequential(
        [
            keras.Input((4,)),
            keras.layers.Dense(8, activation="relu"),
            keras.layers.Dropout(dropout),
            keras.layers.Dense(2, activation="softmax"),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.SGD(0.1),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


# --------------------------------------------------------------------------- schedule


def test_exponential_decay_values():
    schedule = training.exponential_decay(1e-3, 0.5)
    assert [schedule(e) for e in range(3)] == pytest.approx([1e-3, 5e-4, 2.5e-4])
    assert training.exponential_decay(1e-3, 0.99, offset=5)(0) == pytest.approx(1e-3 * 0.99**5)
    assert schedule(2, 123.0) == pytest.approx(2.5e-4)  # Keras passes the current rate too


@pytest.mark.parametrize("initial, factor", [(0, 0.9), (-1e-3, 0.9), (1e-3, 0), (1e-3, 1.5)])
def test_exponential_decay_refuses_bad_settings(initial, factor):
    with pytest.raises(ValueError):
        training.exponential_decay(initial, factor)


def test_scheduler_sets_the_optimizers_rate_each_epoch():
    x, y = tiny_data()
    scheduler = keras.callbacks.LearningRateScheduler(training.exponential_decay(0.1, 0.5))
    history = tiny_model().fit(x, y, epochs=3, batch_size=10, callbacks=[scheduler], verbose=0)
    assert history.history["learning_rate"] == pytest.approx([0.1, 0.05, 0.025])


# ------------------------------------------------------------------------ BatchHistory


def test_batch_history_records_every_batch_and_last_running_mean_is_the_epoch_value():
    x, y = tiny_data(45)
    batches = training.BatchHistory()
    history = tiny_model().fit(x, y, epochs=2, batch_size=10, callbacks=[batches], verbose=0)
    assert len(batches.records) == 2 * 5  # 45 samples in batches of 10: 5 per epoch
    assert [r["batch"] for r in batches.records] == [0, 1, 2, 3, 4] * 2
    assert [r["epoch"] for r in batches.records] == [0] * 5 + [1] * 5
    means = batches.running_means("accuracy")
    # the epoch's logged accuracy is the running mean after its last batch
    assert means[4] == pytest.approx(history.history["accuracy"][0], abs=1e-6)
    assert means[9] == pytest.approx(history.history["accuracy"][1], abs=1e-6)
    frame = batches.as_frame()
    assert {"epoch", "batch", "loss", "accuracy"} <= set(frame.columns)
    assert len(frame) == 10


def test_batch_values_recover_each_batchs_own_accuracy():
    x, y = tiny_data(45)
    model = tiny_model()
    model.optimizer.learning_rate.assign(0.0)  # frozen weights: each batch's accuracy is known
    batches = training.BatchHistory()
    model.fit(x, y, epochs=1, batch_size=10, callbacks=[batches], verbose=0, shuffle=False)
    predicted = model.predict(x, verbose=0).argmax(axis=1)
    own = [np.mean(predicted[i : i + 10] == y[i : i + 10]) for i in range(0, 45, 10)]
    values = batches.batch_values("accuracy", batch_size=10, num_samples=45)
    np.testing.assert_allclose(values, own, atol=1e-5)
    # the running mean is the sample-weighted mean of the batches so far
    sizes = np.array([10, 10, 10, 10, 5])
    np.testing.assert_allclose(
        batches.running_means("accuracy"), np.cumsum(values * sizes) / np.cumsum(sizes), atol=1e-6
    )


def test_batch_history_starts_afresh_with_each_fit_and_names_missing_keys():
    x, y = tiny_data()
    model = tiny_model()
    batches = training.BatchHistory()
    model.fit(x, y, epochs=1, batch_size=20, callbacks=[batches], verbose=0)
    model.fit(x, y, epochs=1, batch_size=20, callbacks=[batches], verbose=0)
    assert len(batches.records) == 2
    with pytest.raises(KeyError, match="not in the batch logs"):
        batches.running_means("precision")


# ----------------------------------------------------------------------- warmup_cosine


def test_warmup_cosine_rises_to_the_peak_then_falls_to_zero():
    schedule = training.warmup_cosine(2e-3, total_steps=1000)  # 50 warm-up steps
    rates = np.array([float(schedule(step)) for step in (0, 25, 50, 525, 999, 1000)])
    np.testing.assert_allclose(rates[0], 2e-4, rtol=1e-5)
    assert rates[0] < rates[1] < rates[2]
    np.testing.assert_allclose(rates[2], 2e-3, rtol=1e-5)  # the peak, after warm-up
    np.testing.assert_allclose(rates[3], 1e-3, rtol=1e-3)  # half-way down the cosine
    assert rates[4] < 1e-6 and rates[5] < 1e-9


def test_warmup_cosine_without_warmup_starts_at_the_peak():
    schedule = training.warmup_cosine(1e-3, total_steps=10, warmup_fraction=0)
    np.testing.assert_allclose(float(schedule(0)), 1e-3, rtol=1e-6)


@pytest.mark.parametrize(
    "kwargs", [{"peak": 0}, {"total_steps": 0}, {"warmup_fraction": 1.0}, {"warmup_fraction": -0.1}]
)
def test_warmup_cosine_refuses_bad_settings(kwargs):
    settings = {"peak": 1e-3, "total_steps": 100, **kwargs}
    with pytest.raises(ValueError):
        training.warmup_cosine(settings.pop("peak"), **settings)
