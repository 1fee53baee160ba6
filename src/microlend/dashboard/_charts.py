"""The monitoring tables drawn as SVG charts (computation stays in service and monitoring); the
model report draws its calibration with the same ``calibration_chart``."""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd
from markupsafe import Markup

from microlend.dashboard._svg import bar_chart, line_chart, time_chart
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
        [(str(line.bucket), float(line.loans)) for line in overview.buckets],
        name="buckets",
        title="Loans by delinquency bucket",
        x_label="days past due",
        y_label="loans",
    )


def approval_chart(decisions: pd.DataFrame) -> Markup:
    months = list(decisions["month"])
    rate = [(float(i), float(r)) for i, r in enumerate(decisions["approval_rate"])]
    return line_chart(
        {"approval rate": rate},
        name="approvals",
        title=f"Approval rate by month ({', '.join(months[:1] + months[-1:])})",
        x_label="month (0 = first month shown)",
        y_label="approved",
    )


def score_distribution_chart(scores: pd.DataFrame) -> Markup:
    return bar_chart(
        [(f"{lo:.0f}", float(n)) for lo, n in zip(scores["lower"], scores["count"], strict=True)],
        name="scores",
        title="Scores of the decisions (350-950)",
        x_label="score from",
        y_label="decisions",
    )


def vintage_chart(vintages: pd.DataFrame) -> Markup:
    series = {
        str(vintage): [
            (float(m), float(r))
            for m, r in zip(rows["months_on_book"], rows["default_rate"], strict=True)
        ]
        for vintage, rows in vintages.groupby("vintage", sort=True)
    }
    return line_chart(
        series,
        name="vintages",
        title="Cumulative default rate by month of funding",
        x_label="months on book",
        y_label="defaulted",
        y_format=".1%",
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
        title=f"Predicted vs observed default by {by} ({', '.join(g for g, _, _ in shown)})",
        x_label=by,
        y_label="default rate",
        y_format=".1%",
    )


def merchant_score_chart(view: MerchantView, scale: ScoreScale) -> Markup:
    """The merchant's score at each of its decisions, on the whole scale."""
    return time_chart(
        [(point.as_of, float(point.score)) for point in view.history],
        name="score-history",
        title="Your score at each of our decisions",
        y_label=f"score ({scale.low}-{scale.high})",
        y_range=(float(scale.low), float(scale.high)),
    )


def merchant_sales_chart(view: MerchantView) -> Markup:
    """The merchant's sales of the 30 days before each decision (left out where unknown)."""
    return time_chart(
        [(p.as_of, float(p.sales_30d)) for p in view.history if p.sales_30d is not None],
        name="sales-history",
        title="Your sales in the 30 days before each decision",
        y_label=f"sales ({view.currency})",
    )
