"""The checkers of notebook 06, against their solutions and against wrong answers."""

from __future__ import annotations

import time

import keras
import numpy as np
import pytest
from keras import layers
from test_ex_solutions import notebook_definition, run_solution

from cvcourse.exercises import ex06, ex07_finetune
from cvcourse.exercises.core import Status
from cvcourse.exercises.limits import limits_capped


def notebook_names() -> dict:
    """What the notebook's setup cell imports, for its exercise cells."""
    return {"keras": keras, "layers": layers, "np": np, "ex": ex06}


def status(question, *args):
    return question.evaluate(*args)


# ------------------------------------------------------------------------------- q1


def q1_answers(**changes) -> list:
    """The notebook's six answers in the order of ex.q1.check, with some replaced."""
    namespace = run_solution("06", "q1", **notebook_names())
    answers = {name: namespace[name] for name in ex06.q1.parts}
    answers.update(changes)
    return list(answers.values())


def test_q1_solution():
    result = status(ex06.q1, *q1_answers())
    assert result.status is Status.CORRECT, result.message
    for words in ("conv1d (96, 16), 256 parameters", "(6, 32, 32, 8), 656", "8,896 parameters"):
        assert words in result.message


def test_q1_references_are_the_hand_counts():
    assert ex06.q1_reference() == {
        "conv1d": ((96, 16), 5 * 3 * 16 + 16),
        "conv3d": ((6, 32, 32, 8), 27 * 3 * 8 + 8),
        "separable": ((16, 16, 128), 9 * 64 + 64 * 128 + 128),
    }


def count(layer, shape) -> int:
    layer(keras.Input(shape))
    return layer.count_params()


def test_q1_slips_are_what_the_slips_give():
    """Each named wrong count is the count of the layer the slip describes."""
    assert ex06.SLIPS["conv1d"].keys() == {
        count(layers.Conv1D(16, 5, use_bias=False), (100, 3)),
        count(layers.Conv1D(16, 5), (100, 1)),  # a kernel over one channel only
    }
    assert ex06.SLIPS["conv3d"].keys() == {
        count(layers.Conv3D(8, 3, use_bias=False), (6, 32, 32, 3)),
        count(layers.Conv2D(8, 3), (32, 32, 3)),  # a 2-D kernel
    }
    depthwise_bias = count(layers.DepthwiseConv2D(3), (32, 32, 64)) + 64 * 128 + 128
    assert ex06.SLIPS["separable"].keys() == {
        count(layers.SeparableConv2D(128, 3, use_bias=False), (32, 32, 64)),
        count(layers.Conv2D(128, 3), (32, 32, 64)),
        depthwise_bias,
    }


@pytest.mark.parametrize(
    "name, value, words",
    [
        ("conv1d_params", 240, "also has a bias"),
        ("conv1d_params", 96, "spans every input channel"),
        ("conv1d_params", 1000, "count each kernel's weights"),
        ("conv1d_params", "ten", "whole number"),
        ("conv1d_params", 256.5, "whole number"),
        ("conv3d_params", 648, "also has a bias"),
        ("conv3d_params", 224, "3 x 3 x 3"),
        ("separable_params", 8768, "also has a bias"),
        ("separable_params", 73856, "standard Conv2D"),
        ("separable_params", 8960, "depthwise step has no bias"),
        ("conv1d_shape", (100, 16), "kernel of 5"),
        ("conv1d_shape", (96, 3), "one value per filter"),
        ("conv3d_shape", (4, 30, 30, 8), 'padding="same"'),
        ("conv3d_shape", (32, 32, 8), "4 whole numbers"),
        ("separable_shape", (32, 32, 128), "strides=2"),
        ("separable_shape", (16, 16, 64), "one value per filter"),
        ("separable_shape", "16, 16, 128", "3 whole numbers"),
    ],
)
def test_q1_mistakes_are_named(name, value, words):
    result = status(ex06.q1, *q1_answers(**{name: value}))
    assert result.status is Status.INCORRECT
    assert words in result.message and name in result.message, result.message


def test_q1_other_forms_of_the_right_answers():
    answers = q1_answers(
        conv1d_shape=[96, 16], conv3d_params="656", separable_shape=(None, 16, 16, 128)
    )
    assert status(ex06.q1, *answers).status is Status.CORRECT


def test_q1_placeholders():
    assert status(ex06.q1, *[...] * 6).status is Status.NOT_ATTEMPTED
    result = status(ex06.q1, *q1_answers(conv3d_params=...))
    assert result.status is Status.INCORRECT and "conv3d_params is still ..." in result.message


# ------------------------------------------------------------------------------- q2


def broken_block():
    """The notebook's own broken block, from its exercise cell."""
    return notebook_definition("06", "broken_block", until="demo_input = ", **notebook_names())


def fixed_block():
    return run_solution("06", "q2", **notebook_names())["fixed_block"]


def convolutions(x, filters, strides):
    y = layers.Conv2D(filters, 3, strides=strides, padding="same", activation="relu")(x)
    return layers.Conv2D(filters, 3, padding="same")(y)


