"""Exercises of notebook 02_dense_vs_convnet_mnist.

- ``q1``: count the parameters of three layers by hand (a Conv2D, a Dense after a Flatten,
  a 1x1 Conv2D).
- ``q2``: predict the shape out of the third convolution, and the length of the Flatten,
  when the MNIST convnet is given 32 x 32 colour images.
- ``q3``: write ``most_confused_pair(cm)``, the (true, predicted) pair that a confusion
  matrix says the model mixes up most; it is tried on matrices with known answers.
"""

from __future__ import annotations

import functools

import numpy as np

from . import core

NOTEBOOK = "02"

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


class CountParameters(core.Question):
    notebook = NOTEBOOK
    name = "q1"
    title = "count the parameters of three layers"
    usage = "ex.q1.check(param_counts)"
    hint_text = (
        "A Conv2D filter has kernel_size x kernel_size weights for every input channel, plus "
        "one bias; multiply by the number of filters. A Dense unit has one weight per input "
        "value plus one bias; multiply by the number of units. The height and width of the "
        "input do not matter to a Conv2D, and a Dense after a Flatten sees 7 * 7 * 32 values."
    )
    solution_text = """
param_counts = [
    (5 * 5 * 3 + 1) * 16,  # A: 1,216 - a 5x5 kernel per input channel, plus a bias, per filter
    (7 * 7 * 32 + 1) * 100,  # B: 156,900 - one weight per flattened value, plus a bias, per unit
    (1 * 1 * 64 + 1) * 32,  # C: 2,080 - a 1x1 convolution still sees all 64 channels
]
"""

    def check_answer(self, param_counts):
        expected = expected_counts()
        if not isinstance(param_counts, (list, tuple)):
            raise core.Incorrect(
                f"param_counts should be a list of {len(expected)} whole numbers, but it is "
                f"{core.describe(param_counts)}."
            )
        if all(item is core.PLACEHOLDER for item in param_counts):
            raise core.NotAttempted()
        if len(param_counts) != len(expected):
            raise core.Incorrect(
                f"there are {len(expected)} layers (A, B, C) but param_counts has "
                f"{len(param_counts)} entries."
            )
        problems = []
        for (label, layer, shape, kind, units, size), given, right in zip(
            LAYERS, param_counts, expected
        ):
            where = f"layer {label} ({layer} on input {shape})"
            if given is core.PLACEHOLDER:
                problems.append(f"{where} is still ...")
                continue
            if isinstance(given, bool) or not isinstance(given, (int, np.integer, float)):
                problems.append(f"{where}: give a whole number, not {core.describe(given)}")
                continue
            if given == right:
                continue
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
                reason = (
                    "count the weights of one "
                    + ("filter" if kind == "conv" else "unit")
                    + ", add its bias, and multiply"
                )
            problems.append(f"{where}: {given} is not right; {reason}")
        if problems:
            raise core.Incorrect(" | ".join(problems))
        return "all three counts are right: " + ", ".join(f"{c:,}" for c in expected) + "."


# ------------------------------------------------------------------------------- q2

CIFAR_SHAPE = (32, 32, 3)


@functools.cache
def expected_shapes() -> tuple[tuple[int, int, int], int]:
    """(conv3 output shape, flatten length) of the MNIST convnet on CIFAR_SHAPE, from Keras."""
    from .. import models

    model = models.mnist_convnet(CIFAR_SHAPE)
    conv3 = tuple(model.get_layer("conv3").output.shape[1:])
    flatten = model.get_layer("flatten").output.shape[-1]
    return conv3, int(flatten)


class PredictShapes(core.Question):
    notebook = NOTEBOOK
    name = "q2"
    title = "the convnet on 32 x 32 colour images"
    usage = "ex.q2.check(conv3_shape, flatten_length)"
    hint_text = (
        "Go layer by layer from (32, 32, 3). A 3x3 convolution without padding takes 2 off "
        "the height and width and gives one channel per filter; 2x2 pooling halves them, "
        "rounding down (an odd row or column is dropped). Flatten multiplies the three numbers."
    )
    solution_text = """
# conv1: 32 - 2 = 30 -> (30, 30, 32); pool1: 30 // 2 = 15 -> (15, 15, 32)
# conv2: 15 - 2 = 13 -> (13, 13, 64); pool2: 13 // 2 = 6 -> (6, 6, 64)
# conv3: 6 - 2 = 4 -> (4, 4, 64)
conv3_shape = (4, 4, 64)
flatten_length = 4 * 4 * 64  # 1,024
"""

    def check_answer(self, conv3_shape, flatten_length):
        shape, length = expected_shapes()
        given = _as_shape(conv3_shape)
        if conv3_shape is core.PLACEHOLDER:
            problems = ["conv3_shape is still ..."]
        elif given is None:
            problems = [
                "conv3_shape should be (height, width, channels), three whole numbers, not "
                f"{core.describe(conv3_shape)}"
            ]
        elif given[:2] != shape[:2]:
            size = given[0]
            if size in (5, 10):
                why = "pooling rounds down: 13 // 2 is 6, not 6.5 rounded up"
            elif size == 8:
                why = "there are two 2x2 poolings, one after conv1 and one after conv2"
            else:
                why = "follow the height layer by layer: -2 for each 3x3 convolution, // 2 for each pooling"
            problems = [f"conv3_shape {given}: the height and width are wrong; {why}"]
        elif given[2] != shape[2]:
            problems = [
                f"conv3_shape {given}: the channels are wrong; conv3 has 64 filters, and a "
                "Conv2D outputs one channel per filter whatever its input has"
            ]
        else:
            problems = []
        if flatten_length is core.PLACEHOLDER:
            problems.append("flatten_length is still ...")
        elif isinstance(flatten_length, bool) or not isinstance(
            flatten_length, (int, np.integer, float)
        ):
            problems.append(
                f"flatten_length should be a number, not {core.describe(flatten_length)}"
            )
        elif flatten_length != length:
            problems.append(
                f"flatten_length {flatten_length} is not right: Flatten lays conv3's output "
                "out as one vector, height x width x channels long"
            )
        if problems:
            raise core.Incorrect(" | ".join(problems))
        return (
            f"conv3 gives {shape} and Flatten {length:,} values; the Dense(64) after it now has "
            f"{(length + 1) * 64:,} parameters instead of 36,928 on MNIST."
        )


