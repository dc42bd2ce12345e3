"""Exercises of notebook 00_images_as_arrays: two photos to grayscale, one each way.

- ``q1``: load the coffee photo with ``tf.io`` and convert it with
  ``tf.image.rgb_to_grayscale``; check ``gray_coffee``.
- ``q2``: write ``to_gray_dot(rgb)``, grayscale by a dot product with the luminance
  weights; check the function itself (it is tried on test pixels and on the astronaut).
"""

from __future__ import annotations

import functools

import numpy as np

from . import core

NOTEBOOK = "00"
# ITU-R BT.601 luma weights, as tf.image.rgb_to_grayscale uses them.
LUMA_WEIGHTS = np.array([0.2989, 0.5870, 0.1140])


@functools.cache
def _photo(name: str) -> np.ndarray:
    from ..datasets import load_sample

    photo = load_sample(name)
    photo.flags.writeable = False
    return photo


def _scale_note(arr: np.ndarray) -> tuple[np.ndarray, str]:
    """Bring a [0, 1] float answer to 0-255 for comparison; also say so."""
    if np.issubdtype(arr.dtype, np.floating) and arr.size and float(np.nanmax(arr)) <= 1.0:
        return arr.astype(np.float64) * 255.0, " (you rescaled it to [0, 1], which is fine)"
    return arr.astype(np.float64), ""


class GrayWithTensorFlow(core.Question):
    notebook = NOTEBOOK
    name = "q1"
    title = "the coffee photo in grayscale with TensorFlow"
    usage = "ex.q1.check(gray_coffee)"
    hint_text = (
        "Read the file's bytes with tf.io.read_file(str(datasets.sample_path('coffee'))), "
        "decode them with tf.io.decode_png(..., channels=3) to get a (400, 600, 3) uint8 "
        "tensor, then tf.image.rgb_to_grayscale(...) gives (400, 600, 1)."
    )
    solution_text = """
coffee_bytes = tf.io.read_file(str(datasets.sample_path("coffee")))
coffee = tf.io.decode_png(coffee_bytes, channels=3)   # (400, 600, 3) uint8
gray_coffee = tf.image.rgb_to_grayscale(coffee)       # (400, 600, 1) uint8
"""

    def check_answer(self, gray_coffee):
        arr = core.as_array(gray_coffee, "gray_coffee")
        rgb = _photo("coffee").astype(np.float64)  # (400, 600, 3)
        height, width = rgb.shape[:2]
        if arr.ndim == 3 and arr.shape[-1] in (3, 4):
            raise core.Incorrect(
                f"gray_coffee has shape {arr.shape}: it still has {arr.shape[-1]} colour "
                "channels. Convert it with tf.image.rgb_to_grayscale, which leaves one."
            )
        if arr.ndim == 3 and arr.shape[-1] == 1:
            arr = arr[..., 0]
        if arr.ndim != 2:
            raise core.Incorrect(
                f"gray_coffee has shape {arr.shape}; a grayscale photo is (height, width) or "
                "(height, width, 1)."
            )
        if arr.shape != (height, width):
            raise core.Incorrect(
                f"gray_coffee is {arr.shape[0]} x {arr.shape[1]} pixels, but the coffee photo "
                f"is {height} x {width}. Did you load another photo, or resize it?"
            )
        values, note = _scale_note(arr)
        error = np.abs(values - rgb @ LUMA_WEIGHTS)
        if np.isfinite(error).all() and error.max() <= 1.5:
            return f"gray_coffee is the coffee photo's luminance, {height} x {width}{note}."
        if np.abs(values - rgb.mean(axis=-1)).max() <= 1.5:
            raise core.Incorrect(
                "gray_coffee is the plain average of red, green and blue. Grayscale weights "
                "them by how bright they look to us (green most, blue least): use "
                "tf.image.rgb_to_grayscale."
            )
        raise core.Incorrect(
            f"gray_coffee has the right size but its gray levels differ from the coffee "
            f"photo's luminance by up to {np.nanmax(error):.0f} (on the 0-255 scale){note}."
        )


