"""Exercises of notebook 08_visualizing_convnets.

Every reference is the checker's own: it rebuilds the notebook's small convnet (q1) and
loads MobileNetV2 with its ImageNet top and the sample photos itself (q2-q4), prepared as
the notebook prepares Chelsea; what a student passes is only the answer.

- ``q1``: ``edge_layer``, the layer of the small convnet whose maps look most like edges
  (a :class:`~core.Choice` among the layers of the architecture the notebook defines).
- ``q2``: ``second_class`` and ``second_heatmap``, Chelsea's runner-up ImageNet class and
  its Grad-CAM (7x7 float32 in [0, 1]), against the checker's own Grad-CAM.
- ``q3``: ``agreement``, the correlation of Chelsea's heatmaps for the predicted and the
  runner-up class (a :class:`~core.Value`; NaN and infinity are wrong).
- ``q4`` (transfer): ``coffee_class`` and ``coffee_heatmap``, the predicted class of the
  coffee photo and its Grad-CAM.
"""

from __future__ import annotations

import functools

from . import core
from .ex08_gradcam import (
    PhotoClass,
    PhotoHeatmap,
    correlation,
    peak,
    ranked_classes,
    reference_heatmap,
)

NOTEBOOK = "08"
COMMON = {"notebook": NOTEBOOK, "notebook_name": "08_visualizing_convnets"}
POOLING = ("MaxPooling2D", "AveragePooling2D", "GlobalAveragePooling2D", "GlobalMaxPooling2D")
IMAGE_SIZE = 128  # the small convnet's input (notebook 08, Parameters)


@functools.cache
def notebook_convnet():
    """The small convnet of notebook 08, section 2, rebuilt (untrained: only its layers count)."""
    import keras
    from keras import layers

    stack = [keras.Input((IMAGE_SIZE, IMAGE_SIZE, 3)), layers.Rescaling(1 / 255, name="rescale")]
    for i, filters in enumerate((16, 32, 64, 64), start=1):
        stack += [
            layers.Conv2D(filters, 3, activation="relu", name=f"conv{i}"),
            layers.MaxPooling2D(name=f"pool{i}"),
        ]
    stack += [
        layers.Flatten(name="flatten"),
        layers.Dropout(0.5, name="dropout"),
        layers.Dense(64, activation="relu", name="dense"),
        layers.Dense(1, activation="sigmoid", name="p_dog"),
    ]
    return keras.Sequential(stack, name="small_convnet")


# ------------------------------------------------------------------------------- q1


class EdgeLayer(core.Choice):
    """edge_layer: a layer name of the notebook's convnet; right for its first convolution."""

    def judge(self, value, name, answers):
        if not isinstance(value, str):  # an array or a model is no option, and not comparable
            return self.not_an_option(value, [], name)
        return super().judge(value, name, answers)

    def not_an_option(self, value, names, name):
        if not isinstance(value, str):
            return (
                f"give the layer's name as a string, such as 'dense', not {core.describe(value)}."
            )
        return f"the small convnet has no layer {value!r}; its layers are: {', '.join(names)}."

    def wrong(self, edge_layer, name, answers):
        layers = notebook_convnet().layers
        names = [layer.name for layer in layers]
        position, first = names.index(edge_layer), names.index("conv1")
        if position < first:
            return (
                f"{edge_layer} comes before any convolution: it has no filters and only "
                "passes the image on. Which layer's filters first turn it into maps?"
            )
        kind = type(layers[position]).__name__
        if kind in POOLING and position == first + 1:
            return (
                f"close: {edge_layer} only keeps the largest value of each 2x2 patch of the "
                "maps before it, so it shows the same edges at half the size. Name the layer "
                "that computes them."
            )
        if kind in ("Flatten", "Dropout", "Dense"):
            return (
                f"{edge_layer} is in the classifier at the end: its outputs are no longer "
                "maps of the image at all. Look at the convolution layers."
            )
        return (
            f"{edge_layer}'s maps are deeper in the network and more abstract: blobs that stand "
            "for parts of the image rather than its outlines. Look at the first layers."
        )


