"""Reason codes: the features that pushed a merchant's risk up the most, worded from the catalog.

A feature's reason weight is its exact contribution to the merchant's raw log-odds of default
(LightGBM ``pred_contrib``). A feature is a principal reason only when that contribution is
material (``MATERIAL_LOG_ODDS``) and, for a feature of known direction, its value lies on the
risky side of its reference (the training median, ``Improver.references_``): TreeSHAP on a
model with interactions can give a small positive weight to a value far on the safe side, and
"your sales grew by only 462.7 %" is no reason. A missing value has no side: its contribution
alone decides. Without a reference (a model saved before references were kept) materiality
alone decides. Among absent values (missing or zero) of features sharing a cause (the catalog's
``cause``: no sales, no reviews) only the largest is given, so one fact is one reason. The top
four are given, largest first, each worded from the catalog (money in the platform's currency).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from microlend.features.catalog import FeatureSpec
from microlend.scoring._wording import reason_text

#: The feature that counts a merchant's days on record (``features._formulas``).
HISTORY_FEATURE = "history_days"

__all__ = ["MATERIAL_LOG_ODDS", "TOP_REASONS", "Reason", "as_value", "reasons", "reasons_of_rows"]

#: How many principal reasons a merchant is given: a rating's score reasons, and a decline's
#: reasons of every source together (adverse-action notices name at most four).
TOP_REASONS = 4

#: The least contribution to the log-odds of default that is a reason: on the default scale
#: (50 points per doubling of the odds, 72 points per unit of log-odds) about one point of
#: score. A smaller push cannot be seen in the score, so telling it as what held the score
#: back would overstate it (the review found reasons with contributions below 0.001).
MATERIAL_LOG_ODDS = math.log(2.0) / 50.0


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


def _risky_side(
    features: Sequence[str],
    values: npt.NDArray[np.object_],
    specs: Mapping[str, FeatureSpec],
    references: Mapping[str, float],
) -> npt.NDArray[np.bool_]:
    """Per row and feature, whether the value may be a reason by its side of the reference:
    always for a missing value, a category, or a feature without a direction or reference."""
    allowed = np.ones(values.shape, dtype=np.bool_)
    for column, feature in enumerate(features):
        spec = specs.get(feature)
        reference = references.get(feature)
        if spec is None or spec.direction == 0 or reference is None:
            continue
        numbers = pd.to_numeric(pd.Series(values[:, column]), errors="coerce").to_numpy(
            dtype=np.float64, na_value=np.nan
        )
        riskier = numbers > reference if spec.direction > 0 else numbers < reference
        allowed[:, column] = riskier | np.isnan(numbers)
    return allowed


def _fact(feature: str, spec: FeatureSpec | None, value: float | str) -> str:
    """What a reason tells: its feature's shared cause when the value is absent (missing or
    zero), else the feature itself."""
    absent = isinstance(value, float) and (math.isnan(value) or value == 0.0)
    return spec.cause if spec is not None and spec.cause and absent else feature


def _chosen(
    features: Sequence[str],
    weights: npt.NDArray[np.float64],
    values: Sequence[object],
    specs: Mapping[str, FeatureSpec],
    top: int,
) -> list[int]:
    """One row's reasons: positions of eligible weights (finite elsewhere ``-inf``), largest
    first (ties by position), one per fact, at most ``top``."""
    chosen: list[int] = []
    told: set[str] = set()
    for i in np.argsort(-weights, kind="stable").tolist():
        if len(chosen) == top or not weights[i] > MATERIAL_LOG_ODDS:
            break
        fact = _fact(features[i], specs.get(features[i]), as_value(values[i]))
        if fact not in told:
            told.add(fact)
            chosen.append(i)
    return chosen


def reasons_of_rows(
    features: list[str],
    contributions: npt.NDArray[np.float64],
    values: Sequence[Sequence[object]] | npt.NDArray[np.object_],
    specs: Mapping[str, FeatureSpec],
    *,
    currency: str,
    top: int = TOP_REASONS,
    references: Mapping[str, float] | None = None,
) -> list[tuple[Reason, ...]]:
    """Reasons of many rows: row ``i`` of the ``contributions`` matrix and of ``values`` are
    aligned with ``features``; amounts are in ``currency``; ``references``: each feature's
    reference value (its training median), where known."""
    weights = np.asarray(contributions, dtype=np.float64)
    cells = np.asarray(values, dtype=object).reshape(weights.shape)
    eligible = np.where(_risky_side(features, cells, specs, references or {}), weights, -np.inf)
    # How many days each merchant has on record: a long window's level may be an estimate.
    at = features.index(HISTORY_FEATURE) if HISTORY_FEATURE in features else None
    return [
        tuple(
            _reason(
                features[i],
                float(row_weights[i]),
                as_value(row_values[i]),
                specs,
                currency,
                None if at is None else _days(row_values[at]),
            )
            for i in _chosen(features, row_eligible, row_values, specs, top)
        )
        for row_eligible, row_weights, row_values in zip(eligible, weights, cells, strict=True)
    ]


def _days(value: object) -> float:
    shown = as_value(value)
    return math.nan if isinstance(shown, str) else shown


def _reason(
    feature: str,
    weight: float,
    value: float | str,
    specs: Mapping[str, FeatureSpec],
    currency: str,
    history_days: float | None,
) -> Reason:
    text = reason_text(feature, specs.get(feature), value, weight, currency, history_days)
    return Reason(feature=feature, contribution=weight, value=value, text=text)


def reasons(
    features: list[str],
    contributions: npt.ArrayLike,
    values: Sequence[object],
    specs: Mapping[str, FeatureSpec],
    *,
    currency: str,
    top: int = TOP_REASONS,
    references: Mapping[str, float] | None = None,
) -> tuple[Reason, ...]:
    """Reasons of one row: ``contributions`` and ``values`` are aligned with ``features``;
    amounts are in ``currency``; ``references`` as for ``reasons_of_rows``."""
    weights = np.asarray(contributions, dtype=np.float64).reshape(1, -1)
    return reasons_of_rows(
        features, weights, [values], specs, currency=currency, top=top, references=references
    )[0]
