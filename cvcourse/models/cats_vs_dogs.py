"""The cats-vs-dogs convnet from scratch, written out in notebook 04 and reused in 05.

Part of :mod:`cvcourse.models`.
"""

from __future__ import annotations

from .sizes import check_input_size


def cats_vs_dogs_convnet(
    input_shape: tuple[int, int, int] = (128, 128, 3),
    *,
    filters: tuple[int, ...] = (32, 64, 128, 128),
    head: str = "flatten",
    dropout: float = 0.0,
    augmentation=None,
):
    """The cats-vs-dogs convnet from scratch: conv/pool blocks, a classifier head, and one
    sigmoid output, P(dog).

    Notebook 04 writes this model out layer by layer and shows that this function builds
    the same one (layer kinds, output shapes, parameter counts); notebook 05 reuses it
    with augmentation, dropout and the global-average head.

    Takes raw 0-255 RGB images, float32 or uint8, of shape (batch, *input_shape), and
    rescales them itself (``Rescaling(1 / 255)``). Each entry of ``filters`` is one
    block: a 3x3 convolution with ``padding="same"`` and no bias, BatchNormalization
    (``momentum=0.9``), relu, and 2x2 max pooling. The first convolution has
    ``strides=2``, so it halves the height and width at once and cuts the work of every
    later layer by four. BatchNormalization's shift plays the part of the convolution's
    bias, and its ``momentum=0.9`` lets the running statistics used at inference catch up
    with the training batches within a few epochs of 63 steps (Keras' default 0.99 needs
    many hundreds of steps).

    ``head``: ``"flatten"`` (notebook 04): Flatten, Dropout(``dropout``) when it is above
    0, a relu Dense(512) and Dense(1, sigmoid). ``"global_average"`` (notebook 05): each
    feature map averaged to one number (GlobalAveragePooling2D), Dropout, Dense(1,
    sigmoid), with no hidden Dense layer.

    With the defaults on 128 x 128 x 3 images the sizes run 64 (strided convolution) ->
    32 -> 16 -> 8 -> 4 after each pooling, and 4 x 4 x 128 = 2,048 values reach the Dense
    layer, whose 1,049,088 weights are 81% of the model's 1,291,489. ``augmentation``: a
    layer (e.g. from :func:`cvcourse.augment.augmentation_pipeline`) applied to the input
    first; random layers are active in ``fit`` and pass images through unchanged in
    ``predict`` and ``evaluate``. An ``input_shape`` too small for the blocks (under
    31 x 31 with four blocks) raises ValueError naming the smallest it accepts. Returns an
    uncompiled ``keras.Sequential`` named ``convnet_from_scratch`` with named layers
    (``conv1``, ``bn1``, ``relu1``, ``pool1``, ..., ``flatten`` or ``global_average``,
    ``dropout``, ``dense``, ``p_dog``) whose output is float32 (batch, 1).
    """
    import keras
    from keras import layers

    if not filters:
        raise ValueError("filters needs at least one number of filters (one per block)")
    if not 0 <= dropout < 1:
        raise ValueError(f"dropout must be in [0, 1), got {dropout}")
    if head not in ("flatten", "global_average"):
        raise ValueError(f"head must be 'flatten' or 'global_average', got {head!r}")
    steps = []
    for i in range(len(filters)):
        steps += [(3, 2 if i == 0 else 1, "same"), (2, 2, "valid")]
    check_input_size("cats_vs_dogs_convnet", input_shape, steps)
    stack = [keras.Input(shape=input_shape, name="image")]
    if augmentation is not None:
        stack.append(augmentation)
    stack.append(layers.Rescaling(1 / 255, name="rescale"))
    for i, n in enumerate(filters, start=1):
        stack += [
            layers.Conv2D(
                n, 3, strides=2 if i == 1 else 1, padding="same", use_bias=False, name=f"conv{i}"
            ),
            layers.BatchNormalization(momentum=0.9, name=f"bn{i}"),
            layers.Activation("relu", name=f"relu{i}"),
            layers.MaxPooling2D(2, name=f"pool{i}"),
        ]
    if head == "flatten":
        stack.append(layers.Flatten(name="flatten"))
    else:
        stack.append(layers.GlobalAveragePooling2D(name="global_average"))
    if dropout:
        stack.append(layers.Dropout(dropout, name="dropout"))
    if head == "flatten":
        stack.append(layers.Dense(512, activation="relu", name="dense"))
    stack.append(layers.Dense(1, activation="sigmoid", name="p_dog"))
    return keras.Sequential(stack, name="convnet_from_scratch")
