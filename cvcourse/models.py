"""Keras model builders used by the notebooks, and ``pretrained(...)`` for ImageNet bases.

Builders are named for what they build and return an uncompiled ``keras.Model``; the
notebook that teaches each one is named in its docstring.
"""

from __future__ import annotations

from .datasets.errors import CorruptFileError, DataUnavailableError

# name -> (keras.applications constructor, preprocessing module, weights in the registry?)
APPLICATIONS = {
    "mobilenet_v2": ("MobileNetV2", "mobilenet_v2", True),
    "vgg16": ("VGG16", "vgg16", False),
    "resnet50": ("ResNet50", "resnet50", False),
    "xception": ("Xception", "xception", False),
    "efficientnet_b0": ("EfficientNetB0", "efficientnet", False),
}


def preprocess_input(name: str):
    """The ``preprocess_input`` function that matches pretrained base ``name``."""
    import keras

    if name not in APPLICATIONS:
        raise KeyError(f"unknown base {name!r}; choose one of: {', '.join(APPLICATIONS)}")
    return getattr(keras.applications, APPLICATIONS[name][1]).preprocess_input


def pretrained(
    name: str = "mobilenet_v2",
    *,
    include_top: bool = True,
    input_shape: tuple[int, int, int] | None = None,
    progress: bool = True,
    **kwargs,
):
    """A ``keras.applications`` model with ImageNet weights, offline when the data is cached.

    For ``"mobilenet_v2"`` the weights come from the course's data layer (cache, then
    ``CVCOURSE_MIRROR``, then the origin) and are passed to Keras as a file, so Keras never
    downloads them; the ImageNet class index is put where
    ``keras.applications.mobilenet_v2.decode_predictions`` finds it. With
    ``include_top=False`` any ``input_shape`` of at least 32x32 works, e.g. (160, 160, 3).
    Other bases (``vgg16``, ``resnet50``, ``xception``, ``efficientnet_b0``) are not in
    the registry: Keras downloads their weights on first use (tens to hundreds of MB).

    A weights file that does not load into its model raises CorruptFileError naming it.
    Taught in notebook 06 (and used by 07).
    """
    import keras

    from .datasets.imagenet import install_class_index_for_keras, mobilenet_v2_weights

    if name not in APPLICATIONS:
        raise KeyError(f"unknown base {name!r}; choose one of: {', '.join(APPLICATIONS)}")
    constructor_name, _, in_registry = APPLICATIONS[name]
    constructor = getattr(keras.applications, constructor_name)
    if include_top:
        install_class_index_for_keras(progress=progress)
    if not in_registry:
        try:
            return constructor(
                weights="imagenet", include_top=include_top, input_shape=input_shape, **kwargs
            )
        except Exception as err:  # Keras raises plain Exception subclasses on failed fetches
            raise DataUnavailableError(
                f"Keras could not download the ImageNet weights of {constructor_name} ({err}). "
                "They are not in the course registry: connect to the internet once, or use "
                "pretrained('mobilenet_v2'), which the class mirror holds."
            ) from err
    weights = mobilenet_v2_weights(include_top=include_top, progress=progress)
    if include_top and input_shape not in (None, (224, 224, 3)):
        raise ValueError("MobileNetV2 with its ImageNet top takes input_shape=(224, 224, 3).")
    model = constructor(weights=None, include_top=include_top, input_shape=input_shape, **kwargs)
    try:
        model.load_weights(str(weights))
    except Exception as err:
        raise CorruptFileError(
            f"{weights} does not load into {constructor_name} ({type(err).__name__}: {err}). "
            f"The file is damaged or not these weights: delete it and run "
            f"`cvcourse data fetch --force imagenet`."
        ) from err
    return model


def dense_mnist_classifier(
    input_shape: tuple[int, ...] = (28, 28, 1),
    num_classes: int = 10,
    *,
    units: int = 512,
    dropout: float = 0.5,
):
    """A dense (fully connected) classifier: Flatten, Dense(units, relu), Dropout, softmax.

    Takes images of ``input_shape`` (pixels scaled to [0, 1]) and flattens them into one
    vector, so it sees 784 unrelated numbers, not a 28 x 28 grid. With the defaults it has
    784 * 512 + 512 = 401,920 + 512 * 10 + 10 = 5,130 -> 407,050 parameters. Returns an
    uncompiled ``keras.Sequential``. Taught in notebook 02 (the baseline).
    """
    import keras
    from keras import layers

    return keras.Sequential(
        [
            keras.Input(shape=input_shape, name="image"),
            layers.Flatten(name="flatten"),
            layers.Dense(units, activation="relu", name="hidden"),
            layers.Dropout(dropout, name="dropout"),
            layers.Dense(num_classes, activation="softmax", name="probabilities"),
        ],
        name="dense_classifier",
    )


