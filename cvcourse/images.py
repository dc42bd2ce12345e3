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
            raise ImageReadError(f"{path}: 32-bit integer pixels outside 0-65535 are not supported.")
        return arr.astype(np.uint16)
    if mode == "F":
        return np.asarray(img, dtype=np.float32)
    if mode == "LA" or (mode == "P" and "transparency" in img.info) or mode == "PA":
        return np.asarray(img.convert("RGBA"))
    return np.asarray(img.convert("RGB"))  # P, CMYK, YCbCr, LAB, HSV


def to_uint8(image: np.ndarray, *, name: str = "image") -> np.ndarray:
    """Scale an array to uint8 0-255: uint16 by 65535 -> 255, floats in [0, 1] by 255.

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
    and [0, 1] float images are rescaled, never clipped.
    """
    image = to_uint8(image, name=name)
    if image.ndim == 2:
        image = image[..., None]
    if image.ndim != 3 or image.shape[-1] not in (1, 2, 3, 4):
        raise ValueError(f"{name}: expected (H, W), (H, W, 1), (H, W, 3) or (H, W, 4), got {image.shape}")
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
    """uint8 grayscale (H, W) by the ITU-R 601 luminance 0.299 R + 0.587 G + 0.114 B.

    These are the weights of ``tf.image.rgb_to_grayscale`` and Pillow's ``convert("L")``.
    """
    rgb = to_rgb(image, name=name).astype(np.float32)
    gray = rgb @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    return np.clip(np.round(gray), 0, 255).astype(np.uint8)


def read_rgb(path: str | Path) -> np.ndarray:
    """Read any image file as uint8 RGB (H, W, 3); see :func:`to_rgb` for the conversions."""
    return to_rgb(read_image(path), name=str(path))


def read_gray(path: str | Path) -> np.ndarray:
    """Read any image file as uint8 grayscale (H, W); see :func:`to_gray`."""
    return to_gray(read_image(path), name=str(path))


def list_images(root: str | Path) -> list[Path]:
    """Every file under ``root`` with an image suffix, sorted; hidden files skipped."""
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
    raised, so one audit shows every problem at once.
    """
    import pandas as pd
    from PIL import Image

    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"{root} is not a folder.")
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
    bad file and what to do.
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
