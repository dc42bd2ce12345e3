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


def mnist_convnet(input_shape: tuple[int, int, int] = (28, 28, 1), num_classes: int = 10):
    """The classic small convnet for MNIST: Conv 32-64-64 (3x3, relu) with 2x2 max pooling
    after the first two, then Flatten, Dense(64, relu) and a softmax.

    On 28 x 28 x 1 images the feature maps go 26x26x32 -> 13x13x32 -> 11x11x64 -> 5x5x64
    -> 3x3x64 = 576 values; 93,322 parameters in all (320 + 18,496 + 36,928 in the
    convolutions, 36,928 + 650 in the dense layers). Pixels scaled to [0, 1]. Returns an
    uncompiled ``keras.Sequential``. Taught in notebook 02.
    """
    import keras
    from keras import layers

    return keras.Sequential(
        [
            keras.Input(shape=input_shape, name="image"),
            layers.Conv2D(32, 3, activation="relu", name="conv1"),
            layers.MaxPooling2D(2, name="pool1"),
            layers.Conv2D(64, 3, activation="relu", name="conv2"),
            layers.MaxPooling2D(2, name="pool2"),
            layers.Conv2D(64, 3, activation="relu", name="conv3"),
            layers.Flatten(name="flatten"),
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
