"""Axis ticks a reader can trust: steps of 1, 2 or 5 times a power of ten, whole numbers for
counts, labels that never repeat, and months named as people name them ("Jan 2024").

Pure functions, no drawing: ``_svg`` places what these return.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Literal

__all__ = [
    "Kind",
    "month_index",
    "month_label",
    "month_ticks",
    "nice_step",
    "nice_ticks",
    "tick_label",
    "value_label",
]

#: What a value axis counts: whole ``count``s, ``percent``ages (fractions, never above 100 %),
#: or any other ``number`` (scores, amounts).
Kind = Literal["count", "percent", "number"]

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# Month steps of a date axis: every month, quarter, half year, year, and so on.
_MONTH_STEPS = (1, 2, 3, 6, 12, 24, 60, 120, 240)
# Floating-point slack when a bound is a multiple of the step (0.3 / 0.1 is 2.9999999999999996).
_EPS = 1e-9


def _steps(power: float) -> list[float]:
    return [m * power for m in (1, 2, 5)]


def nice_step(span: float, max_ticks: int, *, integer: bool = False) -> float:
    """The smallest step of 1, 2 or 5 times a power of ten (at least 1 when ``integer``) that
    cuts ``span`` into at most ``max_ticks - 1`` intervals."""
    raw = span / (max_ticks - 1)
    power = 10.0 ** math.floor(math.log10(raw)) if raw > 0 else 1.0
    for step in _steps(power) + _steps(power * 10):
        if step >= raw * (1 - _EPS) and (not integer or step >= 1):
            return step
    return 10 * power  # unreachable: 10 x power is always at least raw


def _count(lo: float, hi: float, step: float) -> tuple[int, int]:
    return math.floor(lo / step + _EPS), math.ceil(hi / step - _EPS)


def nice_ticks(lo: float, hi: float, max_ticks: int = 6, *, integer: bool = False) -> list[float]:
    """Evenly spaced ticks covering ``[lo, hi]`` (the first at or below ``lo``, the last at or
    above ``hi``), at most ``max_ticks`` of them, spaced by 1, 2 or 5 times a power of ten;
    with ``integer`` every tick is a whole number. An empty range is widened to show one step;
    ``max_ticks`` is at least 3."""
    # Two ticks cannot always cover a range around 0 at multiples of one step: three can.
    if max_ticks < 3:
        raise ValueError(f"an axis needs at least 3 ticks, got {max_ticks}")
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi < lo:
        raise ValueError(f"no ticks for the range {lo} to {hi}")
    if hi - lo <= 1e-9 * max(1.0, abs(lo), abs(hi)):  # one value, or float noise around it
        hi = lo + (abs(lo) / 10 if abs(lo) >= 10 else 1.0)
    step = nice_step(hi - lo, max_ticks, integer=integer)
    first, last = _count(lo, hi, step)
    while last - first + 1 > max_ticks:  # rounding the ends outwards added a tick
        step = nice_step(step * 1.5 * (max_ticks - 1), max_ticks, integer=integer)
        first, last = _count(lo, hi, step)
    places = _places(step) + 1
    return [round(k * step, places) + 0.0 for k in range(first, last + 1)]


def _places(step: float) -> int:
    """Decimal places that tell multiples of ``step`` apart."""
    return max(0, math.ceil(-math.log10(step) - _EPS))


def tick_label(value: float, step: float, kind: Kind) -> str:
    """A tick's label with just the decimals its ``step`` needs (so no two labels are equal):
    ``1,200``, ``0.5``, ``20 %`` or ``2.5 %``."""
    if kind == "count":
        return f"{value:,.0f}"
    if kind == "percent":
        return f"{value * 100:,.{_places(step * 100)}f} %"
    return f"{value:,.{_places(step)}f}"


def value_label(value: float, kind: Kind) -> str:
    """A data point's own value, for its tooltip: ``12.3 %``, ``1,204`` or ``12.50``."""
    if kind == "percent":
        return f"{value * 100:.1f} %"
    if kind == "count" or value == round(value):
        return f"{value:,.0f}"
    return f"{value:,.2f}"


def month_index(day: date) -> int:
    """Months since year 0: consecutive months are consecutive numbers."""
    return day.year * 12 + day.month - 1


def month_label(index: int) -> str:
    """``Jan 2024`` for the month ``month_index`` gives that number."""
    return f"{_MONTHS[index % 12]} {index // 12}"


def month_ticks(first: int, last: int, max_ticks: int) -> list[int]:
    """Month numbers to label between ``first`` and ``last`` (``month_index``): every month,
    quarter, half year or year (January), the finest that gives at most ``max_ticks``."""
    for step in _MONTH_STEPS:
        ticks = [m for m in range(first, last + 1) if m % step == 0]
        if len(ticks) <= max_ticks:
            return ticks or [first]
    return [first]
