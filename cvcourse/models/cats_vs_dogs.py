"""The cats-vs-dogs convnet from scratch of notebooks 04 and 05.

Part of :mod:`cvcourse.models`.
"""

from __future__ import annotations

from .sizes import check_input_size


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
    ``evaluate``. An ``input_shape`` too small for the blocks (under 46 x 46 with the
    defaults) raises ValueError naming the smallest it accepts. Returns an uncompiled
    ``keras.Sequential`` with named layers whose output is float32 (batch, 1).
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
    steps = []
    for i in range(len(filters)):
        steps += [(3, first_stride if i == 0 else 1, padding), (2, 2, "valid")]
    check_input_size("cats_vs_dogs_convnet", input_shape, steps)
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
