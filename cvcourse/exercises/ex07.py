"""Exercises of notebook 07_transfer_learning.

- ``q1``: write ``freeze(model)``, which freezes a pretrained base so that ``fit`` cannot
  change it; checked on a fresh MobileNetV2-shaped base through its trainable weights.
- ``q2``: write ``unfreeze_last(base, n)``, which makes only the last ``n`` layers of a
  frozen base trainable (BatchNormalization layers stay frozen) and returns the number
  of trainable parameters; checked for several ``n`` on one base, in a row.
- ``q3``: choose the learning rate for fine-tuning, ``finetune_learning_rate`` (a
  :class:`~core.Value` within bounds).
- ``q4`` (debug): repair a broken fine-tuning setup as ``fixed_finetuning(base, head,
  fine_tune_from)``; judged on the checker's own base by trainable-parameter counts, the
  learning rate and what one training step changes (:mod:`.ex07_finetune`).
"""

from __future__ import annotations

import functools

import numpy as np

from . import core, ex07_finetune

COMMON = {"notebook": "07", "notebook_name": "07_transfer_learning"}

# Fine-tuning learning rates the checker accepts: Adam's usual 1e-3 trains a new head;
# pretrained weights want steps 10 to 1000 times smaller.
LOWEST_RATE = 1e-6
HIGHEST_RATE = 1e-4
HEAD_RATE = 1e-3


# a fresh MobileNetV2-shaped base (no download), a tensor list's size, a BatchNormalization?
_small_base, _size, _is_bn = ex07_finetune.small_base, ex07_finetune.size, ex07_finetune.is_bn


def _layer_names(layers, limit: int = 3) -> str:
    names = [layer.name for layer in layers]
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


# ------------------------------------------------------------------------------- q1


class Freeze(core.Check):
    """freeze(model): every weight frozen, none changed, the model returned (or None)."""

    def judge(self, freeze, name, answers):
        import keras

        base = _small_base()
        before = [np.array(w) for w in base.get_weights()]
        ex07_finetune.not_a_model(freeze, name)
        out = core.call_student(freeze, base, what="your function freeze")
        model = base if out is None else out
        if not isinstance(model, keras.Model):
            raise core.Incorrect(
                f"freeze should return the model it was given, but it returned "
                f"{core.describe(out)}."
            )
        if len(model.weights) != len(before):
            raise core.Incorrect(
                f"the model came back with {len(model.weights)} weight tensors instead of "
                f"{len(before)}: freezing should keep every layer, only stop training them."
            )
        trainable = model.trainable_weights
        if trainable:
            still = [layer for layer in model.layers if layer.trainable_weights]
            if still and all(_is_bn(layer) for layer in still):
                raise core.Incorrect(
                    f"the BatchNormalization layers ({_layer_names(still)}) are still "
                    "trainable. Freeze the whole model with model.trainable = False, which "
                    "reaches every layer."
                )
            raise core.Incorrect(
                f"{len(trainable)} weight tensors ({_size(trainable):,} parameters) are "
                f"still trainable, in layers such as {_layer_names(still)}: fit() would "
                "change them."
            )
        after = model.get_weights()
        if any(not np.array_equal(a, b) for a, b in zip(before, after, strict=True)):
            raise core.Incorrect(
                "your function changed the values of the weights. Freezing only stops "
                "training from changing them; the pretrained values must stay as they are."
            )
        return None


@functools.cache
def _weight_counts() -> tuple[int, int]:
    base = _small_base()
    return len(base.weights), _size(base.weights)


q1 = core.Answers(
    **COMMON,
    name="q1",
    title="freeze a pretrained base",
    usage="ex.q1.check(freeze)",
    hints=(
        "Every Keras layer and model has a `trainable` attribute, and a frozen layer's "
        "weights move from trainable_weights to non_trainable_weights.",
        "Setting model.trainable = False on the model sets it on every layer inside, "
        "BatchNormalization included; afterwards model.trainable_weights is an empty list. "
        "Return the model.",
    ),
    parts={"freeze": Freeze()},
    correct=lambda freeze: (
        f"all {_weight_counts()[0]} weight tensors ({_weight_counts()[1]:,} parameters) are "
        "frozen: model.trainable_weights is empty, so fit() will leave the base as it is."
    ),
)