class GrayWithDotProduct(core.Question):
    notebook = NOTEBOOK
    name = "q2"
    title = "grayscale by a dot product"
    usage = "ex.q2.check(to_gray_dot)"
    hint_text = (
        "An RGB image has shape (H, W, 3); np.dot(rgb, weights) with weights = "
        "np.array([0.2989, 0.5870, 0.1140]) multiplies each pixel's three values by the "
        "weights and adds them up, giving (H, W). Pass the function itself to the check, "
        "without calling it: ex.q2.check(to_gray_dot)."
    )
    solution_text = """
def to_gray_dot(rgb):
    \"\"\"Luminance of an (H, W, 3) RGB array, as (H, W), on the input's own scale.\"\"\"
    weights = np.array([0.2989, 0.5870, 0.1140])   # red, green, blue
    return np.dot(rgb[..., :3], weights)

astronaut = plt.imread(datasets.sample_path("astronaut"))   # (512, 512, 3) float32 in [0, 1]
gray_astronaut = to_gray_dot(astronaut)                      # (512, 512) float64 in [0, 1]
"""

    def check_answer(self, to_gray_dot):
        if not callable(to_gray_dot) and to_gray_dot is not core.PLACEHOLDER:
            raise core.Incorrect(
                f"the check needs your function itself, but got {core.describe(to_gray_dot)}. "
                "Call it as ex.q2.check(to_gray_dot), without parentheses after to_gray_dot."
            )
        # Pure red, green, blue, white and black pixels: the weights show directly.
        pixels = np.array([[[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 255], [0, 0, 0]]])
        pixels = pixels.astype(np.uint8)  # (1, 5, 3)
        got = self._run(to_gray_dot, pixels)
        expected = pixels @ LUMA_WEIGHTS
        if not np.allclose(got, expected, atol=1.0):
            raise core.Incorrect(self._diagnose(got, expected, pixels))
        # A random, non-square image: rows and columns must stay in place.
        rng = np.random.default_rng(0)
        patch = rng.integers(0, 256, size=(6, 5, 3), dtype=np.uint8)
        got = self._run(to_gray_dot, patch)
        if not np.allclose(got, patch @ LUMA_WEIGHTS, atol=1.0):
            raise core.Incorrect(
                "your function gets pure colours right but not a random 6 x 5 image: "
                "compute every pixel the same way, keeping rows and columns in place."
            )
        # The astronaut as plt.imread returns it: float32 in [0, 1].
        astronaut = _photo("astronaut").astype(np.float32) / 255.0
        got = self._run(to_gray_dot, astronaut)
        if not np.allclose(got, astronaut.astype(np.float64) @ LUMA_WEIGHTS, atol=1.0 / 255):
            raise core.Incorrect(
                "for the astronaut as plt.imread gives it (floats in [0, 1]) your function "
                "should return floats in [0, 1] too: don't rescale inside it, the dot "
                "product keeps the input's scale."
            )
        return "to_gray_dot weights red, green and blue by 0.2989, 0.5870 and 0.1140."

    @staticmethod
    def _run(fn, rgb: np.ndarray) -> np.ndarray:
        out = core.call_student(fn, rgb, what="to_gray_dot")
        arr = core.as_array(out, "what to_gray_dot returned")
        expected_shape = rgb.shape[:2]
        if arr.shape == expected_shape:
            return arr.astype(np.float64)
        if arr.shape == expected_shape + (1,):
            raise core.Incorrect(
                f"to_gray_dot returned shape {arr.shape}; return (height, width) = "
                f"{expected_shape}, without the last axis of size 1 (np.dot drops it for you)."
            )
        if arr.shape == rgb.shape:
            raise core.Incorrect(
                f"to_gray_dot returned shape {arr.shape}, the same as its input: the three "
                "channels should be combined into one value per pixel."
            )
        raise core.Incorrect(
            f"for an input of shape {rgb.shape} to_gray_dot returned shape {arr.shape}; "
            f"it should be {expected_shape}."
        )

    @staticmethod
    def _diagnose(got: np.ndarray, expected: np.ndarray, pixels: np.ndarray) -> str:
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


q1 = GrayWithTensorFlow()
q2 = GrayWithDotProduct()
QUESTIONS = [q1, q2]
