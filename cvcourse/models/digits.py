"""Builders for the digit and character classifiers of notebooks 02 and 03.

Each returns an uncompiled ``keras.Sequential`` with named layers. Part of
:mod:`cvcourse.models`.
"""

from __future__ import annotations

from .sizes import check_input_size

# mnist_convnet's convolutions and poolings: (window, stride, padding)
MNIST_CONVNET_STEPS = [(3, 1, "valid"), (2, 2, "valid")] * 2 + [(3, 1, "valid")]


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
    dense layer. Takes ``input_shape`` (height, width, channels), at least 18 x 18 (smaller
    raises ValueError), and float32 pixels in [0, 1]; returns an uncompiled
    ``keras.Sequential`` whose output is float32 (batch, num_classes) probabilities.
    Taught in notebook 02.
    """
    import keras
    from keras import layers

    check_input_size("mnist_convnet", input_shape, MNIST_CONVNET_STEPS)

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
    no bias). Takes float32 pixels in [0, 1]; returns an uncompiled ``keras.Sequential``
    whose output is float32 (batch, num_classes) probabilities. Taught in notebook 03.
    """
    import keras
    from keras import layers

    if len(filters) != 4:
        raise ValueError(f"filters takes four numbers, one per convolution; got {filters}")
    same = (3, 1, "same")
    check_input_size("chinese_mnist_cnn", input_shape, [same, same, (2, 2, "valid"), same, same])

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
    Images smaller than 2 ** len(filters) pixels a side raise ValueError. Returns an
    uncompiled ``keras.Sequential`` whose output is float32 (batch, num_classes)
    probabilities. Taught in notebook 03.
    """
    import keras
    from keras import layers

    check_input_size("vgg_style_cnn", input_shape, [(3, 1, "same"), (2, 2, "valid")] * len(filters))
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
