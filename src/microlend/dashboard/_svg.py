"""Charts as inline SVG built by hand: no CDN, no script, readable on a laptop, testable.

Every chart is an ``<svg data-chart=NAME data-points=N>``; every mark carries ``data-*``
attributes and a ``<title>`` tooltip, so a browser test can check it was drawn with data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from html import escape

from markupsafe import Markup

__all__ = ["bar_chart", "line_chart", "time_chart"]

_W, _H = 640, 300
_LEFT, _RIGHT, _TOP, _BOTTOM = 56, 150, 28, 44
_PALETTE = ("#3b6ea5", "#c0504d", "#9bbb59", "#8064a2", "#f79646", "#4bacc6", "#7f7f7f")

Point = tuple[float, float]


def _frame(
    name: str, title: str, points: int, body: list[str], size: tuple[int, int] = (_W, _H)
) -> Markup:
    width, height = size
    head = (
        f'<svg class="chart" data-chart="{escape(name)}" data-points="{points}" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
        f'<text x="{width / 2}" y="18" text-anchor="middle" font-size="14">{escape(title)}</text>'
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


# A time chart is narrower than the others, with larger type: it is read on a phone too.
_TW, _TH = 480, 270
_TLEFT, _TRIGHT, _TTOP, _TBOTTOM = 76, 24, 34, 46


def _time_axes(dates: Sequence[date], y_range: tuple[float, float], y_format: str) -> list[str]:
    """Axes with ticks: the first, middle and last dates below, five values on the left."""
    low, high = y_range
    right, bottom = _TW - _TRIGHT, _TH - _TBOTTOM
    parts = [
        f'<line x1="{_TLEFT}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="#444"/>',
        f'<line x1="{_TLEFT}" y1="{_TTOP}" x2="{_TLEFT}" y2="{bottom}" stroke="#444"/>',
    ]
    for i in range(5):
        value = low + (high - low) * i / 4
        y = _scale(value, low, high, bottom, _TTOP)
        parts.append(
            f'<text x="{_TLEFT - 6}" y="{y + 5:.1f}" text-anchor="end" font-size="13">'
            f"{format(value, y_format)}</text>"
        )
    first, last = (min(dates), max(dates)) if dates else (None, None)
    ticks = sorted({first, dates[len(dates) // 2], last}) if first and last else []
    for tick in ticks:
        x = _x_of(tick, dates)
        parts.append(
            f'<text class="tick" x="{x:.1f}" y="{bottom + 20}" font-size="13" '
            f'text-anchor="middle">{tick.isoformat()}</text>'
        )
    return parts


def _x_of(day: date, dates: Sequence[date]) -> float:
    right = _TW - _TRIGHT
    if len(set(dates)) < 2:
        return (_TLEFT + right) / 2
    # Inset by a margin so the first and last date labels stay inside the frame.
    inset = 40
    first, last = min(dates).toordinal(), max(dates).toordinal()
    return _scale(day.toordinal(), first, last, _TLEFT + inset, right - inset)


def time_chart(
    points: Sequence[tuple[date, float]],
    *,
    name: str,
    title: str,
    y_label: str,
    y_format: str = ",.0f",
    y_range: tuple[float, float] | None = None,
    empty: str = "No data yet",
) -> Markup:
    """One series over dates, each point a ``<circle data-x=ISO-date data-y>`` with a
    tooltip; ``y_range`` fixes the vertical axis (else it runs from 0 to above the largest
    value). Without points, the frame says ``empty``."""
    dates = [day for day, _ in points]
    values = [value for _, value in points]
    low, high = y_range or (0.0, max([*values, 0.0]) * 1.1 or 1.0)
    body = _time_axes(dates, (low, high), y_format)
    bottom = _TH - _TBOTTOM
    middle = (_TTOP + bottom) / 2
    body.append(
        f'<text x="16" y="{middle}" font-size="13" text-anchor="middle" '
        f'transform="rotate(-90 16 {middle})">{escape(y_label)}</text>'
    )
    if not points:
        body.append(
            f'<text class="empty" x="{(_TLEFT + _TW - _TRIGHT) / 2}" y="{middle}" '
            f'font-size="15" text-anchor="middle" fill="#777">{escape(empty)}</text>'
        )
    coords = [(_x_of(day, dates), _scale(v, low, high, bottom, _TTOP)) for day, v in points]
    if len(coords) > 1:
        path = " ".join(f"{cx:.1f},{cy:.1f}" for cx, cy in coords)
        body.append(
            f'<polyline class="series" points="{path}" fill="none" stroke="{_PALETTE[0]}" '
            'stroke-width="2"/>'
        )
    for (day, value), (cx, cy) in zip(points, coords, strict=True):
        shown = format(value, y_format)
        body.append(
            f'<circle class="point" data-x="{day.isoformat()}" data-y="{value:g}" '
            f'cx="{cx:.1f}" cy="{cy:.1f}" r="4" fill="{_PALETTE[0]}"><title>{escape(y_label)} '
            f"on {day.isoformat()}: {escape(shown)}</title></circle>"
        )
    return _frame(name, title, len(points), body, size=(_TW, _TH))