# ------------------------------------------------------------------------------- q2

UNFREEZE_CASES = (20, 5, 40)  # a smaller n after a larger one: the function must reset


def _expected_trainable(base, n: int) -> int:
    return _size([w for layer in base.layers[-n:] if not _is_bn(layer) for w in layer.weights])


class UnfreezeLast(core.Check):
    """unfreeze_last(base, n): only the last n layers train (BN frozen); returns the count."""

    def judge(self, unfreeze_last, name, answers):
        base = _small_base()
        base.trainable = False  # as in the notebook: the base starts frozen
        for n in (20, 5, 40):  # a smaller n after a larger one: the function must reset
            ex07_finetune.not_a_model(unfreeze_last, name)
            got = core.call_student(unfreeze_last, base, n, what=f"unfreeze_last(base, {n})")
            expected = _expected_trainable(base, n)
            actual = _size(base.trainable_weights)
            if isinstance(got, bool) or not isinstance(got, (int, np.integer, float, np.floating)):
                raise core.Incorrect(
                    f"unfreeze_last(base, {n}) should return the number of trainable "
                    f"parameters, but it returned {core.describe(got)}."
                )
            if not base.trainable and actual == 0:
                raise core.Incorrect(
                    f"after unfreeze_last(base, {n}) the base as a whole is still frozen "
                    "(base.trainable is False), and a frozen model has no trainable weights "
                    "whatever its layers say. Set base.trainable = True first, then freeze "
                    "the layers you want frozen."
                )
            early = [layer for layer in base.layers[:-n] if layer.trainable_weights]
            if early:
                raise core.Incorrect(
                    f"after unfreeze_last(base, {n}), layers before the last {n} are "
                    f"trainable ({_layer_names(early)}). Only base.layers[-n:] may train."
                )
            norms = [layer for layer in base.layers[-n:] if _is_bn(layer) and layer.trainable]
            if norms:
                raise core.Incorrect(
                    f"after unfreeze_last(base, {n}) the BatchNormalization layers "
                    f"{_layer_names(norms)} are trainable. Keep them frozen: a frozen "
                    "BatchNormalization layer stays in inference mode, with the statistics "
                    "learned on ImageNet."
                )
            stuck = [
                layer
                for layer in base.layers[-n:]
                if layer.weights and not _is_bn(layer) and not layer.trainable
            ]
            if stuck:
                raise core.Incorrect(
                    f"after unfreeze_last(base, {n}) (the check calls it for n = 20, 5, 40 "
                    f"in a row), layers among the last {n} are still frozen: "
                    f"{_layer_names(stuck)}. With TensorFlow, base.trainable = True does "
                    "nothing to the layers when base.trainable is True already, so flags "
                    "left by an earlier call stay: set every layer's trainable yourself."
                )
            if actual != expected:
                raise core.Incorrect(
                    f"after unfreeze_last(base, {n}) the base has {actual:,} trainable "
                    f"parameters, but with only its last {n} layers trainable (and their "
                    f"BatchNormalization layers frozen) it should have {expected:,}."
                )
            if got == len(base.trainable_weights) and got != actual:
                raise core.Incorrect(
                    f"unfreeze_last(base, {n}) returned {got}: that is the number of "
                    f"trainable weight tensors, not of parameters ({actual:,}). Add up the "
                    "sizes of the tensors instead."
                )
            if got != actual:
                raise core.Incorrect(
                    f"the layers are set right, but unfreeze_last(base, {n}) returned "
                    f"{got:,} while the base has {actual:,} trainable parameters. Count "
                    "them from base.trainable_weights."
                )
        return None


@functools.cache
def _trainable_counts() -> tuple[tuple[int, int], ...]:
    base = _small_base()
    return tuple((n, _expected_trainable(base, n)) for n in UNFREEZE_CASES)