def mnist_convnet(
    input_shape: tuple[int, int, int] = (28, 28, 1),
    num_classes: int = 10,
    *,
    batch_norm: bool = False,
    dropout: float = 0.0,
):
    """The classic small convnet for MNIST: Conv 32-64-64 (3x3, relu) with 2x2 max pooling
    after the first two, then Flatten, Dense(64, relu) and a softmax.

    On 28 x 28 x 1 images the feature maps go 26x26x32 -> 13x13x32 -> 11x11x64 -> 5x5x64
    -> 3x3x64 = 576 values; 93,322 parameters in all (320 + 18,496 + 36,928 in the
    convolutions, 36,928 + 650 in the dense layers). Pixels scaled to [0, 1].

    Two optional additions, both off by default (the Keras book's model):
    ``batch_norm=True`` puts a BatchNormalization between each convolution and its relu
    (the convolution then needs no bias; each normalization has 4 numbers per channel, 2
    trained and 2 running statistics, averaged with momentum 0.9 so that they settle
    within a short run), and ``dropout`` > 0 adds a Dropout before the
    dense layer. Returns an uncompiled ``keras.Sequential``. Taught in notebook 02.
    """
    import keras
    from keras import layers

    def conv(filters: int, name: str) -> list:
        if not batch_norm:
            return [layers.Conv2D(filters, 3, activation="relu", name=name)]
        return [
            layers.Conv2D(filters, 3, use_bias=False, name=name),
            layers.BatchNormalization(momentum=0.9, name=f"{name}_bn"),
            layers.Activation("relu", name=f"{name}_relu"),
        ]

    return keras.Sequential(
        [
            keras.Input(shape=input_shape, name="image"),
            *conv(32, "conv1"),
            layers.MaxPooling2D(2, name="pool1"),
            *conv(64, "conv2"),
            layers.MaxPooling2D(2, name="pool2"),
            *conv(64, "conv3"),
            layers.Flatten(name="flatten"),
            *([layers.Dropout(dropout, name="dropout")] if dropout else []),
            layers.Dense(64, activation="relu", name="dense"),
            layers.Dense(num_classes, activation="softmax", name="probabilities"),
        ],
        name="mnist_convnet",
    )


def chinese_mnist_cnn(
    input_shape: tuple[int, int, int] = (64, 64, 1),
    num_classes: int = 15,
    *,
    filters: tuple[int, int, int, int] = (16, 16, 16, 16),
    dropout: float = 0.2,
    batch_norm: bool = False,
):
    """The course's small CNN for Chinese MNIST (after seed 000).

    Two 3x3 convolutions (``filters[0]``, ``filters[1]``, padding "same", relu), 2x2 max
    pooling, Dropout, two more 3x3 convolutions (``filters[2]``, ``filters[3]``), Dropout,
    Flatten and a softmax over ``num_classes``. With the defaults (16 filters each, 64 x
    64 x 1 input) that is 160 + 2,320 + 2,320 + 2,320 + 32 * 32 * 16 * 15 + 15 = 252,895
    parameters, most of them in the last layer. ``batch_norm=True`` puts a
    BatchNormalization between each convolution and its relu (the convolution then needs
    no bias). Pixels scaled to [0, 1]. Returns an uncompiled ``keras.Sequential``.
    Taught in notebook 03.
    """
    import keras
    from keras import layers

    if len(filters) != 4:
        raise ValueError(f"filters takes four numbers, one per convolution; got {filters}")

    def conv(n: int, name: str) -> list:
        if not batch_norm:
            return [layers.Conv2D(n, 3, padding="same", activation="relu", name=name)]
        return [
            layers.Conv2D(n, 3, padding="same", use_bias=False, name=name),
            layers.BatchNormalization(name=f"{name}_bn"),
            layers.Activation("relu", name=f"{name}_relu"),
        ]

    return keras.Sequential(
        [
            keras.Input(shape=input_shape, name="image"),
            *conv(filters[0], "conv1"),
            *conv(filters[1], "conv2"),
            layers.MaxPooling2D(2, name="pool"),
            layers.Dropout(dropout, name="dropout1"),
            *conv(filters[2], "conv3"),
            *conv(filters[3], "conv4"),
            layers.Dropout(dropout, name="dropout2"),
            layers.Flatten(name="flatten"),
            layers.Dense(num_classes, activation="softmax", name="probabilities"),
        ],
        name="chinese_mnist_cnn",
    )


