"""Training helpers the notebooks reuse: two learning-rate schedules and a callback.

The notebooks call ``model.compile`` and ``model.fit`` themselves; this module holds only
what several of them repeat.

- :class:`BatchHistory`: a callback that records Keras' logs after every training batch,
  and recovers each batch's own value from Keras' running means (notebook 03).
- :func:`exponential_decay`: a learning-rate schedule for
  ``keras.callbacks.LearningRateScheduler`` (notebook 03).
- :func:`warmup_cosine`: a learning rate that warms up, then decays along a cosine
  (notebooks 04 and 05).
"""

from __future__ import annotations

from collections.abc import Callable

import keras
import numpy as np

# ------------------------------------------------------------------------- schedules


def exponential_decay(initial: float = 1e-3, factor: float = 0.99, offset: int = 0) -> Callable:
    """A learning-rate schedule ``epoch -> initial * factor ** (epoch + offset)``.

    Pass it to ``keras.callbacks.LearningRateScheduler(exponential_decay(1e-3, 0.9))``:
    Keras calls it at the start of each epoch (epochs count from 0) and sets the
    optimizer's learning rate to the value it returns; the rate used in each epoch is then
    in ``history["learning_rate"]``. ``offset`` starts the decay ``offset`` epochs in.
    Returns that function (int epoch -> float rate). Taught in notebook 03, used in 09.
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
    start afresh with every ``fit``. Taught in notebook 03.
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