def always_projects(x, filters, strides):
    shortcut = layers.Conv2D(filters, 1, strides=strides)(x)
    return layers.Add()([convolutions(x, filters, strides), shortcut])


def projects_with_3x3(x, filters, strides):
    shortcut = x
    if strides != 1 or x.shape[-1] != filters:
        shortcut = layers.Conv2D(filters, 3, strides=strides, padding="same")(x)
    return layers.Add()([convolutions(x, filters, strides), shortcut])


def no_shortcut(x, filters, strides):
    return layers.ReLU()(convolutions(x, filters, strides))


def concatenates(x, filters, strides):
    shortcut = layers.Conv2D(filters // 2, 1, strides=strides)(x)
    return layers.Concatenate()([convolutions(x, filters // 2, strides), shortcut])


def ignores_strides(x, filters, strides):
    return fixed_block()(x, filters, 1)


def returns_a_model(x, filters, strides):
    return keras.Model(x, fixed_block()(x, filters, strides))


def test_q2_the_notebooks_fix_is_correct_and_its_broken_block_is_not():
    result = status(ex06.q2, fixed_block())
    assert result.status is Status.CORRECT, result.message
    result = status(ex06.q2, broken_block())
    assert result.status is Status.INCORRECT
    for words in ("fixed_block(x, filters=64, strides=1)", "incompatible shapes", "Add get two"):
        assert words in result.message, result.message


def test_q2_a_batch_normalization_on_the_projection_is_optional():
    def projects(x, filters, strides):
        shortcut = x
        if strides != 1 or x.shape[-1] != filters:
            shortcut = layers.Conv2D(filters, 1, strides=strides)(x)
        return layers.ReLU()(layers.add([convolutions(x, filters, strides), shortcut]))

    assert status(ex06.q2, projects).status is Status.CORRECT


@pytest.mark.parametrize(
    "block, words",
    [
        (always_projects, "filters=32, strides=1): the shortcut should be x itself"),
        (projects_with_3x3, "is a 1x1 convolution"),
        (no_shortcut, "with one Add layer"),
        (concatenates, "with one Add layer"),
        (ignores_strides, "strides=2) gives (16, 16, 64)"),
        (returns_a_model, "should return the block's output tensor"),
        (lambda x, filters, strides: x, "with one Add layer"),
    ],
)
def test_q2_mistakes(block, words):
    result = status(ex06.q2, block)
    assert result.status is Status.INCORRECT
    assert words in result.message, result.message


# ------------------------------------------------------------------------------- q3


def inverted_residual():
    return run_solution("06", "q3", **notebook_names())["inverted_residual"]


def block(
    activation=lambda: layers.ReLU(6.0),
    expand=None,
    bias=False,
    depthwise=layers.DepthwiseConv2D,
    project_activation=False,
    add=lambda strides, channels, filters: strides == 1 and channels == filters,
    bn_first=True,
    expand_bn=True,
):
    """An inverted residual block with one thing changed (the defaults: MobileNetV2's)."""

    def built(x, expansion, filters, strides):
        def normalised(y, bn=True):
            if not bn:
                return activation()(y)
            if bn_first:
                return activation()(layers.BatchNormalization()(y))
            return layers.BatchNormalization()(activation()(y))

        channels = x.shape[-1]
        wide = expansion * channels if expand is None else expand(channels)
        y = normalised(layers.Conv2D(wide, 1, use_bias=bias)(x), expand_bn)
        y = depthwise(3, strides=strides, padding="same", use_bias=bias)(y)
        y = normalised(y)
        y = layers.BatchNormalization()(layers.Conv2D(filters, 1, use_bias=bias)(y))
        if project_activation:
            y = layers.ReLU(6.0)(y)
        return layers.Add()([x, y]) if add(strides, channels, filters) else y

    return built


def separable(size, strides, padding, use_bias):
    """A SeparableConv2D where the block has its DepthwiseConv2D."""
    return lambda y: layers.SeparableConv2D(
        y.shape[-1], size, strides=strides, padding=padding, use_bias=use_bias
    )(y)


def test_q3_the_notebooks_block_is_correct():
    result = status(ex06.q3, inverted_residual())
    assert result.status is Status.CORRECT, result.message
    assert status(ex06.q3, block()).status is Status.CORRECT  # the test's own helper, too


def test_q3_other_ways_to_write_the_block_are_correct():
    def padded(x, expansion, filters, strides):
        """keras.applications' way: explicit padding, then a 'valid' depthwise step."""
        channels = x.shape[-1]
        y = layers.Conv2D(expansion * channels, 1, use_bias=False)(x)
        y = layers.Activation("relu6")(layers.BatchNormalization()(y))
        if strides == 2:
            y = layers.ZeroPadding2D(((0, 1), (0, 1)))(y)
        padding = "valid" if strides == 2 else "same"
        y = layers.DepthwiseConv2D(3, strides=strides, padding=padding, use_bias=False)(y)
        y = layers.ReLU(max_value=6)(layers.BatchNormalization()(y))
        y = layers.BatchNormalization()(layers.Conv2D(filters, 1, use_bias=False)(y))
        return layers.add([y, x]) if strides == 1 and channels == filters else y

    result = status(ex06.q3, padded)
    assert result.status is Status.CORRECT, result.message


@pytest.mark.parametrize(
    "wrong, words",
    [
        (block(activation=layers.ReLU), "computes something else"),
        (block(bn_first=False), "computes something else"),
        (block(project_activation=True), "the projection is linear"),
        (block(bias=True), "no biases before a BatchNormalization"),
        (block(expand=lambda channels: channels), "expands to expansion x"),
        (block(expand_bn=False), "followed by a BatchNormalization"),
        (block(add=lambda *_: False), "the Add belongs in the block"),
        (block(add=lambda s, c, f: c == f), "filters=16, strides=2"),
        (block(depthwise=separable), "one DepthwiseConv2D"),
        (lambda x, expansion, filters, strides: x, "gives (16, 16, 16)"),
    ],
)
def test_q3_mistakes(wrong, words):
    result = status(ex06.q3, wrong)
    assert result.status is Status.INCORRECT
    assert words in result.message, result.message


def test_q3_the_reference_is_mobilenet_v2s_block():
    """All 16 expanding blocks of keras.applications.MobileNetV2 (notebook 07's model)."""
    base = ex07_finetune.small_base()
    names = {layer.name for layer in base.layers}
    assert {"block_1_expand", "block_16_project"} <= names and "block_17_expand" not in names
    for k in range(1, 17):
        expand, depthwise = (
            base.get_layer(f"block_{k}_expand"),
            base.get_layer(f"block_{k}_depthwise"),
        )
        channels, wide = expand.input.shape[-1], expand.filters
        filters = base.get_layer(f"block_{k}_project").filters
        own = [layer for layer in base.layers if layer.name.startswith(f"block_{k}_")]
        x = keras.Input((16, 16, channels))
        reference = keras.Model(
            x, ex06.reference_inverted_residual(x, wide // channels, filters, depthwise.strides[0])
        )
        assert reference.count_params() == sum(layer.count_params() for layer in own), k
        has_add = any(type(layer).__name__ == "Add" for layer in own)
        assert has_add == any(type(layer).__name__ == "Add" for layer in reference.layers), k


# --------------------------------------------------------------------- q2 and q3


@pytest.mark.parametrize("question", [ex06.q2, ex06.q3])
def test_crashes_hangs_placeholders_and_models(question):
    def crash(*args):
        return layers.Conv2D(8, 1)(args[0]).nothing

    def hang(*args):
        while True:
            time.sleep(0.01)

    def placeholder(*args):
        return ...

    result = status(question, crash)
    assert result.status is Status.INCORRECT and "AttributeError" in result.message
    start = time.monotonic()
    with limits_capped(1.0):
        result = status(question, hang)
    assert time.monotonic() - start < 10
    assert result.status is Status.INCORRECT and "did not finish" in result.message
    assert status(question, ...).status is Status.NOT_ATTEMPTED
    assert status(question, placeholder).status is Status.NOT_ATTEMPTED
    model = keras.Sequential([keras.Input((16, 16, 32)), layers.Conv2D(32, 1)])
    for value in (model, layers.Conv2D(32, 1), "fixed_block", None):
        result = status(question, value)
        assert result.status is Status.INCORRECT and "your function itself" in result.message


# ------------------------------------------------------------------------------- all

ANSWERS = {
    "q1": {
        "solution": lambda: (tuple(q1_answers()), {}),
        "mistakes": [
            lambda: (tuple(q1_answers(separable_params=73856)), {}),
            lambda: (tuple(q1_answers(conv1d_shape=(100, 16))), {}),
        ],
    },
    "q2": {
        "solution": lambda: ((fixed_block(),), {}),
        "mistakes": [lambda: ((broken_block(),), {}), lambda: ((always_projects,), {})],
    },
    "q3": {
        "solution": lambda: ((inverted_residual(),), {}),
        "mistakes": [
            lambda: ((block(activation=layers.ReLU),), {}),
            lambda: ((block(project_activation=True),), {}),
        ],
    },
}


@pytest.mark.parametrize("question", ex06.QUESTIONS)
def test_answers(question):
    q = getattr(ex06, question)
    args, kwargs = ANSWERS[question]["solution"]()
    assert q.evaluate(*args, **kwargs).status is Status.CORRECT
    for mistake in ANSWERS[question]["mistakes"]:
        args, kwargs = mistake()
        assert q.evaluate(*args, **kwargs).status is Status.INCORRECT


def test_questions_listed():
    assert ex06.QUESTIONS == ("q1", "q2", "q3")
    for name in ex06.QUESTIONS:
        q = getattr(ex06, name)
        assert q.notebook == "06" and len(q.hint_texts()) >= 2
