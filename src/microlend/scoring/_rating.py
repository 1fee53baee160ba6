"""The one rating path: a table of feature rows -> PD, score, band, sub-scores, reasons and,
with an ``Improver``, what would raise each score.

``rate`` asks the model for the table's PDs once (``predict_pd``) and for its contributions
once (``contributions``, TreeSHAP), derives every number from those two passes, and only then
presents them, two ways at once (``Ratings``): ``table``, one flat row per merchant for files
and monitoring, and ``ratings``, one ``Rating`` per row for decisions, pages and the api. The
batch, the api's snapshot and single merchant, the backtest and replay all rate through it, so
they give the same numbers by construction. Nothing here formats for a screen:
``Rating.to_dict`` is the JSON form the api and cli show. Reasons are worded with money in
``currency``, the platform's, which the callers know (the policy's or the data's).
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
from microlend.money import currency_exponent
from microlend.scoring._catalog import Catalog, index_catalog, warn_uncatalogued
from microlend.scoring._improve import Change, Improvement, Improver
from microlend.scoring._model import RiskModel, model_inputs
from microlend.scoring._reasons import TOP_REASONS, Reason, reasons_of_rows
from microlend.scoring._scale import ScoreScale
from microlend.scoring._subscores import sub_scores

__all__ = ["Rating", "Ratings", "rate"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rating:
    """One merchant's rating; ``key`` is the row's index label (a merchant or application id).
    ``searched``: whether what would raise the score was looked for (an improver, a score below
    the ceiling), so that no ``improvements`` means none was found rather than none was sought."""

    key: str
    pd: float
    score: int
    band: str
    sub_scores: Mapping[Dimension, int]
    reasons: tuple[Reason, ...]
    improvements: tuple[Improvement, ...]
    searched: bool = False

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
            "searched": self.searched,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Rating:
        """The rating ``to_dict`` wrote: ``Rating.from_dict(r.to_dict()).to_dict() ==
        r.to_dict()`` (a reason's missing value, ``None`` in JSON, reads back as NaN). A rating
        stored before ``searched`` was kept was searched when it holds improvements; without
        any, nobody can tell, so it reads as not searched and claims nothing."""
        improvements = tuple(_improvement(i) for i in data["improvements"])
        return cls(
            key=str(data["key"]),
            pd=float(data["pd"]),
            score=int(data["score"]),
            band=str(data["band"]),
            sub_scores={Dimension(d): int(s) for d, s in data["sub_scores"].items()},
            reasons=tuple(_reason(r) for r in data["reasons"]),
            improvements=improvements,
            searched=bool(data.get("searched", bool(improvements))),
        )


def _json_number(value: float | str) -> float | str | None:
    return None if isinstance(value, float) and not math.isfinite(value) else value


def _reason_dict(reason: Reason) -> dict[str, Any]:
    return {
        "code": reason.code,
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


@dataclass(frozen=True)
class Ratings:
    """The ratings of a table of rows, in its order, shown two ways.

    ``table`` is indexed like the rows: ``pd``, ``score``, ``band``, a ``sub_<dimension>`` per
    dimension, then for each N of 1 to ``TOP_REASONS`` ``reason_N_code`` (the feature),
    ``reason_N_value`` (its value, a float; NaN when missing or not a number) and ``reason_N``
    (the wording); code and wording are ``None`` past a row's last reason. ``ratings`` holds
    the same numbers as one ``Rating`` per row, with the improvements when they were searched.
    """

    table: pd.DataFrame
    ratings: tuple[Rating, ...]


@dataclass(frozen=True)
class _Assessment:
    """Every number of a batch's ratings, row by row, before it is presented."""

    pds: npt.NDArray[np.float64]
    points: npt.NDArray[np.int64]
    bands: list[str]
    sub_scores: npt.NDArray[np.int64]  # rows x dimensions, in ``Dimension`` order
    reasons: list[tuple[Reason, ...]]


def _assess(
    model: RiskModel,
    inputs: pd.DataFrame,
    specs: Mapping[str, FeatureSpec],
    scale: ScoreScale,
    currency: str,
    references: Mapping[str, float],
) -> _Assessment:
    """The one model pass and the one contribution pass, and all that follows from them."""
    names = list(model.feature_names_)
    pds = np.asarray(model.predict_pd(inputs), dtype=np.float64)
    contributions = model.contributions(inputs).set_axis(inputs.index, axis=0)
    points = scale.points(pds)
    return _Assessment(
        pds=pds,
        points=points,
        bands=scale.band_names(points),
        sub_scores=sub_scores(contributions, pds, specs, scale).to_numpy(dtype=np.int64),
        reasons=reasons_of_rows(
            names,
            contributions[names].to_numpy(dtype=np.float64),
            inputs.to_numpy(dtype=object),
            specs,
            currency=currency,
            references=references,
        ),
    )


def _table(assessed: _Assessment, index: pd.Index) -> pd.DataFrame:
    table = pd.DataFrame({"pd": assessed.pds, "score": assessed.points}, index=index)
    table["band"] = assessed.bands
    for position, dimension in enumerate(Dimension):
        table[f"sub_{dimension}"] = assessed.sub_scores[:, position]
    for i in range(TOP_REASONS):
        given = [r[i] if len(r) > i else None for r in assessed.reasons]
        table[f"reason_{i + 1}_code"] = [None if r is None else r.code for r in given]
        table[f"reason_{i + 1}_value"] = np.array([_number(r) for r in given], dtype=np.float64)
        table[f"reason_{i + 1}"] = [None if r is None else r.text for r in given]
    return table


def _number(reason: Reason | None) -> float:
    """A reason's value for the table's float column: a category's level (text) is in its
    wording only."""
    return math.nan if reason is None or isinstance(reason.value, str) else reason.value


def _ratings(
    assessed: _Assessment, keys: pd.Index, improvements: list[tuple[Improvement, ...] | None]
) -> tuple[Rating, ...]:
    dimensions = tuple(Dimension)
    return tuple(
        Rating(
            str(key),
            pd_,
            score,
            band,
            dict(zip(dimensions, parts, strict=True)),
            why,
            better or (),
            searched=better is not None,
        )
        for key, pd_, score, band, parts, why, better in zip(
            keys,
            assessed.pds.tolist(),
            assessed.points.tolist(),
            assessed.bands,
            assessed.sub_scores.tolist(),
            assessed.reasons,
            improvements,
            strict=True,
        )
    )


def _improvements(
    model: RiskModel,
    inputs: pd.DataFrame,
    points: npt.NDArray[np.int64],
    scale: ScoreScale,
    improver: Improver | None,
    improve_below: int | None,
) -> list[tuple[Improvement, ...] | None]:
    """What would raise each score below the ceiling; ``None`` for a row not searched (every
    row without an improver, a row at or above the ceiling)."""
    if improver is None:
        return [None] * len(inputs)
    ceiling = scale.bands[0].floor if improve_below is None else improve_below
    below = np.flatnonzero(points < ceiling)
    # One batched search for the whole table: a population is searched when it is rated.
    found = improver.suggest_rows(model, inputs.iloc[below], scale, points[below].tolist())
    improvements: list[tuple[Improvement, ...] | None] = [None] * len(inputs)
    for position, suggested in zip(below.tolist(), found, strict=True):
        improvements[position] = suggested
    return improvements


def rate(
    model: RiskModel,
    rows: pd.DataFrame,
    catalog: Catalog,
    scale: ScoreScale | None = None,
    *,
    currency: str,
    improver: Improver | None = None,
    improve_below: int | None = None,
    references: Mapping[str, float] | None = None,
) -> Ratings:
    """Rate every row of ``rows`` (features as columns, merchant keys as index).

    ``currency`` is the ISO 4217 code of the money features (the platform's): reasons show
    amounts in it. With a fitted ``improver``, improvements are searched for rows scoring below
    ``improve_below`` (default: every row not already in the best band). ``references``: the
    values reasons are measured against (a value on the safe side of its feature's is no
    reason); by default the improver's (``Improver.references_``, learned with the model), so
    a path that rates without searching passes them itself; none: materiality alone.
    """
    currency_exponent(currency)  # an unknown code is refused before any work
    scale = scale or ScoreScale()
    specs = index_catalog(catalog)
    warn_uncatalogued(specs, list(model.feature_names_))
    inputs = model_inputs(model, rows)
    if references is None and improver is not None:
        references = improver.references_
    assessed = _assess(model, inputs, specs, scale, currency, references or {})
    improvements = _improvements(model, inputs, assessed.points, scale, improver, improve_below)
    logger.debug("rated %d rows, %d with improvements", len(inputs), sum(map(bool, improvements)))
    return Ratings(
        table=_table(assessed, rows.index), ratings=_ratings(assessed, rows.index, improvements)
    )
