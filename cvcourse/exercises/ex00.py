"""Exercises of notebook 00_images_as_arrays: grayscale two ways, then a prediction.

- ``q1``: load the coffee photo with ``tf.io`` and convert it with
  ``tf.image.rgb_to_grayscale``; check ``gray_coffee`` (a :class:`~core.Value`).
- ``q2``: write ``to_gray_dot(rgb)``, grayscale by a dot product with the luminance
  weights; the function is tried on test pixels and on the astronaut (a
  :class:`~core.Function`).
- ``q3`` (predict): the shape, dtype and value range of an array after a chain of
  conversions (:func:`run_chain`, which the checker runs itself), committed before running.
"""

from __future__ import annotations

import functools

import numpy as np

from . import core
from .conversions import ChainDtype, ChainRange, ChainShape, run_chain

NOTEBOOK = "00"
COMMON = {"notebook": NOTEBOOK, "notebook_name": "00_images_as_arrays"}
# ITU-R BT.601 luma weights, as tf.image.rgb_to_grayscale uses them.
LUMA_WEIGHTS = np.array([0.2989, 0.5870, 0.1140])


@functools.cache
def _photo(name: str) -> np.ndarray:
    """A bundled sample photo, (H, W, 3) uint8, read-only."""
    from ..datasets import load_sample

    photo = load_sample(name)
    photo.flags.writeable = False
    return photo


def _scale_note(arr: np.ndarray) -> tuple[np.ndarray, str]:
    """A [0, 1] float answer brought to 0-255 (float64) for comparison, and a note saying so."""
    if np.issubdtype(arr.dtype, np.floating) and arr.size and float(np.nanmax(arr)) <= 1.0:
        return arr.astype(np.float64) * 255.0, " (you rescaled it to [0, 1], which is fine)"
    return arr.astype(np.float64), ""


# ------------------------------------------------------------------------------- q1


class GrayCoffee(core.Value):
    """gray_coffee: (400, 600) or (400, 600, 1), 0-255 or [0, 1], within 1.5 gray levels."""

    atol = 1.5
    rtol = 0.0

    def reference(self, answers):
        return _photo("coffee").astype(np.float64) @ LUMA_WEIGHTS  # (400, 600)

    def prepare(self, arr, name, answers):
        height, width = _photo("coffee").shape[:2]
        if arr.ndim == 3 and arr.shape[-1] in (3, 4):
            raise core.Incorrect(
                f"{name} has shape {arr.shape}: it still has {arr.shape[-1]} colour "
                "channels. Convert it with tf.image.rgb_to_grayscale, which leaves one."
            )
        if arr.ndim == 3 and arr.shape[-1] == 1:
            arr = arr[..., 0]
        if arr.ndim != 2:
            raise core.Incorrect(
                f"{name} has shape {arr.shape}; a grayscale photo is (height, width) or "
                "(height, width, 1)."
            )
        if arr.shape != (height, width):
            raise core.Incorrect(
                f"{name} is {arr.shape[0]} x {arr.shape[1]} pixels, but the coffee photo "
                f"is {height} x {width}. Did you load another photo, or resize it?"
            )
        return _scale_note(arr)[0]

    def diagnose(self, arr, expected, name, answers):
        rgb = _photo("coffee").astype(np.float64)
        if np.abs(arr - rgb.mean(axis=-1)).max() <= self.atol:
            return (
                f"{name} is the plain average of red, green and blue. Grayscale weights "
                "them by how bright they look to us (green most, blue least): use "
                "tf.image.rgb_to_grayscale."
            )
        note = _scale_note(core.as_array(answers[name]))[1]
        return (
            f"{name} has the right size but its gray levels differ from the coffee "
            f"photo's luminance by up to {np.abs(arr - expected).max():.0f} (on the 0-255 "
            f"scale){note}."
        )


def _q1_correct(gray_coffee) -> str:
    height, width = _photo("coffee").shape[:2]
    note = _scale_note(core.as_array(gray_coffee))[1]
    return f"gray_coffee is the coffee photo's luminance, {height} x {width}{note}."


q1 = core.Answers(
    **COMMON,
    name="q1",
    title="the coffee photo in grayscale with TensorFlow",
    usage="ex.q1.check(gray_coffee)",
    hints=(
        "Section 1 reads a photo with TensorFlow in two steps (read the bytes, decode them), "
        "and section 3 converts to grayscale with one TensorFlow function.",
        "Read the file's bytes with tf.io.read_file(str(datasets.sample_path('coffee'))), "
        "decode them with tf.io.decode_png(..., channels=3) to get a (400, 600, 3) uint8 "
        "tensor, then tf.image.rgb_to_grayscale(...) gives (400, 600, 1).",
    ),
    parts={"gray_coffee": GrayCoffee()},
    correct=_q1_correct,
)


# ------------------------------------------------------------------------------- q2


