"""Every figure of the course, one module per kind of figure.

=========================  ===========================================================
module                     draws
=========================  ===========================================================
``plotting.images``        image grids, kernels with their values, before/after panels
``plotting.curves``        training curves of one run or several (and their smoothing)
``plotting.evaluation``    confusion matrices, galleries of mistakes, top-k predictions
``plotting.overlays``      feature maps, filter patterns, Grad-CAM heatmaps on images
``plotting.diagrams``      block diagrams of Keras models (one box per layer)
``plotting.conv_diagrams`` the sliding window, padding and stride, pooling, receptive field
``plotting.fonts``         which installed font draws a label (Chinese class names)
=========================  ===========================================================

Notebooks call the functions through this package, ``from cvcourse import plotting``
then ``plotting.show_images(...)``. Each function draws one figure and returns its
Figure (or Axes, when it draws into one you pass), so a notebook can adjust or save it.
Nothing here calls ``plt.show()``, changes matplotlib's global settings or imports
TensorFlow or Keras; matplotlib itself is imported only when a figure is drawn. In
Jupyter the figure appears at the end of the cell; assign the result
(``fig = plotting.show_images(...)``) so it is not shown a second time as the cell's
value (a trailing ``;`` does the same in Jupyter, but not under nbval).

Images may be NumPy arrays or tensors, shaped (H, W), (H, W, 1), (H, W, 3) or (H, W, 4).
Grayscale uint8 images are drawn on the fixed 0-255 scale (black is 0, white is 255);
other one-channel arrays (feature maps, filtered images) are stretched to their own range
unless ``vmin``/``vmax`` are given, or, with ``robust=True``, to their 1st-99th
percentiles, so that a few extreme values do not leave the rest of a map gray.
"""

from .conv_diagrams import (
    show_max_pooling,
    show_padding_and_stride,
    show_receptive_field,
    show_sliding_window,
)
from .curves import compare_histories, plot_history, smooth_curve
from .diagrams import show_model_diagram
from .evaluation import plot_confusion_matrix, show_mistakes, show_top_predictions
from .fonts import CJK_FONT_FAMILIES, font_for_text, readable_labels
from .images import show_before_after, show_images, show_kernel, show_kernels
from .overlays import (
    heatmap_overlay,
    show_activation_grid,
    show_filter_patterns,
    show_gradcam,
    show_overlays,
)

__all__ = [
    "CJK_FONT_FAMILIES",
    "compare_histories",
    "font_for_text",
    "heatmap_overlay",
    "plot_confusion_matrix",
    "plot_history",
    "readable_labels",
    "show_activation_grid",
    "show_before_after",
    "show_filter_patterns",
    "show_gradcam",
    "show_images",
    "show_kernel",
    "show_kernels",
    "show_max_pooling",
    "show_mistakes",
    "show_model_diagram",
    "show_overlays",
    "show_padding_and_stride",
    "show_receptive_field",
    "show_sliding_window",
    "show_top_predictions",
    "smooth_curve",
]
