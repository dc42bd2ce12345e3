"""The smallest input a builder's stack of convolutions and poolings accepts.

Part of :mod:`cvcourse.models`; the output-size formula it applies is
:func:`cvcourse.kernels.output_size`, taught in notebook 01.
"""

from __future__ import annotations

from .. import kernels

# One spatial step of a model: (window size, stride, padding "valid" or "same").
Step = tuple[int, int, str]
LARGEST_SIDE = 100_000


def output_side(n: int, steps: list[Step]) -> int:
    """The side length after ``steps``, starting from ``n`` pixels; 0 when a step does not fit.

    Takes an int ``n`` >= 1 and a list of (window, stride, padding) steps; returns an int.
    """
    for window, stride, padding in steps:
        if padding == "valid" and n < window:
            return 0
        n = kernels.output_size(n, window, padding=padding, stride=stride)
    return n


def smallest_side(steps: list[Step]) -> int:
    """The smallest side length (int) for which every one of ``steps`` fits."""
    for n in range(1, LARGEST_SIDE):
        if output_side(n, steps) >= 1:
            return n
    raise ValueError(f"no input up to {LARGEST_SIDE} pixels fits these {len(steps)} steps")


def check_input_size(builder: str, input_shape, steps: list[Step]) -> None:
    """Raise ValueError when ``input_shape`` (height, width, channels) is too small for ``steps``.

    The message names ``builder``, the size given and the smallest size it accepts. A
    dimension given as None (any size) is not checked.
    """
    shape = tuple(input_shape)
    if len(shape) != 3:
        raise ValueError(
            f"{builder}: input_shape must be (height, width, channels), got {input_shape!r}"
        )
    smallest = smallest_side(steps)
    given = [side for side in shape[:2] if side is not None]
    if any(int(side) < smallest for side in given):
        raise ValueError(
            f"{builder}: input_shape {shape} is too small: its convolutions and poolings "
            f"need images of at least {smallest}x{smallest} pixels. Resize the images "
            "(e.g. images.resize or keras.layers.Resizing), or build fewer blocks."
        )
