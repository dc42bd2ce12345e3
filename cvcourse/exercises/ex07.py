"""Exercises of notebook 07_visualizing_convnets.

- ``q1``: name the layer of the small convnet whose feature maps look most like edges
  (a :class:`~core.Choice` among the model's layers).
- ``q2``: a Grad-CAM heatmap of the cat photo for a second class, not the predicted one
  (a class index and a :class:`~core.Value`, the checker's own Grad-CAM).
- ``q3``: how much the two heatmaps agree, as a correlation: what changes with the class.
"""

from __future__ import annotations

import numpy as np

from . import core

NOTEBOOK = "07"
COMMON = {"notebook": NOTEBOOK, "notebook_name": "07_visualizing_convnets"}

POOLING = ("MaxPooling2D", "AveragePooling2D", "GlobalAveragePooling2D", "GlobalMaxPooling2D")


def _is_conv(layer) -> bool:
    import keras

    return isinstance(layer, (keras.layers.Conv2D, keras.layers.DepthwiseConv2D))


def _first_conv(model):
    return next((layer for layer in core.layers_of(model) if _is_conv(layer)), None)


# ------------------------------------------------------------------------------- q1


class EdgeLayer(core.Choice):
    """edge_layer: the name of one of the model's layers; right for its first convolution."""

    def not_an_option(self, value, names, name):
        if not isinstance(value, str):
            return (
                f"give the layer's name as a string, such as {names[0]!r}, not "
                f"{core.describe(value)}."
            )
        return f"the model has no layer {value!r}; its layers are: {', '.join(names)}."

    def wrong(self, edge_layer, name, answers):
        layers = core.layers_of(answers["model"])
        names = [layer.name for layer in layers]
        first = _first_conv(answers["model"])
        if first is None:
            return "this model has no convolution layer; pass the small convnet."
        position, first_position = names.index(edge_layer), names.index(first.name)
        if position < first_position:
            return (
                f"{edge_layer} comes before any convolution: it has no filters and only "
                "passes the image on. Which layer's filters first turn it into maps?"
            )
        if type(layers[position]).__name__ in POOLING and first_position == position - 1:
            return (
                f"close: {edge_layer} only keeps the largest value of each 2x2 patch of "
                f"{first.name}'s maps, so it shows the same edges at half the size. Name the "
                "layer that computes them."
            )
        return (
            f"{edge_layer}'s maps are deeper in the network and more abstract: blobs that stand "
            "for parts of the image rather than its outlines. Look at the first layers."
        )


q1 = core.Answers(
    **COMMON,
    name="q1",
    title="the layer whose maps look like edges",
    usage='ex.q1.check(convnet, edge_layer)   # edge_layer = "a layer name"',
    hints=(
        "Look at the activation grids from the top: which layer's maps still show the cat's "
        "outline, as bright lines where the brightness or colour changes? Give that layer's "
        "name, as printed above each grid (or by convnet.summary())."
    ),
    context=("model",),
    parts={
        "edge_layer": EdgeLayer(
            options=lambda answers: [layer.name for layer in core.layers_of(answers["model"])],
            answer=lambda answers: getattr(_first_conv(answers["model"]), "name", None),
        )
    },
    correct=lambda model, edge_layer: (
        f"{edge_layer} is the first convolution: each of its small filters sees only "
        "a few pixels, so what it can detect is local changes of brightness and "
        "colour, edges."
    ),
)


# ------------------------------------------------------------------------------- q2


def _predicted(model, image) -> tuple[np.ndarray, int]:
    from .. import explain

    batch = np.asarray(image, dtype=np.float32)[None]
    prediction = np.asarray(model(batch, training=False))[0]
    return prediction, explain.predicted_class(prediction)


def _class_index(answers) -> int | None:
    """second_class as a valid class index, or None."""
    prediction, _ = _predicted(answers["model"], answers["image"])
    n_classes = 2 if prediction.size == 1 else prediction.size
    value = core.as_whole_number(answers["second_class"])
    return value if value is not None and 0 <= value < n_classes else None


class SecondClass(core.Check):
    """second_class: a class index of the model, not its predicted class."""

    def judge(self, value, name, answers):
        prediction, top = _predicted(answers["model"], answers["image"])
        n_classes = 2 if prediction.size == 1 else prediction.size
        index = core.as_whole_number(value)
        if index is None:
            return (
                f"{name} should be a class index, a whole number such as 281, not "
                f"{core.describe(value)}."
            )
        if not 0 <= index < n_classes:
            return f"{name} is {index}, but the classes are numbered 0 to {n_classes - 1}."
        if index == top:
            return (
                f"class {index} is the predicted class, whose heatmap you have already "
                "seen. Pick another one, e.g. the second most likely."
            )
        return None


