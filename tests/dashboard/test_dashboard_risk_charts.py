"""The trade-off's and drift's charts: the cut-off marker where the cut-off is, paired bars of
both distributions on the PSI's bins, and words instead of blank frames when there is no data."""

from __future__ import annotations

import re
from decimal import Decimal
from html import unescape

import numpy as np

from microlend.dashboard._risk_charts import (
    distribution_chart,
    psi_month_chart,
    tradeoff_money_chart,
    tradeoff_rate_chart,
)
from microlend.dashboard._svg import line_chart, paired_bar_chart
from microlend.monitoring import Candidate, psi, tradeoff


def _attr(svg: str, tag: str, name: str) -> list[str]:
    return re.findall(rf'<{tag} class="[^"]*"[^>]*? {name}="([^"]*)"', svg)


def test_the_marker_sits_at_its_value_on_the_x_scale() -> None:
    svg = line_chart(
        {"a": [(0.0, 0.1), (10.0, 0.5)]},
        name="m",
        title="t",
        x_label="x",
        y_label="y",
        x_ticks=[(0.0, "0"), (10.0, "10")],
        marker=(2.5, "here"),
    )
    x0, x1 = (float(x) for x in re.findall(r'<circle class="point"[^>]*? cx="([^"]*)"', svg))
    line = re.search(r'<line class="marker" data-x="2.5" x1="([^"]*)"', svg)
    assert line is not None
    assert float(line[1]) == x0 + 0.25 * (x1 - x0)
    assert ">here</text>" in svg


def test_paired_bars_draw_both_series_or_say_no_data() -> None:
    svg = paired_bar_chart(
        [("a", 0.2, 0.4), ("b", 0.8, 0.6)],
        series=("before", "after"),
        name="p",
        title="t",
        x_label="x",
        y_label="y",
    )
    assert _attr(svg, "rect", "data-series") == ["before", "before", "after", "after"]
    assert _attr(svg, "rect", "data-value") == ["0.2", "0.8", "0.4", "0.6"]
    assert re.findall(r'class="legend"[^>]*>([^<]*)<', svg) == ["before", "after"]
    empty = paired_bar_chart(
        [], series=("before", "after"), name="p", title="t", x_label="x", y_label="y"
    )
    assert ">No data yet</text>" in empty
    assert "<rect class" not in empty


def test_the_trade_off_charts_mark_the_cut_off_or_say_there_are_no_applications() -> None:
    found = tradeoff(
        [Candidate(700, 0.05, Decimal(1000), Decimal("0.2"), Decimal("0.05"))],
        range(350, 951, 10),
        current=550,
        lgd=Decimal("0.85"),
        currency="USD",
    )
    for svg in (tradeoff_rate_chart(found), tradeoff_money_chart(found)):
        assert '<line class="marker" data-x="550"' in svg
        assert re.findall(r'class="tick x"[^>]*>([^<]*)<', svg) == [
            "400",
            "500",
            "600",
            "700",
            "800",
            "900",
        ]
    money = tradeoff_money_chart(found)
    assert "amount (USD)" in money
    nothing = tradeoff([], range(350, 951, 10), current=550, lgd=Decimal("0.85"), currency="USD")
    for svg in (tradeoff_rate_chart(nothing), tradeoff_money_chart(nothing)):
        assert ">No applications in the window yet</text>" in svg
        assert "marker" not in svg


def test_the_distribution_is_drawn_on_the_psi_s_own_bins() -> None:
    rng = np.random.default_rng(3)
    stability = psi(rng.normal(50_000, 9_000, 3_000), rng.normal(55_000, 9_000, 400), name="x")
    svg = distribution_chart("Sales", stability)
    found = re.findall(r'data-series="training"[^>]*data-value="([^"]*)"', svg)
    assert np.allclose([float(v) for v in found], stability.expected_share[:-1], atol=1e-6)
    labels = [unescape(x) for x in re.findall(r'data-series="training" data-label="([^"]*)"', svg)]
    assert labels[0].startswith("< ")
    assert labels[-1].startswith("\u2265 ")
    assert len(labels) == 10  # ten deciles; no missing bin where neither side has missing values
    assert "current (n = 400)" in svg


def test_a_month_under_the_minimum_is_left_off() -> None:
    rng = np.random.default_rng(4)
    base = rng.normal(size=1_000)
    months = [
        ("2025-01", psi(base, rng.normal(size=500), min_rows=300)),
        ("2025-02", psi(base, rng.normal(size=20), min_rows=300)),
    ]
    svg = psi_month_chart("Score", months, 300)
    assert re.findall(r'<circle class="point" data-series="PSI" data-x="([^"]*)"', svg) == [
        str(2025 * 12)
    ]
    none = psi_month_chart("Score", months[1:], 300)
    assert ">No month with 300 decisions yet</text>" in none
