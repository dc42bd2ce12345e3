"""Judging a kernel by its effect on test patterns (notebook 01, ``ex01.q1``).

:func:`judge_kernel` runs a student's kernel on the checker's own 24 x 24 patterns (a
horizontal edge, a vertical edge, a soft step, random noise) and says, in words, why it
does not blur, sharpen or find the edges it was named for. Split out of
:mod:`~cvcourse.exercises.ex01` to keep modules small.
"""

from __future__ import annotations

import numpy as np

from .. import kernels

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
