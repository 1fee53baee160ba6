"""Charts as inline SVG built by hand: no CDN, no script, readable on a laptop, testable.

Every chart is an ``<svg data-chart=NAME data-points=N>``; every mark carries ``data-*``
attributes and a ``<title>`` tooltip, so a browser test can check it was drawn with data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

from markupsafe import Markup

__all__ = ["bar_chart", "line_chart"]

_W, _H = 640, 300
_LEFT, _RIGHT, _TOP, _BOTTOM = 56, 150, 28, 44
_PALETTE = ("#3b6ea5", "#c0504d", "#9bbb59", "#8064a2", "#f79646", "#4bacc6", "#7f7f7f")

Point = tuple[float, float]


def _frame(name: str, title: str, points: int, body: list[str]) -> Markup:
    head = (
        f'<svg class="chart" data-chart="{escape(name)}" data-points="{points}" role="img" '
        f'viewBox="0 0 {_W} {_H}" width="{_W}" height="{_H}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title>"
        f'<text x="{_W / 2}" y="18" text-anchor="middle" font-size="14">{escape(title)}</text>'
    )
    return Markup(head + "".join(body) + "</svg>")


def _axes(x_label: str, y_label: str, y_top: float, y_format: str) -> list[str]:
    plot_bottom, plot_right = _H - _BOTTOM, _W - _RIGHT
    parts = [
        f'<line x1="{_LEFT}" y1="{plot_bottom}" x2="{plot_right}" y2="{plot_bottom}" '
        'stroke="#444"/>',
        f'<line x1="{_LEFT}" y1="{_TOP}" x2="{_LEFT}" y2="{plot_bottom}" stroke="#444"/>',
        f'<text x="{(_LEFT + plot_right) / 2}" y="{_H - 8}" text-anchor="middle" '
        f'font-size="12">{escape(x_label)}</text>',
        f'<text x="14" y="{(_TOP + plot_bottom) / 2}" font-size="12" text-anchor="middle" '
        f'transform="rotate(-90 14 {(_TOP + plot_bottom) / 2})">{escape(y_label)}</text>',
    ]
    for i in range(5):
        value = y_top * i / 4
        y = plot_bottom - (plot_bottom - _TOP) * i / 4
        parts.append(
            f'<text x="{_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11">'
            f"{format(value, y_format)}</text>"
        )
    return parts


def _scale(value: float, low: float, high: float, start: float, end: float) -> float:
    span = high - low or 1.0
    return start + (value - low) / span * (end - start)


def line_chart(
    series: Mapping[str, Sequence[Point]],
    *,
    name: str,
    title: str,
    x_label: str,
    y_label: str,
    y_format: str = ".0%",
) -> Markup:
    """One line per series, each point a ``<circle data-x data-y>`` with a tooltip."""
    xs = [x for pts in series.values() for x, _ in pts]
    ys = [y for pts in series.values() for _, y in pts]
    x_low, x_high = (min(xs), max(xs)) if xs else (0.0, 1.0)
    y_top = max([*ys, 0.0]) * 1.1 or 1.0
    body = _axes(x_label, y_label, y_top, y_format)
    right, bottom = _W - _RIGHT, _H - _BOTTOM
    for index, (label, points) in enumerate(series.items()):
        colour = _PALETTE[index % len(_PALETTE)]
        coords = [
            (_scale(x, x_low, x_high, _LEFT, right), _scale(y, 0, y_top, bottom, _TOP))
            for x, y in points
        ]
        path = " ".join(f"{cx:.1f},{cy:.1f}" for cx, cy in coords)
        body.append(
            f'<polyline class="series" data-series="{escape(label)}" points="{path}" '
            f'fill="none" stroke="{colour}" stroke-width="2"/>'
        )
        for (x, y), (cx, cy) in zip(points, coords, strict=True):
            body.append(
                f'<circle class="point" data-x="{x:g}" data-y="{y:g}" cx="{cx:.1f}" '
                f'cy="{cy:.1f}" r="3" fill="{colour}"><title>{escape(label)}: {x:g}, '
                f"{format(y, y_format)}</title></circle>"
            )
        body.append(
            f'<text x="{right + 10}" y="{_TOP + 16 * index + 10}" font-size="11" '
            f'fill="{colour}">{escape(label)}</text>'
        )
    return _frame(name, title, len(ys), body)


def bar_chart(
    bars: Sequence[tuple[str, float]],
    *,
    name: str,
    title: str,
    x_label: str,
    y_label: str,
    y_format: str = ",.0f",
) -> Markup:
    """Vertical bars, each a ``<rect data-label data-value>`` with a tooltip."""
    y_top = max([v for _, v in bars] + [0.0]) * 1.1 or 1.0
    body = _axes(x_label, y_label, y_top, y_format)
    right, bottom = _W - _RIGHT, _H - _BOTTOM
    slot = (right - _LEFT) / max(len(bars), 1)
    for index, (label, value) in enumerate(bars):
        top = _scale(value, 0, y_top, bottom, _TOP)
        x = _LEFT + slot * index + slot * 0.1
        body.append(
            f'<rect class="bar" data-label="{escape(label)}" data-value="{value:g}" '
            f'x="{x:.1f}" y="{top:.1f}" width="{slot * 0.8:.1f}" height="{bottom - top:.1f}" '
            f'fill="{_PALETTE[0]}"><title>{escape(label)}: {format(value, y_format)}</title></rect>'
        )
        body.append(
            f'<text x="{x + slot * 0.4:.1f}" y="{bottom + 14}" font-size="10" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
    return _frame(name, title, len(bars), body)
