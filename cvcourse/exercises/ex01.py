"""Exercises of notebook 01_convolution_relu_pooling.

- ``q1``: design two or three kernels and say what each brings out; each is tried on test
  patterns (a horizontal edge, a vertical edge, a flat patch, noise) and judged by its
  effect, not by its exact numbers (:func:`judge_kernel`).
- ``q2``: the output shapes of four layers, worked out by hand (:class:`~core.Items`).
- ``q3``: a function that counts a Conv2D layer's parameters (:class:`~core.Function`).
"""

from __future__ import annotations

import numpy as np

from .. import kernels
from . import core
from .kernel_effects import EFFECTS, judge_kernel

NOTEBOOK = "01"
COMMON = {"notebook": NOTEBOOK, "notebook_name": "01_convolution_relu_pooling"}

# ------------------------------------------------------------------------------- q1


class Kernels(core.Check):
    """my_kernels: a dict from an effect (:data:`EFFECTS`) to a 2-D kernel of at most 7 x 7."""

    def judge(self, my_kernels, name, answers):
        if not isinstance(my_kernels, dict):
            return (
                f"{name} should be a dict from an effect to a kernel, e.g. "
                f"{{'blur': np.full((3, 3), 1 / 9)}}, but it is {core.describe(my_kernels)}."
            )
        filled = {k: v for k, v in my_kernels.items() if not core.is_placeholder(v)}
        if not filled:
            raise core.NotAttempted()
        unknown = [k for k in filled if k not in EFFECTS]
        if unknown:
            return (
                f"{unknown[0]!r} is not an effect this check can test. Name each kernel by "
                f"what it brings out, one of: {', '.join(EFFECTS)}."
            )
        if len(filled) < 2:
            return (
                f"you designed {len(filled)} kernel; design at least two (replace the other "
                "... placeholders)."
            )
        problems = []
        for effect, value in filled.items():
            k = core.as_array(value, f"the {effect!r} kernel").astype(np.float64)
            if k.ndim != 2 or min(k.shape) < 1 or max(k.shape) > 7:
                problem = (
                    f"a kernel should be a 2-D array of at most 7 x 7, but it has shape {k.shape}"
                )
            elif not np.isfinite(k).all() or not np.abs(k).sum():
                problem = "the kernel is all zeros or not finite"
            else:
                problem = judge_kernel(effect, k)
            if problem:
                problems.append(f"{effect}: {problem}")
        return core.join_problems(problems) if problems else None


def _q1_correct(my_kernels) -> str:
    filled = [effect for effect, k in my_kernels.items() if not core.is_placeholder(k)]
    return (
        "each of your kernels does what you said: "
        + "; ".join(f"{effect} {EFFECTS[effect].split(':')[0]}" for effect in filled)
        + "."
    )


q1 = core.Answers(
    **COMMON,
    name="q1",
    title="design two or three kernels",
    usage="ex.q1.check(my_kernels)",
    hints=(
        "Start from the classic kernels of section 6 and change them: a bigger blur, a "
        "Sobel kernel. What do a kernel's weights add up to when it keeps flat areas as "
        "they are, and when it gives 0 on them?",
        "Give a dict from an effect to a small 2-D array, e.g. {'blur': ..., "
        "'vertical_edges': ...}; the effects this check knows are "
        + ", ".join(EFFECTS)
        + ". A blur's weights are positive and add up to 1; an edge detector's add up to 0, "
        "positive on one side of the edge and negative on the other.",
    ),
    parts={"my_kernels": Kernels()},
    correct=_q1_correct,
)


# ------------------------------------------------------------------------------- q2

INPUT_SHAPE = (32, 32, 3)
# (label, Keras layer as written in the notebook, kind, filters, size, stride, padding)
LAYERS = [
    ("A", "Conv2D(filters=16, kernel_size=3)", "conv", 16, 3, 1, "valid"),
    ("B", 'Conv2D(filters=8, kernel_size=5, strides=2, padding="same")', "conv", 8, 5, 2, "same"),
    ("C", "MaxPooling2D(pool_size=3, strides=2)", "pool", None, 3, 2, "valid"),
    ("D", "Conv2D(filters=4, kernel_size=4, strides=3)", "conv", 4, 4, 3, "valid"),
]