def _cases() -> list[core.Case]:
    # Pure red, green, blue, white and black pixels: the weights show directly.
    pixels = np.array([[[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 255], [0, 0, 0]]])
    # A random, non-square image: rows and columns must stay in place.
    patch = np.random.default_rng(0).integers(0, 256, size=(6, 5, 3), dtype=np.uint8)
    # The astronaut as plt.imread returns it: float32 in [0, 1].
    astronaut = _photo("astronaut").astype(np.float32) / 255.0
    return [
        core.Case((pixels.astype(np.uint8),), what="pure colours", atol=1.0),
        core.Case((patch,), what="a random 6 x 5 image", atol=1.0),
        core.Case((astronaut,), what="the astronaut", atol=1.0 / 255),
    ]


class GrayDot(core.Function):
    """to_gray_dot: (H, W, 3) -> (H, W) luminance on the input's own scale."""

    rtol = 1e-5

    def case_list(self, answers):
        return _cases()

    def reference(self, rgb):
        return rgb.astype(np.float64) @ LUMA_WEIGHTS

    def convert(self, out, case, name):
        rgb = case.args[0]
        arr = core.as_array(out, f"what {name} returned")
        expected_shape = rgb.shape[:2]
        if arr.shape == expected_shape:
            return arr.astype(np.float64)
        if arr.shape == expected_shape + (1,):
            raise core.Incorrect(
                f"{name} returned shape {arr.shape}; return (height, width) = "
                f"{expected_shape}, without the last axis of size 1 (np.dot drops it for you)."
            )
        if arr.shape == rgb.shape:
            raise core.Incorrect(
                f"{name} returned shape {arr.shape}, the same as its input: the three "
                "channels should be combined into one value per pixel."
            )
        raise core.Incorrect(
            f"for an input of shape {rgb.shape} {name} returned shape {arr.shape}; "
            f"it should be {expected_shape}."
        )

    def explain(self, got, expected, case, name):
        if case.what == "a random 6 x 5 image":
            return (
                "your function gets pure colours right but not a random 6 x 5 image: "
                "compute every pixel the same way, keeping rows and columns in place."
            )
        if case.what == "the astronaut":
            return (
                "for the astronaut as plt.imread gives it (floats in [0, 1]) your function "
                "should return floats in [0, 1] too: don't rescale inside it, the dot "
                "product keeps the input's scale."
            )
        pixels = case.args[0]
        red, green, blue = (float(v) for v in got[0, :3])
        if np.allclose(got, pixels.mean(axis=-1), atol=1.0):
            return (
                "your function averages red, green and blue equally (pure green gives "
                f"{green:.0f}). Luminance weights green most and blue least: use "
                "0.2989, 0.5870, 0.1140."
            )
        if np.allclose(got, pixels @ LUMA_WEIGHTS[::-1], atol=1.0):
            return (
                "the weights are in reverse order (blue, green, red, as OpenCV stores "
                "pixels). Our arrays are RGB: red first."
            )
        if np.allclose(got * 255, expected, atol=1.0):
            return (
                "your function returns values in [0, 1] for a uint8 image (0-255). Keep the "
                "input's scale: don't divide by 255 inside the function."
            )
        return (
            f"for pure red, green and blue pixels (255 each) your function gives "
            f"{red:.1f}, {green:.1f} and {blue:.1f}; luminance gives "
            f"{expected[0, 0]:.1f}, {expected[0, 1]:.1f} and {expected[0, 2]:.1f}."
        )


q2 = core.Answers(
    **COMMON,
    name="q2",
    title="grayscale by a dot product",
    usage="ex.q2.check(to_gray_dot)",
    hints=(
        "Section 3 computes gray_dot with one np.dot; your function does the same for any "
        "RGB array it is given, and returns the result.",
        "An RGB image has shape (H, W, 3); np.dot(rgb, weights) with weights = "
        "np.array([0.2989, 0.5870, 0.1140]) multiplies each pixel's three values by the "
        "weights and adds them up, giving (H, W). Pass the function itself to the check, "
        "without calling it: ex.q2.check(to_gray_dot).",
    ),
    parts={"to_gray_dot": GrayDot()},
    correct="to_gray_dot weights red, green and blue by 0.2989, 0.5870 and 0.1140.",
)


# ------------------------------------------------------------------------------- q3


def _q3_correct(chain_shape, chain_dtype, chain_range) -> str:
    shape, dtype, low, high = run_chain()
    return (
        f"the chain ends with shape {shape}, dtype {dtype}, values on the [0, 1] scale "
        f"(here {low:.3f} to {high:.3f})."
    )


q3 = core.Answers(
    **COMMON,
    name="q3",
    title="predict a chain of conversions",
    usage="ex.q3.check(chain_shape, chain_dtype, chain_range)",
    hints=(
        "Follow the array one step at a time and write down its shape, dtype and range "
        "after each: np.stack adds an axis, tf.image.resize changes height and width, "
        "[np.newaxis] adds an axis in front.",
        "Section 5 says what dtype tf.image.resize returns, whatever it is given, and it "
        "does not rescale. Dividing a float32 array by a Python number keeps float32; "
        "dividing a uint8 array would give float64.",
    ),
    parts={"chain_shape": ChainShape(), "chain_dtype": ChainDtype(), "chain_range": ChainRange()},
    correct=_q3_correct,
)

QUESTIONS = ("q1", "q2", "q3")
