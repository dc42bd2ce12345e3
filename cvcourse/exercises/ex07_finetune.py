"""The check of notebook 07's debugging exercise (q4): a fine-tuning setup, repaired.

The student's ``fixed_finetuning(base, head, fine_tune_from)`` must return a compiled model
``base -> head`` in which only the layers of ``base`` from ``fine_tune_from`` on train
(BatchNormalization frozen), the head trains, and the learning rate suits fine-tuning.
:class:`FineTuneSetup` calls it on the checker's own small MobileNetV2-shaped base (random
weights, 32x32 inputs, ``pooling="avg"``: (n, 32, 32, 3) float32 -> (n, 1280)) and a fresh
head ((n, 1280) -> (n, 1) sigmoid), counts the trainable parameters, then runs one training
step on random images and looks at what it changed: frozen weights and BatchNormalization's
moving statistics must stay as they are, and the head must move (the unfrozen layers
may or may not: with random weights their gradients can be zero).
Declared as ``ex07.q4``; taught in notebook 07, section 6.
"""

from __future__ import annotations

import functools

import numpy as np

from . import core

CHECK_FROM = "block_15_expand"  # not the notebook's FINE_TUNE_FROM: the argument must count
LOWEST_RATE, HIGHEST_RATE = 1e-6, 1e-4


def small_base(pooling=None):
    """A fresh MobileNetV2-shaped base (alpha 0.35, 32x32 inputs, random weights): 154 layers."""
    import keras

    return keras.applications.MobileNetV2(
        weights=None, include_top=False, input_shape=(32, 32, 3), alpha=0.35, pooling=pooling
    )


def new_head():
    """A fresh head like the notebook's: (n, 1280) features -> P(dog), 1,281 parameters.

    Its weights start at zero, so P(dog) starts at 0.5 whatever features a random base
    gives: the sigmoid cannot saturate, and one training step always moves the head.
    """
    import keras

    return keras.Sequential(
        [
            keras.Input((1280,)),
            keras.layers.Dropout(0.2),
            keras.layers.Dense(1, activation="sigmoid", kernel_initializer="zeros"),
        ]
    )


def size(weights) -> int:
    """How many numbers a list of weight tensors holds."""
    return int(sum(int(np.prod(w.shape)) for w in weights))


def is_bn(layer) -> bool:
    import keras

    return isinstance(layer, keras.layers.BatchNormalization)


def tuned_layers(base, first: str) -> list:
    """The layers of ``base`` that fine-tuning from ``first`` trains (no BatchNormalization)."""
    names = [layer.name for layer in base.layers]
    return [layer for layer in base.layers[names.index(first) :] if not is_bn(layer)]


@functools.cache
def expected_trainable(first: str = CHECK_FROM) -> tuple[int, int]:
    """(trainable parameters of the base, of the head) of a right setup."""
    base = small_base("avg")
    return size(w for layer in tuned_layers(base, first) for w in layer.weights), 1281


def _learning_rate(model) -> float | None:
    import keras

    try:
        return float(keras.ops.convert_to_numpy(model.optimizer.learning_rate))
    except Exception:  # noqa: BLE001 - a schedule or no optimizer: reported as such
        return None


def _snapshot(layers) -> dict:
    import keras

    return {layer.name: [keras.ops.convert_to_numpy(w) for w in layer.weights] for layer in layers}


def _changed(before: dict, layers) -> list[str]:
    import keras

    return [
        layer.name
        for layer in layers
        if any(
            not np.array_equal(a, keras.ops.convert_to_numpy(b))
            for a, b in zip(before[layer.name], layer.weights)
        )
    ]


def _train_step(model, x, y) -> None:
    """One step of the model's own optimizer on a binary cross-entropy, run eagerly."""
    import keras
    import tensorflow as tf

    with tf.GradientTape() as tape:
        p = model(x, training=True)
        loss = keras.ops.mean(keras.losses.binary_crossentropy(y, p))
    weights = model.trainable_weights
    grads = tape.gradient(loss, weights)
    model.optimizer.apply_gradients(
        [(g, w) for g, w in zip(grads, weights, strict=True) if g is not None]
    )


def not_a_model(answer, name: str) -> None:
    """Raise Incorrect when a Keras model or layer is passed where a function is asked for."""
    import keras

    if isinstance(answer, keras.layers.Layer):
        raise core.Incorrect(
            f"{name} should be your function, not {core.describe(answer)} itself: pass the "
            "function, and the check calls it on a base of its own."
        )