def expected_shapes() -> list[tuple[int, int, int]]:
    """(height, width, channels) of each layer in :data:`LAYERS` applied to INPUT_SHAPE."""
    n, _, channels = INPUT_SHAPE
    shapes = []
    for _, _, kind, filters, size, stride, padding in LAYERS:
        side = kernels.output_size(n, size, padding=padding, stride=stride)
        shapes.append((side, side, filters if kind == "conv" else channels))
    return shapes


class Shapes(core.Items):
    """output_shapes: (height, width, channels) of each layer in :data:`LAYERS`."""

    labels = tuple(f"layer {entry[0]}" for entry in LAYERS)
    example = "tuples like (30, 30, 16)"
    count_words = "layers (A to D)"
    item_words = "(height, width, channels) as three whole numbers"

    def reference(self, answers):
        return expected_shapes()

    def parse(self, item):
        return core.as_shape(item)

    def judge_item(self, index, label, given, expected):
        _, layer, kind, *_ = LAYERS[index]
        problems = []
        if given[:2] != expected[:2]:
            rule = (
                "with padding='same' the size is ceil(n / stride)"
                if "same" in layer
                else "without padding the size is floor((n - f) / stride) + 1"
            )
            problems.append(f"{label} ({layer}): height and width are wrong; {rule}")
        if given[2] != expected[2]:
            rule = (
                "a Conv2D outputs one channel per filter"
                if kind == "conv"
                else "pooling works on each channel separately, so the channels stay as they were"
            )
            problems.append(f"{label} ({layer}): the channels are wrong; {rule}")
        return problems


q2 = core.Answers(
    **COMMON,
    name="q2",
    title="output shapes of four layers",
    usage="ex.q2.check(output_shapes)",
    hints=(
        "Use the output-size formula of section 4 for the height and width, and think "
        "about what sets the number of channels: the filters, or the input?",
        "Height and width: floor((n + p - f) / s) + 1, where p is the total padding "
        "(0 for 'valid'); with padding='same' Keras pads so the result is ceil(n / s). "
        "Channels: a Conv2D gives one per filter, pooling keeps the input's channels.",
    ),
    parts={"output_shapes": Shapes()},
    correct=lambda output_shapes: (
        "all four shapes are right: " + ", ".join(str(s) for s in expected_shapes()) + "."
    ),
)


# ------------------------------------------------------------------------------- q3

PARAM_CASES = [(3, 3, 8), (5, 1, 32), (1, 64, 16), (3, 16, 32), (7, 3, 64)]


class CountParams(core.Function):
    """count_conv2d_params(kernel_size, in_channels, filters) -> a whole number."""

    cases = [core.Case(args) for args in PARAM_CASES]
    reference = staticmethod(kernels.conv2d_params)

    def convert(self, out, case, name):
        call = self.call_text(case, name)
        number = core.as_number(out)
        if number is None:
            raise core.Incorrect(f"{call} returned {core.describe(out)}; return a number.")
        if not number.is_integer():
            raise core.Incorrect(f"{call} returned {out}: a count is a whole number.")
        return int(number)

    def compare(self, got, expected, case):
        return got == expected

    def explain(self, got, expected, case, name):
        size, channels, filters = case.args
        message = (
            f"{self.call_text(case, name)} returned {got}, but the layer has {expected} parameters"
        )
        if got == size * size * channels * filters:
            return message + ": you left out the biases (one per filter)."
        if got == (size * size + 1) * filters:
            return message + (
                ": each filter has a kernel for every input channel, so multiply by in_channels."
            )
        if got == size * size * channels + 1:
            return message + ": that is one filter's share; there are `filters` of them."
        return message + "."


