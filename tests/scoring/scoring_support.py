"""Helpers of the scoring tests: a small synthetic merchant table, its catalog, and a real
LightGBM PD model (Platt-calibrated) behind scoring's ``RiskModel`` protocol.

A module with a unique name (not ``conftest``) so test files can import it unambiguously."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from microlend.features.catalog import Dimension, FeatureSpec

CATALOG: tuple[FeatureSpec, ...] = (
    FeatureSpec(
        "refund_rate",
        "Share of orders refunded",
        "share",
        1,
        Dimension.SATISFACTION,
        "many of your orders are refunded",
        actionable=True,
    ),
    FeatureSpec(
        "late_shipment_rate",
        "Share of orders shipped late",
        "share",
        1,
        Dimension.FULFILMENT,
        "many of your orders ship late",
        actionable=True,
    ),
    FeatureSpec(
        "avg_rating",
        "Average customer rating",
        "stars",
        -1,
        Dimension.SATISFACTION,
        "your customers rate you low",
        actionable=True,
    ),
    FeatureSpec(
        "sales_growth",
        "Growth of sales over 90 days",
        "share",
        -1,
        Dimension.SCALE_GROWTH,
        "your sales are shrinking",
    ),
    FeatureSpec(
        "sales_volatility",
        "Week-to-week swing of sales",
        "ratio",
        1,
        Dimension.STABILITY,
        "your sales swing a lot",
    ),
    FeatureSpec(
        "tenure_days",
        "Days since onboarding",
        "days",
        -1,
        Dimension.HISTORY,
        "you are new on the marketplace",
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
