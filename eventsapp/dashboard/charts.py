"""Small charts as inline SVG, drawn on the server (pure: numbers in, markup out).

Each chart is an ``<svg role="img">`` named by its ``<title>`` and ``<desc>``
(``aria-labelledby``), with a ``viewBox`` so it scales to its container. Colours
come from classes (static/css/charts.css): the Content-Security-Policy allows no
inline style, and nothing here needs a script. Every piece of text is escaped.
The page puts a table with the same numbers after each chart.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 480
FONT = 13
LABEL_CHARS = 24  # longer labels are shortened in the picture; the table has them whole
_CLASS = re.compile(r"^[a-z][a-z0-9-]*$")


@dataclass(frozen=True)
class Segment:
    """One part of a stacked bar: its label, its value and a class naming its colour."""

    label: str
    value: int
    kind: str


def _num(value) -> int:
    """Counts only: negative or missing values are drawn as 0."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 0
    return max(number, 0)


def _kind(kind: str) -> str:
    return kind if _CLASS.match(kind or "") else "other"


def _short(label: str) -> str:
    label = str(label)
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def _f(value: float) -> str:
    """A coordinate: short and locale-free."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _svg(chart_id: str, title: str, desc: str, height: float, body: list[str],
         css_class: str) -> Markup:
    cid = escape(chart_id)
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {escape(css_class)}" '
        f'role="img" viewBox="0 0 {WIDTH} {_f(height)}" '
        f'aria-labelledby="{cid}-title {cid}-desc" focusable="false">'
        f'<title id="{cid}-title">{escape(title)}</title>'
        f'<desc id="{cid}-desc">{escape(desc)}</desc>'
    )
    return Markup(head + "".join(body) + "</svg>")  # noqa: S704 - all text went through escape()


def _text(x: float, y: float, content, css: str = "chart-text", anchor: str = "start") -> str:
    return (f'<text x="{_f(x)}" y="{_f(y)}" class="{css}" text-anchor="{anchor}">'
            f"{escape(content)}</text>")


def _rect(x: float, y: float, w: float, h: float, css: str) -> str:
    return (f'<rect x="{_f(x)}" y="{_f(y)}" width="{_f(max(w, 0))}" height="{_f(h)}" '
            f'class="{css}"/>')


def bar_chart(bars: Sequence[tuple[str, int]], *, chart_id: str, title: str,
              desc: str) -> Markup:
    """Horizontal bars, one per (label, value), each with its value written after it."""
    label_w, gap, row = 170, 8, 28
    scale_w = WIDTH - label_w - gap - 40
    values = [_num(v) for _, v in bars]
    top = max(values, default=0) or 1
    body = []
    for n, ((label, _), value) in enumerate(zip(bars, values, strict=True)):
        y = 6 + n * row
        length = scale_w * value / top
        body.append(_text(label_w, y + 17, _short(label), anchor="end"))
        body.append(_rect(label_w + gap, y + 4, length, row - 10, "chart-bar"))
        body.append(_text(label_w + gap + length + 6, y + 17, value, "chart-value"))
    return _svg(chart_id, title, desc, 12 + row * max(len(bars), 1), body, "chart-bars")


def stacked_bar(segments: Sequence[Segment], *, chart_id: str, title: str, desc: str,
                marker: int | None = None, marker_label: str = "",
                no_marker_label: str = "") -> Markup:
    """One horizontal bar made of segments, with a legend giving each value, and an
    optional marker (a capacity, say) drawn as a line across it."""
    left, right, bar_y, bar_h = 8, WIDTH - 8, 30, 30
    values = [_num(s.value) for s in segments]
    total = sum(values)
    limit = _num(marker) if marker is not None else 0
    top = max(total, limit) or 1
    span = right - left
    body = [_rect(left, bar_y, span, bar_h, "chart-track")]
    x = left
    for segment, value in zip(segments, values, strict=True):
        width = span * value / top
        if width > 0:
            body.append(_rect(x, bar_y, width, bar_h, f"chart-seg chart-seg-{_kind(segment.kind)}"))
        x += width
    if marker is not None:
        mx = left + span * limit / top
        body.append(f'<line x1="{_f(mx)}" y1="{bar_y - 8}" x2="{_f(mx)}" '
                    f'y2="{bar_y + bar_h + 8}" class="chart-marker"/>')
        anchor = "end" if mx > WIDTH * 0.6 else "start"
        shift = -4 if anchor == "end" else 4
        body.append(_text(mx + shift, bar_y - 12, marker_label or str(limit),
                          "chart-text chart-marker-label", anchor))
    elif no_marker_label:
        body.append(_text(right, bar_y - 12, no_marker_label, "chart-text chart-muted", "end"))
    legend_y = bar_y + bar_h + 24
    columns = 2
    for n, (segment, value) in enumerate(zip(segments, values, strict=True)):
        cx = left + (n % columns) * (span / columns)
        cy = legend_y + (n // columns) * 22
        body.append(_rect(cx, cy - 11, 12, 12, f"chart-seg chart-seg-{_kind(segment.kind)}"))
        body.append(_text(cx + 18, cy, f"{_short(segment.label)}: {value}"))
    rows = (len(segments) + columns - 1) // columns
    return _svg(chart_id, title, desc, legend_y + rows * 22, body, "chart-stacked")


def line_chart(points: Sequence[tuple[str, int]], *, chart_id: str, title: str,
               desc: str) -> Markup:
    """A line through (label, value) points, in order: the y axis from 0 to the
    largest value, the first and last labels under the x axis, each point marked."""
    left, right, top_y, bottom_y = 44, WIDTH - 16, 16, 170
    values = [_num(v) for _, v in points]
    top = max(values, default=0) or 1
    count = len(points)

    def at(n: int, value: int) -> tuple[float, float]:
        x = left + ((right - left) * n / (count - 1) if count > 1 else (right - left) / 2)
        return x, bottom_y - (bottom_y - top_y) * value / top

    body = [
        f'<line x1="{left}" y1="{bottom_y}" x2="{right}" y2="{bottom_y}" class="chart-axis"/>',
        f'<line x1="{left}" y1="{top_y}" x2="{left}" y2="{bottom_y}" class="chart-axis"/>',
        _text(left - 6, bottom_y + 4, 0, "chart-text", "end"),
        _text(left - 6, top_y + 4, top, "chart-text", "end"),
    ]
    coords = [at(n, value) for n, value in enumerate(values)]
    if count > 1:
        path = " ".join(f"{_f(x)},{_f(y)}" for x, y in coords)
        body.append(f'<polyline points="{path}" class="chart-line"/>')
    for (label, _), value, (x, y) in zip(points, values, coords, strict=True):
        body.append(f'<circle cx="{_f(x)}" cy="{_f(y)}" r="3.5" class="chart-point">'
                    f"<title>{escape(label)}: {value}</title></circle>")
    if count:
        body.append(_text(coords[0][0], bottom_y + 20, points[0][0],
                          anchor="start" if count > 1 else "middle"))
        if count > 1:
            body.append(_text(right, bottom_y + 20, points[-1][0], anchor="end"))
        last_x, last_y = coords[-1]
        if count > 1:
            body.append(_text(last_x - 6, max(last_y - 8, top_y + 10), values[-1],
                              "chart-value", "end"))
        else:
            body.append(_text(last_x + 8, last_y + 4, values[-1], "chart-value"))
    return _svg(chart_id, title, desc, bottom_y + 30, body, "chart-line-chart")
