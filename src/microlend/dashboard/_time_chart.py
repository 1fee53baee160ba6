"""A chart of one series over dates (``time_chart``), drawn as ``_svg``'s charts are: the same
frame, value axis and tooltips, with dates for its horizontal axis (month starts, or a short
span's first and last days). Apart from ``_svg`` only to keep each module short.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from html import escape

from markupsafe import Markup

from microlend.dashboard._palette import PALETTE
from microlend.dashboard._svg import (
    EMPTY,
    _Box,
    _empty,
    _frame,
    _frame_lines,
    _scale,
    _value_axis,
    _x_ticks,
    _y,
    _y_ticks,
)
from microlend.dashboard._ticks import Kind, month_index, month_label, month_ticks, value_label

__all__ = ["time_chart"]

# A time chart is narrower than the others, with larger type: it is read on a phone too.
_TIME = _Box(480, 270, 76, 24, 34, 46, 13)


def _x_of(day: date, dates: Sequence[date]) -> float:
    box = _TIME
    if len(set(dates)) < 2:
        return (box.x0 + box.x1) / 2
    # Inset by a margin so the first and last date labels stay inside the frame.
    inset = 40
    first, last = min(dates).toordinal(), max(dates).toordinal()
    return _scale(day.toordinal(), first, last, box.x0 + inset, box.x1 - inset)


def _day_label(day: date) -> str:
    return f"{day.day} {month_label(month_index(day))}"


def _date_ticks(dates: Sequence[date]) -> list[tuple[float, str]]:
    """Month starts inside the dates' span, named ("Jan 2025"), at most five; a span of less
    than two month starts is labelled by its first and last days ("5 Jan 2025")."""
    first, last = min(dates), max(dates)
    start = month_index(first) + (0 if first.day == 1 else 1)
    months = month_ticks(start, month_index(last), 5) if start <= month_index(last) else []
    if len(months) >= 2:
        return [(_x_of(date(m // 12, m % 12 + 1, 1), dates), month_label(m)) for m in months]
    return [(_x_of(day, dates), _day_label(day)) for day in sorted({first, last})]


def time_chart(
    points: Sequence[tuple[date, float]],
    *,
    name: str,
    title: str,
    x_label: str,
    y_label: str,
    y_kind: Kind = "number",
    y_range: tuple[float, float] | None = None,
    empty: str = EMPTY,
) -> Markup:
    """One series over dates, each point a ``<circle data-x=ISO-date data-y>`` with a
    tooltip; ``y_range`` fixes the vertical axis (else it runs from 0 to the nice tick at or
    above the largest value). Without points, the frame says ``empty``."""
    box = _TIME
    body = _frame_lines(box, x_label, y_label)
    if not points:
        return _frame(name, title, 0, [*body, _empty(box, empty)], box)
    dates = [day for day, _ in points]
    axis = _value_axis([value for _, value in points], y_kind, y_range)
    body += _y_ticks(box, axis) + _x_ticks(box, _date_ticks(dates))
    coords = [(_x_of(day, dates), _y(box, axis, value)) for day, value in points]
    if len(coords) > 1:
        path = " ".join(f"{cx:.1f},{cy:.1f}" for cx, cy in coords)
        body.append(
            f'<polyline class="series" points="{path}" fill="none" stroke="{PALETTE[0]}" '
            'stroke-width="2"/>'
        )
    for (day, value), (cx, cy) in zip(points, coords, strict=True):
        body.append(
            f'<circle class="point" data-x="{day.isoformat()}" data-y="{value:g}" '
            f'cx="{cx:.1f}" cy="{cy:.1f}" r="4" fill="{PALETTE[0]}"><title>{escape(y_label)} '
            f"on {_day_label(day)}: {escape(value_label(value, y_kind))}</title></circle>"
        )
    return _frame(name, title, len(points), body, box)