def _as_shape(answer) -> tuple[int, ...] | None:
    if hasattr(answer, "as_list"):  # a TensorShape
        answer = answer.as_list()
    if not isinstance(answer, (tuple, list)):
        return None
    items = list(answer)
    if len(items) == 4 and items[0] in (None, 1):  # with the batch axis: fine
        items = items[1:]
    if len(items) != 3:
        return None
    try:
        values = tuple(int(v) for v in items)
    except (TypeError, ValueError):
        return None
    if any(float(v) != float(w) for v, w in zip(values, items)):
        return None
    return values


# ------------------------------------------------------------------------------- q3


def _cases() -> list[tuple[np.ndarray, set[tuple[int, int]], str]]:
    """(confusion matrix, the right answers, what the case tests)."""
    simple = np.array([[50, 2, 1], [0, 45, 9], [3, 1, 60]])
    # the biggest number off the diagonal is below it: (true 2, predicted 0)
    lower = np.array([[97, 1, 0, 0], [2, 88, 3, 0], [11, 0, 80, 4], [0, 5, 0, 90]])
    # the diagonal holds the largest numbers of all; the answer must skip it
    diagonal = np.array([[900, 7], [4, 950]])
    # a tie: either answer is right
    tie = np.array([[10, 5, 0], [0, 10, 5], [1, 0, 10]])
    return [
        (simple, {(1, 2)}, "a 3 x 3 matrix"),
        (lower, {(2, 0)}, "a matrix whose largest mistake is below the diagonal"),
        (diagonal, {(0, 1)}, "a matrix whose largest numbers are on the diagonal"),
        (tie, {(0, 1), (1, 2)}, "a matrix with two equally large mistakes"),
    ]


class MostConfusedPair(core.Question):
    notebook = NOTEBOOK
    name = "q3"
    title = "find the most confused pair of digits"
    usage = "ex.q3.check(most_confused_pair)"
    hint_text = (
        "Copy the matrix, set its diagonal (the correct predictions) to 0 with "
        "np.fill_diagonal, then find the position of the largest value: np.argmax gives it "
        "as one flat index, and np.unravel_index turns that into (row, column). Rows are "
        "the true class, columns the predicted one."
    )
    solution_text = """
def most_confused_pair(cm):
    \"\"\"(true class, predicted class) of the largest off-diagonal count of cm.\"\"\"
    mistakes = np.array(cm, copy=True)
    np.fill_diagonal(mistakes, 0)  # correct predictions are not confusions
    row, col = np.unravel_index(np.argmax(mistakes), mistakes.shape)
    return int(row), int(col)
"""

    def check_answer(self, most_confused_pair):
        if not callable(most_confused_pair):
            raise core.Incorrect(
                "the check needs your function itself, but got "
                f"{core.describe(most_confused_pair)}. Call it as "
                "ex.q3.check(most_confused_pair), without parentheses after the name."
            )
        for cm, answers, what in _cases():
            got = core.call_student(most_confused_pair, cm.copy(), what="most_confused_pair")
            pair = _as_pair(got)
            if pair is None:
                raise core.Incorrect(
                    f"on {what} most_confused_pair returned {core.describe(got)}; return two "
                    "class indices, (true, predicted)."
                )
            if pair in answers:
                continue
            wanted = sorted(answers)[0]
            if pair[0] == pair[1]:
                reason = (
                    f"({pair[0]}, {pair[1]}) is on the diagonal: those are the correct "
                    "predictions. Leave the diagonal out."
                )
            elif pair[::-1] in answers:
                reason = (
                    f"you swapped them: rows are the true class and columns the predicted "
                    f"class, so the answer is {wanted}."
                )
            else:
                reason = (
                    f"the largest off-diagonal count is cm{list(wanted)} = {cm[wanted]}, but "
                    f"cm{list(pair)} is "
                    f"{cm[pair] if min(pair) >= 0 and max(pair) < len(cm) else 'outside the matrix'}."
                )
            raise core.Incorrect(f"on {what} you returned {pair}: {reason}")
        return "most_confused_pair finds the largest mistake on every matrix tried."


def _as_pair(value) -> tuple[int, int] | None:
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        return None
    try:
        pair = tuple(int(v) for v in value)
    except (TypeError, ValueError):
        return None
    if any(isinstance(v, bool) or float(v) != p for v, p in zip(value, pair)):
        return None
    return pair


q1 = CountParameters()
q2 = PredictShapes()
q3 = MostConfusedPair()
QUESTIONS = [q1, q2, q3]
