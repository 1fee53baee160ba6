"""The hand-drawn SVG charts, read back from their markup: nice ticks, bars on their ticks,
percentages capped at 100 %, months named, titles filled, and "No data yet" without data."""

from __future__ import annotations

import math
import re
from datetime import date
from decimal import Decimal

import pandas as pd
import pytest
from markupsafe import Markup

from microlend.dashboard._charts import (
    approval_chart,
    bucket_chart,
    calibration_chart,
    score_distribution_chart,
    vintage_chart,
)
from microlend.dashboard._palette import PALETTE
from microlend.dashboard._svg import bar_chart, line_chart
from microlend.dashboard._time_chart import time_chart
from microlend.ledger import Bucket
from microlend.monitoring import decisions_by_month, score_histogram
from microlend.service import PortfolioOverview
from microlend.service.portfolio._overview import BucketLine

_Y_TICK = re.compile(r'class="tick y" data-value="([^"]+)" x="[^"]+" y="([\d.]+)"[^>]*>([^<]*)<')
_X_TICK = re.compile(r'class="tick x" x="([\d.]+)"[^>]*>([^<]*)<')
_BAR = re.compile(
    r'class="bar" data-label="([^"]*)" data-value="[^"]*" '
    r'x="([\d.]+)" y="([\d.]+)" width="([\d.]+)"'
)


def _y_ticks(svg: str) -> list[tuple[float, float, str]]:
    """(value, pixel y of its gridline, label) of every value tick."""
    return [(float(v), float(y) - 4, label) for v, y, label in _Y_TICK.findall(svg)]


def _x_labels(svg: str) -> list[str]:
    return [label for _, label in _X_TICK.findall(svg)]


def _title(svg: str) -> str:
    found = re.search(r'class="chart-title"[^>]*>([^<]*)<', svg)
    assert found is not None
    return found[1]


def test_a_count_axis_has_whole_distinct_ticks_and_a_bar_of_3_reaches_the_3_tick() -> None:
    svg = bar_chart(
        [("current", 3), ("1-29", 1), ("30-59", 0)], name="b", title="t", x_label="x", y_label="y"
    )
    ticks = _y_ticks(svg)
    assert [label for _, _, label in ticks] == ["0", "1", "2", "3"]  # not 0, 1, 2, 2, 3
    grid = {value: y for value, y, _ in ticks}
    bars = {label: (float(x), float(y), float(w)) for label, x, y, w in _BAR.findall(svg)}
    assert bars["current"][1] == pytest.approx(grid[3.0], abs=0.1)
    assert bars["1-29"][1] == pytest.approx(grid[1.0], abs=0.1)
    centres = {label: float(x) for x, label in _X_TICK.findall(svg)}
    for label, (x, _, width) in bars.items():
        assert x + width / 2 == pytest.approx(centres[label], abs=0.1)  # centred on its label


def test_a_percent_axis_stops_at_100_percent_in_round_steps() -> None:
    months = pd.DataFrame(
        {
            "as_of": [date(2024, 1, 5)] * 13 + [date(2024, 2, 5)] * 2,
            "approved": [True] * 12 + [False] + [True, True],
            "score": [600.0] * 15,
        }
    )
    svg = approval_chart(decisions_by_month(months))
    ticks = _y_ticks(svg)
    assert [label for _, _, label in ticks] == ["0 %", "20 %", "40 %", "60 %", "80 %", "100 %"]
    assert max(value for value, _, _ in ticks) <= 1.0
    high = line_chart(
        {"s": [(0, 0.4), (1, 1.1)]},
        name="c",
        title="t",
        x_label="x",
        y_label="y",
        x_ticks=[(0, "a"), (1, "b")],
    )
    assert max(value for value, _, _ in _y_ticks(high)) == 1.0  # 110 % is impossible: no 110 % tick
    cy = [float(c) for c in re.findall(r'class="point"[^>]*cy="([\d.]+)"', high)]
    assert min(cy) >= 32  # drawn at the top edge, never above the plot


def test_the_approval_axis_names_its_months() -> None:
    days = [date(2023, 11, 20), date(2023, 12, 2), date(2024, 1, 8), date(2024, 2, 9)]
    decisions = pd.DataFrame(
        {"as_of": days, "approved": [True, False, True, True], "score": [600.0] * 4}
    )
    svg = approval_chart(decisions_by_month(decisions))
    assert _x_labels(svg) == ["Nov 2023", "Dec 2023", "Jan 2024", "Feb 2024"]
    assert "0 = first month" not in svg
    assert _title(svg) == "Approval rate by month"


def test_vintages_are_named_by_month_with_whole_months_on_book() -> None:
    vintages = pd.DataFrame(
        {
            "vintage": ["2024-01"] * 4 + ["2024-02"] * 3,
            "months_on_book": [0, 1, 2, 3, 0, 1, 2],
            "loans": [10] * 7,
            "defaults": [0, 0, 1, 1, 0, 1, 1],
            "default_rate": [0.0, 0.0, 0.1, 0.1, 0.0, 0.1, 0.1],
        }
    )
    svg = vintage_chart(vintages)
    assert re.findall(r'data-series="([^"]+)" points', svg) == ["Jan 2024", "Feb 2024"]
    assert _x_labels(svg) == ["0", "1", "2", "3"]
    assert [label for _, _, label in _y_ticks(svg)] == ["0 %", "2 %", "4 %", "6 %", "8 %", "10 %"]


