"""cvcourse: the helper package of a computer-vision course taught in Jupyter notebooks.

Import the module you need and call helpers with its prefix::

    from cvcourse import settings, datasets
    (x_train, y_train), (x_test, y_test) = datasets.load_mnist()

Importing ``cvcourse`` has no side effects: no seeding, no plotting defaults, no downloads,
and TensorFlow is imported only by the modules that need it.
"""

__version__ = "0.1.0"