q1 = core.Answers(
    **COMMON,
    name="q1",
    title="the layer whose maps look like edges",
    usage='ex.q1.check(edge_layer)   # edge_layer = "a layer name"',
    hints=(
        "Look at the activation grids of section 3 from the top: which layer's maps still "
        "show the cat's outline, as bright lines where the brightness or colour changes?",
        "Edges are local: a change between neighbouring pixels. The layer whose filters see "
        "the fewest pixels of the photo at once is the one that can only respond to them. "
        "Give its name as convnet.summary() prints it.",
    ),
    parts={
        "edge_layer": EdgeLayer(
            options=lambda answers: [layer.name for layer in notebook_convnet().layers],
            answer="conv1",
        )
    },
    correct=lambda edge_layer: (
        f"{edge_layer} is the first convolution: each of its small filters sees only "
        "a few pixels, so what it can detect is local changes of brightness and "
        "colour, edges."
    ),
)


q2 = core.Answers(
    **COMMON,
    name="q2",
    title="Grad-CAM for a second class",
    usage="ex.q2.check(second_class, second_heatmap)",
    hints=(
        "Take the second most likely class of chelsea_probs: np.argsort sorts from the "
        "smallest, so the runner-up is np.argsort(chelsea_probs)[-2].",
        "Then call explain.grad_cam(imagenet_model, chelsea_input, class_index=second_class). "
        "Keep the heatmap at its own size (7x7); do not resize it.",
    ),
    parts={
        "second_class": PhotoClass(rank=1, wanted="the second most likely class"),
        "second_heatmap": PhotoHeatmap(rank=1),
    },
    correct=lambda second_class, second_heatmap: peak("chelsea", 1),
)


# ------------------------------------------------------------------------------- q3


class Agreement(core.Value):
    """agreement: the correlation of the checker's two Chelsea heatmaps, within 1e-3."""

    atol = 1e-3
    rtol = 0.0
    advice = "Flatten both heatmaps with .ravel() and use np.corrcoef."

    def reference(self, answers):
        ranked = ranked_classes("chelsea")
        first, second = (reference_heatmap("chelsea", ranked[r]) for r in (0, 1))
        return correlation(first, second)

    def wrong_shape(self, arr, expected, name):
        if arr.shape == (2, 2):
            return f"{name} is the whole 2x2 matrix from np.corrcoef; take its entry [0, 1]."
        return None

    def diagnose(self, value, expected, name, answers):
        if abs(float(value)) > 1:
            return f"{name} is {float(value):.3f}, but a correlation lies between -1 and 1."
        return (
            f"{name} is {float(value):.3f}, but that is not the correlation of Chelsea's "
            f"heatmaps for her predicted and her runner-up class. {self.advice}"
        )


def _q3_correct(agreement) -> str:
    expected = Agreement().reference({})
    if expected > 0.7:
        meaning = "the two classes are found in much the same places"
    elif expected > 0.2:
        meaning = "the two classes partly share their evidence"
    else:
        meaning = "the evidence for the second class lies elsewhere in the image"
    return f"correlation {expected:.2f}: {meaning}."


q3 = core.Answers(
    **COMMON,
    name="q3",
    title="how much the two heatmaps agree",
    usage="ex.q3.check(agreement)",
    hints=(
        "A correlation compares two lists of numbers: flatten both 7x7 heatmaps "
        "(chelsea_heatmap and second_heatmap) with .ravel().",
        "np.corrcoef(a, b) is a 2x2 matrix; the correlation of a and b is its off-diagonal "
        "entry [0, 1]. Make it a plain float.",
    ),
    parts={"agreement": Agreement()},
    correct=_q3_correct,
)


# ------------------------------------------------------------------------------- q4

q4 = core.Answers(
    **COMMON,
    name="q4",
    title="Grad-CAM of a photo the notebook did not use (transfer)",
    usage="ex.q4.check(coffee_class, coffee_heatmap)",
    hints=(
        "Prepare datasets.load_sample('coffee') exactly as Chelsea was prepared: its centre "
        "square (the photo is wider than high), resized to 224x224, then preprocess_input.",
        "coffee_class is the argmax of imagenet_model's prediction for that input, and "
        "coffee_heatmap = explain.grad_cam(imagenet_model, coffee_input, "
        "class_index=coffee_class), at its own 7x7 size.",
    ),
    parts={
        "coffee_class": PhotoClass(photo="coffee", rank=0, wanted="the predicted class"),
        "coffee_heatmap": PhotoHeatmap(photo="coffee", rank=0),
    },
    correct=lambda coffee_class, coffee_heatmap: peak("coffee", 0),
)

QUESTIONS = ("q1", "q2", "q3", "q4")