def test_the_calibration_chart_draws_predicted_and_observed_of_groups_with_loans() -> None:
    nan = float("nan")
    svg = calibration_chart(
        ["excellent", "good", "fair"], [0.01, nan, 0.08], [0.02, nan, 0.05], by="score band"
    )
    assert 'data-points="4"' in svg  # the empty band is left out of both lines
    assert 'data-series="predicted"' in svg
    assert 'data-series="observed"' in svg
    assert _title(svg) == "Predicted vs observed default by score band"  # no "(...)" list
    assert _x_labels(svg) == ["excellent", "fair"]


def test_a_time_chart_places_points_by_date_under_month_names() -> None:
    points = [(date(2025, 1, 1), 600.0), (date(2025, 1, 11), 700.0), (date(2025, 3, 1), 650.0)]
    svg = time_chart(
        points, name="s", title="t", x_label="date", y_label="score", y_range=(350.0, 950.0)
    )
    assert 'data-points="3"' in svg
    xs = [
        float(x)
        for x in re.findall(r'class="point" data-x="[^"]+" data-y="[^"]+" cx="([\d.]+)"', svg)
    ]
    assert xs[0] < xs[1] < xs[2]
    assert (xs[1] - xs[0]) * 4 < xs[2] - xs[1]  # 10 days against 49: spaced by time, not rank
    assert _x_labels(svg) == ["Jan 2025", "Feb 2025", "Mar 2025"]
    values = [value for value, _, _ in _y_ticks(svg)]
    assert values == [400, 500, 600, 700, 800, 900]  # inside the fixed range, in steps of 100
    assert "score on 11 Jan 2025: 700" in svg  # each point's tooltip
    days = time_chart(
        [(date(2025, 1, 3), 1.0), (date(2025, 1, 9), 2.0)],
        name="d",
        title="t",
        x_label="date",
        y_label="y",
    )
    assert _x_labels(days) == ["3 Jan 2025", "9 Jan 2025"]  # under a month: the days


def _every_chart_empty() -> dict[str, Markup]:
    no_decisions = decisions_by_month(pd.DataFrame(columns=["as_of", "approved", "score"]))
    overview = PortfolioOverview(
        "USD",
        {},
        Decimal(0),
        Decimal(0),
        Decimal(0),
        Decimal(0),
        tuple(BucketLine(b, 0, Decimal(0)) for b in Bucket),
    )
    return {
        "buckets": bucket_chart(overview),
        "approvals": approval_chart(no_decisions),
        "scores": score_distribution_chart(score_histogram([])),
        "vintages": vintage_chart(
            pd.DataFrame(columns=["vintage", "months_on_book", "default_rate"])
        ),
        "calibration": calibration_chart(["a"], [math.nan], [math.nan], by="score band"),
        "time": time_chart([], name="s", title="Your sales", x_label="date", y_label="sales (USD)"),
    }


def test_every_chart_without_data_says_no_data_yet_under_its_title() -> None:
    for name, svg in _every_chart_empty().items():
        assert 'data-points="0"' in svg, name
        assert re.search(r'class="empty"[^>]*>No data yet<', svg), name
        assert 'class="point"' not in svg, name
        assert 'class="bar"' not in svg, name
        assert _title(svg).strip(), name
        labels = re.findall(r'class="axis-label [xy]"[^>]*>([^<]*)<', svg)
        assert len(labels) == 2, name
        assert all(label.strip() for label in labels), name


def test_a_chart_refuses_an_empty_title_or_axis_label() -> None:
    with pytest.raises(ValueError, match="title"):
        bar_chart([("a", 1)], name="b", title=" ", x_label="x", y_label="y")
    with pytest.raises(ValueError, match="y label"):
        time_chart([], name="s", title="t", x_label="date", y_label="")


def test_charts_use_only_the_colour_blind_safe_palette() -> None:
    svg = line_chart(
        {f"s{i}": [(0, 0.1 * i), (1, 0.05 * i)] for i in range(10)},
        name="c",
        title="t <&>",
        x_label="x",
        y_label="y",
        x_ticks=[(0, "a"), (1, "b")],
    )
    assert "t &lt;&amp;&gt;" in svg  # titles are escaped
    colours = set(re.findall(r'(?:fill|stroke)="(#[0-9A-Fa-f]{6})"', svg))
    assert colours - {"#444", "#e3e3e3"} <= set(PALETTE)
    assert len(colours & set(PALETTE)) == len(PALETTE)  # ten series cycle through all eight


def test_crowded_bar_labels_are_thinned_each_under_its_own_bar() -> None:
    svg = score_distribution_chart(score_histogram([400.0, 420.0, 610.0, 905.0]))
    labels = _X_TICK.findall(svg)
    assert [label for _, label in labels] == [
        "350\u2013400",
        "450\u2013500",
        "550\u2013600",
        "650\u2013700",
        "750\u2013800",
        "850\u2013900",
    ]
    bars = {label: float(x) + float(w) / 2 for label, x, _, w in _BAR.findall(svg)}
    assert len(bars) == 12
    for x, label in labels:
        assert float(x) == pytest.approx(bars[label], abs=0.1)
