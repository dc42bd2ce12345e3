"""The checkers of notebook 07, against their solutions and against wrong answers."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from test_ex_solutions import notebook_definition, run_solution

from cvcourse.exercises import ex07
from cvcourse.exercises.core import Status


def status(question, *args):
    return question.evaluate(*args)


def parameters(weights) -> int:
    return sum(int(np.prod(w.shape)) for w in weights)


# ------------------------------------------------------------------------------- q1


def freeze(model):
    model.trainable = False
    return model


def test_q1_solution():
    result = status(ex07.q1, freeze)
    assert result.status is Status.CORRECT, result.message
    assert "frozen" in result.message


def test_q1_freezing_in_place_without_returning_is_accepted():
    def freeze_in_place(model):
        for layer in model.layers:
            layer.trainable = False

    assert status(ex07.q1, freeze_in_place).status is Status.CORRECT


def test_q1_convolutions_only_leaves_batch_normalization_trainable():
    def freeze_convolutions(model):
        for layer in model.layers:
            if not isinstance(layer, keras.layers.BatchNormalization):
                layer.trainable = False
        return model

    result = status(ex07.q1, freeze_convolutions)
    assert result.status is Status.INCORRECT
    assert "BatchNormalization" in result.message


def test_q1_all_but_the_last_layers_is_incorrect():
    def freeze_most(model):
        for layer in model.layers[:-10]:
            layer.trainable = False
        return model

    result = status(ex07.q1, freeze_most)
    assert result.status is Status.INCORRECT
    assert "still trainable" in result.message and "block_16" in result.message


def test_q1_changed_weights_or_wrong_return_or_crash():
    def freeze_and_reset(model):
        model.trainable = False
        model.set_weights([np.zeros_like(w) for w in model.get_weights()])
        return model

    result = status(ex07.q1, freeze_and_reset)
    assert result.status is Status.INCORRECT and "values" in result.message

    result = status(ex07.q1, lambda model: model.trainable)
    assert result.status is Status.INCORRECT and "return the model" in result.message

    def crash(model):
        model.frozen()

    result = status(ex07.q1, crash)
    assert result.status is Status.INCORRECT and "AttributeError" in result.message


def test_q1_placeholder_is_not_attempted():
    assert status(ex07.q1, ...).status is Status.NOT_ATTEMPTED

    def placeholder(model):
        return ...

    assert status(ex07.q1, placeholder).status is Status.NOT_ATTEMPTED


# ------------------------------------------------------------------------------- q2


def unfreeze_last(base, n):
    base.trainable = True
    first = len(base.layers) - n
    for i, layer in enumerate(base.layers):
        is_norm = isinstance(layer, keras.layers.BatchNormalization)
        layer.trainable = i >= first and not is_norm
    return sum(int(np.prod(w.shape)) for w in base.trainable_weights)


def test_q2_relying_on_base_trainable_to_reset_the_layers():
    """On TensorFlow `base.trainable = True` is a no-op when it is True already."""

    def partial(base, n):
        base.trainable = True
        for layer in base.layers[:-n]:
            layer.trainable = False
        for layer in base.layers[-n:]:
            if isinstance(layer, keras.layers.BatchNormalization):
                layer.trainable = False
        return sum(int(np.prod(w.shape)) for w in base.trainable_weights)

    result = status(ex07.q2, partial)
    assert result.status is Status.INCORRECT
    assert "still frozen" in result.message and "set every layer" in result.message


def test_q2_solution():
    result = status(ex07.q2, unfreeze_last)
    assert result.status is Status.CORRECT, result.message
    assert "n=20" in result.message and "n=5" in result.message


def test_q2_solution_counts_are_what_the_checker_expects():
    base = ex07._small_base()
    base.trainable = False
    count = unfreeze_last(base, 5)
    # the last five layers of MobileNetV2: Conv_1 (1x1 conv, no bias) + BN + ReLU, and the
    # block before: its 1x1 projection conv and BN. Only the convolutions train.
    convolutions = [layer for layer in base.layers[-5:] if isinstance(layer, keras.layers.Conv2D)]
    assert len(convolutions) == 2
    assert count == parameters(w for layer in convolutions for w in layer.weights) > 0


def test_q2_forgetting_to_unfreeze_the_base():
    def layers_only(base, n):
        for layer in base.layers[-n:]:
            if not isinstance(layer, keras.layers.BatchNormalization):
                layer.trainable = True
        return sum(int(np.prod(w.shape)) for w in base.trainable_weights)

    result = status(ex07.q2, layers_only)
    assert result.status is Status.INCORRECT
    assert "base.trainable = True" in result.message


def test_q2_batch_normalization_left_trainable():
    def with_bn(base, n):
        base.trainable = True
        for layer in base.layers[:-n]:
            layer.trainable = False
        return sum(int(np.prod(w.shape)) for w in base.trainable_weights)

    result = status(ex07.q2, with_bn)
    assert result.status is Status.INCORRECT
    assert "BatchNormalization" in result.message


def test_q2_no_reset_between_calls():
    def no_reset(base, n):
        base.trainable = True  # every layer trainable again ...
        for layer in base.layers[:-n]:
            layer.trainable = False
        for layer in base.layers[-n:]:
            if isinstance(layer, keras.layers.BatchNormalization):
                layer.trainable = False
        for layer in base.layers[-20:]:  # ... but then a fixed 20 layers
            if not isinstance(layer, keras.layers.BatchNormalization):
                layer.trainable = True
        return sum(int(np.prod(w.shape)) for w in base.trainable_weights)

    result = status(ex07.q2, no_reset)
    assert result.status is Status.INCORRECT
    assert "before the last 5" in result.message


def test_q2_counting_tensors_or_all_parameters():
    def tensors(base, n):
        unfreeze_last(base, n)
        return len(base.trainable_weights)

    result = status(ex07.q2, tensors)
    assert result.status is Status.INCORRECT and "weight tensors" in result.message

    def everything(base, n):
        unfreeze_last(base, n)
        return base.count_params()

    result = status(ex07.q2, everything)
    assert result.status is Status.INCORRECT and "returned" in result.message

    result = status(ex07.q2, lambda base, n: str(unfreeze_last(base, n)))
    assert result.status is Status.INCORRECT and "number of trainable" in result.message


def test_q2_crash_and_placeholder():
    def crash(base, n):
        return base.layers[n * 1000].count_params()

    result = status(ex07.q2, crash)
    assert result.status is Status.INCORRECT and "IndexError" in result.message
    assert status(ex07.q2, ...).status is Status.NOT_ATTEMPTED

    def placeholder(base, n):
        return ...

    assert status(ex07.q2, placeholder).status is Status.NOT_ATTEMPTED


# ------------------------------------------------------------------------------- q3


def test_q3_solution_and_range():
    for rate in (1e-5, 1e-4, 3e-5, 1e-6, np.float32(2e-5)):
        result = status(ex07.q3, rate)
        assert result.status is Status.CORRECT, (rate, result.message)


def test_q3_wrong_rates():
    for rate, words in [
        (1e-3, "overwrite"),
        (0.01, "overwrite"),
        (5e-4, "still large"),
        (1e-8, "hardly move"),
        (0, "positive"),
        (-1e-5, "positive"),
        (float("nan"), "NaN"),
        (float("inf"), "NaN"),
        ("1e-5", "number"),
        (True, "number"),
        ([1e-5], "number"),
    ]:
        result = status(ex07.q3, rate)
        assert result.status is Status.INCORRECT, rate
        assert words in result.message, (rate, result.message)


def test_q3_placeholder():
    assert status(ex07.q3, ...).status is Status.NOT_ATTEMPTED


# ------------------------------------------------------------------------------- q4


def notebook_names() -> dict:
    """What the notebook's q4 cells use: keras, parameters, its head builder, its rates."""
    return {"keras": keras, "np": np, "parameters": parameters, "head_learning_rate": 1e-3}


