"""Charts as inline SVG built by hand: no CDN, no script, readable on a laptop, testable.

Every chart is an ``<svg data-chart=NAME data-points=N>`` with a title; every mark carries
``data-*`` attributes and a ``<title>`` tooltip, every tick label is a ``<text class="tick x">``
or ``<text class="tick y" data-value>``, so a browser test can check what was drawn. Value axes
run over ``nice_ticks`` (1-2-5 steps, whole numbers for counts, never above 100 % for
percentages) and the marks share their scale, so a bar of 3 reaches the "3" tick exactly. A
chart without data says so (``EMPTY``), in a ``<text class="empty">``. Colours come from the
one palette (``_palette``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

from microlend.dashboard._palette import PALETTE
from microlend.dashboard._ticks import (
    Kind,
    nice_ticks,
    tick_label,
    value_label,
)

__all__ = ["EMPTY", "bar_chart", "line_chart", "paired_bar_chart"]

#: What a chart without data says.
EMPTY = "No data yet"

Point = tuple[float, float]


@dataclass(frozen=True)
class _Box:
    """A chart's size and the margins around its plot; ``font`` is its tick labels' size."""

    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    font: int

    @property
    def x0(self) -> float:
        return float(self.left)

    @property
    def x1(self) -> float:
        return float(self.width - self.right)

    @property
    def y0(self) -> float:  # the plot's bottom (value axis low)
        return float(self.height - self.bottom)

    @property
    def y1(self) -> float:  # the plot's top (value axis high)
        return float(self.top)


_LINES = _Box(640, 300, 64, 150, 32, 48, 11)  # a legend on the right
_BARS = _Box(640, 300, 64, 24, 32, 48, 11)


@dataclass(frozen=True)
class _Axis:
    """A value axis: its ticks (in value order) and the range the plot spans."""

    ticks: tuple[float, ...]
    low: float
    high: float
    kind: Kind

    def step(self) -> float:
        return self.ticks[1] - self.ticks[0] if len(self.ticks) > 1 else 1.0


def _value_axis(
    values: Sequence[float], kind: Kind, span: tuple[float, float] | None = None
) -> _Axis:
    """Ticks over ``span`` when given (only those inside it), else over 0 and the values;
    a percentage axis stops at 100 %."""
    if span is not None:
        low, high = span
        inside = [t for t in nice_ticks(low, high, 8) if low <= t <= high]
        return _Axis(tuple(inside), low, high, kind)
    low, high = min([*values, 0.0]), max([*values, 0.0])
    if kind == "percent":
        high = min(high, 1.0)
    ticks = nice_ticks(low, high, 6, integer=kind == "count")
    if kind == "percent":
        ticks = [t for t in ticks if t <= 1.0]
    return _Axis(tuple(ticks), ticks[0], ticks[-1], kind)


def _scale(value: float, low: float, high: float, start: float, end: float) -> float:
    span = high - low or 1.0
    return start + (value - low) / span * (end - start)


def _y(box: _Box, axis: _Axis, value: float) -> float:
    # A value beyond the axis (a rate over 100 %) is drawn at its edge, never outside the plot.
    clamped = min(max(value, axis.low), axis.high)
    return _scale(clamped, axis.low, axis.high, box.y0, box.y1)


def _filled(text: str, what: str) -> str:
    if not text.strip():
        raise ValueError(f"a chart's {what} must say something")
    return escape(text)


def _frame(name: str, title: str, points: int, body: list[str], box: _Box) -> Markup:
    shown = _filled(title, "title")
    head = (
        f'<svg class="chart" data-chart="{escape(name)}" data-points="{points}" role="img" '
        f'viewBox="0 0 {box.width} {box.height}" width="{box.width}" height="{box.height}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{shown}</title>'
        f'<text class="chart-title" x="{box.width / 2}" y="20" text-anchor="middle" '
        f'font-size="{box.font + 3}">{shown}</text>'
    )
    return Markup(head + "".join(body) + "</svg>")


def _frame_lines(box: _Box, x_label: str, y_label: str) -> list[str]:
    """Both axis lines and both axis titles."""
    middle = (box.y1 + box.y0) / 2
    return [
        f'<line x1="{box.x0}" y1="{box.y0}" x2="{box.x1}" y2="{box.y0}" stroke="#444"/>',
        f'<line x1="{box.x0}" y1="{box.y1}" x2="{box.x0}" y2="{box.y0}" stroke="#444"/>',
        f'<text class="axis-label x" x="{(box.x0 + box.x1) / 2}" y="{box.height - 8}" '
        f'text-anchor="middle" font-size="{box.font + 1}">{_filled(x_label, "x label")}</text>',
        f'<text class="axis-label y" x="14" y="{middle}" font-size="{box.font + 1}" '
        f'text-anchor="middle" transform="rotate(-90 14 {middle})">'
        f"{_filled(y_label, 'y label')}</text>",
    ]


def _y_ticks(box: _Box, axis: _Axis) -> list[str]:
    """A gridline and a label at every tick of the value axis."""
    parts = []
    for tick in axis.ticks:
        y = _y(box, axis, tick)
        parts.append(
            f'<line class="grid" x1="{box.x0}" y1="{y:.1f}" x2="{box.x1}" y2="{y:.1f}" '
            'stroke="#e3e3e3"/>'
            f'<text class="tick y" data-value="{tick:g}" x="{box.x0 - 6}" y="{y + 4:.1f}" '
            f'text-anchor="end" font-size="{box.font}">'
            f"{tick_label(tick, axis.step(), axis.kind)}</text>"
        )
    return parts


def _x_ticks(box: _Box, placed: Sequence[tuple[float, str]]) -> list[str]:
    """Labels under the plot at their x positions, each with a short tick mark."""
    return [
        f'<line x1="{x:.1f}" y1="{box.y0}" x2="{x:.1f}" y2="{box.y0 + 4}" stroke="#444"/>'
        f'<text class="tick x" x="{x:.1f}" y="{box.y0 + box.font + 6}" text-anchor="middle" '
        f'font-size="{box.font}">{escape(label)}</text>'
        for x, label in placed
    ]


def _empty(box: _Box, message: str) -> str:
    return (
        f'<text class="empty" x="{(box.x0 + box.x1) / 2}" y="{(box.y0 + box.y1) / 2}" '
        f'font-size="{box.font + 4}" text-anchor="middle" fill="#666">'
        f"{_filled(message, 'empty message')}</text>"
    )


def line_chart(
    series: Mapping[str, Sequence[Point]],
    *,
    name: str,
    title: str,
    x_label: str,
    y_label: str,
    x_ticks: Sequence[tuple[float, str]],
    y_kind: Kind = "percent",
    x_pad: float = 0.0,
    empty: str = EMPTY,
    marker: tuple[float, str] | None = None,
) -> Markup:
    """One line per series, each point a ``<circle data-x data-y>`` with a tooltip. The x axis
    is labelled at ``x_ticks`` (position, label) and spans them and the points, widened by
    ``x_pad`` on each side (half a category, so the end labels fit). ``marker`` (position,
    label) draws a dashed vertical line across the plot, named at its top (a current
    setting, such as the policy's cut-off)."""
    box = _LINES
    ys = [y for pts in series.values() for _, y in pts]
    body = _frame_lines(box, x_label, y_label)
    if not ys:
        return _frame(name, title, 0, [*body, _empty(box, empty)], box)
    axis = _value_axis(ys, y_kind)
    spots = [x for x, _ in x_ticks] + [x for pts in series.values() for x, _ in pts]
    spots += [] if marker is None else [marker[0]]
    low, high = min(spots) - x_pad, max(spots) + x_pad
    low, high = (low - 0.5, high + 0.5) if low == high else (low, high)

    def x_of(x: float) -> float:
        return _scale(x, low, high, box.x0, box.x1)

    body += _y_ticks(box, axis) + _x_ticks(box, [(x_of(x), text) for x, text in x_ticks])
    for index, (label, points) in enumerate(series.items()):
        coords = [(x_of(x), _y(box, axis, y)) for x, y in points]
        body += _series(box, index, label, coords)
        body += [
            _point(index, label, value, at, y_kind)
            for value, at in zip(points, coords, strict=True)
        ]
    if marker is not None:
        body.append(_marker(box, x_of(marker[0]), marker))
    return _frame(name, title, len(ys), body, box)


def _marker(box: _Box, x: float, marker: tuple[float, str]) -> str:
    """A dashed vertical line at ``x`` with its label inside the plot's top, on the side
    with room for it."""
    value, label = marker
    left = x > (box.x0 + box.x1) / 2
    anchor, shift = ("end", -4) if left else ("start", 4)
    return (
        f'<line class="marker" data-x="{value:g}" x1="{x:.1f}" y1="{box.y1}" x2="{x:.1f}" '
        f'y2="{box.y0}" stroke="#000" stroke-width="1.5" stroke-dasharray="5 4"/>'
        f'<text class="marker-label" x="{x + shift:.1f}" y="{box.y1 + box.font + 2}" '
        f'text-anchor="{anchor}" font-size="{box.font}">{_filled(label, "marker label")}</text>'
    )


def _series(box: _Box, index: int, label: str, coords: Sequence[Point]) -> list[str]:
    """A series' line and its legend entry."""
    colour = PALETTE[index % len(PALETTE)]
    path = " ".join(f"{cx:.1f},{cy:.1f}" for cx, cy in coords)
    return [
        f'<polyline class="series" data-series="{escape(label)}" points="{path}" '
        f'fill="none" stroke="{colour}" stroke-width="2"/>',
        _legend(box, index, label, colour),
    ]


def _point(index: int, label: str, value: Point, at: Point, kind: Kind) -> str:
    colour = PALETTE[index % len(PALETTE)]
    (x, y), (cx, cy) = value, at
    return (
        f'<circle class="point" data-series="{escape(label)}" data-x="{x:g}" data-y="{y:g}" '
        f'cx="{cx:.1f}" cy="{cy:.1f}" r="3" fill="{colour}"><title>{escape(label)}: '
        f"{escape(value_label(y, kind))}</title></circle>"
    )


def bar_chart(
    bars: Sequence[tuple[str, float]],
    *,
    name: str,
    title: str,
    x_label: str,
    y_label: str,
    y_kind: Kind = "count",
    empty: str = EMPTY,
) -> Markup:
    """Vertical bars, each a ``<rect data-label data-value>`` with a tooltip, centred over its
    label (every n-th bar's, where all would overlap). Without bars, or with every bar at zero,
    the chart says ``empty``."""
    box = _BARS
    body = _frame_lines(box, x_label, y_label)
    if not any(value for _, value in bars):
        return _frame(name, title, 0, [*body, _empty(box, empty)], box)
    axis = _value_axis([value for _, value in bars], y_kind)
    slot = (box.x1 - box.x0) / len(bars)
    centres = [box.x0 + slot * (index + 0.5) for index in range(len(bars))]
    every = _label_every([label for label, _ in bars], slot, box.font)
    labels = [(centres[i], bars[i][0]) for i in range(0, len(bars), every)]
    body += _y_ticks(box, axis) + _x_ticks(box, labels)
    for (label, value), centre in zip(bars, centres, strict=True):
        top = _y(box, axis, value)
        body.append(
            f'<rect class="bar" data-label="{escape(label)}" data-value="{value:g}" '
            f'x="{centre - slot * 0.35:.1f}" y="{top:.1f}" width="{slot * 0.7:.1f}" '
            f'height="{box.y0 - top:.1f}" fill="{PALETTE[0]}"><title>{escape(label)}: '
            f"{escape(value_label(value, y_kind))}</title></rect>"
        )
    return _frame(name, title, len(bars), body, box)


def paired_bar_chart(
    groups: Sequence[tuple[str, float, float]],
    *,
    series: tuple[str, str],
    name: str,
    title: str,
    x_label: str,
    y_label: str,
    y_kind: Kind = "percent",
    empty: str = EMPTY,
) -> Markup:
    """Two bars side by side over each group's label (a reference and a current value, the
    two ``series``), each a ``<rect data-series data-label data-value>`` with a tooltip, and
    a legend. Without groups, or with every value at zero, the chart says ``empty``."""
    box = _LINES
    body = _frame_lines(box, x_label, y_label)
    values = [v for _, first, second in groups for v in (first, second)]
    if not any(values):
        return _frame(name, title, 0, [*body, _empty(box, empty)], box)
    axis = _value_axis(values, y_kind)
    slot = (box.x1 - box.x0) / len(groups)
    centres = [box.x0 + slot * (index + 0.5) for index in range(len(groups))]
    every = _label_every([label for label, _, _ in groups], slot, box.font)
    labels = [(centres[i], groups[i][0]) for i in range(0, len(groups), every)]
    body += _y_ticks(box, axis) + _x_ticks(box, labels)
    for side, legend in enumerate(series):
        colour = PALETTE[side]
        body.append(_legend(box, side, legend, colour))
        for (label, *pair), centre in zip(groups, centres, strict=True):
            value, top = pair[side], _y(box, axis, pair[side])
            body.append(
                f'<rect class="bar" data-series="{escape(legend)}" data-label="{escape(label)}" '
                f'data-value="{value:g}" x="{centre - slot * (0.4 - 0.4 * side):.1f}" '
                f'y="{top:.1f}" width="{slot * 0.4:.1f}" height="{box.y0 - top:.1f}" '
                f'fill="{colour}"><title>{escape(legend)}, {escape(label)}: '
                f"{escape(value_label(value, y_kind))}</title></rect>"
            )
    return _frame(name, title, len(values), body, box)


def _legend(box: _Box, index: int, label: str, colour: str) -> str:
    return (
        f'<rect x="{box.x1 + 10}" y="{box.y1 + 16 * index + 2}" width="10" height="10" '
        f'fill="{colour}"/><text class="legend" x="{box.x1 + 24}" '
        f'y="{box.y1 + 16 * index + 11}" font-size="{box.font}">{escape(label)}</text>'
    )


def _label_every(labels: Sequence[str], slot: float, font: int) -> int:
    """Label every n-th bar, so that labels never overlap (each under its own bar's centre)."""
    widest = max(len(label) for label in labels) * font * 0.62  # a sans-serif glyph's width
    return max(1, math.ceil(widest / (slot * 0.95)))
