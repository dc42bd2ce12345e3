"""The figures of notebooks 02 to 05: history curves, runs compared, confusion matrices, mistakes."""

from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from cvcourse import plotting  # noqa: E402

CHINESE = ["零", "一", "二"]
UNDRAWABLE = ["\U0010fffd", "\U0010fffc", "\U0010fffb"]  # private use: no font draws these


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def draw_strictly(fig):
    """Render the figure, turning matplotlib's "Glyph ... missing" warnings into errors."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig.canvas.draw()


def test_smooth_curve_is_an_exponential_moving_average():
    np.testing.assert_allclose(plotting.smooth_curve([0, 1, 1], 0.5), [0, 0.5, 0.75])
    np.testing.assert_allclose(plotting.smooth_curve([3, 1, 4], 0.0), [3, 1, 4])
    for factor in (-0.1, 1.0):
        with pytest.raises(ValueError):
            plotting.smooth_curve([1, 2], factor)


HISTORY = {
    "loss": [1.0, 0.5, 0.3],
    "accuracy": [0.6, 0.8, 0.9],
    "val_loss": [0.8, 0.6, 0.5],
    "val_accuracy": [0.7, 0.8, 0.85],
}


def test_plot_history_draws_training_and_validation_per_metric():
    fig = plotting.plot_history(HISTORY)
    axes = fig.get_axes()
    assert [ax.get_ylabel() for ax in axes] == ["loss", "accuracy"]
    for ax, metric in zip(axes, ["loss", "accuracy"]):
        lines = ax.get_lines()
        assert len(lines) == 2
        np.testing.assert_allclose(lines[0].get_ydata(), HISTORY[metric])
        np.testing.assert_allclose(lines[1].get_ydata(), HISTORY[f"val_{metric}"])
        np.testing.assert_array_equal(lines[0].get_xdata(), [1, 2, 3])


def test_plot_history_smoothing_adds_the_smoothed_curve_over_the_raw_one():
    fig = plotting.plot_history(HISTORY, "loss", smoothing=0.5)
    lines = fig.get_axes()[0].get_lines()
    assert len(lines) == 4
    np.testing.assert_allclose(lines[1].get_ydata(), plotting.smooth_curve(HISTORY["loss"], 0.5))


def test_plot_history_labels_a_metric_without_validation_by_its_name():
    fig = plotting.plot_history({"learning_rate": [1e-3, 5e-4]}, "learning_rate")
    (line,) = fig.get_axes()[0].get_lines()
    assert line.get_label() == "learning rate"


def test_plot_history_accepts_history_objects_and_refuses_unknown_metrics():
    class Holder:  # like a keras History: .history is the dict
        history = {"loss": [1.0, 0.5]}

    assert len(plotting.plot_history(Holder()).get_axes()) == 1
    with pytest.raises(ValueError, match="none of the metrics"):
        plotting.plot_history(HISTORY, ["precision"])
    with pytest.raises(TypeError):
        plotting.plot_history([1, 2, 3])


def test_font_for_text_never_answers_the_last_resort_font():
    assert plotting.font_for_text("abc") is not None
    assert plotting.font_for_text("".join(UNDRAWABLE)) is None
    family = plotting.font_for_text("".join(CHINESE))
    assert family is None or not family.startswith("Last Resort")


def test_readable_labels_falls_back_when_no_font_draws_the_names():
    assert plotting.readable_labels(["a", "b"]) == (["a", "b"], None)
    assert plotting.readable_labels(UNDRAWABLE, ["0", "1", "2"]) == (["0", "1", "2"], None)
    assert plotting.readable_labels(UNDRAWABLE) == (["0", "1", "2"], None)
    labels, family = plotting.readable_labels(CHINESE, ["0", "1", "2"])
    if plotting.font_for_text("".join(CHINESE)) is None:
        assert labels == ["0", "1", "2"]
    else:
        assert labels == CHINESE and family is not None
    with pytest.raises(ValueError, match="fallback"):
        plotting.readable_labels(UNDRAWABLE, ["0"])


CM = np.array([[5, 1, 0], [0, 4, 2], [0, 0, 6]])


def test_confusion_matrix_figure_writes_every_nonzero_count():
    ax = plotting.plot_confusion_matrix(CM, ["a", "b", "c"])
    texts = sorted(t.get_text() for t in ax.texts)
    assert texts == sorted(str(v) for v in CM.ravel() if v)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"]
    assert ax.get_xlabel() == "predicted class" and ax.get_ylabel() == "true class"


def test_confusion_matrix_figure_normalized_rows_sum_to_one():
    ax = plotting.plot_confusion_matrix(CM, normalize=True)
    values = np.array([float(t.get_text()) for t in ax.texts]).reshape(3, 3)
    np.testing.assert_allclose(values.sum(axis=1), 1.0, atol=0.02)


def test_confusion_matrix_figure_never_draws_missing_glyphs():
    ax = plotting.plot_confusion_matrix(CM, UNDRAWABLE, fallback_names=["0", "1", "100"])
    assert [t.get_text() for t in ax.get_yticklabels()] == ["0", "1", "100"]
    draw_strictly(ax.figure)
    ax = plotting.plot_confusion_matrix(CM, CHINESE, fallback_names=["0", "1", "2"])
    draw_strictly(ax.figure)


def test_confusion_matrix_figure_refuses_bad_input():
    with pytest.raises(ValueError, match="square"):
        plotting.plot_confusion_matrix(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="class names"):
        plotting.plot_confusion_matrix(CM, ["a", "b"])


def test_show_mistakes_titles_each_image_with_true_and_predicted_class():
    images = np.zeros((3, 8, 8), dtype=np.uint8)
    fig = plotting.show_mistakes(images, [0, 1, 2], [1, 2, 0], [0.9, 0.55, 0.7], ncols=2)
    titles = [ax.get_title() for ax in fig.get_axes() if ax.get_images()]
    assert titles == ["true 0\npred 1 (0.90)", "true 1\npred 2 (0.55)", "true 2\npred 0 (0.70)"]


def test_show_mistakes_uses_fallback_names_that_can_be_drawn():
    images = np.zeros((2, 8, 8, 1), dtype=np.float32)
    fig = plotting.show_mistakes(
        images, [0, 1], [1, 0], class_names=UNDRAWABLE, fallback_names=["0", "10", "100"]
    )
    titles = [ax.get_title() for ax in fig.get_axes() if ax.get_images()]
    assert titles == ["true 0\npred 10", "true 10\npred 0"]
    draw_strictly(fig)


def test_show_mistakes_refuses_mismatched_or_empty_input():
    with pytest.raises(ValueError, match="must match"):
        plotting.show_mistakes(np.zeros((2, 8, 8)), [0, 1], [1])
    with pytest.raises(ValueError, match="no mistakes"):
        plotting.show_mistakes([], [], [])
    with pytest.raises(ValueError, match="confidences"):
        plotting.show_mistakes(np.zeros((2, 8, 8)), [0, 1], [1, 0], [0.5])


def test_compare_histories_draws_one_colour_per_run_dashed_training_solid_validation():
    short = {"loss": [2.0, 1.0], "val_loss": [2.5, 1.5]}  # runs may differ in length
    fig = plotting.compare_histories({"plain": HISTORY, "augmented": short}, ["loss"])
    (ax,) = fig.get_axes()
    assert ax.get_title() == "loss per epoch"
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert list(lines) == [
        "plain, training",
        "plain, validation",
        "augmented, training",
        "augmented, validation",
    ]
    assert lines["plain, training"].get_linestyle() == "--"
    assert lines["plain, validation"].get_linestyle() == "-"
    assert lines["plain, training"].get_color() != lines["augmented, training"].get_color()
    np.testing.assert_allclose(lines["augmented, validation"].get_ydata(), short["val_loss"])
    np.testing.assert_array_equal(lines["augmented, training"].get_xdata(), [1, 2])


def test_compare_histories_smoothing_and_bad_input():
    fig = plotting.compare_histories({"run": HISTORY}, "accuracy", smoothing=0.5)
    (ax,) = fig.get_axes()
    assert ax.get_title() == "accuracy per epoch (smoothed)"
    np.testing.assert_allclose(
        ax.get_lines()[0].get_ydata(), plotting.smooth_curve(HISTORY["accuracy"], 0.5)
    )
    with pytest.raises(ValueError, match="at least one history"):
        plotting.compare_histories({})
    with pytest.raises(ValueError, match="none of the metrics.*'loss'"):
        plotting.compare_histories({"run": {"loss": [1.0]}}, ["precision"])
