"""Exercises of notebook 01_convolution_relu_pooling.

- ``q1``: design two or three kernels and say what each brings out; each is tried on test
  patterns (a horizontal edge, a vertical edge, a flat patch, noise) and judged by its
  effect, not by its exact numbers.
- ``q2``: the output shapes of four layers, worked out without running them.
- ``q3``: a function that counts a Conv2D layer's parameters.
"""

from __future__ import annotations

import numpy as np

from .. import kernels
from . import core

NOTEBOOK = "01"

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


class DesignKernels(core.Question):
    notebook = NOTEBOOK
    name = "q1"
    title = "design two or three kernels"
    usage = "ex.q1.check(my_kernels)"
    hint_text = (
        "Give a dict from an effect to a small 2-D array, e.g. {'blur': ..., "
        "'vertical_edges': ...}; the effects this check knows are "
        + ", ".join(EFFECTS)
        + ". A blur's weights are positive and add up to 1; an edge detector's add up to 0, "
        "positive on one side of the edge and negative on the other."
    )
    solution_text = """
my_kernels = {
    "blur": np.full((5, 5), 1 / 25),                  # average of a 5x5 neighbourhood
    "horizontal_edges": np.array([[-1, -2, -1],
                                  [ 0,  0,  0],
                                  [ 1,  2,  1]]),    # rows below minus rows above
    "sharpen": np.array([[ 0, -1,  0],
                         [-1,  5, -1],
                         [ 0, -1,  0]]),             # the pixel plus its difference from its neighbours
}
"""

    def check_answer(self, my_kernels):
        if not isinstance(my_kernels, dict):
            raise core.Incorrect(
                f"my_kernels should be a dict from an effect to a kernel, e.g. "
                f"{{'blur': np.full((3, 3), 1 / 9)}}, but it is {core.describe(my_kernels)}."
            )
        filled = {k: v for k, v in my_kernels.items() if v is not core.PLACEHOLDER}
        if not filled:
            raise core.NotAttempted()
        unknown = [k for k in filled if k not in EFFECTS]
        if unknown:
            raise core.Incorrect(
                f"{unknown[0]!r} is not an effect this check can test. Name each kernel by "
                f"what it brings out, one of: {', '.join(EFFECTS)}."
            )
        if len(filled) < 2:
            raise core.Incorrect(
                f"you designed {len(filled)} kernel; design at least two (replace the other "
                "... placeholders)."
            )
        problems = []
        for effect, value in filled.items():
            k = core.as_array(value, f"the {effect!r} kernel")
            if k.ndim != 2 or min(k.shape) < 1 or max(k.shape) > 7:
                problems.append(
                    f"{effect}: a kernel should be a 2-D array of at most 7 x 7, but it has "
                    f"shape {k.shape}"
                )
                continue
            k = k.astype(np.float64)
            if not np.isfinite(k).all() or not np.abs(k).sum():
                problems.append(f"{effect}: the kernel is all zeros or not finite")
                continue
            reason = judge_kernel(effect, k)
            if reason:
                problems.append(f"{effect}: {reason}")
        if problems:
            raise core.Incorrect(" | ".join(problems))
        return (
            "each of your kernels does what you said: "
            + "; ".join(f"{effect} {EFFECTS[effect].split(':')[0]}" for effect in filled)
            + "."
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


class OutputShapes(core.Question):
    notebook = NOTEBOOK
    name = "q2"
    title = "output shapes of four layers"
    usage = "ex.q2.check(output_shapes)"
    hint_text = (
        "Height and width: floor((n + p - f) / s) + 1, where p is the total padding "
        "(0 for 'valid'); with padding='same' Keras pads so the result is ceil(n / s). "
        "Channels: a Conv2D gives one per filter, pooling keeps the input's channels."
    )
    solution_text = """
output_shapes = [
    (30, 30, 16),   # A: (32 - 3) // 1 + 1 = 30; 16 filters
    (16, 16, 8),    # B: 'same' with stride 2 gives ceil(32 / 2) = 16; 8 filters
    (15, 15, 3),    # C: (32 - 3) // 2 + 1 = 15; pooling keeps the 3 channels
    (10, 10, 4),    # D: (32 - 4) // 3 + 1 = 10; 4 filters
]
"""

    def check_answer(self, output_shapes):
        expected = expected_shapes()
        if not isinstance(output_shapes, (list, tuple)):
            raise core.Incorrect(
                f"output_shapes should be a list of {len(expected)} tuples like (30, 30, 16), "
                f"but it is {core.describe(output_shapes)}."
            )
        if all(item is core.PLACEHOLDER for item in output_shapes):
            raise core.NotAttempted()
        if len(output_shapes) != len(expected):
            raise core.Incorrect(
                f"there are {len(expected)} layers (A to D) but output_shapes has "
                f"{len(output_shapes)} entries."
            )
        problems = []
        for (label, layer, kind, *_), answer, shape in zip(
            LAYERS, output_shapes, expected, strict=True
        ):
            if answer is core.PLACEHOLDER:
                problems.append(f"layer {label} is still ...")
                continue
            given = self._as_shape(answer)
            if given is None:
                problems.append(
                    f"layer {label}: give (height, width, channels) as three whole numbers, "
                    f"not {core.describe(answer)}"
                )
                continue
            if given[:2] != shape[:2]:
                rule = (
                    "with padding='same' the size is ceil(n / stride)"
                    if "same" in layer
                    else "without padding the size is floor((n - f) / stride) + 1"
                )
                problems.append(f"layer {label} ({layer}): height and width are wrong; {rule}")
            if given[2] != shape[2]:
                rule = (
                    "a Conv2D outputs one channel per filter"
                    if kind == "conv"
                    else "pooling works on each channel separately, so the channels stay as "
                    "they were"
                )
                problems.append(f"layer {label} ({layer}): the channels are wrong; {rule}")
        if problems:
            raise core.Incorrect(" | ".join(problems))
        return "all four shapes are right: " + ", ".join(str(s) for s in expected) + "."

    @staticmethod
    def _as_shape(answer) -> tuple[int, int, int] | None:
        if hasattr(answer, "as_list"):  # a TensorShape
            answer = answer.as_list()
        if not isinstance(answer, (tuple, list)):
            return None
        items = list(answer)
        if len(items) == 4 and items[0] in (None, 1):  # with the batch axis: accept it
            items = items[1:]
        if len(items) != 3:
            return None
        try:
            values = [int(v) for v in items]
        except (TypeError, ValueError):
            return None
        if any(float(v) != float(w) for v, w in zip(values, items, strict=True)):
            return None
        return tuple(values)


# ------------------------------------------------------------------------------- q3

PARAM_CASES = [(3, 3, 8), (5, 1, 32), (1, 64, 16), (3, 16, 32), (7, 3, 64)]


class CountParams(core.Question):
    notebook = NOTEBOOK
    name = "q3"
    title = "count a Conv2D layer's parameters"
    usage = "ex.q3.check(count_conv2d_params)"
    hint_text = (
        "Each filter has a kernel_size x kernel_size weight for every input channel, plus one "
        "bias; there are `filters` of them. The image size does not matter."
    )
    solution_text = """
def count_conv2d_params(kernel_size, in_channels, filters):
    \"\"\"Trainable parameters of Conv2D(filters, kernel_size) on in_channels channels.\"\"\"
    weights_per_filter = kernel_size * kernel_size * in_channels
    return (weights_per_filter + 1) * filters   # + 1: each filter's bias
"""

    def check_answer(self, count_conv2d_params):
        if not callable(count_conv2d_params):
            raise core.Incorrect(
                "the check needs your function itself, but got "
                f"{core.describe(count_conv2d_params)}. Call it as "
                "ex.q3.check(count_conv2d_params), without parentheses after the name."
            )
        for size, channels, filters in PARAM_CASES:
            got = core.call_student(
                count_conv2d_params, size, channels, filters, what="count_conv2d_params"
            )
            expected = kernels.conv2d_params(size, channels, filters)
            call = f"count_conv2d_params({size}, {channels}, {filters})"
            if isinstance(got, bool) or not isinstance(got, (int, float, np.integer, np.floating)):
                raise core.Incorrect(f"{call} returned {core.describe(got)}; return a number.")
            if float(got) != float(got) // 1:
                raise core.Incorrect(f"{call} returned {got}: a count is a whole number.")
            if int(got) == expected:
                continue
            message = f"{call} returned {int(got)}, but the layer has {expected} parameters"
            if int(got) == size * size * channels * filters:
                message += ": you left out the biases (one per filter)."
            elif int(got) == (size * size + 1) * filters:
                message += (
                    ": each filter has a kernel for every input channel, so multiply by "
                    "in_channels."
                )
            elif int(got) == size * size * channels + 1:
                message += ": that is one filter's share; there are `filters` of them."
            else:
                message += "."
            raise core.Incorrect(message)
        return "count_conv2d_params agrees with Keras on every layer tried."


q1 = DesignKernels()
q2 = OutputShapes()
q3 = CountParams()
QUESTIONS = [q1, q2, q3]
