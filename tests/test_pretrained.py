"""models.pretrained: offline MobileNetV2 that matches keras.applications exactly."""

import h5py
import keras
import numpy as np
import pytest

from cvcourse import datasets, models
from cvcourse.datasets.errors import CorruptFileError


def test_same_predictions_as_keras_applications(mirror_dir):
    ours = models.pretrained("mobilenet_v2", progress=False)
    weights = datasets.mobilenet_v2_weights(include_top=True, progress=False)
    reference = keras.applications.MobileNetV2(weights=str(weights))
    image = keras.ops.image.resize(
        datasets.load_sample("chelsea")[None].astype("float32"), (224, 224)
    )
    x = keras.applications.mobilenet_v2.preprocess_input(image)
    p_ours = ours.predict(x, verbose=0)
    np.testing.assert_array_equal(p_ours, reference.predict(x, verbose=0))
    top = keras.applications.mobilenet_v2.decode_predictions(p_ours, top=5)[0]
    assert top[0][1] in {"Egyptian_cat", "tabby", "tiger_cat"}  # works offline


def test_headless_base_takes_other_sizes(mirror_dir):
    base = models.pretrained(include_top=False, input_shape=(160, 160, 3), progress=False)
    assert base.output_shape == (None, 5, 5, 1280)


def test_weights_that_do_not_load_are_reported_corrupt(empty_cache, tmp_mirror, no_network):
    name = "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5"
    (tmp_mirror / name).unlink()
    with h5py.File(tmp_mirror / name, "w") as f:  # valid HDF5, wrong content
        f.create_dataset("nothing", data=np.zeros(3))
    with pytest.raises(CorruptFileError, match=f"(?s){name}.*does not load.*--force imagenet"):
        models.pretrained(include_top=False, input_shape=(96, 96, 3), progress=False)
