"""The monitoring tables drawn as SVG charts (computation stays in service and monitoring)."""

from __future__ import annotations

import math

import pandas as pd
from markupsafe import Markup

from microlend.dashboard._svg import bar_chart, line_chart
from microlend.service import PortfolioOverview

__all__ = [
    "approval_chart",
    "bucket_chart",
    "calibration_chart",
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


def calibration_chart(calibration: pd.DataFrame) -> Markup:
    shown = calibration[calibration["loans"] > 0]
    points = {
        column: [
            (float(i), float(v)) for i, v in enumerate(shown[column]) if not math.isnan(float(v))
        ]
        for column in ("predicted", "observed")
    }
    return line_chart(
        points,
        name="calibration",
        title=f"Predicted vs observed default by band ({', '.join(shown['band'])})",
        x_label="score band, best first",
        y_label="default rate",
        y_format=".1%",
    )
