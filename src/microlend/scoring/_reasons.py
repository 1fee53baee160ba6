"""Reason codes: the features that pushed a merchant's risk up the most, worded from the catalog.

A feature's reason weight is its exact contribution to the merchant's raw log-odds of default
(LightGBM ``pred_contrib``). Only features with a positive contribution raised the risk, so only
they can be adverse-action reasons; the top four are given, largest first, each worded from the
catalog by the sign of its value and of its contribution (money in the platform's currency).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from microlend.features.catalog import FeatureSpec
from microlend.scoring._wording import reason_text

__all__ = ["TOP_REASONS", "Reason", "as_value", "reasons", "reasons_of_rows"]

#: How many principal reasons a merchant is given: a rating's score reasons, and a decline's
#: reasons of every source together (adverse-action notices name at most four).
TOP_REASONS = 4


@dataclass(frozen=True)
class Reason:
    """One reason: the feature, its contribution to the log-odds of default, its value, wording."""

    feature: str
    contribution: float
    value: float | str
    text: str

    @property
    def code(self) -> str:
        """The reason's stable code: its feature's name."""
        return self.feature


def as_value(raw: object) -> float | str:
    """A feature value as a float, or as text for a categorical feature (``category``)."""
    if isinstance(raw, str):
        return raw
    try:
        return float(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "missing" if raw is None else str(raw)


def _ranked_positive(contributions: npt.NDArray[np.float64], top: int) -> list[list[int]]:
    """Per row of the matrix, the positions of its ``top`` largest positive contributions,
    largest first, ties by position: one sort for the whole batch."""
    order = np.argsort(-contributions, axis=1, kind="stable")[:, :top]
    # Sorted largest first (NaN last), a row's positive contributions lead it: count them.
    counts = (np.take_along_axis(contributions, order, axis=1) > 0.0).sum(axis=1)
    return [row[:count] for row, count in zip(order.tolist(), counts.tolist(), strict=True)]


def reasons_of_rows(
    features: list[str],
    contributions: npt.NDArray[np.float64],
    values: Sequence[Sequence[object]] | npt.NDArray[np.object_],
    specs: Mapping[str, FeatureSpec],
    *,
    currency: str,
    top: int = TOP_REASONS,
) -> list[tuple[Reason, ...]]:
    """Reasons of many rows: row ``i`` of the ``contributions`` matrix and of ``values`` are
    aligned with ``features``; amounts are in ``currency``."""
    weights = np.asarray(contributions, dtype=np.float64)
    return [
        tuple(
            _reason(features[i], float(row_weights[i]), as_value(row_values[i]), specs, currency)
            for i in chosen
        )
        for chosen, row_weights, row_values in zip(
            _ranked_positive(weights, top), weights, values, strict=True
        )
    ]


def _reason(
    feature: str,
    weight: float,
    value: float | str,
    specs: Mapping[str, FeatureSpec],
    currency: str,
) -> Reason:
    text = reason_text(feature, specs.get(feature), value, weight, currency)
    return Reason(feature=feature, contribution=weight, value=value, text=text)


def reasons(
    features: list[str],
    contributions: npt.ArrayLike,
    values: Sequence[object],
    specs: Mapping[str, FeatureSpec],
    *,
    currency: str,
    top: int = TOP_REASONS,
) -> tuple[Reason, ...]:
    """Reasons of one row: ``contributions`` and ``values`` are aligned with ``features``;
    amounts are in ``currency``."""
    weights = np.asarray(contributions, dtype=np.float64).reshape(1, -1)
    return reasons_of_rows(features, weights, [values], specs, currency=currency, top=top)[0]