class FineTuneSetup(core.Check):
    """fixed_finetuning: trainable counts, learning rate and one training step (see module)."""

    def judge(self, fixed_finetuning, name, answers):
        import keras

        not_a_model(fixed_finetuning, name)
        base, head = small_base("avg"), new_head()
        base.trainable = False  # as in the notebook: the base comes frozen from (a)
        model = core.call_student(
            fixed_finetuning, base, head, CHECK_FROM, what=f"{name}(base, head, {CHECK_FROM!r})"
        )
        if not isinstance(model, keras.Model):
            raise core.Incorrect(f"{name} should return a Keras model, not {core.describe(model)}.")
        if getattr(model, "optimizer", None) is None:
            raise core.Incorrect(
                f"the model {name} returns is not compiled: call model.compile(...) with the "
                "optimizer, the loss and the metrics before returning it."
            )
        x = np.random.default_rng(0).uniform(-1, 1, (8, 32, 32, 3)).astype("float32")
        try:
            shape = tuple(np.shape(model(x[:2], training=False)))
        except Exception as err:  # noqa: BLE001 - a model that does not take the base's input
            raise core.Incorrect(
                f"the model {name} returns cannot take the base's input images, (n, 32, 32, 3) "
                f"in the check ({type(err).__name__}). Build it from base and head."
            ) from None
        if shape != (2, 1):
            raise core.Incorrect(
                f"the model gives outputs of shape {shape} for two images; base then head "
                "gives one P(dog) per image, (2, 1)."
            )
        problems = self._trainable_problems(base, head)
        rate = _learning_rate(model)
        if rate is None or not np.isfinite(rate):
            problems.append("the optimizer's learning rate could not be read as one number")
        elif rate >= 1e-3:
            problems.append(
                f"the learning rate {rate:g} is that of a head trained from random weights: "
                "such steps overwrite pretrained features"
            )
        elif not LOWEST_RATE <= rate <= HIGHEST_RATE * (1 + 1e-5):
            problems.append(f"the learning rate {rate:g} is not a fine-tuning rate")
        if problems:
            raise core.Incorrect(core.join_problems(problems))
        return self._behaviour(model, base, head, x)

    @staticmethod
    def _trainable_problems(base, head) -> list[str]:
        problems = []
        norms = [layer.name for layer in base.layers if is_bn(layer) and layer.trainable_weights]
        if norms:
            problems.append(
                f"{len(norms)} BatchNormalization layers of the base are trainable, so fit "
                "runs them in training mode and their moving statistics drift"
            )
        names = [layer.name for layer in base.layers]
        early = [layer.name for layer in base.layers[: names.index(CHECK_FROM)]]
        early = [
            n for n in early if base.get_layer(n).trainable_weights and not is_bn(base.get_layer(n))
        ]
        if early:
            problems.append(
                f"layers before fine_tune_from train ({len(early)} of them, from {early[0]}): "
                "only the top of the base should"
            )
        base_expected, head_expected = expected_trainable()
        got = size(base.trainable_weights)
        if not norms and not early and got != base_expected:
            problems.append(
                f"the base has {got:,} trainable parameters; with every layer from "
                "fine_tune_from on trainable (BatchNormalization excepted) it would have more. Does "
                "your function use its argument fine_tune_from?"
            )
        if size(head.trainable_weights) != head_expected:
            problems.append("the head is frozen: it must go on training with the top layers")
        return problems

    @staticmethod
    def _behaviour(model, base, head, x):
        layers = [*base.layers, *head.layers]
        before = _snapshot(layers)
        y = (np.arange(len(x)) % 2).reshape(-1, 1).astype("float32")
        core.call_student(_train_step, model, x, y, what="one training step of your model")
        changed = set(_changed(before, layers))
        tuned = {layer.name for layer in tuned_layers(base, CHECK_FROM) if layer.weights}
        drifted = sorted(
            layer.name for layer in base.layers if is_bn(layer) and layer.name in changed
        )
        if drifted:
            raise core.Incorrect(
                f"one training step changed the moving statistics of BatchNormalization "
                f"layers ({', '.join(drifted[:3])}...): they still run in training mode."
            )
        frozen = sorted(changed - tuned - {layer.name for layer in head.layers})
        if frozen:
            raise core.Incorrect(
                f"one training step changed frozen layers ({', '.join(frozen[:3])})."
            )
        if not changed & {layer.name for layer in head.layers}:
            raise core.Incorrect("one training step left the head unchanged: does it train?")
        return None
