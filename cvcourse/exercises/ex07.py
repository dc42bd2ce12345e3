"""Exercises of notebook 07_visualizing_convnets.

- ``q1``: name the layer of the small convnet whose feature maps look most like edges.
- ``q2``: a Grad-CAM heatmap of the cat photo for a second class, not the predicted one.
- ``q3``: how much the two heatmaps agree, as a correlation: what changes with the class.
"""

from __future__ import annotations

import numpy as np

from . import core

NOTEBOOK = "07"

POOLING = ("MaxPooling2D", "AveragePooling2D", "GlobalAveragePooling2D", "GlobalMaxPooling2D")


def _layers(model) -> list:
    import keras

    return [layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]


def _is_conv(layer) -> bool:
    import keras

    return isinstance(layer, (keras.layers.Conv2D, keras.layers.DepthwiseConv2D))


# ------------------------------------------------------------------------------- q1


class EdgeLayer(core.Question):
    notebook = NOTEBOOK
    name = "q1"
    title = "the layer whose maps look like edges"
    usage = 'ex.q1.check(convnet, edge_layer)   # edge_layer = "a layer name"'
    hint_text = (
        "Look at the activation grids from the top: which layer's maps still show the cat's "
        "outline, as bright lines where the brightness or colour changes? Give that layer's "
        "name, as printed above each grid (or by convnet.summary())."
    )
    solution_text = """
edge_layer = "conv1"   # the first convolution: small filters that respond to edges and colours
"""

    def check_answer(self, model, edge_layer):
        if core.is_placeholder(edge_layer):
            raise core.NotAttempted()
        layers = _layers(model)
        names = [layer.name for layer in layers]
        if not isinstance(edge_layer, str):
            raise core.Incorrect(
                f"give the layer's name as a string, such as {names[0]!r}, not "
                f"{core.describe(edge_layer)}."
            )
        if edge_layer not in names:
            raise core.Incorrect(
                f"the model has no layer {edge_layer!r}; its layers are: {', '.join(names)}."
            )
        convs = [layer for layer in layers if _is_conv(layer)]
        if not convs:
            raise core.Incorrect("this model has no convolution layer; pass the small convnet.")
        first = convs[0]
        chosen = layers[names.index(edge_layer)]
        if chosen is first:
            return (
                f"{edge_layer} is the first convolution: each of its small filters sees only "
                "a few pixels, so what it can detect is local changes of brightness and "
                "colour, edges."
            )
        position = names.index(edge_layer)
        if position < names.index(first.name):
            raise core.Incorrect(
                f"{edge_layer} comes before any convolution: it has no filters and only "
                "passes the image on. Which layer's filters first turn it into maps?"
            )
        if type(chosen).__name__ in POOLING and names.index(first.name) == position - 1:
            raise core.Incorrect(
                f"close: {edge_layer} only keeps the largest value of each 2x2 patch of "
                f"{first.name}'s maps, so it shows the same edges at half the size. Name the "
                "layer that computes them."
            )
        raise core.Incorrect(
            f"{edge_layer}'s maps are deeper in the network and more abstract: blobs that stand "
            "for parts of the image rather than its outlines. Look at the first layers."
        )


# ------------------------------------------------------------------------------- q2


def _predicted(model, image) -> tuple[np.ndarray, int]:
    from .. import explain

    batch = np.asarray(image, dtype=np.float32)[None]
    prediction = np.asarray(model(batch, training=False))[0]
    return prediction, explain.predicted_class(prediction)


def _class_index(value, n_classes: int, what: str) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        if isinstance(value, (float, np.floating)) and float(value).is_integer():
            value = int(value)
        else:
            raise core.Incorrect(
                f"{what} should be a class index, a whole number such as 281, not "
                f"{core.describe(value)}."
            )
    value = int(value)
    if not 0 <= value < n_classes:
        raise core.Incorrect(
            f"{what} is {value}, but the classes are numbered 0 to {n_classes - 1}."
        )
    return value


