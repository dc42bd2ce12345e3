"""cvcourse: the helper package of a computer-vision course taught in Jupyter notebooks.

Import the module you need and call helpers with its prefix::

    from cvcourse import settings, datasets
    (x_train, y_train), (x_test, y_test) = datasets.load_mnist()

The package has two rooms. What notebooks import::

    settings      profile (quick or full), data folder, mirror, seed
    datasets/     the registry of files and their hashes, one loader per dataset, class folders
    images        reading, converting and resizing images; auditing an image folder (00)
    kernels       convolution, padding, stride and pooling by hand, in NumPy (01)
    models/       builders that later notebooks reuse, pretrained ImageNet bases (02-08)
    training      learning-rate schedules and callbacks the notebooks share
    augment       augmentation pipelines of Keras preprocessing layers (05); affine: one layer
    evaluation    reports, confusion matrices, mistakes, on sklearn.metrics
    plotting/     every figure, one module per kind (images, curves, evaluation, overlays)
    explain/      activations, filter patterns, Grad-CAM (08)
    results       how a notebook reports what it measured; runtime: versions, device, quiet TF
    exercises/    the checker core (kinds of question) and one module per notebook

and ``cvcourse.tools``, the course's own tooling (the ``cvcourse`` command: doctor, data,
build, release, grade, record, tidy), which imports the modules above and which no notebook
imports.

Importing ``cvcourse`` has no side effects: no seeding, no plotting defaults, no downloads,
and TensorFlow is imported only by the modules that need it.
"""

__version__ = "0.1.0"
