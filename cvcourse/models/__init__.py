"""Keras model builders used by the notebooks, and ``pretrained(...)`` for ImageNet bases.

Builders are named for what they build and return an uncompiled ``keras.Model``; the
notebook that teaches each one is named in its docstring. One module per family:
:mod:`~cvcourse.models.cats_vs_dogs` (written out in
04, reused in 05) and :mod:`~cvcourse.models.pretrained` (07, used again in 08).
"""

from .cats_vs_dogs import cats_vs_dogs_convnet
from .pretrained import APPLICATIONS, extract_features, preprocess_input, pretrained

__all__ = [
    "APPLICATIONS",
    "cats_vs_dogs_convnet",
    "extract_features",
    "preprocess_input",
    "pretrained",
]
