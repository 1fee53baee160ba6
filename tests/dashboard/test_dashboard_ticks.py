"""``nice_ticks``: every axis's ticks cover the range in steps of 1, 2 or 5 times a power of
ten, whole for counts, with labels that never repeat; months are named."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from microlend.dashboard._ticks import (
    month_label,
    month_ticks,
    nice_ticks,
    tick_label,
)

_values = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)


def _is_nice(step: float) -> bool:
    """``step`` is 1, 2 or 5 times a power of ten."""
    power = 10.0 ** math.floor(math.log10(step) + 1e-9)
    return any(math.isclose(step, m * power, rel_tol=1e-6) for m in (1, 2, 5, 10))


@given(_values, _values, st.integers(min_value=3, max_value=12))
def test_ticks_cover_the_range_in_nice_steps(a: float, b: float, most: int) -> None:
    lo, hi = min(a, b), max(a, b)
    ticks = nice_ticks(lo, hi, most)
    assert 2 <= len(ticks) <= most
    noise = 1e-9 * max(1.0, abs(lo), abs(hi))  # float rounding, far below a pixel
    assert ticks[0] <= lo + noise
    assert ticks[-1] >= hi - noise
    steps = [later - earlier for earlier, later in itertools.pairwise(ticks)]
    assert all(math.isclose(s, steps[0], rel_tol=1e-6, abs_tol=1e-9) for s in steps)
    assert _is_nice(steps[0])
    labels = [tick_label(t, steps[0], "number") for t in ticks]
    assert len(set(labels)) == len(labels)


@given(st.integers(min_value=0, max_value=100_000), st.integers(min_value=3, max_value=10))
def test_count_ticks_are_whole_numbers_without_repeats(high: int, most: int) -> None:
    ticks = nice_ticks(0, high, most, integer=True)
    assert all(t == int(t) for t in ticks)
    assert ticks[0] == 0
    assert ticks[-1] >= high
    labels = [tick_label(t, ticks[1] - ticks[0], "count") for t in ticks]
    assert len(set(labels)) == len(labels)


@given(st.floats(min_value=0, max_value=1), st.integers(min_value=3, max_value=10))
def test_rate_ticks_never_pass_100_percent(high: float, most: int) -> None:
    ticks = nice_ticks(0, high, most)
    assert ticks[-1] <= 1.0
    labels = [tick_label(t, ticks[1] - ticks[0], "percent") for t in ticks]
    assert len(set(labels)) == len(labels)


def test_the_issues_axes_come_out_right() -> None:
    assert nice_ticks(0, 3, 6, integer=True) == [0, 1, 2, 3]  # not 0, 1, 2, 2, 3
    rates = nice_ticks(0, 0.92, 6)
    assert [tick_label(t, 0.2, "percent") for t in rates] == [
        "0 %",
        "20 %",
        "40 %",
        "60 %",
        "80 %",
        "100 %",
    ]
    assert [tick_label(t, 0.005, "percent") for t in nice_ticks(0, 0.012, 4)] == [
        "0.0 %",
        "0.5 %",
        "1.0 %",
        "1.5 %",
    ]
    assert nice_ticks(0, 0, 6, integer=True) == [0, 1]  # nothing yet: one step shown
    assert tick_label(12_000, 2_000, "number") == "12,000"


def test_an_axis_needs_two_ticks_and_a_range() -> None:
    with pytest.raises(ValueError, match="at least 3 ticks"):
        nice_ticks(0, 1, 2)
    with pytest.raises(ValueError, match="no ticks"):
        nice_ticks(2, 1)
    with pytest.raises(ValueError, match="no ticks"):
        nice_ticks(0, math.nan)


def test_months_are_named_and_thinned_to_quarters_and_years() -> None:
    jan_2024 = 2024 * 12
    assert month_label(jan_2024) == "Jan 2024"
    assert month_label(jan_2024 - 1) == "Dec 2023"
    assert [month_label(m) for m in month_ticks(jan_2024, jan_2024 + 3, 6)] == [
        "Jan 2024",
        "Feb 2024",
        "Mar 2024",
        "Apr 2024",
    ]
    quarters = month_ticks(jan_2024 + 1, jan_2024 + 13, 4)
    assert [month_label(m) for m in quarters] == ["Apr 2024", "Jul 2024", "Oct 2024", "Jan 2025"]
    years = month_ticks(jan_2024, jan_2024 + 60, 6)
    assert [month_label(m) for m in years] == [f"Jan {y}" for y in range(2024, 2030)]
