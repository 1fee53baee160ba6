"""A merchant's rating: PD, score, band, sub-scores, reasons and what would raise it.

``rate`` computes ratings for many rows at once (one ``predict_pd`` and one ``contributions``
call); ``score_table`` gives the same numbers as a flat table for files and monitoring. Neither
prints or formats for a screen: ``Rating.to_dict`` is the JSON form the api and cli show.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from microlend.features.catalog import Dimension, FeatureSpec
from microlend.scoring._catalog import Catalog, index_catalog, warn_uncatalogued
from microlend.scoring._improve import Change, Improvement, Improver
from microlend.scoring._model import RiskModel, model_inputs
from microlend.scoring._reasons import TOP_REASONS, Reason, reasons
from microlend.scoring._scale import ScoreScale
from microlend.scoring._subscores import sub_scores

__all__ = ["Rating", "rate", "score_table"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rating:
    """One merchant's rating; ``key`` is the row's index label (a merchant or application id)."""

    key: str
    pd: float
    score: int
    band: str
    sub_scores: Mapping[Dimension, int]
    reasons: tuple[Reason, ...]
    improvements: tuple[Improvement, ...]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (NaN values become ``None``)."""
        return {
            "key": self.key,
            "pd": self.pd,
            "score": self.score,
            "band": self.band,
            "sub_scores": {str(d): s for d, s in self.sub_scores.items()},
            "reasons": [_reason_dict(r) for r in self.reasons],
            "improvements": [_improvement_dict(i) for i in self.improvements],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Rating:
        """The rating ``to_dict`` wrote: ``Rating.from_dict(r.to_dict()).to_dict() ==
        r.to_dict()`` (a reason's missing value, ``None`` in JSON, reads back as NaN)."""
        return cls(
            key=str(data["key"]),
            pd=float(data["pd"]),
            score=int(data["score"]),
            band=str(data["band"]),
            sub_scores={Dimension(d): int(s) for d, s in data["sub_scores"].items()},
            reasons=tuple(_reason(r) for r in data["reasons"]),
            improvements=tuple(_improvement(i) for i in data["improvements"]),
        )


def _json_number(value: float | str) -> float | str | None:
    return None if isinstance(value, float) and not math.isfinite(value) else value


def _reason_dict(reason: Reason) -> dict[str, Any]:
    return {
        "feature": reason.feature,
        "contribution": reason.contribution,
        "value": _json_number(reason.value),
        "text": reason.text,
    }


def _improvement_dict(improvement: Improvement) -> dict[str, Any]:
    return {
        "changes": [
            {"feature": c.feature, "from": c.before, "to": c.after, "text": c.text}
            for c in improvement.changes
        ],
        "pd": improvement.pd,
        "score": improvement.score,
        "band": improvement.band,
        "effort": improvement.effort,
        "text": improvement.text,
    }


def _reason(body: Mapping[str, Any]) -> Reason:
    value = body["value"]
    return Reason(
        feature=str(body["feature"]),
        contribution=float(body["contribution"]),
        value=math.nan if value is None else value if isinstance(value, str) else float(value),
        text=str(body["text"]),
    )


def _improvement(body: Mapping[str, Any]) -> Improvement:
    changes = tuple(
        Change(str(c["feature"]), float(c["from"]), float(c["to"]), str(c["text"]))
        for c in body["changes"]
    )
    return Improvement(
        changes, float(body["pd"]), int(body["score"]), str(body["band"]), float(body["effort"])
    )


def _table(
    pds: npt.NDArray[np.float64],
    contributions: pd.DataFrame,
    specs: Mapping[str, FeatureSpec],
    scale: ScoreScale,
) -> pd.DataFrame:
    points = scale.points(pds)
    table = pd.DataFrame({"pd": pds, "score": points}, index=contributions.index)
    table["band"] = [scale.band(p) for p in points]
    parts = sub_scores(contributions, pds, specs, scale)
    return table.join(parts.rename(columns=lambda d: f"sub_{d}"))


def _assess(
    model: RiskModel, inputs: pd.DataFrame, specs: Mapping[str, FeatureSpec], scale: ScoreScale
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The score table and the contributions of ``inputs``, both indexed like it."""
    pds = np.asarray(model.predict_pd(inputs), dtype=np.float64)
    contributions = model.contributions(inputs).set_axis(inputs.index, axis=0)
    return _table(pds, contributions, specs, scale), contributions


def score_table(
    model: RiskModel, rows: pd.DataFrame, catalog: Catalog, scale: ScoreScale | None = None
) -> pd.DataFrame:
    """PD, score, band and a ``sub_<dimension>`` column per dimension, indexed like ``rows``."""
    scale = scale or ScoreScale()
    table, _ = _assess(model, model_inputs(model, rows), index_catalog(catalog), scale)
    return table


def rate(
    model: RiskModel,
    rows: pd.DataFrame,
    catalog: Catalog,
    scale: ScoreScale | None = None,
    *,
    improver: Improver | None = None,
    improve_below: int | None = None,
    top_reasons: int = TOP_REASONS,
) -> list[Rating]:
    """Rate every row of ``rows`` (features as columns, merchant keys as index).

    With a fitted ``improver``, improvements are searched for rows scoring below
    ``improve_below`` (default: every row not already in the best band).
    """
    scale = scale or ScoreScale()
    specs = index_catalog(catalog)
    names = list(model.feature_names_)
    warn_uncatalogued(specs, names)
    inputs = model_inputs(model, rows)
    table, contributions = _assess(model, inputs, specs, scale)
    weights = contributions[names].to_numpy(dtype=np.float64)
    ceiling = scale.bands[0].floor if improve_below is None else improve_below
    ratings = []
    for position, key in enumerate(rows.index):
        line = table.iloc[position]
        improvements: tuple[Improvement, ...] = ()
        if improver is not None and int(line["score"]) < ceiling:
            improvements = improver.suggest(model, inputs.iloc[[position]], scale)
        ratings.append(
            Rating(
                key=str(key),
                pd=float(line["pd"]),
                score=int(line["score"]),
                band=str(line["band"]),
                sub_scores={d: int(line[f"sub_{d}"]) for d in Dimension},
                reasons=reasons(
                    names, weights[position], list(inputs.iloc[position]), specs, top=top_reasons
                ),
                improvements=improvements,
            )
        )
    logger.debug(
        "rated %d rows, %d with improvements",
        len(ratings),
        sum(bool(r.improvements) for r in ratings),
    )
    return ratings