q2 = core.Answers(
    **COMMON,
    name="q2",
    title="unfreeze the last n layers and count the trainable parameters",
    usage="ex.q2.check(unfreeze_last)",
    hints=(
        "A frozen model reports no trainable weights whatever its layers say, so start with "
        "base.trainable = True. Then give every layer its own flag, True or False: the check "
        "calls your function several times on one base.",
        "A layer trains if it is one of base.layers[-n:] and not a "
        "keras.layers.BatchNormalization. Count the parameters as the sum of the sizes of "
        "base.trainable_weights (the size of one tensor is the product of its shape): the "
        "notebook's parameters() does it.",
    ),
    parts={"unfreeze_last": UnfreezeLast()},
    correct=lambda unfreeze_last: (
        "trainable parameters "
        + ", ".join(f"n={n}: {count:,}" for n, count in _trainable_counts())
        + ", with BatchNormalization frozen."
    ),
)


# ------------------------------------------------------------------------------- q3


class FineTuneRate(core.Value):
    """finetune_learning_rate: a number from LOWEST_RATE to HIGHEST_RATE."""

    bounds = (LOWEST_RATE, HIGHEST_RATE)

    def diagnose(self, rate, expected, name, answers):
        rate = float(rate)
        if rate <= 0:
            return f"a learning rate must be a positive number, not {rate:g}."
        if rate >= HEAD_RATE:
            return (
                f"{rate:g} is as large as the rate that trained the new head from random "
                "weights (1e-3) or larger. Such steps would overwrite the pretrained "
                "features within a few batches, and with so few images the model would "
                "then overfit. Go 10 to 100 times lower."
            )
        if rate > HIGHEST_RATE:
            return (
                f"{rate:g} is below the head's 1e-3 but still large for pretrained weights: "
                "fine-tuning usually takes 1e-4 or less."
            )
        return (
            f"{rate:g} is so small that a few epochs would hardly move the weights: "
            "fine-tuning would change almost nothing. Try between 1e-5 and 1e-4."
        )


def _q3_correct(finetune_learning_rate) -> str:
    rate = float(finetune_learning_rate)
    return (
        f"{rate:g} is {HEAD_RATE / rate:.0f} times below the head's 1e-3: small steps "
        "that adjust the pretrained features without erasing them."
    )


q3 = core.Answers(
    **COMMON,
    name="q3",
    title="a learning rate for fine-tuning",
    usage="ex.q3.check(finetune_learning_rate)",
    hints=(
        "The new head was trained with Adam at 1e-3, from random weights. The unfrozen "
        "pretrained layers already hold good weights: should their steps be larger or smaller?",
        "10 to 100 times smaller than the head's, so that fine-tuning adjusts the pretrained "
        "features instead of overwriting what ImageNet taught them.",
    ),
    parts={"finetune_learning_rate": FineTuneRate()},
    correct=_q3_correct,
)


# ------------------------------------------------------------------------------- q4

q4 = core.Answers(
    **COMMON,
    name="q4",
    title="repair a broken fine-tuning setup (debug)",
    usage="ex.q4.check(fixed_finetuning)",
    hints=(
        "broken_finetuning has three bugs. Compare it with section 6: which layers of the "
        "base train there, what happens to BatchNormalization, and which learning rate is used?",
        "Set base.trainable = True, then each layer's flag: trainable from the layer named "
        "fine_tune_from on, and never for a keras.layers.BatchNormalization. Keep the model "
        "base -> head, and compile it with Adam at a fine-tuning rate (1e-5 to 1e-4).",
    ),
    parts={"fixed_finetuning": ex07_finetune.FineTuneSetup()},
    correct=lambda fixed_finetuning: (
        "only the top of the base ({:,} parameters) and the head ({:,}) train, "
        "BatchNormalization stays in inference mode, and a training step changes nothing "
        "that is frozen.".format(*ex07_finetune.expected_trainable())
    ),
)

QUESTIONS = ("q1", "q2", "q3", "q4")
