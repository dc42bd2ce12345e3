"""The course's datasets: a registry of pinned files and one documented loader per dataset.

Loaders (each docstring gives shapes, dtypes, source and licence):

- :func:`load_mnist` -> ``(x_train, y_train), (x_test, y_test)`` uint8
- :func:`load_chinese_mnist` -> DataFrame with an image path per row
- :func:`load_cats_vs_dogs` -> train / validation / test class folders
- :func:`load_sign_mnist` -> ``(x_train, y_train), (x_test, y_test)`` uint8, 24 letters
- :func:`load_cifar10` -> ``(x_train, y_train), (x_test, y_test)`` uint8 like Keras',
  decoded from JPEG copies (class names in :data:`CIFAR10_CLASSES`)
- :func:`load_sample` -> a bundled scikit-image photo (no download)
- :func:`imagenet_class_index`, :func:`mobilenet_v2_weights` -> ImageNet files

Every file is looked for in the cache, then the mirror (``CVCOURSE_MIRROR``), then its
origin (a URL, or Kaggle through kagglehub); see :mod:`cvcourse.datasets.files`.
"""

from .cats_vs_dogs import FolderSplits, load_cats_vs_dogs
from .chinese_mnist import load_chinese_mnist, load_images
from .cifar10 import CLASSES as CIFAR10_CLASSES
from .cifar10 import load_cifar10
from .errors import BadDataError, CorruptFileError, DataError, DataUnavailableError
from .files import extract, fetch
from .folders import UnsupportedImageWarning, image_dataset
from .imagenet import imagenet_class_index, install_class_index_for_keras, mobilenet_v2_weights
from .mnist import load_mnist
from .registry import DATASETS, FILES
from .samples import SAMPLES, load_sample, sample_path
from .sign_mnist import LETTERS as SIGN_LETTERS
from .sign_mnist import load_sign_mnist

__all__ = [
    "CIFAR10_CLASSES",
    "DATASETS",
    "FILES",
    "SAMPLES",
    "SIGN_LETTERS",
    "BadDataError",
    "CorruptFileError",
    "DataError",
    "DataUnavailableError",
    "FolderSplits",
    "UnsupportedImageWarning",
    "extract",
    "fetch",
    "fetch_dataset",
    "image_dataset",
    "imagenet_class_index",
    "install_class_index_for_keras",
    "load_cats_vs_dogs",
    "load_chinese_mnist",
    "load_cifar10",
    "load_images",
    "load_mnist",
    "load_sample",
    "load_sign_mnist",
    "mobilenet_v2_weights",
    "sample_path",
]


def fetch_dataset(name: str, *, progress: bool = True, force: bool = False) -> list:
    """Fetch and verify every file of dataset ``name`` (and unpack archives); their paths.

    Zip archives are unpacked into folders; CIFAR-10's tarball is decoded into its cached
    arrays instead (the loader never reads an extracted folder).
    """
    from .registry import dataset_files

    paths = [fetch(f.name, progress=progress, force=force) for f in dataset_files(name)]
    for f in dataset_files(name):
        if f.content == "zip":
            extract(f.name, progress=progress)
    if name == "cifar10":
        load_cifar10(progress=progress)
    return paths
