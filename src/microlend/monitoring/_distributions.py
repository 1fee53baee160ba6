"""Approvals and scores over time: what the lender decided, month by month."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = ["decisions_by_month", "score_histogram"]


def decisions_by_month(decisions: pd.DataFrame) -> pd.DataFrame:
    """Applications, approvals, approval rate and score quantiles per month of decision.

    ``decisions`` has ``as_of`` (a date), ``approved`` (bool) and ``score``. Returns
    ``month`` (YYYY-MM), ``applications``, ``approved``, ``approval_rate``, ``score_p10``,
    ``score_median`` and ``score_p90``, in month order.
    """
    columns = [
        "month",
        "applications",
        "approved",
        "approval_rate",
        "score_p10",
        "score_median",
        "score_p90",
    ]
    if decisions.empty:
        return pd.DataFrame(columns=columns)
    month = pd.to_datetime(decisions["as_of"]).dt.strftime("%Y-%m")
    grouped = decisions.assign(month=month).groupby("month", sort=True)
    table = grouped.agg(
        applications=("approved", "size"),
        approved=("approved", "sum"),
        score_p10=("score", lambda s: s.quantile(0.1)),
        score_median=("score", "median"),
        score_p90=("score", lambda s: s.quantile(0.9)),
    ).reset_index()
    table["approved"] = table["approved"].astype(np.int64)
    table["approval_rate"] = table["approved"] / table["applications"]
    return table[columns]


def score_histogram(
    scores: npt.ArrayLike, *, low: int = 350, high: int = 950, bins: int = 12
) -> pd.DataFrame:
    """Counts of scores in ``bins`` equal bins over ``[low, high]``: ``lower``, ``upper``,
    ``count``, ``share``."""
    values = np.asarray(scores, dtype=np.float64)
    counts, edges = np.histogram(values, bins=bins, range=(low, high))
    total = max(int(counts.sum()), 1)
    return pd.DataFrame(
        {"lower": edges[:-1], "upper": edges[1:], "count": counts, "share": counts / total}
    )
