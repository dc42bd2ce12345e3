"""Keras model builders used by the notebooks, and ``pretrained(...)`` for ImageNet bases.

Builders are named for what they build and return an uncompiled ``keras.Model``; the
notebook that teaches each one is named in its docstring. One module per family:
:mod:`~cvcourse.models.digits` (notebooks 02 and 03), :mod:`~cvcourse.models.cats_vs_dogs`
(04 and 05) and :mod:`~cvcourse.models.pretrained` (06, used again in 07 and 08).
"""

from .cats_vs_dogs import cats_vs_dogs_convnet
from .digits import chinese_mnist_cnn, dense_mnist_classifier, mnist_convnet, vgg_style_cnn
from .pretrained import APPLICATIONS, extract_features, preprocess_input, pretrained

__all__ = [
    "APPLICATIONS",
    "cats_vs_dogs_convnet",
    "chinese_mnist_cnn",
    "dense_mnist_classifier",
    "extract_features",
    "mnist_convnet",
    "preprocess_input",
    "pretrained",
    "vgg_style_cnn",
]