def vgg_style_cnn(
    input_shape: tuple[int, int, int] = (64, 64, 1),
    num_classes: int = 15,
    *,
    filters: tuple[int, ...] = (16, 32, 64, 64),
    dropout: float = 0.3,
    preprocessing=None,
):
    """A VGG-style convnet: blocks of one 3x3 convolution (padding "same", relu) and 2x2 max
    pooling, one block per entry of ``filters``, then Flatten, Dropout and a softmax.

    Every block halves the height and width, so the filters can grow while the feature maps
    shrink: on 64 x 64 x 1 images the defaults give 32x32x16 -> 16x16x32 -> 8x8x64 ->
    4x4x64 = 1,024 values before the classifier, 75,599 parameters in all (160 + 4,640 +
    18,496 + 36,928 in the convolutions, 15,375 in the last layer). ``preprocessing``: a
    layer (or list of layers) applied to the input first, e.g. an adapted
    ``keras.layers.Normalization``, so that a saved model carries its own preprocessing.
    Returns an uncompiled ``keras.Sequential``. Taught in notebook 03 (the change that
    takes Chinese MNIST past 98.5%).
    """
    import keras
    from keras import layers

    if preprocessing is None:
        preprocessing = []
    elif not isinstance(preprocessing, (list, tuple)):
        preprocessing = [preprocessing]
    blocks = []
    for i, n in enumerate(filters, start=1):
        blocks += [
            layers.Conv2D(n, 3, padding="same", activation="relu", name=f"conv{i}"),
            layers.MaxPooling2D(2, name=f"pool{i}"),
        ]
    return keras.Sequential(
        [
            keras.Input(shape=input_shape, name="image"),
            *preprocessing,
            *blocks,
            layers.Flatten(name="flatten"),
            layers.Dropout(dropout, name="dropout"),
            layers.Dense(num_classes, activation="softmax", name="probabilities"),
        ],
        name="vgg_style_cnn",
    )


def extract_features(model, dataset, *, progress: bool = True, desc: str = "features"):
    """Run ``model`` once over a ``tf.data`` dataset; returns ``(features, labels)`` as NumPy arrays.

    ``dataset`` yields batches of ``(images, labels)`` (as ``image_dataset_from_directory``
    and ``datasets.folders.image_dataset`` give them, images in the form ``model`` takes)
    or batches of images alone, in which case ``labels`` is None. Each batch goes through
    ``model.predict_on_batch``, in inference mode: BatchNormalization uses its stored
    statistics, Dropout does nothing and no weight changes. Features and labels come back
    in the dataset's order, so a shuffled dataset keeps each image with its label. A
    progress bar counts the batches while they run (``progress=False`` hides it; ``desc``
    labels it).

    This is "fast feature extraction": run a frozen base over the images once, keep what
    it computes, then train a small head on those arrays for as many epochs as needed,
    at almost no cost per epoch. Taught in notebook 06.
    """
    import numpy as np

    from .datasets.files import progress_bar_class

    total = int(dataset.cardinality())
    bar = progress_bar_class()(
        total=total if total >= 0 else None,
        desc=desc,
        unit="batch",
        disable=not progress,
        leave=False,
    )
    features, labels = [], []
    try:
        for batch in dataset:
            images = batch[0] if isinstance(batch, (tuple, list)) else batch
            out = model.predict_on_batch(images)
            if isinstance(out, (list, tuple, dict)):
                raise ValueError(
                    "extract_features takes a model with one output; this one has "
                    f"{len(out)}. Build a keras.Model(inputs, one_output_tensor) first."
                )
            features.append(np.asarray(out))
            if isinstance(batch, (tuple, list)):
                labels.append(np.asarray(batch[1]))
            bar.update(1)
    finally:
        bar.close()
    if not features:
        raise ValueError("the dataset yielded no batches: there is nothing to extract")
    return np.concatenate(features), (np.concatenate(labels) if labels else None)


