"""cvcourse.plotting (first functions): what each draws, what it returns, what it leaves alone."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from cvcourse import plotting  # noqa: E402


@pytest.fixture(autouse=True)
def _no_show_no_global_changes(monkeypatch):
    """Every test: plt.show is never called, rcParams are unchanged, figures are closed."""

    def refuse(*args, **kwargs):
        raise AssertionError("plotting must not call plt.show()")

    monkeypatch.setattr(plt, "show", refuse)
    before = dict(matplotlib.rcParams)
    yield
    assert dict(matplotlib.rcParams) == before
    plt.close("all")


RGB = np.random.default_rng(0).integers(0, 256, size=(20, 30, 3), dtype=np.uint8)
GRAY = RGB[..., 0]


def _visible_axes(fig):
    return [ax for ax in fig.axes if ax.axison]


def test_show_images_grid_and_titles():
    fig = plotting.show_images([RGB, GRAY, GRAY[..., None], RGB], ["a", "b", "c", "d"], ncols=3)
    assert isinstance(fig, Figure)
    axes = _visible_axes(fig)
    assert [ax.get_title() for ax in axes] == ["a", "b", "c", "d"]
    assert len(fig.axes) == 6  # 2 rows of 3, the last two hidden
    assert axes[0].images[0].get_array().shape == (20, 30, 3)
    assert axes[2].images[0].get_array().shape == (20, 30)  # (H, W, 1) drawn as gray


def test_show_images_takes_a_dict_and_tensors():
    class FakeTensor:
        def numpy(self):
            return GRAY.astype(np.float32)

    fig = plotting.show_images({"photo": RGB, "map": FakeTensor()})
    assert [ax.get_title() for ax in _visible_axes(fig)] == ["photo", "map"]


def test_gray_scales():
    fig = plotting.show_images([GRAY, GRAY.astype(float) / 255])
    uint8_image, float_image = (ax.images[0] for ax in _visible_axes(fig))
    assert uint8_image.get_clim() == (0, 255)  # uint8 gray: fixed 0-255
    assert float_image.get_clim() == pytest.approx((GRAY.min() / 255, GRAY.max() / 255))
    signed = np.linspace(-10, 10, 1000).reshape(20, 50)
    signed[0, 0] = 1000  # one extreme value
    fig = plotting.show_images([signed], robust=True)
    low, high = _visible_axes(fig)[0].images[0].get_clim()
    assert high < 20 and low == pytest.approx(np.percentile(signed, 1))
    fig = plotting.show_images([signed], vmin=-1, vmax=1, robust=True)
    assert _visible_axes(fig)[0].images[0].get_clim() == (-1, 1)


@pytest.mark.parametrize(
    "images,titles,match",
    [
        ([], None, "at least one"),
        ([RGB, RGB], ["one"], "2 images but 1 titles"),
        ([np.zeros(5)], None, "cannot draw"),
        ([np.zeros((4, 4, 2))], None, "cannot draw"),
    ],
)
def test_show_images_rejects(images, titles, match):
    with pytest.raises(ValueError, match=match):
        plotting.show_images(images, titles)


def test_show_kernel_writes_every_value():
    kernel = np.array([[-1, -1, -1], [2, 2, 2], [-1, -1, -1]])
    ax = plotting.show_kernel(kernel, title="horizontal")
    assert isinstance(ax, Axes) and ax.get_title() == "horizontal"
    assert [t.get_text() for t in ax.texts] == ["-1", "-1", "-1", "2", "2", "2", "-1", "-1", "-1"]
    assert ax.images[0].get_clim() == (-2, 2)  # centred on zero
    assert ax.images[0].get_cmap().name == "RdBu_r"


def test_show_kernel_formats_fractions_and_draws_into_given_axes():
    fig, ax = plt.subplots()
    returned = plotting.show_kernel(np.full((2, 2), 1 / 9), ax=ax, digits=3)
    assert returned is ax
    assert {t.get_text() for t in ax.texts} == {"0.111"}
    patch = np.array([[0, 255], [128, 64]], dtype=np.uint8)  # an image patch: gray, 0-255
    ax = plotting.show_kernel(patch)
    assert ax.images[0].get_cmap().name == "gray" and ax.images[0].get_clim() == (0, 255)
    with pytest.raises(ValueError):
        plotting.show_kernel(np.zeros((2, 2, 2)))


def test_show_kernels_takes_a_dict_and_refuses_mismatched_titles():
    fig = plotting.show_kernels({"a": np.eye(3), "b": -np.eye(3)})
    assert [ax.get_title() for ax in _visible_axes(fig)] == ["a", "b"]
    assert all(len(ax.texts) == 9 for ax in _visible_axes(fig))
    keras_kernel = np.arange(4.0).reshape(2, 2, 1, 1)  # (k, k, in, out) with one of each
    (ax,) = _visible_axes(plotting.show_kernels([keras_kernel]))
    assert [t.get_text() for t in ax.texts] == ["0", "1", "2", "3"]
    with pytest.raises(ValueError, match="2 kernels but 1 titles"):
        plotting.show_kernels([np.eye(2), np.eye(2)], ["one"])
    with pytest.raises(ValueError, match="at least one"):
        plotting.show_kernels([])


def test_show_before_after_scales_each_panel_by_its_own_rules():
    signed = np.random.default_rng(1).normal(size=(20, 30))
    fig = plotting.show_before_after(
        GRAY, signed, titles=("in", "out"), after_cmap="RdBu_r", robust=True
    )
    assert isinstance(fig, Figure)
    before_ax, after_ax = _visible_axes(fig)
    assert [before_ax.get_title(), after_ax.get_title()] == ["in", "out"]
    assert before_ax.images[0].get_clim() == (0, 255)  # uint8 stays on 0-255
    assert before_ax.images[0].get_cmap().name == "gray"
    assert after_ax.images[0].get_cmap().name == "RdBu_r"
    assert after_ax.images[0].get_clim() == pytest.approx(tuple(np.percentile(signed, [1, 99])))


def test_a_batch_is_refused_with_the_fix():
    with pytest.raises(ValueError, match=r"batch: pass its images one by one"):
        plotting.show_images([np.zeros((2, 8, 8, 3))])
