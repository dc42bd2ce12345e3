"""Looking inside a convnet: intermediate activations, filter patterns, Grad-CAM.

Arrays in, arrays out, no drawing (:mod:`cvcourse.plotting` draws the results)::

    maps = explain.activations(model, image, ["conv1", "conv2"])   # name -> (h, w, channels)
    patterns = explain.filter_patterns(base, "block_3_expand", [0, 1, 2], steps=40)
    heatmap = explain.grad_cam(model, image)          # (h, w) in [0, 1], the feature-map size

``image`` is one image shaped like the model's input without the batch axis, e.g.
(224, 224, 3), already scaled the way the model expects (``preprocess_input`` for an
ImageNet base; raw 0-255 pixels for a model that starts with a ``Rescaling`` layer).
Models: Sequential with an explicit ``keras.Input``, or functional; the layers asked for
are the model's own, reached with public Keras only. A layer inside a model nested as one
layer (a pretrained base inside a classifier) raises a ValueError that gives the public
recipe notebook 08 teaches (see :mod:`cvcourse.explain.features`).

One module per concern: :mod:`~cvcourse.explain.layers` (finding layers),
:mod:`~cvcourse.explain.features` (feature models, activations),
:mod:`~cvcourse.explain.gradcam` and :mod:`~cvcourse.explain.patterns` (filter patterns).
Taught in notebook 08.
"""

from .features import activations, blank_fraction, feature_model, zero_fraction
from .gradcam import grad_cam, predicted_class, upsample
from .layers import feature_map_layers, find_layer, last_feature_map_layer
from .patterns import filter_patterns, pattern_to_image

__all__ = [
    "activations",
    "blank_fraction",
    "feature_map_layers",
    "feature_model",
    "filter_patterns",
    "find_layer",
    "grad_cam",
    "last_feature_map_layer",
    "pattern_to_image",
    "predicted_class",
    "upsample",
    "zero_fraction",
]
