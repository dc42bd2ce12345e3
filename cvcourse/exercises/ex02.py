"""Exercises of notebook 02_dense_vs_convnet_mnist.

- ``q1``: count the parameters of three layers by hand (a Conv2D, a Dense after a Flatten,
  a 1x1 Conv2D): a list of items (:class:`~core.Items`).
- ``q2``: predict conv3's output shape and the Flatten's length when section 5's classic
  convnet (the checker builds its own) gets 32 x 32 colour images (a shape, a Value).
- ``q3``: write ``most_confused_pair(cm)``, the (true, predicted) pair a confusion matrix
  counts most often off its diagonal, tried on matrices with known answers (a Function).
- ``q4`` (debug): repair a given broken model (Dense before Flatten, a ReLU for the output);
  judged untrained on the checker's own images (:class:`~repaired_models.RepairedModel`).
"""

from __future__ import annotations

import functools

import numpy as np

from . import core
from .repaired_models import RepairedModel

NOTEBOOK = "02"
COMMON = {"notebook": NOTEBOOK, "notebook_name": "02_dense_vs_convnet_mnist"}

# ------------------------------------------------------------------------------- q1

# (label, layer as written in the notebook, input shape, kind, units/filters, kernel size)
LAYERS = [
    ("A", "Conv2D(16, kernel_size=5)", (28, 28, 3), "conv", 16, 5),
    ("B", "Dense(100)", (7 * 7 * 32,), "dense", 100, None),
    ("C", "Conv2D(32, kernel_size=1)", (12, 12, 64), "conv", 32, 1),
]


def expected_counts() -> list[int]:
    """The parameter counts of :data:`LAYERS`: weights plus one bias per filter or unit."""
    counts = []
    for _, _, shape, kind, units, size in LAYERS:
        inputs = shape[-1] * (size * size if kind == "conv" else 1)
        counts.append((inputs + 1) * units)
    return counts


class Counts(core.Items):
    """param_counts: one whole number per layer of :data:`LAYERS`."""

    labels = tuple(
        f"layer {label} ({layer} on input {shape})" for label, layer, shape, *_ in LAYERS
    )
    example = "whole numbers"
    count_words = "layers (A, B, C)"
    item_words = "a whole number"

    def reference(self, answers):
        return expected_counts()

    def parse(self, item):
        return core.as_whole_number(item)

    def judge_item(self, index, label, given, right):
        if given == right:
            return []
        _, _, shape, kind, units, size = LAYERS[index]
        inputs = shape[-1] * (size * size if kind == "conv" else 1)
        if given == inputs * units:
            reason = "you left out the biases (one per " + (
                "filter)" if kind == "conv" else "unit)"
            )
        elif kind == "conv" and given == (size * size + 1) * units:
            reason = f"each filter has a kernel for every one of the {shape[-1]} input channels"
        elif kind == "conv" and given == (shape[0] * shape[1] * shape[2] + 1) * units:
            reason = (
                "a Conv2D's weights do not depend on the image's height and width: the "
                "same small kernel slides over every position"
            )
        else:
            unit = "filter" if kind == "conv" else "unit"
            reason = f"count the weights of one {unit}, add its bias, and multiply"
        return [f"{label}: {given} is not right; {reason}"]


q1 = core.Answers(
    **COMMON,
    name="q1",
    title="count the parameters of three layers",
    usage="ex.q1.check(param_counts)",
    hints=(
        "Section 5 counts every layer of the convnet by hand: do the same with these "
        "layers' sizes. Only the input's last axis (its channels) matters to a Conv2D.",
        "A Conv2D filter has kernel_size x kernel_size weights for every input channel, plus "
        "one bias; multiply by the number of filters. A Dense unit has one weight per input "
        "value plus one bias; multiply by the number of units. The height and width of the "
        "input do not matter to a Conv2D, and a Dense after a Flatten sees 7 * 7 * 32 values.",
    ),
    parts={"param_counts": Counts()},
    correct=lambda param_counts: (
        "all three counts are right: " + ", ".join(f"{c:,}" for c in expected_counts()) + "."
    ),
)