class SecondClassGradCam(core.Question):
    notebook = NOTEBOOK
    name = "q2"
    title = "Grad-CAM for a second class"
    usage = "ex.q2.check(imagenet_model, chelsea_input, second_class, second_heatmap)"
    hint_text = (
        "Take the second most likely class of the prediction (np.argsort(...)[-2], or read it "
        "off decode_predictions), then call explain.grad_cam with class_index=second_class. "
        "Keep the heatmap at its own size (7x7); do not resize it."
    )
    solution_text = """
second_class = int(np.argsort(chelsea_probs)[-2])   # the runner-up class
second_heatmap = explain.grad_cam(imagenet_model, chelsea_input, class_index=second_class)
"""

    def check_answer(self, model, image, second_class, second_heatmap):
        from .. import explain

        if core.is_placeholder(second_class) or core.is_placeholder(second_heatmap):
            raise core.NotAttempted()
        prediction, top = _predicted(model, image)
        n_classes = 2 if prediction.size == 1 else prediction.size
        second_class = _class_index(second_class, n_classes, "second_class")
        if second_class == top:
            raise core.Incorrect(
                f"class {second_class} is the predicted class, whose heatmap you have already "
                "seen. Pick another one, e.g. the second most likely."
            )
        heatmap = core.as_array(second_heatmap, "second_heatmap")
        expected = explain.grad_cam(model, image, class_index=second_class)
        if heatmap.shape != expected.shape:
            raise core.Incorrect(
                f"second_heatmap has shape {heatmap.shape}, but a Grad-CAM has the size of the "
                f"last feature maps, {expected.shape}. Keep it as explain.grad_cam returns it "
                "(resize only for display)."
            )
        if heatmap.size and (np.nanmin(heatmap) < -1e-6 or np.nanmax(heatmap) > 1 + 1e-6):
            raise core.Incorrect(
                "second_heatmap should lie in [0, 1] (negative evidence set to 0, the peak "
                f"scaled to 1); it goes from {np.nanmin(heatmap):.3g} to {np.nanmax(heatmap):.3g}."
            )
        if np.allclose(heatmap, expected, atol=0.05):
            row, col = (int(v) for v in np.unravel_index(int(np.argmax(expected)), expected.shape))
            return (
                f"that is the Grad-CAM for class {second_class}; its peak is at row {row}, "
                f"column {col} of the {expected.shape[0]}x{expected.shape[1]} map."
            )
        if np.allclose(heatmap, explain.grad_cam(model, image, class_index=top), atol=0.05):
            raise core.Incorrect(
                "this is the heatmap of the predicted class. Pass class_index=second_class to "
                "explain.grad_cam."
            )
        raise core.Incorrect(
            f"second_heatmap is not the Grad-CAM of class {second_class} for this image. Compute "
            "it with explain.grad_cam(imagenet_model, chelsea_input, class_index=second_class)."
        )


# ------------------------------------------------------------------------------- q3


def correlation(first, second) -> float:
    """Pearson correlation of two heatmaps (0 when one of them is constant)."""
    a = np.asarray(first, dtype=np.float64).ravel()
    b = np.asarray(second, dtype=np.float64).ravel()
    if a.std() == 0 or b.std() == 0:
        return 0.0
    return float(np.corrcoef(a, b)[0, 1])


class HeatmapAgreement(core.Question):
    notebook = NOTEBOOK
    name = "q3"
    title = "how much the two heatmaps agree"
    usage = "ex.q3.check(chelsea_heatmap, second_heatmap, agreement)"
    hint_text = (
        "np.corrcoef(a.ravel(), b.ravel()) is a 2x2 matrix; the correlation of a and b is "
        "its off-diagonal entry [0, 1]. Flatten both heatmaps first."
    )
    solution_text = """
agreement = float(np.corrcoef(chelsea_heatmap.ravel(), second_heatmap.ravel())[0, 1])
"""

    def check_answer(self, first_heatmap, second_heatmap, agreement):
        if core.is_placeholder(second_heatmap) or core.is_placeholder(agreement):
            raise core.NotAttempted()
        first = core.as_array(first_heatmap, "the first heatmap")
        second = core.as_array(second_heatmap, "second_heatmap")
        if first.shape != second.shape:
            raise core.Incorrect(
                f"the two heatmaps have shapes {first.shape} and {second.shape}; compare maps of "
                "the same layer, both at their own size."
            )
        value = core.as_array(agreement, "agreement")
        if value.size == 4 and value.shape == (2, 2):
            raise core.Incorrect(
                "agreement is the whole 2x2 matrix from np.corrcoef; take its entry [0, 1]."
            )
        if value.size != 1:
            raise core.Incorrect(f"agreement should be one number, not {core.describe(agreement)}.")
        value = float(value.reshape(()))
        expected = correlation(first, second)
        if abs(value - expected) > 1e-3:
            raise core.Incorrect(
                f"agreement is {value:.3f}, but the correlation of the two heatmaps is not that. "
                "Flatten both with .ravel() and use np.corrcoef."
            )
        if expected > 0.7:
            meaning = "the two classes are found in much the same places"
        elif expected > 0.2:
            meaning = "the two classes partly share their evidence"
        else:
            meaning = "the evidence for the second class lies elsewhere in the image"
        return f"correlation {expected:.2f}: {meaning}."


q1 = EdgeLayer()
q2 = SecondClassGradCam()
q3 = HeatmapAgreement()
QUESTIONS = [q1, q2, q3]
