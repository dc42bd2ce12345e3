"""``cvcourse build``'s web pages: each executed notebook as HTML, and the index page."""

from __future__ import annotations

import html
from pathlib import Path

from .files import write_atomic


def notebook_title(nb) -> tuple[str, str]:
    """(title, one-line description) from a notebook's first Markdown cell."""
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        lines = [line.strip() for line in cell.source.splitlines() if line.strip()]
        title, description = "", ""
        for line in lines:
            if line.startswith("# ") and not title:
                title = line[2:].strip()
            elif title and not line.startswith(("#", "[", "<", "!")):
                description = line
                break
        if title:
            return title, description
    return "", ""


def write_html(nb, path: Path) -> Path:
    """Render an executed notebook to a standalone HTML page (figures embedded)."""
    from nbconvert import HTMLExporter

    body, _ = HTMLExporter(template_name="lab").from_notebook_node(nb)
    write_atomic(path, body)
    return path


HEADLINE_METRICS = ("test_accuracy", "accuracy", "val_accuracy")


def headline(metrics: dict) -> str:
    """The one number an index shows for a notebook: its test accuracy when it has one."""
    for key in HEADLINE_METRICS:
        if isinstance(metrics.get(key), (int, float)):
            return f"{key.replace('_', ' ')} {100 * metrics[key]:.1f}%"
    for key, value in metrics.items():
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return f"{key.replace('_', ' ')} {value:.4g}"
    return ""


def index_html(rows: list[dict], info: dict) -> str:
    """The syllabus page: one row per notebook with its link, status, time and result."""
    body = []
    for row in rows:
        status_class = "ok" if row["status"] == "passed" else "fail"
        body.append(
            "<tr>"
            f'<td><a href="{html.escape(row["html"])}">{html.escape(row["notebook"])}</a></td>'
            f"<td>{html.escape(row['title'])}<br><small>{html.escape(row['description'])}</small></td>"
            f'<td class="{status_class}">{html.escape(row["status"])}</td>'
            f"<td>{row['seconds'] / 60:.1f} min</td>"
            f"<td>{html.escape(row['headline'])}</td>"
            "</tr>"
        )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>cvcourse: the course</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }}
table {{ border-collapse: collapse; width: 100%; }}
td, th {{ border-bottom: 1px solid #ddd; padding: .5rem; text-align: left; vertical-align: top; }}
.ok {{ color: #1a7f37; }} .fail {{ color: #b42318; font-weight: bold; }}
small {{ color: #57606a; }}
</style></head><body>
<h1>cvcourse: computer vision with Keras 3</h1>
<p>Built {html.escape(info["date"])} with the <b>{html.escape(info["profile"])}</b> profile on
{html.escape(info["machine"])}; TensorFlow {html.escape(info["tensorflow"])}, Keras {html.escape(info["keras"])}.
Results: <a href="results.md">results.md</a>, <a href="results.json">results.json</a>.</p>
<table><thead><tr><th>notebook</th><th>what it teaches</th><th>status</th><th>time</th><th>result</th></tr></thead>
<tbody>
{chr(10).join(body)}
</tbody></table></body></html>
"""
