"""Reading images into arrays, converting them, and auditing a folder of images.

Arrays follow one convention everywhere in the course: uint8 values 0-255, shape (H, W)
for grayscale and (H, W, 3) for RGB, unless a function says otherwise. Taught in
notebook 00.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".gif", ".tif", ".tiff", ".webp")


class ImageReadError(ValueError):
    """A file that should be an image cannot be read as one."""


def read_image(path: str | Path) -> np.ndarray:
    """Read an image file as stored, via Pillow: (H, W) gray, (H, W, 3) RGB or (H, W, 4) RGBA.

    16-bit images come back as uint16 and float images as float32; everything else as
    uint8. Use :func:`read_rgb` or :func:`read_gray` for the course's uint8 convention.
    Raises ImageReadError naming the file when it is missing or not an image.
    """
    from PIL import Image, UnidentifiedImageError

    path = Path(path)
    try:
        with Image.open(path) as img:
            img.load()
            return _pil_to_array(img, path)
    except FileNotFoundError:
        raise ImageReadError(f"{path}: no such file.") from None
    except (UnidentifiedImageError, OSError, SyntaxError) as err:
        raise ImageReadError(
            f"{path} is not a readable image ({err}). Remove it from the folder or replace it "
            "with a valid JPEG or PNG."
        ) from err


def _pil_to_array(img, path: Path) -> np.ndarray:
    mode = img.mode
    if mode in ("L", "RGB", "RGBA"):
        return np.asarray(img)
    if mode == "1":
        return np.asarray(img.convert("L"))
    if mode.startswith("I;16") or mode == "I":
        arr = np.asarray(img)
        if arr.min() < 0 or arr.max() > 65535:
            raise ImageReadError(
                f"{path}: 32-bit integer pixels outside 0-65535 are not supported."
            )
        return arr.astype(np.uint16)
    if mode == "F":
        return np.asarray(img, dtype=np.float32)
    if mode == "LA" or (mode == "P" and "transparency" in img.info) or mode == "PA":
        return np.asarray(img.convert("RGBA"))
    return np.asarray(img.convert("RGB"))  # P, CMYK, YCbCr, LAB, HSV


def _to_uint8(image: np.ndarray, *, name: str = "image") -> np.ndarray:
    """uint8 0-255 of the same shape: uint16 by 65535 -> 255, [0, 1] floats by 255, bools.

    Never clips silently: floats outside [0, 1] and other dtypes are an error.
    """
    image = np.asarray(image)
    if image.dtype == np.uint8:
        return image
    if image.dtype == np.uint16:
        return ((image.astype(np.uint32) * 255 + 32767) // 65535).astype(np.uint8)
    if image.dtype == bool:
        return image.astype(np.uint8) * 255
    if np.issubdtype(image.dtype, np.floating):
        lo, hi = float(np.nanmin(image)), float(np.nanmax(image))
        if lo < 0 or hi > 1 or np.isnan(image).any():
            raise ValueError(
                f"{name}: float pixels must lie in [0, 1] to convert to uint8 (found {lo:.3g} "
                f"to {hi:.3g}); divide by the maximum first."
            )
        return np.round(image * 255).astype(np.uint8)
    raise ValueError(f"{name}: cannot convert pixels of dtype {image.dtype} to uint8.")


def to_rgb(image: np.ndarray, *, background: int = 255, name: str = "image") -> np.ndarray:
    """Any image array as uint8 RGB (H, W, 3).

    Grayscale (H, W) or (H, W, 1) is repeated over three channels; RGBA (H, W, 4) is
    composited over a white background (``background``), as a page would show it; 16-bit
    and [0, 1] float images are rescaled, never clipped. Taught in notebook 00.
    """
    image = _to_uint8(image, name=name)
    if image.ndim == 2:
        image = image[..., None]
    if image.ndim != 3 or image.shape[-1] not in (1, 2, 3, 4):
        raise ValueError(
            f"{name}: expected (H, W), (H, W, 1), (H, W, 3) or (H, W, 4), got {image.shape}"
        )
    channels = image.shape[-1]
    if channels == 1:
        return np.repeat(image, 3, axis=-1)
    if channels == 3:
        return image
    color = image[..., :-1].astype(np.float32)
    if channels == 2:  # gray + alpha
        color = np.repeat(color, 3, axis=-1)
    alpha = image[..., -1:].astype(np.float32) / 255.0
    out = color * alpha + background * (1.0 - alpha)
    return np.round(out).astype(np.uint8)


def to_gray(image: np.ndarray, *, name: str = "image") -> np.ndarray:
    """Any image array (as :func:`to_rgb` takes it) as uint8 grayscale (H, W).

    Pillow's ``convert("L")``: the ITU-R 601 luminance 0.299 R + 0.587 G + 0.114 B, the
    weights of ``tf.image.rgb_to_grayscale``. Taught in notebook 00, used by the Chinese
    MNIST loader (notebook 03).
    """
    from PIL import Image

    return np.asarray(Image.fromarray(to_rgb(image, name=name)).convert("L"))


def read_rgb(path: str | Path) -> np.ndarray:
    """Read any image file as uint8 RGB (H, W, 3); see :func:`to_rgb` for the conversions.

    Raises ImageReadError naming the file when it is missing or not an image. Taught in
    notebook 00, used in 04 and 05.
    """
    return to_rgb(read_image(path), name=str(path))


def read_gray(path: str | Path) -> np.ndarray:
    """Read any image file as uint8 grayscale (H, W); see :func:`to_gray` (notebook 03)."""
    return to_gray(read_image(path), name=str(path))


def list_images(root: str | Path) -> list[Path]:
    """Every file under folder ``root`` with an image suffix (:data:`IMAGE_SUFFIXES`).

    Returns a sorted list of Paths; hidden files and folders are skipped. Taught in
    notebook 00, used in 05.
    """
    root = Path(root)
    return sorted(
        p
        for p in root.rglob("*")
        if p.is_file()
        and p.suffix.lower() in IMAGE_SUFFIXES
        and not any(part.startswith(".") for part in p.relative_to(root).parts)
    )


def audit_folder(root: str | Path):
    """A DataFrame with one row per image file under ``root``: what a project checks first.

    Columns: ``file`` (relative path), ``label`` (the parent folder's name), ``width``,
    ``height``, ``mode`` (Pillow's: L, RGB, RGBA, I;16...), ``bytes``, and ``error`` (empty
    when the file decodes; the reason when it does not). Unreadable files are listed, not
    raised, so one audit shows every problem at once. Taught in notebook 00, used in 03.
    """
    import pandas as pd
    from PIL import Image

    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"{root} is not a folder: pass the folder that holds the images.")
    rows = []
    for path in list_images(root):
        row = {
            "file": path.relative_to(root).as_posix(),
            "label": path.parent.name if path.parent != root else "",
            "width": pd.NA,
            "height": pd.NA,
            "mode": "",
            "bytes": path.stat().st_size,
            "error": "",
        }
        try:
            with Image.open(path) as img:
                img.load()
                row.update(width=img.width, height=img.height, mode=img.mode)
        except Exception as err:  # noqa: BLE001 - every failure is reported in the table
            row["error"] = f"{type(err).__name__}: {err}"
        rows.append(row)
    columns = ["file", "label", "width", "height", "mode", "bytes", "error"]
    table = pd.DataFrame(rows, columns=columns)
    return table.astype({"width": "Int64", "height": "Int64"})


def check_image_folder(root: str | Path) -> int:
    """Check that every image file under ``root`` decodes; return how many were checked.

    Run it before ``keras.utils.image_dataset_from_directory``, which would otherwise stop
    in the middle of training on the first bad file. Raises ImageReadError listing every
    bad file and what to do. Taught in notebook 00, used in 04.
    """
    table = audit_folder(root)
    bad = table[table["error"] != ""]
    if len(bad):
        listing = "\n".join(f"  - {Path(root) / f}: {e}" for f, e in zip(bad["file"], bad["error"]))
        raise ImageReadError(
            f"{len(bad)} of {len(table)} image files under {root} cannot be decoded:\n{listing}\n"
            "Delete or replace these files, then run again."
        )
    if len(table) == 0:
        raise ImageReadError(f"{root} holds no image files ({', '.join(IMAGE_SUFFIXES)}).")
    return len(table)


def to_float(image: np.ndarray, *, name: str = "image") -> np.ndarray:
    """The image as float32 in [0, 1]: uint8 / 255, uint16 / 65535, booleans as 0 and 1.

    Float images already in [0, 1] are returned as float32; floats outside it are an error
    (dividing them by 255 again is a common bug). This is the scaling a network's input
    expects; ``keras.layers.Rescaling(1 / 255)`` does the same inside a model. Taught in
    notebook 00.
    """
    image = np.asarray(image)
    if image.dtype == np.uint8:
        return image.astype(np.float32) / 255.0
    if image.dtype == np.uint16:
        return image.astype(np.float32) / 65535.0
    if image.dtype == bool:
        return image.astype(np.float32)
    if np.issubdtype(image.dtype, np.floating):
        if image.size and (np.isnan(image).any() or image.min() < 0 or image.max() > 1):
            lo, hi = float(np.nanmin(image)), float(np.nanmax(image))
            raise ValueError(
                f"{name}: float pixels must lie in [0, 1] (found {lo:.3g} to {hi:.3g}"
                f"{', and NaN' if np.isnan(image).any() else ''}); it may have been "
                "rescaled already, or needs dividing by its maximum."
            )
        return image.astype(np.float32)
    raise ValueError(
        f"{name}: cannot rescale pixels of dtype {image.dtype}; expected uint8, uint16, "
        "bool or float."
    )


RESIZE_METHODS = ("nearest", "bilinear", "bicubic", "lanczos", "area")


def resize(image: np.ndarray, size, *, method: str = "bilinear", name: str = "image") -> np.ndarray:
    """Resize to ``size = (height, width)``, keeping the dtype and the channels.

    ``size`` is (height, width), the order of array shapes and of ``tf.image.resize``
    (Pillow's own ``resize`` takes (width, height)). Shrinking averages neighbouring pixels
    (antialiasing), so detail is lost, not aliased; ``method`` is one of
    :data:`RESIZE_METHODS` (``"area"`` is a plain box average). Works on (H, W), (H, W, 1),
    (H, W, 3) and (H, W, 4) arrays of uint8, uint16 or float. The aspect ratio is not kept:
    pass a size with the same ratio if it matters. Taught in notebook 00, used in 03.
    """
    from PIL import Image

    names = dict(zip(RESIZE_METHODS, ("NEAREST", "BILINEAR", "BICUBIC", "LANCZOS", "BOX")))
    filters = {method: Image.Resampling[pillow] for method, pillow in names.items()}
    if method not in filters:
        raise ValueError(f"method must be one of {', '.join(RESIZE_METHODS)}, got {method!r}")
    if (
        not isinstance(size, (tuple, list))
        or len(size) != 2
        or not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in size)
        or min(size) < 1
    ):
        raise ValueError(f"size must be (height, width) with two positive ints, got {size!r}")
    image = np.asarray(image)
    if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[-1] not in (1, 3, 4)):
        raise ValueError(
            f"{name}: expected (H, W), (H, W, 1), (H, W, 3) or (H, W, 4), got {image.shape}"
        )
    if image.size == 0:
        raise ValueError(f"{name} is empty (shape {image.shape})")
    if image.dtype not in (np.uint8, np.uint16) and not np.issubdtype(image.dtype, np.floating):
        raise ValueError(f"{name}: cannot resize pixels of dtype {image.dtype}; use uint8 or float")
    height, width = int(size[0]), int(size[1])
    resample = filters[method]
    if image.dtype == np.uint8 and (image.ndim == 2 or image.shape[-1] in (3, 4)):
        return np.asarray(Image.fromarray(image).resize((width, height), resample))
    # Everything else channel by channel, in 32-bit float (Pillow mode "F").
    planes = image[..., None] if image.ndim == 2 else image
    floats = [
        np.ascontiguousarray(planes[..., c], dtype=np.float32) for c in range(planes.shape[-1])
    ]
    resized = [Image.fromarray(plane).resize((width, height), resample) for plane in floats]
    out = np.stack([np.asarray(plane) for plane in resized], axis=-1)
    if image.ndim == 2:
        out = out[..., 0]
    if image.dtype in (np.uint8, np.uint16):
        info = np.iinfo(image.dtype)
        return np.clip(np.round(out), info.min, info.max).astype(image.dtype)
    return out.astype(image.dtype)
