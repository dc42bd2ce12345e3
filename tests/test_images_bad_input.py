"""Images the course did not expect: each is converted as documented or refused by name."""

import numpy as np
import pytest
from PIL import Image

from cvcourse import images


def save(path, array, mode=None):
    Image.fromarray(array, mode=mode).save(path) if mode else Image.fromarray(array).save(path)
    return path


def test_grayscale_becomes_three_equal_channels(tmp_path):
    gray = np.arange(64, dtype=np.uint8).reshape(8, 8)
    rgb = images.read_rgb(save(tmp_path / "g.png", gray))
    assert rgb.shape == (8, 8, 3) and rgb.dtype == np.uint8
    assert (rgb == gray[..., None]).all()


def test_rgba_is_composited_over_white(tmp_path):
    rgba = np.zeros((4, 4, 4), dtype=np.uint8)
    rgba[..., 0] = 200  # red
    rgba[:2, :, 3] = 255  # top half opaque, bottom half transparent
    rgb = images.read_rgb(save(tmp_path / "a.png", rgba))
    assert rgb.shape == (4, 4, 3)
    assert rgb[0, 0].tolist() == [200, 0, 0]
    assert rgb[3, 0].tolist() == [255, 255, 255]


def test_16_bit_is_rescaled_not_clipped(tmp_path):
    deep = np.array([[0, 257, 32896, 65535]], dtype=np.uint16)
    path = tmp_path / "d.png"
    Image.fromarray(deep).save(path)
    raw = images.read_image(path)
    assert raw.dtype == np.uint16 and raw.max() == 65535
    rgb = images.read_rgb(path)
    assert rgb[0, :, 0].tolist() == [0, 1, 128, 255]


def test_float_outside_unit_range_is_an_error():
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        images.to_rgb(np.array([[0.0, 2.0]], dtype=np.float32))
    assert images.to_rgb(np.array([[0.0, 1.0]]))[0, 1].tolist() == [255, 255, 255]


def test_palette_image(tmp_path):
    img = Image.new("P", (3, 3))
    img.putpalette([10, 20, 30] * 256)
    img.save(tmp_path / "p.png")
    assert images.read_rgb(tmp_path / "p.png")[0, 0].tolist() == [10, 20, 30]


def test_gray_luminance_weights():
    pixel = np.array([[[255, 0, 0], [0, 255, 0], [0, 0, 255]]], dtype=np.uint8)
    assert images.to_gray(pixel).tolist() == [[76, 150, 29]]


def test_gray_is_pillows_and_within_one_level_of_tensorflows():
    tf = pytest.importorskip("tensorflow")
    rgb = np.random.default_rng(0).integers(0, 256, (20, 30, 3), dtype=np.uint8)
    gray = images.to_gray(rgb)
    assert gray.shape == (20, 30) and gray.dtype == np.uint8
    np.testing.assert_array_equal(gray, np.asarray(Image.fromarray(rgb).convert("L")))
    by_tf = tf.image.rgb_to_grayscale(rgb).numpy()[..., 0].astype(int)
    assert np.abs(gray.astype(int) - by_tf).max() <= 1
    flat = np.full((2, 2), 77, dtype=np.uint8)  # a gray image stays exactly as it is
    np.testing.assert_array_equal(images.to_gray(flat), flat)


def test_non_image_file_is_named(tmp_path):
    bad = tmp_path / "cat.999.jpg"
    bad.write_text("this is not a picture")
    with pytest.raises(images.ImageReadError, match="cat.999.jpg"):
        images.read_rgb(bad)
    with pytest.raises(images.ImageReadError, match="no such file"):
        images.read_rgb(tmp_path / "missing.png")


@pytest.fixture
def class_folder(tmp_path):
    root = tmp_path / "train"
    for cls in ("cats", "dogs"):
        (root / cls).mkdir(parents=True)
        for i in range(3):
            save(root / cls / f"{cls}.{i}.jpg", np.full((10, 12, 3), 40 * i, dtype=np.uint8))
    save(root / "dogs" / "gray.png", np.zeros((5, 5), dtype=np.uint8))
    (root / "cats" / "broken.jpg").write_bytes(b"\xff\xd8\xff garbage")
    (root / "cats" / "notes.txt").write_text("not an image suffix: ignored")
    return root


def test_audit_lists_every_file_and_its_problem(class_folder):
    table = images.audit_folder(class_folder)
    assert len(table) == 8
    assert set(table["label"]) == {"cats", "dogs"}
    broken = table[table["file"] == "cats/broken.jpg"].iloc[0]
    assert broken["error"] and table["error"].astype(bool).sum() == 1
    gray = table[table["file"] == "dogs/gray.png"].iloc[0]
    assert gray["mode"] == "L" and (gray["width"], gray["height"]) == (5, 5)


def test_check_image_folder_refuses_a_bad_file(class_folder):
    with pytest.raises(images.ImageReadError, match="(?s)1 of 8.*broken.jpg.*Delete or replace"):
        images.check_image_folder(class_folder)
    (class_folder / "cats" / "broken.jpg").unlink()
    assert images.check_image_folder(class_folder) == 7


def test_empty_folder_is_an_error(tmp_path):
    with pytest.raises(images.ImageReadError, match="no image files"):
        images.check_image_folder(tmp_path)
