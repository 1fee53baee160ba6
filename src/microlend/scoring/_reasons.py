"""Reason codes: the features that pushed a merchant's risk up the most, worded from the catalog.

A feature's reason weight is its exact contribution to the merchant's raw log-odds of default
(LightGBM ``pred_contrib``). Only features with a positive contribution raised the risk, so only
they can be adverse-action reasons; the top four are given, largest first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from microlend.features.catalog import FeatureSpec
from microlend.scoring._wording import reason_text

__all__ = ["TOP_REASONS", "Reason", "as_value", "reasons"]

#: How many adverse-action reasons a rating gives.
TOP_REASONS = 4


@dataclass(frozen=True)
class Reason:
    """One reason: the feature, its contribution to the log-odds of default, its value, wording."""

    feature: str
    contribution: float
    value: float | str
    text: str


def as_value(raw: object) -> float | str:
    """A feature value as a float, or as text for a categorical feature (``category``)."""
    if isinstance(raw, str):
        return raw
    try:
        return float(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "missing" if raw is None else str(raw)


def _ranked_positive(contributions: npt.NDArray[np.float64], top: int) -> npt.NDArray[np.intp]:
    """Indices of the ``top`` largest positive contributions, largest first, ties by position."""
    order = np.argsort(-contributions, kind="stable")
    return order[contributions[order] > 0.0][:top]


def reasons(
    features: list[str],
    contributions: npt.ArrayLike,
    values: Sequence[object],
    specs: Mapping[str, FeatureSpec],
    *,
    top: int = TOP_REASONS,
) -> tuple[Reason, ...]:
    """Reasons of one row: ``contributions`` and ``values`` are aligned with ``features``."""
    weights = np.asarray(contributions, dtype=np.float64)
    chosen = _ranked_positive(weights, top)
    shown = [as_value(values[i]) for i in chosen]
    return tuple(
        Reason(
            feature=features[i],
            contribution=float(weights[i]),
            value=value,
            text=reason_text(features[i], specs.get(features[i]), value),
        )
        for i, value in zip(chosen, shown, strict=True)
    )
