"""Scoring merchants with a saved model: ``rate``, scoring's one rating path, on every
merchant's features as of a date (in a batch on DuckDB, or per Spark partition)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

import pandas as pd

from microlend.data import Dataset
from microlend.features import CATALOG, build_features
from microlend.scoring import RiskModel, rate

__all__ = ["batch_table", "merchant_features", "score_merchants"]


def merchant_features(dataset: Dataset, as_of: date) -> pd.DataFrame:
    """Every merchant onboarded before ``as_of``, its features as of that date, by merchant_id."""
    built = build_features(dataset, as_of=as_of).to_pandas()
    rows: pd.DataFrame = built.set_index("merchant_id").drop(columns=["as_of"])
    return rows


def score_merchants(
    model: RiskModel,
    dataset: Dataset,
    as_of: date,
    *,
    references: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """One row per merchant: PD, score, band, sub-scores and its top reasons (code, value and
    wording, amounts in the data's currency), as of ``as_of``. ``references``: the training
    medians a reason's value must lie beyond (``Improver.references_``, saved with the model)."""
    rows = merchant_features(dataset, as_of)
    return batch_table(model, rows, as_of, dataset.currency(), references=references)


def batch_table(
    model: RiskModel,
    rows: pd.DataFrame,
    as_of: date | Sequence[date],
    currency: str,
    *,
    references: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """The batch's output, on DuckDB and Spark alike: ``merchant_id``, ``as_of`` (one date,
    or one per row), then ``rate``'s flat table of ``rows`` (features by merchant id), its
    reasons worded with amounts in ``currency``."""
    table = rate(model, rows, CATALOG, currency=currency, references=references).table
    table.insert(0, "as_of", as_of)
    return table.reset_index(names="merchant_id")
