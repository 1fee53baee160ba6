from __future__ import annotations

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
