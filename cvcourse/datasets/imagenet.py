"""The ImageNet class index and the MobileNetV2 ImageNet weights, from cache or mirror."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from .files import fetch

CLASS_INDEX_FILE = "imagenet_class_index.json"
MOBILENET_V2_TOP = "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224.h5"
MOBILENET_V2_NO_TOP = "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5"


def imagenet_class_index(*, progress: bool = True) -> dict[str, tuple[str, str]]:
    """The ImageNet class index: ``{"0": ("n01440764", "tench"), ..., "999": (...)}``.

    1000 entries, WordNet id and a readable name per class. Licence: Apache 2.0 (Keras).
    """
    with open(fetch(CLASS_INDEX_FILE, progress=progress), encoding="utf-8") as f:
        return {k: tuple(v) for k, v in json.load(f).items()}


def keras_cache_dir() -> Path:
    """Where ``keras.utils.get_file(..., cache_subdir="models")`` looks first."""
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    if not os.access(home, os.W_OK) and os.path.exists(home):
        home = os.path.join(tempfile.gettempdir(), ".keras")
    return Path(home) / "models"


def install_class_index_for_keras(*, progress: bool = True) -> Path:
    """Put the verified class index where ``keras.applications.*.decode_predictions`` finds it.

    Keras would download the file on its first ``decode_predictions`` call; with a copy in
    its cache (checked by Keras against the same md5 it pins) it stays offline.
    """
    source = fetch(CLASS_INDEX_FILE, progress=progress)
    dest = keras_cache_dir() / CLASS_INDEX_FILE
    if dest.is_file() and dest.read_bytes() == source.read_bytes():
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=".imagenet_class_index.", suffix=".part")
    os.close(fd)
    try:
        shutil.copyfile(source, tmp)
        os.replace(tmp, dest)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return dest


def mobilenet_v2_weights(*, include_top: bool, progress: bool = True) -> Path:
    """The path of the MobileNetV2 (alpha 1.0) ImageNet weights, with or without the top.

    Pass it as ``weights=`` to ``keras.applications.MobileNetV2``; prefer
    :func:`cvcourse.models.pretrained`, which also checks that the file loads.
    """
    return fetch(MOBILENET_V2_TOP if include_top else MOBILENET_V2_NO_TOP, progress=progress)
