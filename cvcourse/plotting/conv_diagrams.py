"""Diagrams of what a convolutional layer does, drawn on small grids of numbers: the
sliding window, padding and stride, max pooling and the receptive field.

Taught in notebook 01, where each figure sits beside the text that explains the idea.
Each function computes what it draws from its arguments (with NumPy, the same arithmetic
as :mod:`cvcourse.kernels`, valid padding unless said otherwise) and returns the Figure.
"""

from __future__ import annotations

import math

import numpy as np

HIGHLIGHT = "#d62728"  # the window, the unit, the cell being computed
TINT = "#fbd5d5"  # the cells under the window
PADDING = "#e8e8e8"  # zeros added around the input
BLOCKS = ["#aec7e8", "#ffbb78", "#98df8a", "#c5b0d5", "#f7b6d2", "#c7e9e4", "#fff2a8", "#e0c9a6"]


def _number(value) -> str:
    value = float(value)
    return str(int(value)) if value.is_integer() else f"{value:.2f}"


def _matrix(values, what: str) -> np.ndarray:
    arr = np.asarray(values.numpy() if hasattr(values, "numpy") else values)
    if arr.ndim != 2 or arr.dtype.kind not in "biuf" or 0 in arr.shape:
        raise ValueError(f"{what} must be a non-empty 2-D array of numbers, got shape {arr.shape}")
    return arr.astype(np.float64)


def _panels(shapes, *, cell: float = 0.45, min_width: int = 4):
    """A figure with one Axes per grid of ``shapes`` (rows, cols), side by side, each grid
    centred in its panel and every cell the same size; returns (figure, list of Axes)."""
    import matplotlib.pyplot as plt

    widths = [max(cols, min_width) + 1.2 for _, cols in shapes]
    height = max(rows for rows, _ in shapes) + 1.2
    fig_height = cell * height + 0.8
    fig, axes = plt.subplots(
        1,
        len(shapes),
        figsize=(cell * sum(widths) * 1.05, fig_height),
        width_ratios=widths,
        squeeze=False,
        gridspec_kw={"left": 0.01, "right": 0.99, "bottom": 0.02, "top": 1 - 0.7 / fig_height},
    )
    axes = list(axes[0])
    for ax, (rows, cols), width in zip(axes, shapes, widths, strict=True):
        ax.set_xlim(cols / 2 - width / 2, cols / 2 + width / 2)
        ax.set_ylim(rows / 2 + height / 2, rows / 2 - height / 2)
        ax.set_aspect("equal")
        ax.set_axis_off()
    return fig, axes


def _draw_grid(ax, values=None, *, shape=None, fill=None, bold=()):
    """Cells of ``values`` (or an empty grid of ``shape``), row 0 at the top; ``fill`` maps
    (row, col) to a face colour; NaN cells are left blank; cells in ``bold`` are bold."""
    from matplotlib.patches import Rectangle

    rows, cols = values.shape if values is not None else shape
    fill = fill or {}
    for i in range(rows):
        for j in range(cols):
            colour = fill.get((i, j), "white")
            ax.add_patch(Rectangle((j, i), 1, 1, facecolor=colour, edgecolor="0.55"))
            if values is not None and not np.isnan(values[i, j]):
                ax.text(
                    j + 0.5,
                    i + 0.5,
                    _number(values[i, j]),
                    ha="center",
                    va="center",
                    fontsize=10,
                    fontweight="bold" if (i, j) in bold else "normal",
                    gid=f"cell:{i},{j}",
                )


def _outline(ax, row, col, height, width, **style):
    from matplotlib.patches import Rectangle

    style = {"facecolor": "none", "edgecolor": HIGHLIGHT, "linewidth": 2.5, **style}
    ax.add_patch(Rectangle((col, row), width, height, **style))