class SecondHeatmap(core.Value):
    """second_heatmap: the checker's Grad-CAM of second_class, within 0.05."""

    atol = 0.05
    rtol = 0.0

    def reference(self, answers):
        from .. import explain

        index = _class_index(answers)
        return explain.grad_cam(answers["model"], answers["image"], class_index=index)

    def judge(self, value, name, answers):
        if _class_index(answers) is None:
            return None  # the class is wrong, and said so: nothing to compare with
        return super().judge(value, name, answers)

    def wrong_shape(self, arr, expected, name):
        return (
            f"{name} has shape {arr.shape}, but a Grad-CAM has the size of the last feature "
            f"maps, {expected.shape}. Keep it as explain.grad_cam returns it (resize only "
            "for display)."
        )

    def diagnose(self, heatmap, expected, name, answers):
        from .. import explain

        if heatmap.size and (heatmap.min() < -1e-6 or heatmap.max() > 1 + 1e-6):
            return (
                f"{name} should lie in [0, 1] (negative evidence set to 0, the peak scaled "
                f"to 1); it goes from {heatmap.min():.3g} to {heatmap.max():.3g}."
            )
        model, image = answers["model"], answers["image"]
        top = _predicted(model, image)[1]
        if np.allclose(heatmap, explain.grad_cam(model, image, class_index=top), atol=self.atol):
            return (
                "this is the heatmap of the predicted class. Pass class_index=second_class "
                "to explain.grad_cam."
            )
        return (
            f"{name} is not the Grad-CAM of class {answers['second_class']} for this image. "
            "Compute it with explain.grad_cam(imagenet_model, chelsea_input, "
            "class_index=second_class)."
        )


def _q2_correct(model, image, second_class, second_heatmap) -> str:
    from .. import explain

    index = int(second_class)
    expected = explain.grad_cam(model, image, class_index=index)
    row, col = (int(v) for v in np.unravel_index(int(np.argmax(expected)), expected.shape))
    return (
        f"that is the Grad-CAM for class {index}; its peak is at row {row}, "
        f"column {col} of the {expected.shape[0]}x{expected.shape[1]} map."
    )


q2 = core.Answers(
    **COMMON,
    name="q2",
    title="Grad-CAM for a second class",
    usage="ex.q2.check(imagenet_model, chelsea_input, second_class, second_heatmap)",
    hints=(
        "Take the second most likely class of the prediction (np.argsort(...)[-2], or read it "
        "off decode_predictions), then call explain.grad_cam with class_index=second_class. "
        "Keep the heatmap at its own size (7x7); do not resize it."
    ),
    context=("model", "image"),
    parts={"second_class": SecondClass(), "second_heatmap": SecondHeatmap()},
    partial="not attempted",
    correct=_q2_correct,
)


# ------------------------------------------------------------------------------- q3


def correlation(first, second) -> float:
    """Pearson correlation of two heatmaps (0 when one of them is constant)."""
    a = np.asarray(first, dtype=np.float64).ravel()
    b = np.asarray(second, dtype=np.float64).ravel()
    if a.std() == 0 or b.std() == 0:
        return 0.0
    return float(np.corrcoef(a, b)[0, 1])


class Agreement(core.Value):
    """agreement: the correlation of the two heatmaps, within 1e-3."""

    atol = 1e-3
    rtol = 0.0
    advice = "Flatten both with .ravel() and use np.corrcoef."

    def reference(self, answers):
        first = core.as_array(answers["first_heatmap"], "the first heatmap")
        second = core.as_array(answers["second_heatmap"], "second_heatmap")
        if first.shape != second.shape:
            raise core.Incorrect(
                f"the two heatmaps have shapes {first.shape} and {second.shape}; compare maps "
                "of the same layer, both at their own size."
            )
        return correlation(first, second)

    def wrong_shape(self, arr, expected, name):
        if arr.shape == (2, 2):
            return f"{name} is the whole 2x2 matrix from np.corrcoef; take its entry [0, 1]."
        return None

    def diagnose(self, value, expected, name, answers):
        return (
            f"{name} is {float(value):.3f}, but the correlation of the two heatmaps is not "
            f"that. {self.advice}"
        )


def _q3_correct(first_heatmap, second_heatmap, agreement) -> str:
    expected = correlation(first_heatmap, second_heatmap)
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
    usage="ex.q3.check(chelsea_heatmap, second_heatmap, agreement)",
    hints=(
        "np.corrcoef(a.ravel(), b.ravel()) is a 2x2 matrix; the correlation of a and b is "
        "its off-diagonal entry [0, 1]. Flatten both heatmaps first."
    ),
    context=("first_heatmap", "second_heatmap"),
    parts={"agreement": Agreement()},
    correct=_q3_correct,
)

QUESTIONS = [q1, q2, q3]