q3 = core.Answers(
    **COMMON,
    name="q3",
    title="count a Conv2D layer's parameters",
    usage="ex.q3.check(count_conv2d_params)",
    hints=(
        "Section 11 counts conv_a's and conv_b's parameters by hand; write that sum with "
        "the three arguments instead of the numbers.",
        "Each filter has a kernel_size x kernel_size weight for every input channel, plus one "
        "bias; there are `filters` of them. The image size does not matter.",
    ),
    parts={"count_conv2d_params": CountParams()},
    correct="count_conv2d_params agrees with Keras on every layer tried.",
)


# ------------------------------------------------------------------------------- q4


def _q4_cases() -> list[core.Case]:
    """The worked example, an asymmetric kernel, a non-square kernel (the checker's own)."""
    x = np.array([[2, 3, 4, 2, 4], [0, 1, 4, 1, 1], [1, 1, 0, 7, 2], [3, 2, 3, 1, 1]])
    x = np.vstack([x, [1, 2, 0, 2, 8]]).astype(float)  # the 5 x 5 image of section 1
    rng = np.random.default_rng(7)
    image = rng.integers(0, 10, size=(8, 9)).astype(float)
    return [
        core.Case((x, kernels.kernel("edge")), what="the 5 x 5 example with the edge kernel"),
        core.Case(
            (image[:6, :7], kernels.kernel("sobel_x")),
            what="a 6 x 7 image with sobel_x, a kernel that is not symmetric",
        ),
        core.Case(
            (image, np.array([[1.0, 2.0, 0.0], [-1.0, 0.0, 3.0]])),
            what="an 8 x 9 image with a 2 x 3 kernel",
        ),
    ]


class FixedCorrelate(core.Function):
    """fixed_correlate(image, kernel) -> the valid cross-correlation, (H - f_h + 1, W - f_w + 1)."""

    atol = 1e-9

    def case_list(self, answers):
        return _q4_cases()

    def reference(self, image, kernel):
        return kernels.correlate2d(image, kernel)

    def convert(self, out, case, name):
        image, kernel = case.args
        arr = core.as_array(out, f"what {name} returned")
        want = (image.shape[0] - kernel.shape[0] + 1, image.shape[1] - kernel.shape[1] + 1)
        if arr.shape != want:
            raise core.Incorrect(
                f"on {case.what} ({image.shape[0]} x {image.shape[1]} image, "
                f"{kernel.shape[0]} x {kernel.shape[1]} kernel) {name} returned shape "
                f"{arr.shape}: count again the places where the kernel fits, along each axis "
                "(the formula of section 4 with p = 0 and s = 1)."
            )
        return arr.astype(np.float64)

    def explain(self, got, expected, case, name):
        image, kernel = case.args
        if np.allclose(got, kernels.correlate2d(image, kernel[::-1, ::-1])):
            return (
                f"on {case.what} {name} flips the kernel: that is convolution in the "
                "mathematician's sense. Conv2D (and this exercise) slides the kernel as it is."
            )
        return (
            f"on {case.what} {name} returns the right shape but wrong values: check which "
            "window of the image each output value is computed from."
        )


q4 = core.Answers(
    **COMMON,
    name="q4",
    title="repair a broken correlation",
    usage="ex.q4.check(fixed_correlate)",
    hints=(
        "There are three bugs. Try broken_correlate on the 5 x 5 example x with the edge "
        "kernel and compare with kernels.correlate2d(x, edge); then try a kernel that is "
        "not symmetric, and one that is not square.",
        "Look at the size of the output (how many places does an f-wide kernel fit in n "
        "columns?), at the window's width (which kernel size belongs to the columns?) and "
        "at how the kernel is used (section 7: Conv2D does not flip it).",
    ),
    parts={"fixed_correlate": FixedCorrelate()},
    correct="fixed_correlate agrees with Conv2D's cross-correlation on every image and kernel tried.",
)

QUESTIONS = ("q1", "q2", "q3", "q4")
