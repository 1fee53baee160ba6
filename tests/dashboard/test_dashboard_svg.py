from __future__ import annotations

from microlend.dashboard._charts import calibration_chart
from microlend.dashboard._svg import bar_chart, line_chart


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
