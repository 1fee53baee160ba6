"""Loan performance: vintage curves, roll rates between delinquency buckets, calibration by band.

Each function takes plain tables (one row per loan, per month-end snapshot or per rated loan)
and returns a table; drawing them is the dashboard's business.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import numpy.typing as npt
import pandas as pd

from microlend.ledger import Bucket
from microlend.scoring import ScoreScale

__all__ = ["BUCKET_ORDER", "calibration_by_band", "roll_rates", "vintage_curves"]

#: Buckets from best to worst, the order of a roll-rate matrix's rows and columns.
BUCKET_ORDER: tuple[str, ...] = tuple(b.value for b in Bucket)


def _month_index(values: pd.Series) -> pd.Series:
    """Months since year 0 of each date: differences are whole months on book."""
    stamps = pd.to_datetime(values)
    return stamps.dt.year * 12 + stamps.dt.month - 1


def vintage_curves(loans: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Cumulative share of each vintage's loans defaulted by each month on book.

    ``loans`` has ``disbursed_on`` and ``defaulted_on`` (missing when the loan has not
    defaulted). A vintage is the month of funding; month on book ``m`` is shown only once it
    has been observed in full or in part by ``as_of``, so young vintages have short curves.
    Returns ``vintage`` (YYYY-MM), ``months_on_book``, ``loans``, ``defaults`` (cumulative)
    and ``default_rate``.
    """
    columns = ["vintage", "months_on_book", "loans", "defaults", "default_rate"]
    funded = loans.dropna(subset=["disbursed_on"])
    if funded.empty:
        return pd.DataFrame(columns=columns)
    start = _month_index(funded["disbursed_on"])
    ended = _month_index(funded["defaulted_on"]) - start
    last = int(_month_index(pd.Series([as_of])).iloc[0])
    rows = []
    for month, members in start.groupby(start):
        lag = ended.loc[members.index]
        for mob in range(last - int(month) + 1):
            defaults = int((lag <= mob).sum())
            rows.append((_label(int(month)), mob, len(members), defaults, defaults / len(members)))
    return pd.DataFrame(rows, columns=columns)


def _label(month_index: int) -> str:
    return f"{month_index // 12:04d}-{month_index % 12 + 1:02d}"


def roll_rates(history: pd.DataFrame) -> pd.DataFrame:
    """Month-to-month transition matrix between delinquency buckets.

    ``history`` has ``loan_id``, ``aged_on`` and ``bucket``, one row per end of day. Each loan's
    last snapshot in a month is paired with its last snapshot in the next month; cell
    ``(from, to)`` is the share of loans in ``from`` at one month end found in ``to`` at the
    next (rows sum to 1; rows with no loans are all zero). Written-off loans stay written off.
    """
    empty = pd.DataFrame(0.0, index=list(BUCKET_ORDER), columns=list(BUCKET_ORDER))
    if history.empty:
        return empty
    frame = history.assign(month=_month_index(history["aged_on"]))
    month_end = frame.sort_values("aged_on").groupby(["loan_id", "month"]).last().reset_index()
    following = month_end.assign(month=month_end["month"] - 1)
    pairs = month_end.merge(following, on=["loan_id", "month"], suffixes=("_from", "_to"))
    counts = pd.crosstab(pairs["bucket_from"], pairs["bucket_to"])
    counts = counts.reindex(index=list(BUCKET_ORDER), columns=list(BUCKET_ORDER), fill_value=0)
    totals = counts.sum(axis=1).replace(0, np.nan)
    shares: pd.DataFrame = counts.div(totals, axis=0).fillna(0.0)
    shares.index.name, shares.columns.name = "from", "to"
    return shares


def calibration_by_band(
    pd_values: npt.ArrayLike, defaulted: npt.ArrayLike, scale: ScoreScale | None = None
) -> pd.DataFrame:
    """Predicted against observed default by score band, best band first.

    Returns ``band``, ``floor``, ``loans``, ``predicted`` (mean PD), ``observed`` (default
    rate; NaN for a band with no loans) and ``defaults``.
    """
    scale = scale or ScoreScale()
    predicted = np.asarray(pd_values, dtype=np.float64)
    outcome = np.asarray(defaulted, dtype=np.float64)
    if predicted.shape != outcome.shape:
        raise ValueError(f"{predicted.size} PDs but {outcome.size} outcomes")
    names = [scale.band_name(int(r)) for r in scale.band_rank(scale.score(predicted))]
    frame = pd.DataFrame({"band": names, "pd": predicted, "defaulted": outcome})
    grouped = frame.groupby("band").agg(
        loans=("pd", "size"), predicted=("pd", "mean"), defaults=("defaulted", "sum")
    )
    table = grouped.reindex([band.name for band in scale.bands])
    table["loans"] = table["loans"].fillna(0).astype(np.int64)
    table["defaults"] = table["defaults"].fillna(0).astype(np.int64)
    table["observed"] = table["defaults"] / table["loans"].replace(0, np.nan)
    table["floor"] = [band.floor for band in scale.bands]
    ordered: pd.DataFrame = table.reset_index(names="band")[
        ["band", "floor", "loans", "predicted", "observed", "defaults"]
    ]
    return ordered
