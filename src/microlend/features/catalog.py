"""The feature catalog: every feature's name, meaning, unit, risk direction, dimension and wording.

The catalog is data. Models read ``direction`` for monotone constraints, scoring reads
``dimension`` for sub-scores, ``reason`` for adverse-action wording and ``actionable`` for what a
merchant could change. ``direction`` is the sign of the feature's effect on risk: ``+1`` when a
higher value means more risk, ``-1`` when it means less, ``0`` when it is not known in advance.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

__all__ = ["CATALOG", "Dimension", "FeatureSpec", "feature_names", "spec"]


class Dimension(StrEnum):
    """The five published dimensions of a merchant's rating (each gets a sub-score)."""

    SCALE_GROWTH = "scale_growth"
    STABILITY = "stability"
    SATISFACTION = "satisfaction"
    FULFILMENT = "fulfilment"
    HISTORY = "history"


Direction = Literal[-1, 0, 1]


@dataclass(frozen=True)
class FeatureSpec:
    """One feature. ``reason`` completes "Your score is held back because ..." when it is a reason."""

    name: str
    meaning: str
    unit: str
    direction: Direction
    dimension: Dimension
    reason: str
    actionable: bool = False


CATALOG: tuple[FeatureSpec, ...] = ()


def feature_names() -> tuple[str, ...]:
    """Names of every catalogued feature, in catalog order (the model's column order)."""
    return tuple(f.name for f in CATALOG)


def spec(name: str) -> FeatureSpec:
    """The catalog entry of ``name``; ``KeyError`` if it is not catalogued."""
    for feature in CATALOG:
        if feature.name == name:
            return feature
    raise KeyError(f"no feature named {name!r} in the catalog")
