"""The monitoring tables drawn as SVG charts (computation stays in service and monitoring); the
model report draws its calibration with the same ``calibration_chart``. Months are named
("Jan 2024") on every axis and legend that shows them; rates are on percentage axes."""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd
from markupsafe import Markup

from microlend.dashboard._svg import bar_chart, line_chart
from microlend.dashboard._ticks import month_label, month_ticks, nice_ticks
from microlend.dashboard._time_chart import time_chart
from microlend.scoring import ScoreScale
from microlend.service import MerchantView, PortfolioOverview

__all__ = [
    "approval_chart",
    "bucket_chart",
    "calibration_chart",
    "merchant_sales_chart",
    "merchant_score_chart",
    "score_distribution_chart",
    "vintage_chart",
]


def bucket_chart(overview: PortfolioOverview) -> Markup:
    return bar_chart(
        [(line.bucket.value.replace("_", " "), float(line.loans)) for line in overview.buckets],
        name="buckets",
        title="Loans by delinquency bucket",
        x_label="days past due",
        y_label="loans",
    )


def _month_number(month: str) -> int:
    """``2024-03`` (a ``YYYY-MM`` label of monitoring's tables) as ``month_index`` numbers it."""
    year, number = month.split("-")
    return int(year) * 12 + int(number) - 1


def _month_axis(months: Sequence[int]) -> list[tuple[float, str]]:
    """Month names under a monthly axis: every month, quarter, half or year, six at most."""
    if not months:
        return []
    return [(float(m), month_label(m)) for m in month_ticks(min(months), max(months), 6)]


def approval_chart(decisions: pd.DataFrame) -> Markup:
    months = [_month_number(str(m)) for m in decisions["month"]]
    rate = [(float(m), float(r)) for m, r in zip(months, decisions["approval_rate"], strict=True)]
    return line_chart(
        {"approval rate": rate},
        name="approvals",
        title="Approval rate by month",
        x_label="month of the decision",
        y_label="approved (share of applications)",
        x_ticks=_month_axis(months),
        x_pad=0.5,
    )


def score_distribution_chart(scores: pd.DataFrame) -> Markup:
    return bar_chart(
        [
            (f"{lo:.0f}\u2013{hi:.0f}", float(n))
            for lo, hi, n in zip(scores["lower"], scores["upper"], scores["count"], strict=True)
        ],
        name="scores",
        title="Scores of the decisions",
        x_label="score",
        y_label="decisions",
    )


def vintage_chart(vintages: pd.DataFrame) -> Markup:
    series = {
        month_label(_month_number(str(vintage))): [
            (float(m), float(r))
            for m, r in zip(rows["months_on_book"], rows["default_rate"], strict=True)
        ]
        for vintage, rows in vintages.groupby("vintage", sort=True)
    }
    last = max([x for points in series.values() for x, _ in points], default=1.0)
    ticks = nice_ticks(0.0, last, 8, integer=True)
    return line_chart(
        series,
        name="vintages",
        title="Cumulative default rate by month of funding",
        x_label="months on book",
        y_label="defaulted (share of loans)",
        x_ticks=[(t, f"{t:.0f}") for t in ticks],
    )


def calibration_chart(
    groups: Sequence[str], predicted: Sequence[float], observed: Sequence[float], *, by: str
) -> Markup:
    """Predicted against observed default rate, group by group (the book's score bands, or the
    deciles of predicted PD on a model's test), as the one calibration chart of the pages and
    the model report. A group without an observed rate (NaN: no loans) is left out."""
    shown = [
        (group, p, o)
        for group, p, o in zip(groups, predicted, observed, strict=True)
        if not (math.isnan(p) or math.isnan(o))
    ]
    return line_chart(
        {
            "predicted": [(float(i), float(p)) for i, (_, p, _) in enumerate(shown)],
            "observed": [(float(i), float(o)) for i, (_, _, o) in enumerate(shown)],
        },
        name="calibration",
        title=f"Predicted vs observed default by {by}",
        x_label=by,
        y_label="default rate",
        x_ticks=[(float(i), group) for i, (group, _, _) in enumerate(shown)],
        x_pad=0.5,
    )


def merchant_score_chart(view: MerchantView, scale: ScoreScale) -> Markup:
    """The merchant's score at each of its decisions, on the whole scale."""
    return time_chart(
        [(point.as_of, float(point.score)) for point in view.history],
        name="score-history",
        title="Your score at each of our decisions",
        x_label="date of the decision",
        y_label=f"score ({scale.low}-{scale.high})",
        y_range=(float(scale.low), float(scale.high)),
    )


def merchant_sales_chart(view: MerchantView) -> Markup:
    """The merchant's sales of the 30 days before each decision (left out where unknown)."""
    return time_chart(
        [(p.as_of, float(p.sales_30d)) for p in view.history if p.sales_30d is not None],
        name="sales-history",
        title="Your sales in the 30 days before each decision",
        x_label="date of the decision",
        y_label=f"sales ({view.currency})",
    )