def cats_vs_dogs_convnet(
    input_shape: tuple[int, int, int] = (128, 128, 3),
    *,
    filters: tuple[int, ...] = (32, 64, 128, 128),
    first_stride: int = 1,
    padding: str = "valid",
    head: str = "flatten",
    dense_units: int = 512,
    dropout: float = 0.0,
    batch_norm: bool = True,
    augmentation=None,
):
    """The cats-vs-dogs convnet from scratch (after seed 001): conv/pool blocks, a
    classifier head, and one sigmoid output, P(dog).

    Takes raw 0-255 RGB images and rescales them itself (``Rescaling(1 / 255)``). Each
    entry of ``filters`` is one block: a 3x3 convolution (``padding`` ``"valid"``, as in
    the seed, trims a pixel on each side; ``"same"`` keeps the size), then (with
    ``batch_norm``) BatchNormalization, relu, and 2x2 max pooling. ``first_stride=2``
    makes the first convolution look at every other pixel, which halves the height and
    width at once and cuts the work of every later layer by four. BatchNormalization uses
    ``momentum=0.9``: Keras' default 0.99 needs many hundreds of steps before its running
    statistics, used at inference, match the training batches, and 2,000 images make only
    63 steps an epoch.

    ``head``: ``"flatten"`` (the seed's): Flatten, Dropout(``dropout``) when it is above
    0, a relu Dense(``dense_units``) and Dense(1, sigmoid). ``"global_average"``: each
    feature map averaged to one number (GlobalAveragePooling2D), Dropout, Dense(1,
    sigmoid); no hidden Dense layer, so ``dense_units`` is not used.

    With the defaults on 128 x 128 x 3 images: 126 -> 63 -> 61 -> 30 -> 28 -> 14 -> 12 -> 6,
    6 x 6 x 128 = 4,608 values into the Dense layer, whose 2,359,808 weights are most of
    the model's 2.6 million. ``augmentation``: a layer (e.g. from
    :func:`cvcourse.augment.augmentation_pipeline`) applied to the input first; random
    layers are active in ``fit`` and pass images through unchanged in ``predict`` and
    ``evaluate``. Returns an uncompiled ``keras.Sequential`` with named layers.
    Taught in notebook 04 (the seed's head, no augmentation) and 05 (augmentation,
    dropout and the global-average head).
    """
    import keras
    from keras import layers

    if not filters:
        raise ValueError("filters needs at least one number of filters (one per block)")
    if not 0 <= dropout < 1:
        raise ValueError(f"dropout must be in [0, 1), got {dropout}")
    if padding not in ("valid", "same"):
        raise ValueError(f"padding must be 'valid' or 'same', got {padding!r}")
    if head not in ("flatten", "global_average"):
        raise ValueError(f"head must be 'flatten' or 'global_average', got {head!r}")
    if first_stride not in (1, 2):
        raise ValueError(f"first_stride must be 1 or 2, got {first_stride!r}")
    stack = [keras.Input(shape=input_shape, name="image")]
    if augmentation is not None:
        stack.append(augmentation)
    stack.append(layers.Rescaling(1 / 255, name="rescale"))
    for i, n in enumerate(filters, start=1):
        strides = first_stride if i == 1 else 1
        if batch_norm:
            stack += [
                layers.Conv2D(
                    n, 3, strides=strides, padding=padding, use_bias=False, name=f"conv{i}"
                ),
                layers.BatchNormalization(momentum=0.9, name=f"bn{i}"),
                layers.Activation("relu", name=f"relu{i}"),
            ]
        else:
            stack.append(
                layers.Conv2D(
                    n, 3, strides=strides, padding=padding, activation="relu", name=f"conv{i}"
                )
            )
        stack.append(layers.MaxPooling2D(2, name=f"pool{i}"))
    if head == "flatten":
        stack.append(layers.Flatten(name="flatten"))
    else:
        stack.append(layers.GlobalAveragePooling2D(name="global_average"))
    if dropout:
        stack.append(layers.Dropout(dropout, name="dropout"))
    if head == "flatten":
        stack.append(layers.Dense(dense_units, activation="relu", name="dense"))
    stack.append(layers.Dense(1, activation="sigmoid", name="p_dog"))
    return keras.Sequential(stack, name="convnet_from_scratch")