def show_sliding_window(image, kernel, position=(0, 0)):
    """One place of a valid, stride-1 cross-correlation, drawn with its numbers.

    ``image`` (h, w) and ``kernel`` (f_h, f_w) are 2-D arrays of numbers; ``position`` is
    (row, col) of the output cell being computed. Four panels: the input with the window
    under the kernel outlined, the kernel, the window times the kernel cell by cell (its
    sum in the title), and the output filled in reading order up to that cell, which is
    outlined. Returns the Figure. Raises ValueError for a position outside the output
    (h - f_h + 1, w - f_w + 1). Notebook 01, section 1.
    """
    image, kernel = _matrix(image, "image"), _matrix(kernel, "kernel")
    (h, w), (fh, fw) = image.shape, kernel.shape
    out_h, out_w = h - fh + 1, w - fw + 1
    row, col = position
    if out_h < 1 or out_w < 1 or not (0 <= row < out_h and 0 <= col < out_w):
        raise ValueError(
            f"position {position} is outside the {max(out_h, 0)} x {max(out_w, 0)} output of "
            f"a {fh} x {fw} kernel on a {h} x {w} image"
        )
    output = np.full((out_h, out_w), np.nan)
    for i in range(out_h):
        for j in range(out_w):
            if (i, j) <= (row, col):
                output[i, j] = np.sum(image[i : i + fh, j : j + fw] * kernel)
    products = image[row : row + fh, col : col + fw] * kernel
    fig, axes = _panels([(h, w), (fh, fw), (fh, fw), (out_h, out_w)])
    window = {(row + i, col + j): TINT for i in range(fh) for j in range(fw)}
    _draw_grid(axes[0], image, fill=window)
    _outline(axes[0], row, col, fh, fw)
    axes[0].set_title(f"input {h} x {w}")
    _draw_grid(axes[1], kernel)
    axes[1].set_title(f"kernel {fh} x {fw}")
    _draw_grid(axes[2], products, fill={(i, j): TINT for i in range(fh) for j in range(fw)})
    axes[2].set_title(f"window x kernel\nsum = {_number(products.sum())}")
    _draw_grid(axes[3], output, fill={(row, col): TINT})
    _outline(axes[3], row, col, 1, 1)
    axes[3].set_title(f"output {out_h} x {out_w}\nrow {row}, column {col}")
    return fig


def padding_and_output(n: int, f: int, padding: str, stride: int) -> tuple[int, int, int]:
    """``(before, after, output size)`` along one axis, as Keras pads: "valid" adds
    nothing; "same" adds max((ceil(n / s) - 1) * s + f - n, 0) zeros, the odd one after.
    The output size is floor((n + p - f) / s) + 1 with p = before + after. Raises
    ValueError when the kernel does not fit."""
    if padding not in ("valid", "same"):
        raise ValueError(f'padding must be "valid" or "same", got {padding!r}')
    total = 0 if padding == "valid" else max((math.ceil(n / stride) - 1) * stride + f - n, 0)
    if n + total < f:
        raise ValueError(f"a {f} x {f} kernel does not fit a {n} x {n} input ({padding})")
    before, after = total // 2, total - total // 2
    return before, after, (n + total - f) // stride + 1


def show_padding_and_stride(
    n: int = 5, f: int = 3, cases=(("valid", 1), ("same", 1), ("valid", 2), ("same", 2))
):
    """Where an f x f kernel lands on an n x n input, one panel per (padding, stride) case.

    Zeros added by "same" padding are gray cells; a dot marks the centre of each place the
    kernel visits (so the dots form the output grid), the first window is outlined in
    red and the next one along the row dashed. Each panel's title gives the case and the
    output size, floor((n + p - f) / s) + 1. Returns the Figure. Notebook 01, sections 2-4.
    """
    sizes = [padding_and_output(n, f, padding, stride) for padding, stride in cases]
    fig, axes = _panels([(n + b + a, n + b + a) for b, a, _ in sizes])
    for ax, (padding, stride), (before, after, out) in zip(axes, cases, sizes, strict=True):
        side = n + before + after
        zeros = {
            (i, j): PADDING
            for i in range(side)
            for j in range(side)
            if not (before <= i < before + n and before <= j < before + n)
        }
        _draw_grid(ax, shape=(side, side), fill=zeros)
        centres = [k * stride + (f - 1) / 2 + 0.5 for k in range(out)]
        xs, ys = np.meshgrid(centres, centres)
        ax.scatter(xs.ravel(), ys.ravel(), s=22, color=HIGHLIGHT, zorder=3, gid="centres")
        _outline(ax, 0, 0, f, f)
        if out > 1:
            _outline(ax, 0, stride, f, f, linestyle="--", linewidth=1.5)
        p = before + after
        ax.set_title(f"{padding}, stride {stride}\n{n} x {n} -> {out} x {out}")
        ax.text(
            side / 2,
            side + 0.4,
            f"floor(({n} + {p} - {f}) / {stride}) + 1 = {out}",
            ha="center",
            va="top",
            fontsize=8,
        )
    return fig