def broken_finetuning():
    """The notebook's own broken setup, from its exercise cell."""
    return notebook_definition(
        "07", "broken_finetuning", until="exercise_base = ", **notebook_names()
    )


def fixed_finetuning():
    return run_solution("07", "q4", **notebook_names())["fixed_finetuning"]


def batch_norm_left_trainable(base, head, fine_tune_from):
    model = fixed_finetuning()(base, head, fine_tune_from)
    for layer in base.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            layer.trainable = True
    return model


def hard_coded_layer(base, head, fine_tune_from):
    return fixed_finetuning()(base, head, "block_16_expand")  # the notebook's, not the argument


def head_learning_rate(base, head, fine_tune_from):
    model = fixed_finetuning()(base, head, fine_tune_from)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="binary_crossentropy")
    return model


def test_q4_the_notebooks_fix_is_correct_and_its_broken_setup_is_not():
    result = status(ex07.q4, fixed_finetuning())
    assert result.status is Status.CORRECT, result.message
    result = status(ex07.q4, broken_finetuning())
    assert result.status is Status.INCORRECT
    for words in ("BatchNormalization", "before fine_tune_from", "learning rate 0.001"):
        assert words in result.message, (words, result.message)


@pytest.mark.parametrize(
    "setup, words",
    [
        (batch_norm_left_trainable, "BatchNormalization layers of the base are trainable"),
        (hard_coded_layer, "fine_tune_from?"),
        (head_learning_rate, "learning rate 0.001"),
    ],
)
def test_q4_mistakes(setup, words):
    result = status(ex07.q4, setup)
    assert result.status is Status.INCORRECT
    assert words in result.message, result.message


