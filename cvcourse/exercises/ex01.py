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

NOTEBOOK = "01"
COMMON = {"notebook": NOTEBOOK, "notebook_name": "01_convolution_relu_pooling"}

# ------------------------------------------------------------------------------- q1

EFFECTS = {
    "blur": "smooths: keeps the brightness of flat areas and evens out noise",
    "sharpen": "keeps the brightness of flat areas and exaggerates the jump at an edge",
    "edges": "responds to edges in every direction and gives 0 on flat areas",
    "horizontal_edges": "responds to horizontal edges, hardly to vertical ones, 0 on flat areas",
    "vertical_edges": "responds to vertical edges, hardly to horizontal ones, 0 on flat areas",
}

_SIZE = 24


def _patterns() -> dict[str, np.ndarray]:
    """The test images, 24 x 24 floats in [0, 1]."""
    half = _SIZE // 2
    horizontal = np.zeros((_SIZE, _SIZE))
    horizontal[half:, :] = 1.0  # dark top, bright bottom: one horizontal edge
    step = np.full((_SIZE, _SIZE), 0.25)
    step[:, half:] = 0.75  # a soft vertical edge, for sharpening
    noise = np.random.default_rng(1).uniform(0.0, 1.0, size=(_SIZE, _SIZE))
    return {"horizontal": horizontal, "vertical": horizontal.T.copy(), "step": step, "noise": noise}


def _strength(image: np.ndarray, k: np.ndarray) -> float:
    return float(np.abs(kernels.correlate2d(image, k)).max())


def judge_kernel(effect: str, k: np.ndarray) -> str | None:
    """Why kernel ``k`` does not bring out ``effect``, or None when it does (q1's test)."""
    p = _patterns()
    total = float(k.sum())
    scale = float(np.abs(k).sum())
    if effect in ("blur", "sharpen"):
        if abs(total - 1.0) > 0.1:
            return (
                f"on a flat patch of brightness 1 it gives {total:.2f}: a {effect} kernel "
                "should keep flat areas as they are, so its weights should add up to 1"
                + (f" (divide it by {total:.3g})" if total > 0 else "")
                + "."
            )
        noise_in = float(p["noise"].std())
        noise_out = float(kernels.correlate2d(p["noise"], k).std())
        if effect == "blur":
            if noise_out > 0.7 * noise_in:
                return (
                    f"it hardly smooths: on random noise the spread of values only goes from "
                    f"{noise_in:.2f} to {noise_out:.2f}. Average over several neighbours."
                )
            return None
        out = kernels.correlate2d(p["step"], k)
        overshoot = max(float(out.max()) - 0.75, 0.25 - float(out.min()))
        if overshoot < 0.05:
            return (
                "it does not sharpen: across an edge from 0.25 to 0.75 the result stays "
                "between the two, so the edge is no crisper. Put a large weight in the middle "
                "and negative weights around it (still adding up to 1)."
            )
        return None
    # edge detectors
    s_h = _strength(p["horizontal"], k)
    s_v = _strength(p["vertical"], k)
    if abs(total) > 0.05 * max(scale, 1e-12):
        return (
            f"on a flat patch of brightness 1 it gives {total:.2f}, not 0: an edge detector "
            "should only respond where brightness changes, so its weights should add up to 0."
        )
    if max(s_h, s_v) < 0.1 * scale:
        return "it barely responds to a horizontal or a vertical edge."
    if effect == "edges":
        if min(s_h, s_v) < 0.3 * max(s_h, s_v):
            weak = "vertical" if s_v < s_h else "horizontal"
            return (
                f"it responds to one direction only (horizontal edge: {s_h:.2f}, vertical "
                f"edge: {s_v:.2f}); an all-direction edge detector also needs the {weak} ones."
            )
        return None
    wanted, other = (s_h, s_v) if effect == "horizontal_edges" else (s_v, s_h)
    direction = "horizontal" if effect == "horizontal_edges" else "vertical"
    opposite = "vertical" if direction == "horizontal" else "horizontal"
    if other > 0.3 * wanted:
        return (
            f"it responds to a {opposite} edge ({other:.2f}) about as much as to a "
            f"{direction} one ({wanted:.2f}). A {direction} edge is a change from one "
            f"{'row' if direction == 'horizontal' else 'column'} to the next: weigh "
            f"{'rows above against rows below' if direction == 'horizontal' else 'columns on the left against columns on the right'}."
        )
    return None


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
        "Give a dict from an effect to a small 2-D array, e.g. {'blur': ..., "
        "'vertical_edges': ...}; the effects this check knows are "
        + ", ".join(EFFECTS)
        + ". A blur's weights are positive and add up to 1; an edge detector's add up to 0, "
        "positive on one side of the edge and negative on the other."
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
        "Height and width: floor((n + p - f) / s) + 1, where p is the total padding "
        "(0 for 'valid'); with padding='same' Keras pads so the result is ceil(n / s). "
        "Channels: a Conv2D gives one per filter, pooling keeps the input's channels."
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
        "Each filter has a kernel_size x kernel_size weight for every input channel, plus one "
        "bias; there are `filters` of them. The image size does not matter."
    ),
    parts={"count_conv2d_params": CountParams()},
    correct="count_conv2d_params agrees with Keras on every layer tried.",
)

QUESTIONS = [q1, q2, q3]