def show_max_pooling(grid, pool: int = 2):
    """Max pooling with a pool x pool window and stride pool, drawn with its numbers.

    ``grid`` is a 2-D array of numbers. Each window of the input gets its own colour and
    its largest value is written bold; the output cell of the same colour holds that
    value. Rows and columns left over at the bottom or right (no whole window) are dropped,
    as Keras's default "valid" padding does. Returns the Figure. Notebook 01, section 9.
    """
    grid = _matrix(grid, "grid")
    h, w = grid.shape
    out_h, out_w = h // pool, w // pool
    if out_h < 1 or out_w < 1:
        raise ValueError(f"a {pool} x {pool} pool does not fit in a {h} x {w} grid")
    output = np.zeros((out_h, out_w))
    fill, out_fill, bold = {}, {}, set()
    for i in range(out_h):
        for j in range(out_w):
            colour = BLOCKS[(i * out_w + j) % len(BLOCKS)]
            block = grid[i * pool : (i + 1) * pool, j * pool : (j + 1) * pool]
            output[i, j] = block.max()
            a, b = np.unravel_index(np.argmax(block), block.shape)
            bold.add((i * pool + int(a), j * pool + int(b)))
            fill.update(
                {(i * pool + a, j * pool + b): colour for a in range(pool) for b in range(pool)}
            )
            out_fill[(i, j)] = colour
    fig, axes = _panels([(h, w), (out_h, out_w)])
    _draw_grid(axes[0], grid, fill=fill, bold=bold)
    axes[0].set_title(f"input {h} x {w}")
    _draw_grid(axes[1], output, fill=out_fill, bold=set(out_fill))
    axes[1].set_title(f"max pooling {pool} x {pool}\n-> {out_h} x {out_w}")
    return fig


def receptive_fields(layers) -> list[tuple[int, int]]:
    """``(receptive field, jump)`` after each layer of ``layers``, a list of
    ``(name, kernel size, stride)``: r = r_before + (f - 1) * j_before and
    j = j_before * s, starting from r = j = 1 for an input pixel."""
    r, jump, out = 1, 1, []
    for _, f, s in layers:
        r, jump = r + (f - 1) * jump, jump * s
        out.append((r, jump))
    return out


def _funnel(axes, spans):
    """Thin lines from each shaded block to the next map's, so the eye follows the unit."""
    from matplotlib.patches import ConnectionPatch

    for k in range(len(axes) - 1):
        (r0, r1), (_, c1) = spans[k]
        (s0, s1), (d0, _) = spans[k + 1]
        for a, b in (((c1 + 1, r0), (d0, s0)), ((c1 + 1, r1 + 1), (d0, s1 + 1))):
            line = ConnectionPatch(
                a, b, "data", "data", axesA=axes[k], axesB=axes[k + 1], color=HIGHLIGHT, lw=0.8
            )
            line.set_alpha(0.6)
            line.set_in_layout(False)
            axes[k + 1].add_artist(line)


def show_receptive_field(n: int, layers, unit=None):
    """Which input pixels one unit of the last layer depends on, layer by layer.

    ``n`` is the input's height and width; ``layers`` a list of ``(name, kernel size,
    stride)``, valid padding (``("conv 3x3", 3, 1)``, ``("max pool 2x2", 2, 2)``);
    ``unit`` is (row, col) in the last map, by default its centre. One grid per map, from
    the input to the last layer, cells of equal size: in each, the cells that feed the unit
    are shaded, and the title gives the map's size and how many input pixels one of its
    units sees. Returns the Figure. Raises ValueError when a layer does not fit its input.
    Notebook 01, section 9.
    """
    sizes = [n]
    for name, f, s in layers:
        if sizes[-1] < f:
            raise ValueError(f"{name} ({f} x {f}) does not fit its {sizes[-1]} x {sizes[-1]} input")
        sizes.append((sizes[-1] - f) // s + 1)
    row, col = unit if unit is not None else (sizes[-1] // 2, sizes[-1] // 2)
    if not (0 <= row < sizes[-1] and 0 <= col < sizes[-1]):
        raise ValueError(f"unit {unit} is outside the last {sizes[-1]} x {sizes[-1]} map")
    spans = [((row, row), (col, col))]  # rows and columns that feed the unit, last map first
    for _, f, s in reversed(layers):
        (r0, r1), (c0, c1) = spans[0]
        spans.insert(0, ((r0 * s, r1 * s + f - 1), (c0 * s, c1 * s + f - 1)))
    field = receptive_fields(layers)[-1][0]
    fig, axes = _panels([(k, k) for k in sizes], cell=0.3, min_width=7)
    names = ["input"] + [f"after {name}" for name, _, _ in layers]
    for k, (ax, size, ((r0, r1), (c0, c1))) in enumerate(zip(axes, sizes, spans, strict=True)):
        shaded = {(i, j): TINT for i in range(r0, r1 + 1) for j in range(c0, c1 + 1)}
        _draw_grid(ax, shape=(size, size), fill=shaded)
        _outline(ax, r0, c0, r1 - r0 + 1, c1 - c0 + 1, gid="span")
        if k == 0:
            note = f"the unit sees {field} x {field}"
        elif k == len(layers):
            note = "the unit (outlined)"
        else:
            note = f"{r1 - r0 + 1} x {c1 - c0 + 1} of these feed it"
        ax.set_title(f"{names[k]}: {size} x {size}\n{note}", fontsize=9)
    _funnel(axes, spans)
    return fig