def test_q4_not_a_compiled_model():
    def uncompiled(base, head, fine_tune_from):
        return keras.Sequential([keras.Input(base.input_shape[1:]), base, head])

    result = status(ex07.q4, uncompiled)
    assert result.status is Status.INCORRECT and "not compiled" in result.message

    def head_only(base, head, fine_tune_from):
        head.compile(optimizer=keras.optimizers.Adam(1e-5), loss="binary_crossentropy")
        return head

    result = status(ex07.q4, head_only)
    assert result.status is Status.INCORRECT and "base's input" in result.message

    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    result = status(ex07.q4, model)
    assert result.status is Status.INCORRECT and "should be your function" in result.message
    for question in (ex07.q1, ex07.q2):
        assert "should be your function" in status(question, model).message
    assert status(ex07.q4, ...).status is Status.NOT_ATTEMPTED


def test_q4_frozen_batch_normalization_ignores_training_mode():
    """The base called with training=True: frozen BatchNormalization layers still do not drift."""

    class TrainingMode(keras.layers.Layer):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def call(self, x):
            return self.inner(x, training=True)

    def setup(base, head, fine_tune_from):
        fixed_finetuning()(base, head, fine_tune_from)
        for layer in base.layers:  # the moving statistics can only move when BN trains
            if isinstance(layer, keras.layers.BatchNormalization):
                layer.trainable = False
        model = keras.Sequential([keras.Input(base.input_shape[1:]), TrainingMode(base), head])
        model.compile(optimizer=keras.optimizers.Adam(1e-5), loss="binary_crossentropy")
        return model

    result = status(ex07.q4, setup)
    assert result.status is Status.CORRECT, result.message  # frozen BN ignores training=True


def returns_a_flag(model):
    return model.trainable


def freeze_most(model):
    for layer in model.layers[:-10]:
        layer.trainable = False
    return model


def counts_tensors(base, n):
    unfreeze_last(base, n)
    return len(base.trainable_weights)


def counts_everything(base, n):
    unfreeze_last(base, n)
    return base.count_params()


ANSWERS = {
    "q1": {
        "solution": lambda: ((run_solution("07", "q1", **notebook_names())["freeze"],), {}),
        "mistakes": [lambda: ((returns_a_flag,), {}), lambda: ((freeze_most,), {})],
    },
    "q2": {
        "solution": lambda: ((run_solution("07", "q2", **notebook_names())["unfreeze_last"],), {}),
        "mistakes": [
            lambda: ((counts_tensors,), {}),
            lambda: ((counts_everything,), {}),
        ],
    },
    "q3": {
        "solution": lambda: (
            (run_solution("07", "q3", **notebook_names())["my_finetune_learning_rate"],),
            {},
        ),
        "mistakes": [lambda: ((1e-3,), {}), lambda: ((1e-8,), {})],
    },
    "q4": {
        "solution": lambda: ((fixed_finetuning(),), {}),
        "mistakes": [lambda: ((broken_finetuning(),), {}), lambda: ((hard_coded_layer,), {})],
    },
}


@pytest.mark.parametrize("question", ex07.QUESTIONS)
def test_answers(question):
    q = getattr(ex07, question)
    args, kwargs = ANSWERS[question]["solution"]()
    assert q.evaluate(*args, **kwargs).status is Status.CORRECT
    for mistake in ANSWERS[question]["mistakes"]:
        args, kwargs = mistake()
        assert q.evaluate(*args, **kwargs).status is Status.INCORRECT


def test_questions_listed():
    assert ex07.QUESTIONS == ("q1", "q2", "q3", "q4")
    for name in ex07.QUESTIONS:
        q = getattr(ex07, name)
        assert q.notebook == "07" and len(q.hint_texts()) >= 2


def test_the_notebooks_solutions_are_correct():
    names = notebook_names()
    assert status(ex07.q1, run_solution("07", "q1", **names)["freeze"]).correct
    assert status(ex07.q2, run_solution("07", "q2", **names)["unfreeze_last"]).correct
    rate = run_solution("07", "q3", **names)["my_finetune_learning_rate"]
    assert status(ex07.q3, rate).message.startswith("1e-05 is 100 times below")
