"""Pretrained ImageNet bases: ``pretrained(...)``, ``preprocess_input``, ``extract_features``.

Taught in notebook 07, used again in 08. Part of :mod:`cvcourse.models`.
"""

from __future__ import annotations

from ..datasets.errors import CorruptFileError, DataUnavailableError

# name -> (keras.applications constructor, preprocessing module, weights in the registry?)
APPLICATIONS = {
    "mobilenet_v2": ("MobileNetV2", "mobilenet_v2", True),
    "vgg16": ("VGG16", "vgg16", False),
    "resnet50": ("ResNet50", "resnet50", False),
    "xception": ("Xception", "xception", False),
    "efficientnet_b0": ("EfficientNetB0", "efficientnet", False),
}


def preprocess_input(name: str):
    """The ``keras.applications`` ``preprocess_input`` that matches base ``name``.

    Takes a key of :data:`APPLICATIONS`; returns the function, which maps 0-255 RGB
    float32 (..., H, W, 3) to what that base expects (e.g. [-1, 1] for MobileNetV2).
    Taught in notebook 07.
    """
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

    Returns a ``keras.Model`` taking float32 (batch, H, W, 3) preprocessed images (see
    :func:`preprocess_input`). A weights file that does not load into its model raises
    CorruptFileError naming it. Taught in notebook 07, used in 08.
    """
    import keras

    from ..datasets.imagenet import install_class_index_for_keras, mobilenet_v2_weights

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

    Returns ``features``, float32 (n, *model.output_shape[1:]), and ``labels``, the
    dataset's labels stacked (n, ...) in their dtype, or None. Taught in notebook 07
    ("fast feature extraction").
    """
    import numpy as np

    from ..datasets.files import progress_bar_class

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
