from __future__ import annotations

import re
from datetime import date

from microlend.dashboard._charts import calibration_chart
from microlend.dashboard._svg import bar_chart, line_chart, time_chart


def test_a_line_chart_marks_every_point_with_its_data() -> None:
    svg = line_chart(
        {"2025-01": [(0, 0.0), (1, 0.1)], "2025-02": [(0, 0.05)]},
        name="vintages",
        title="t <&>",
        x_label="x",
        y_label="y",
    )
    assert 'data-chart="vintages"' in svg
    assert 'data-points="3"' in svg
    assert svg.count('class="point"') == 3
    assert 'data-y="0.1"' in svg
    assert "t &lt;&amp;&gt;" in svg  # titles are escaped


def test_a_bar_chart_marks_every_bar() -> None:
    svg = bar_chart([("current", 5), ("1-29", 2)], name="b", title="t", x_label="x", y_label="y")
    assert svg.count('class="bar"') == 2
    assert 'data-value="5"' in svg


def test_the_calibration_chart_draws_predicted_and_observed_of_groups_with_loans() -> None:
    nan = float("nan")
    svg = calibration_chart(
        ["excellent", "good", "fair"], [0.01, nan, 0.08], [0.02, nan, 0.05], by="score band"
    )
    assert 'data-chart="calibration"' in svg
    assert 'data-points="4"' in svg  # the empty band is left out of both lines
    assert 'data-series="predicted"' in svg
    assert 'data-series="observed"' in svg
    assert "by score band (excellent, fair)" in svg


def test_a_time_chart_places_points_by_date_on_a_fixed_range_with_date_ticks() -> None:
    points = [(date(2025, 1, 1), 600.0), (date(2025, 1, 11), 700.0), (date(2025, 3, 1), 650.0)]
    svg = time_chart(points, name="s", title="t", y_label="score", y_range=(350.0, 950.0))
    assert 'data-points="3"' in svg
    xs = [
        float(x)
        for x in re.findall(r'class="point" data-x="[^"]+" data-y="[^"]+" cx="([\d.]+)"', svg)
    ]
    assert xs[0] < xs[1] < xs[2]
    assert (xs[1] - xs[0]) * 4 < xs[2] - xs[1]  # 10 days against 49: spaced by time, not rank
    assert re.findall(r'class="tick"[^>]*>([\d-]+)<', svg) == [
        "2025-01-01",
        "2025-01-11",
        "2025-03-01",
    ]
    assert ">350<" in svg
    assert ">950<" in svg  # the axis spans the range given, not the data
    assert "score on 2025-01-11: 700" in svg  # each point's tooltip


def test_a_time_chart_without_points_says_so() -> None:
    svg = time_chart([], name="s", title="t", y_label="sales (USD)")
    assert 'data-points="0"' in svg
    assert 'class="point"' not in svg
    assert "No data yet" in svg
