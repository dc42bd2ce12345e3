"""Training helpers: the callbacks the notebooks use and a seeded, timed ``fit``.

- :class:`BatchHistory`: a callback that records Keras' logs after every training batch,
  and recovers each batch's own value from Keras' running means (notebook 03).
- :func:`exponential_decay`: a learning-rate schedule for
  ``keras.callbacks.LearningRateScheduler`` (notebook 03).
- :func:`warmup_cosine`: a learning rate that warms up, then decays along a cosine
  (notebooks 04 and 05).
- :func:`fit`: seed, build (optionally inside a ``tf.distribute`` strategy), fit and time
  a model in one call; returns a :class:`FitResult` (notebooks 02 and 03; the strategy
  form is shown in notebook 06).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import keras
import numpy as np

# ------------------------------------------------------------------------- schedules


def exponential_decay(initial: float = 1e-3, factor: float = 0.99, offset: int = 0) -> Callable:
    """A learning-rate schedule ``epoch -> initial * factor ** (epoch + offset)``.

    Pass it to ``keras.callbacks.LearningRateScheduler(exponential_decay(1e-3, 0.9))``:
    Keras calls it at the start of each epoch (epochs count from 0) and sets the
    optimizer's learning rate to the value it returns; the rate used in each epoch is then
    in ``history["learning_rate"]``. ``offset`` starts the decay ``offset`` epochs in.
    Returns that function (int epoch -> float rate). Taught in notebook 03, used in 08.
    """
    if initial <= 0:
        raise ValueError(f"initial learning rate must be positive, got {initial}")
    if not 0 < factor <= 1:
        raise ValueError(f"factor must be in (0, 1], got {factor}")

    def schedule(epoch: int, learning_rate: float | None = None) -> float:
        return float(initial * factor ** (epoch + offset))

    return schedule


def warmup_cosine(peak: float, *, total_steps: int, warmup_fraction: float = 0.05):
    """A ``keras.optimizers.schedules.CosineDecay``: warm up, then a cosine down to 0.

    Over the first ``warmup_fraction`` of the ``total_steps`` (training batches, i.e.
    epochs x batches per epoch) the rate rises linearly from ``peak / 10`` to ``peak``;
    over the rest it falls along half a cosine to 0 at the last step. Pass it as an
    optimizer's ``learning_rate``; Keras evaluates it at every step. Returns the
    ``CosineDecay`` schedule. Taught in notebook 04 and used again in 05.
    """
    if peak <= 0:
        raise ValueError(f"peak learning rate must be positive, got {peak}")
    if total_steps < 1:
        raise ValueError(f"total_steps must be at least 1, got {total_steps}")
    if not 0 <= warmup_fraction < 1:
        raise ValueError(f"warmup_fraction must be in [0, 1), got {warmup_fraction}")
    warmup_steps = int(total_steps * warmup_fraction)
    return keras.optimizers.schedules.CosineDecay(
        peak / 10 if warmup_steps else peak,
        decay_steps=max(total_steps - warmup_steps, 1),
        warmup_target=peak if warmup_steps else None,
        warmup_steps=warmup_steps,
    )


# ------------------------------------------------------------------------- callbacks


class BatchHistory(keras.callbacks.Callback):
    """Record the logs that Keras reports after every training batch.

    ``records`` is a list of dicts, one per batch: ``epoch`` and ``batch`` (both from 0)
    and every metric in the logs (``loss``, ``accuracy``, ...). Keras' per-batch values
    are *running means over the epoch so far*, the numbers its progress bar shows: the
    last batch of an epoch holds the epoch's training value. :meth:`batch_values` undoes
    the averaging to give each batch's own value. Like Keras' ``History``, the records
    start afresh with every ``fit``. Taught in notebook 03 (after seed 002's callback).
    """

    def __init__(self):
        super().__init__()
        self.records: list[dict] = []
        self._epoch = 0

    def on_train_begin(self, logs=None):
        self.records = []

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        values = {k: float(v) for k, v in (logs or {}).items() if np.ndim(v) == 0}
        self.records.append({"epoch": self._epoch, "batch": batch, **values})

    def running_means(self, key: str = "accuracy") -> np.ndarray:
        """The logged (running mean) value of ``key`` after each batch, all epochs in order."""
        if self.records and key not in self.records[0]:
            raise KeyError(f"{key!r} is not in the batch logs; they hold {list(self.records[0])}")
        return np.array([r[key] for r in self.records], dtype=np.float64)

    def batch_values(self, key: str = "accuracy", *, batch_size: int, num_samples: int):
        """Each batch's own value of ``key``, recovered from Keras' running means.

        Keras weighs each batch by its number of samples: after batches 1..b of sizes n_i
        the log shows ``m_b = sum(n_i * v_i) / sum(n_i)``, so ``v_b = (m_b * N_b -
        m_{b-1} * N_{b-1}) / n_b`` with ``N_b = n_1 + ... + n_b``. Every batch holds
        ``batch_size`` samples except the last of each epoch, which holds what is left of
        ``num_samples``. Exact up to float32 rounding of the logs.
        """
        means = self.running_means(key)
        epochs = np.array([r["epoch"] for r in self.records])
        batches = np.array([r["batch"] for r in self.records])
        values = np.empty_like(means)
        for epoch in np.unique(epochs):
            rows = np.flatnonzero(epochs == epoch)
            steps = -(-num_samples // batch_size)
            sizes = np.full(len(rows), float(batch_size))
            sizes[batches[rows] == steps - 1] = num_samples - batch_size * (steps - 1)
            seen = np.cumsum(sizes)
            totals = means[rows] * seen
            values[rows] = np.diff(totals, prepend=0.0) / sizes
        return values

    def as_frame(self):
        """The records as a pandas DataFrame, one row per batch."""
        import pandas as pd

        return pd.DataFrame.from_records(self.records)


# ------------------------------------------------------------------------------ fit


@dataclass
class FitResult:
    """What :func:`fit` returns: the trained model, its history and the time it took."""

    model: keras.Model
    history: dict[str, list[float]] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def epochs(self) -> int:
        """How many epochs ran (fewer than asked for when EarlyStopping stopped it)."""
        return len(next(iter(self.history.values()), []))


def fit(
    model,
    x,
    y=None,
    *,
    epochs: int,
    batch_size: int | None = None,
    validation_data=None,
    callbacks: Sequence[keras.callbacks.Callback] | None = (),
    verbose: int = 2,
    seed: int | None = None,
    strategy=None,
    **fit_kwargs,
) -> FitResult:
    """Seed everything, then fit and time a model; returns a :class:`FitResult`.

    ``model`` is either a compiled ``keras.Model`` or a function with no arguments that
    builds *and compiles* one (the function runs after seeding, so the initial weights
    repeat too). ``x``, ``y``, ``batch_size``, ``validation_data``, ``callbacks`` and any
    other keyword go to ``model.fit`` unchanged; ``verbose=2`` prints one line per epoch.
    ``seed`` defaults to the course's seed (:func:`cvcourse.settings.seed_everything`).

    With a ``tf.distribute`` strategy (e.g. ``tf.distribute.MirroredStrategy()``, one
    model replica per GPU), the model's variables must be created inside
    ``strategy.scope()``, so ``model`` must then be the building function; ``fit`` calls
    it inside the scope and Keras splits every batch between the replicas::

        def build():
            model = models.mnist_convnet()
            model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                          metrics=["accuracy"])
            return model

        run = training.fit(build, x_train, y_train, epochs=5, batch_size=256,
                           strategy=tf.distribute.MirroredStrategy())

    ``batch_size`` is then the global batch, shared by the replicas. Notebooks 02, 03, 06.
    """
    from . import settings

    settings.seed_everything(seed)
    if strategy is not None:
        if isinstance(model, keras.Model):
            raise ValueError(
                "with a strategy, pass a function that builds and compiles the model, not a "
                "model: its variables must be created inside strategy.scope()"
            )
        with strategy.scope():
            model = model()
    elif not isinstance(model, keras.Model) and callable(model):
        model = model()
    if not isinstance(model, keras.Model):
        raise TypeError(f"expected a keras.Model or a function returning one, got {model!r}")
    if not model.compiled:
        raise ValueError("the model is not compiled: call model.compile(...) before fit")
    if hasattr(x, "element_spec"):  # a tf.data.Dataset: it shuffles itself (or not)
        fit_kwargs.setdefault("shuffle", False)  # else Keras warns that shuffle is ignored
    start = time.perf_counter()
    history = model.fit(
        x,
        y,
        epochs=epochs,
        batch_size=batch_size,
        validation_data=validation_data,
        callbacks=list(callbacks or []),
        verbose=verbose,
        **fit_kwargs,
    )
    seconds = time.perf_counter() - start
    return FitResult(model=model, history=dict(history.history), seconds=seconds)