# ------------------------------------------------------------------------------- q2

CIFAR_SHAPE = (32, 32, 3)


def _classic_convnet(input_shape: tuple[int, int, int]):
    """The checker's own copy of section 5's classic convnet (93,322 parameters on MNIST)."""
    import keras

    return keras.Sequential(
        [
            keras.Input(shape=input_shape),
            keras.layers.Conv2D(32, 3, activation="relu"),
            keras.layers.MaxPooling2D(2),
            keras.layers.Conv2D(64, 3, activation="relu"),
            keras.layers.MaxPooling2D(2),
            keras.layers.Conv2D(64, 3, activation="relu", name="conv3"),
            keras.layers.Flatten(name="flatten"),
            keras.layers.Dense(64, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )


@functools.cache
def expected_shapes() -> tuple[tuple[int, int, int], int]:
    """(conv3 output shape, flatten length) of the classic convnet on CIFAR_SHAPE, from Keras."""
    model = _classic_convnet(CIFAR_SHAPE)
    conv3 = tuple(model.get_layer("conv3").output.shape[1:])
    flatten = model.get_layer("flatten").output.shape[-1]
    return conv3, int(flatten)


class Conv3Shape(core.Check):
    """conv3_shape: (height, width, channels), a batch axis allowed."""

    def judge(self, conv3_shape, name, answers):
        shape = expected_shapes()[0]
        given = core.as_shape(conv3_shape)
        if given is None:
            return (
                f"{name} should be (height, width, channels), three whole numbers, not "
                f"{core.describe(conv3_shape)}"
            )
        if given[:2] != shape[:2]:
            if given[0] in (5, 10):
                why = "pooling rounds down: 13 // 2 is 6, not 6.5 rounded up"
            elif given[0] == 8:
                why = "there are two 2x2 poolings, one after conv1 and one after conv2"
            else:
                why = (
                    "follow the height layer by layer: -2 for each 3x3 convolution, // 2 for "
                    "each pooling"
                )
            return f"{name} {given}: the height and width are wrong; {why}"
        if given[2] != shape[2]:
            return (
                f"{name} {given}: the channels are wrong; conv3 has 64 filters, and a "
                "Conv2D outputs one channel per filter whatever its input has"
            )


def _q2_correct(conv3_shape, flatten_length) -> str:
    shape, length = expected_shapes()
    return (
        f"conv3 gives {shape} and Flatten {length:,} values; the Dense(64) after it now has "
        f"{(length + 1) * 64:,} parameters instead of 36,928 on MNIST."
    )


q2 = core.Answers(
    **COMMON,
    name="q2",
    title="the convnet on 32 x 32 colour images",
    usage="ex.q2.check(conv3_shape, flatten_length)",
    hints=(
        "Write the shape after every layer, starting from (32, 32, 3), as section 5's table "
        "does for (28, 28, 1).",
        "Go layer by layer from (32, 32, 3). A 3x3 convolution without padding takes 2 off "
        "the height and width and gives one channel per filter; 2x2 pooling halves them, "
        "rounding down (an odd row or column is dropped). Flatten multiplies the three numbers.",
    ),
    parts={
        "conv3_shape": Conv3Shape(),
        "flatten_length": core.Value(
            expected=lambda answers: expected_shapes()[1],
            atol=0.0,
            rtol=0.0,
            advice="Flatten lays conv3's output out as one vector, height x width x channels long.",
        ),
    },
    correct=_q2_correct,
)


# ------------------------------------------------------------------------------- q3


def _cases() -> list[core.Case]:
    """The confusion matrices tried, each with the set of right answers."""
    simple = np.array([[50, 2, 1], [0, 45, 9], [3, 1, 60]])
    # the biggest number off the diagonal is below it: (true 2, predicted 0)
    lower = np.array([[97, 1, 0, 0], [2, 88, 3, 0], [11, 0, 80, 4], [0, 5, 0, 90]])
    # the diagonal holds the largest numbers of all; the answer must skip it
    diagonal = np.array([[900, 7], [4, 950]])
    # a tie: either answer is right
    tie = np.array([[10, 5, 0], [0, 10, 5], [1, 0, 10]])
    return [
        core.Case((simple,), {(1, 2)}, "a 3 x 3 matrix"),
        core.Case((lower,), {(2, 0)}, "a matrix whose largest mistake is below the diagonal"),
        core.Case((diagonal,), {(0, 1)}, "a matrix whose largest numbers are on the diagonal"),
        core.Case((tie,), {(0, 1), (1, 2)}, "a matrix with two equally large mistakes"),
    ]


class ConfusedPair(core.Function):
    """most_confused_pair(cm) -> (true, predicted): the largest count off the diagonal."""

    def case_list(self, answers):
        return _cases()

    def convert(self, out, case, name):
        pair = core.as_pair(out)
        if pair is None:
            raise core.Incorrect(
                f"on {case.what} {name} returned {core.describe(out)}; return two "
                "class indices, (true, predicted)."
            )
        return pair

    def compare(self, got, answers, case):
        return got in answers

    def explain(self, pair, answers, case, name):
        cm = case.args[0]
        wanted = sorted(answers)[0]
        if pair[0] == pair[1]:
            reason = (
                f"({pair[0]}, {pair[1]}) is on the diagonal: those are the correct "
                "predictions. Leave the diagonal out."
            )
        elif pair[::-1] in answers:
            reason = (
                "you swapped them: rows are the true class and columns the predicted "
                f"class, so the answer is {wanted}."
            )
        else:
            inside = min(pair) >= 0 and max(pair) < len(cm)
            reason = (
                f"the largest off-diagonal count is cm{list(wanted)} = {cm[wanted]}, but "
                f"cm{list(pair)} is {cm[pair] if inside else 'outside the matrix'}."
            )
        return f"on {case.what} you returned {pair}: {reason}"


q3 = core.Answers(
    **COMMON,
    name="q3",
    title="find the most confused pair of digits",
    usage="ex.q3.check(most_confused_pair)",
    hints=(
        "The correct predictions are on the diagonal; you want the largest number "
        "everywhere else, and its row and column.",
        "Copy the matrix, set its diagonal (the correct predictions) to 0 with "
        "np.fill_diagonal, then find the position of the largest value: np.argmax gives it "
        "as one flat index, and np.unravel_index turns that into (row, column). Rows are "
        "the true class, columns the predicted one.",
    ),
    parts={"most_confused_pair": ConfusedPair()},
    correct="most_confused_pair finds the largest mistake on every matrix tried.",
)


# ------------------------------------------------------------------------------- q4

# The broken model repaired: conv 32 (320) + conv 64 (18,496) + Dense(10) on 5 x 5 x 64.
REPAIRED_PARAMS = (3 * 3 * 1 + 1) * 32 + (3 * 3 * 32 + 1) * 64 + (5 * 5 * 64 + 1) * 10

q4 = core.Answers(
    **COMMON,
    name="q4",
    title="repair a broken model",
    usage="ex.q4.check(fixed_model)",
    hints=(
        "Run broken_model on a few training images and look at two things: the shape of "
        "what comes out, and what each row adds up to. Then compare its summary() with "
        "section 5's convnet.",
        "Two bugs: a Dense layer applied to a 4-D feature map works on every position "
        "separately, so Flatten must come before it; and the last layer of a classifier "
        "needs the activation that turns 10 scores into probabilities.",
    ),
    parts={"fixed_model": RepairedModel(params=REPAIRED_PARAMS)},
    correct=(
        "fixed_model turns each image into 10 probabilities that add up to 1, with the "
        "broken model's own layers repaired."
    ),
)

QUESTIONS = ("q1", "q2", "q3", "q4")
