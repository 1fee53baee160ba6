"""The online side of rating: every merchant's features and rating as of one business date.

The decision api answers from a ``FeatureSnapshot``: the same ``merchant_features`` table the
batch path builds (every merchant, as of the business date, peers included), rated in one batch
by scoring's ``rate`` (the batch's own rating path) when the snapshot is taken, what would
raise each score included (searched for the whole population at once, by the improver saved
with the model). A request then costs a dictionary look-up and the policy, and its answer is the
batch path's answer for that date by construction. The api takes a new snapshot when the
business date changes or on request.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from microlend.data import Dataset
from microlend.errors import NotFoundError
from microlend.features import CATALOG
from microlend.scoring import Improver, Rating, RiskModel, rate
from microlend.service.rating._scoring import merchant_features

__all__ = ["FeatureSnapshot", "rate_one", "take_snapshot"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FeatureSnapshot:
    """Features (``rows``, by merchant id) and full ratings (reasons, and what would raise
    each score) as of ``as_of``; reasons show amounts in ``currency``."""

    as_of: date
    rows: pd.DataFrame
    ratings: Mapping[str, Rating]
    currency: str
    #: Each merchant's row number: a positional take costs a fifth of a label look-up on the
    #: string index, and every online decision makes one.
    _positions: Mapping[str, int] = field(init=False, repr=False, compare=False)
    #: The numeric features as one float matrix (and their names): a decision reads one row of
    #: numbers, with no DataFrame built per request.
    _numbers: np.ndarray = field(init=False, repr=False, compare=False)
    _number_names: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        positions = {str(key): number for number, key in enumerate(self.rows.index)}
        object.__setattr__(self, "_positions", positions)
        numeric = self.rows.select_dtypes(include="number", exclude="bool")
        numbers = numeric.to_numpy(dtype=np.float64, na_value=np.nan)
        object.__setattr__(self, "_numbers", numbers)
        object.__setattr__(self, "_number_names", tuple(str(c) for c in numeric.columns))

    def features_of(self, merchant_id: str) -> pd.DataFrame:
        """The one-row feature table of ``merchant_id``; ``NotFoundError`` if it is unknown."""
        return self.rows.iloc[[self._position(merchant_id)]]

    def numbers_of(self, merchant_id: str) -> dict[str, float | None]:
        """``merchant_id``'s numeric feature values, a missing one as ``None`` (what a decision
        is made from and stores); ``NotFoundError`` if it is unknown."""
        numbers = self._numbers[self._position(merchant_id)].tolist()
        return {
            name: None if value != value else value  # NaN is the one value unequal to itself
            for name, value in zip(self._number_names, numbers, strict=True)
        }

    def _position(self, merchant_id: str) -> int:
        if merchant_id not in self.ratings:
            raise NotFoundError(f"no merchant {merchant_id!r} onboarded before {self.as_of}")
        return self._positions[merchant_id]


def take_snapshot(
    model: RiskModel,
    dataset: Dataset,
    as_of: date,
    *,
    improver: Improver | None,
    rows: pd.DataFrame | None = None,
    currency: str | None = None,
) -> FeatureSnapshot:
    """Every merchant's features as of ``as_of``, rated in one batch (the batch path's numbers).

    ``improver``: the one saved with ``model`` (``improver_of``; ``None`` for a model saved
    without one: then nothing is suggested). ``rows``: ``merchant_features(dataset, as_of)``
    when the caller has already built them (the demo has), so they are not built twice.
    ``currency``: the policy's, which its decisions are worded in (replay rates them again in
    it); by default the data's.
    """
    rows = merchant_features(dataset, as_of) if rows is None else rows
    currency = dataset.currency() if currency is None else currency
    ratings = rate(model, rows, CATALOG, currency=currency, improver=improver).ratings
    logger.info("feature snapshot as of %s: %d merchants", as_of, len(rows))
    return FeatureSnapshot(
        as_of=as_of,
        rows=rows,
        ratings={r.key: r for r in ratings},
        currency=currency,
    )


def rate_one(snapshot: FeatureSnapshot, merchant_id: str) -> Rating:
    """The full rating of one merchant as of the snapshot's date, "what would raise it"
    included; ``NotFoundError`` if it is unknown."""
    snapshot.features_of(merchant_id)  # refuses an unknown merchant
    return snapshot.ratings[merchant_id]
