"""The checker's own Grad-CAM references for notebook 08's exercises (q2-q4).

MobileNetV2 with its ImageNet top and the scikit-image sample photos, loaded and prepared
by the checker as notebook 08 prepares Chelsea (centre square, 224x224,
``preprocess_input``), each cached; and the kinds of check that judge a class index
(:class:`PhotoClass`) and a heatmap (:class:`PhotoHeatmap`) against them. Used by
:mod:`.ex08`; taught in notebook 08, section 5.
"""

from __future__ import annotations

import functools

import numpy as np

from . import core

HEATMAP_TOLERANCE = 0.05


@functools.cache
def imagenet_model():
    """MobileNetV2 with its ImageNet top, from the cache or the mirror (as in the notebook)."""
    from .. import models

    return models.pretrained("mobilenet_v2", include_top=True, progress=False)


@functools.cache
def photo_input(name: str) -> np.ndarray:
    """A sample photo as notebook 08 prepares Chelsea: the centre square resized to 224x224,
    then MobileNetV2's preprocess_input. float32 (224, 224, 3) in [-1, 1]."""
    import keras

    from .. import datasets, images

    photo = datasets.load_sample(name)
    side = min(photo.shape[:2])
    left = (photo.shape[1] - side) // 2
    top = (photo.shape[0] - side) // 2
    square = images.resize(photo[top : top + side, left : left + side], (224, 224))
    return keras.applications.mobilenet_v2.preprocess_input(square.astype("float32"))


@functools.cache
def ranked_classes(name: str) -> tuple[int, ...]:
    """The ImageNet classes of a sample photo, most likely first."""
    probs = np.asarray(imagenet_model()(photo_input(name)[None], training=False))[0]
    return tuple(int(i) for i in np.argsort(-probs))


@functools.cache
def reference_heatmap(name: str, class_index: int) -> np.ndarray:
    """The checker's Grad-CAM of a sample photo for one class: float32 (7, 7) in [0, 1]."""
    from .. import explain

    return explain.grad_cam(imagenet_model(), photo_input(name), class_index=int(class_index))


def correlation(first, second) -> float:
    """Pearson correlation of two heatmaps (0 when one of them is constant)."""
    a = np.asarray(first, dtype=np.float64).ravel()
    b = np.asarray(second, dtype=np.float64).ravel()
    if a.std() == 0 or b.std() == 0:
        return 0.0
    return float(np.corrcoef(a, b)[0, 1])


class PhotoClass(core.Check):
    """A class index of the checker's photo: its ``rank`` (0: predicted, 1: runner-up...)."""

    photo: str = "chelsea"
    rank: int = 0
    wanted: str = "the predicted class"

    def judge(self, value, name, answers):
        index = core.as_whole_number(value)
        if index is None or isinstance(value, (bool, np.bool_)):
            return (
                f"{name} should be a class index, a whole number from 0 to 999, not "
                f"{core.describe(value)}."
            )
        if not 0 <= index < 1000:
            return f"{name} is {index}, but ImageNet's classes are numbered 0 to 999."
        ranked = ranked_classes(self.photo)
        if index == ranked[self.rank]:
            return None
        if self.rank and index == ranked[0]:
            return (
                f"class {index} is the predicted class, whose heatmap you have already seen. "
                "The question asks for the second most likely."
            )
        place = ranked.index(index) + 1
        return (
            f"class {index} is only number {place} among the model's guesses for this photo; "
            f"{name} should be {self.wanted}. Sort the probabilities (np.argsort)."
        )


class PhotoHeatmap(core.Value):
    """A heatmap of the checker's photo for the class its ``rank`` names, within 0.05."""

    photo: str = "chelsea"
    rank: int = 0
    atol = HEATMAP_TOLERANCE
    rtol = 0.0

    def reference(self, answers):
        return reference_heatmap(self.photo, ranked_classes(self.photo)[self.rank])

    def wrong_shape(self, arr, expected, name):
        return (
            f"{name} has shape {arr.shape}, but a Grad-CAM has the size of the last feature "
            f"maps, {expected.shape}. Keep it as explain.grad_cam returns it (resize only "
            "for display)."
        )

    def diagnose(self, heatmap, expected, name, answers):
        if heatmap.min() < -1e-6 or heatmap.max() > 1 + 1e-6:
            return (
                f"{name} should lie in [0, 1] (negative evidence set to 0, the peak scaled "
                f"to 1); it goes from {heatmap.min():.3g} to {heatmap.max():.3g}."
            )
        ranked = ranked_classes(self.photo)
        for rank in range(3):
            other = reference_heatmap(self.photo, ranked[rank])
            if rank != self.rank and np.allclose(heatmap, other, atol=self.atol):
                which = "predicted" if rank == 0 else f"number {rank + 1}"
                return f"{name} is the heatmap of the {which} class, not of the class asked for."
        return (
            f"{name} is not the Grad-CAM of the class asked for on the {self.photo} photo "
            "prepared as in section 5 (its centre square at 224x224, then preprocess_input). "
            "Check the preparation and the class_index you pass to explain.grad_cam."
        )


def peak(photo: str, rank: int) -> str:
    index = ranked_classes(photo)[rank]
    heatmap = reference_heatmap(photo, index)
    row, col = (int(v) for v in np.unravel_index(int(np.argmax(heatmap)), heatmap.shape))
    return (
        f"that is the Grad-CAM for class {index}; its peak is at row {row}, column {col} of "
        f"the {heatmap.shape[0]}x{heatmap.shape[1]} map."
    )
