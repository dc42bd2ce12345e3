"""The scikit-image sample photos the course uses: bundled with scikit-image, no download."""

from __future__ import annotations

from pathlib import Path

import numpy as np

# name: (file in skimage/data, what it is, licence as scikit-image states it)
SAMPLES: dict[str, tuple[str, str, str]] = {
    "chelsea": ("chelsea.png", "Chelsea the cat, RGB 300x451", "CC0 (Stefan van der Walt)"),
    "coffee": ("coffee.png", "a coffee cup, RGB 400x600", "CC0 (Rachel Michetti)"),
    "rocket": ("rocket.jpg", "DSCOVR launch on Falcon 9, RGB 427x640", "public domain (SpaceX)"),
    "astronaut": ("astronaut.png", "astronaut Eileen Collins, RGB 512x512", "public domain (NASA)"),
    "camera": ("camera.png", "a photographer, grayscale 512x512", "CC0 (Lav Varshney)"),
    "coins": (
        "coins.png",
        "Greek coins, grayscale 303x384",
        "no known copyright (Brooklyn Museum)",
    ),
    "brick": ("brick.png", "a brick wall, grayscale 512x512", "CC0 (CC0Textures)"),
    "logo": ("logo.png", "the scikit-image logo, RGBA 500x500", "scikit-image (BSD-3-Clause)"),
    "hubble_deep_field": (
        "hubble_deep_field.jpg",
        "Hubble eXtreme Deep Field, RGB 872x1000",
        "public domain (NASA)",
    ),
}


def sample_path(name: str) -> Path:
    """The file of a bundled sample photo, for readers that take a path (Pillow, tf.io).

    ``name`` is one of :data:`SAMPLES` (chelsea, coffee, rocket, astronaut, camera, ...).
    """
    if name not in SAMPLES:
        raise KeyError(f"no sample photo {name!r}; choose one of: {', '.join(SAMPLES)}")
    import skimage

    path = Path(skimage.__file__).parent / "data" / SAMPLES[name][0]
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} is missing from the scikit-image installation; reinstall scikit-image."
        )
    return path


def load_sample(name: str) -> np.ndarray:
    """A bundled sample photo as an array, exactly as ``skimage.io.imread`` reads it.

    Returns uint8 of shape (H, W, 3) for colour photos, (H, W) for grayscale ones and
    (H, W, 4) for the RGBA logo; values 0-255. Licences are listed in :data:`SAMPLES`.
    Taught in notebooks 00, 01, 07 and 08.
    """
    import skimage.io

    return np.asarray(skimage.io.imread(sample_path(name)))
