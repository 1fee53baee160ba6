"""Helpers of the scoring tests: a small synthetic merchant table, its catalog, and a real
LightGBM PD model (Platt-calibrated) behind scoring's ``RiskModel`` protocol.

A module with a unique name (not ``conftest``) so test files can import it unambiguously."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from microlend.features.catalog import Dimension, FeatureSpec, Unit, Wording

CATALOG: tuple[FeatureSpec, ...] = (
    FeatureSpec(
        "refund_rate",
        "Share of orders refunded",
        Unit.SHARE,
        1,
        Dimension.SATISFACTION,
        Wording("{value} of your orders were refunded", "you received no orders"),
        actionable=True,
    ),
    FeatureSpec(
        "late_shipment_rate",
        "Share of orders shipped late",
        Unit.SHARE,
        1,
        Dimension.FULFILMENT,
        Wording("{value} of your orders shipped late", "no order of yours was due to ship"),
        actionable=True,
    ),
    FeatureSpec(
        "avg_rating",
        "Average customer rating",
        Unit.STARS,
        -1,
        Dimension.SATISFACTION,
        Wording(
            "your customers rated you {value} on average",
            "you have no reviews yet",
            adverse="your customers rated you only {value} on average",
        ),
        actionable=True,
    ),
    FeatureSpec(
        "sales_growth",
        "Growth of sales over 90 days",
        Unit.CHANGE,
        -1,
        Dimension.SCALE_GROWTH,
        Wording(
            "your sales grew by {value}",
            "you made no sales before to compare with",
            adverse="your sales grew by only {value}",
            fall="your sales fell by {value}",
            zero="your sales did not change",
        ),
    ),
    FeatureSpec(
        "sales_volatility",
        "Week-to-week swing of sales",
        Unit.RATIO,
        1,
        Dimension.STABILITY,
        Wording("your weekly sales typically moved {value} away from their average", "no sales"),
    ),
    FeatureSpec(
        "tenure_days",
        "Days since onboarding",
        Unit.DAYS,
        -1,
        Dimension.HISTORY,
        Wording(
            "you joined {value} ago",
            "we do not know when you joined",
            adverse="you joined only {value} ago",
        ),
    ),
)
FEATURES = [spec.name for spec in CATALOG]


def merchants(n: int, seed: int) -> tuple[pd.DataFrame, npt.NDArray[np.int64]]:
    """Synthetic merchants and defaults; tenure has by far the largest effect on risk."""
    rng = np.random.default_rng(seed)
    rows = pd.DataFrame(
        {
            "refund_rate": rng.beta(2, 30, n),
            "late_shipment_rate": rng.beta(2, 15, n),
            "avg_rating": np.clip(rng.normal(4.3, 0.35, n), 1, 5),
            "sales_growth": rng.normal(0.05, 0.2, n),
            "sales_volatility": rng.gamma(2, 0.15, n),
            "tenure_days": rng.integers(10, 1500, n).astype(np.float64),
        },
        index=pd.Index([f"m{i:05d}" for i in range(n)], name="merchant_id"),
    )
    logit = (
        -3.2
        + 30 * (rows["refund_rate"] - 0.06)
        + 10 * (rows["late_shipment_rate"] - 0.12)
        - 1.5 * (rows["avg_rating"] - 4.3)
        - 2.0 * rows["sales_growth"]
        + 1.5 * (rows["sales_volatility"] - 0.3)
        - 1.5 * (rows["tenure_days"] / 365 - 2)
    )
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.int64)
    return rows, y
