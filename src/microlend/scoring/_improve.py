"""What would raise it: the smallest change to actionable features that lifts the score a band.

The model itself is the judge: the merchant's row is copied with one actionable feature moved,
step by step, toward its safe side (lower when the catalog's ``direction`` is +1, higher when
-1) along the quantiles of that feature in the training data, and the copies are scored in
batches. A change is *smallest* when it moves the feature across the fewest training quantiles,
so "cut refunds by 2 points" and "raise your rating by 0.3 stars" are compared on one footing:
how much of the merchant population the move overtakes. Single features are tried first; only
when none lifts the score a band on its own are pairs tried, among the features that came
closest alone. Moves never leave the range seen in training, and features that are not
actionable (tenure, category) or have no known direction never move.

The search relies on the model being monotone in each actionable feature in its catalog
direction (the PD model is constrained so): a feature's farthest safe value is scored first,
and only a feature (or pair) that lifts the score there has its whole ladder scored. On a
monotone model this finds exactly what scoring every step would, at a fraction of the rows, so
a whole population is searched in one batch (``suggest_rows``) when its snapshot is taken.

The ladders are learned once, on the model's training matrix, and saved with the model
(``to_dict``/``from_dict``): every path that rates, replay included, suggests the same changes.
So are the references a reason is measured against (``references_``: the training median of
every feature of known direction): a value on the safe side of its feature's median is never
told as what held a score back (``scoring._reasons``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Self

import numpy as np
import pandas as pd

from microlend.errors import ArtifactError, ConfigError, NotFittedError
from microlend.scoring._catalog import Catalog, index_catalog
from microlend.scoring._model import RiskModel, model_inputs
from microlend.scoring._scale import ScoreScale
from microlend.scoring._search import Change, FloatArray, Improvement, Ladder, Search, numbers

__all__ = ["Change", "Improvement", "Improver"]


def _ladder(column: pd.Series, levels: FloatArray) -> Ladder | None:
    seen = numbers(column)
    seen = seen[np.isfinite(seen)]
    if seen.size == 0:
        return None
    # inverted_cdf keeps every candidate a value some merchant really had.
    quantiles = np.quantile(seen, levels, method="inverted_cdf")
    values, inverse = np.unique(quantiles, return_inverse=True)
    mean_levels = np.bincount(inverse, weights=levels) / np.bincount(inverse)
    return Ladder(values=values.astype(np.float64), levels=mean_levels)


class Improver:
    """Finds "what would raise it" for merchants (scikit-learn contract; ``fit`` on training
    rows).

    ``catalog`` names the actionable features and their safe direction; ``steps`` is the number of
    quantile steps each feature may move in; ``max_suggestions`` caps the alternatives returned.
    When no single feature suffices, pairs are drawn from the ``pair_pool`` features whose own
    farthest move raised the score most (0: no pairs).
    Learned: ``features_`` (the actionable features seen in training), ``ladders_`` and
    ``references_`` (the training median of each catalogued feature of known direction).
    """

    def __init__(
        self,
        catalog: Catalog,
        *,
        steps: int = 20,
        max_suggestions: int = 3,
        pair_pool: int = 6,
    ) -> None:
        self.catalog = catalog
        self.steps = steps
        self.max_suggestions = max_suggestions
        self.pair_pool = pair_pool

    def fit(self, X: pd.DataFrame, y: object = None) -> Self:  # noqa: N803 (scikit-learn's name)
        """Learn the quantile ladder of every actionable feature from the training matrix ``X``."""
        self._check_settings()
        self.specs_ = index_catalog(self.catalog)
        levels = np.linspace(0.0, 1.0, self.steps + 1)
        ladders = {name: _ladder(X[name], levels) for name in X.columns if self._movable(str(name))}
        self.ladders_: dict[str, Ladder] = {k: v for k, v in ladders.items() if v is not None}
        self.features_ = list(self.ladders_)
        self.references_ = self._medians(X)
        return self

    def _medians(self, X: pd.DataFrame) -> dict[str, float]:  # noqa: N803 (as ``fit``'s)
        """The median of every catalogued feature of known direction that has values."""
        medians = {}
        for name in X.columns:
            spec = self.specs_.get(str(name))
            seen = numbers(X[name])
            seen = seen[np.isfinite(seen)]
            if spec is not None and spec.direction != 0 and seen.size:
                medians[str(name)] = float(np.median(seen))
        return medians

    def _check_settings(self) -> None:
        if self.steps < 1 or self.max_suggestions < 1 or self.pair_pool < 0:
            raise ConfigError("steps and max_suggestions must be at least 1, pair_pool at least 0")

    def _movable(self, name: str) -> bool:
        spec = self.specs_.get(name)
        return spec is not None and spec.actionable and spec.direction != 0

    def suggest(
        self, model: RiskModel, row: pd.DataFrame, scale: ScoreScale, *, score: int | None = None
    ) -> tuple[Improvement, ...]:
        """Smallest changes lifting the one-row frame ``row`` at least a band; ``()`` if none.

        ``score``: the row's score on ``scale`` when the caller has it (a rating does), which
        spares the model a call; otherwise the model scores the row first.
        """
        if len(row) != 1:
            raise ValueError(f"suggest takes one row, got {len(row)}")
        return self.suggest_rows(model, row, scale, None if score is None else [score])[0]

    def suggest_rows(
        self,
        model: RiskModel,
        rows: pd.DataFrame,
        scale: ScoreScale,
        scores: Sequence[int] | None = None,
    ) -> list[tuple[Improvement, ...]]:
        """``suggest`` for every row of ``rows`` at once, in their order (``scores``: theirs)."""
        if not hasattr(self, "ladders_"):
            raise NotFittedError("Improver.suggest called before fit")
        inputs = model_inputs(model, rows)
        if scores is None:
            scores = scale.points(model.predict_pd(inputs)).tolist()
        targets = scale.band_rank(np.asarray(scores, dtype=np.float64)) + 1
        searched = np.flatnonzero(targets <= scale.best_rank)
        found: list[tuple[Improvement, ...]] = [()] * len(inputs)
        if searched.size and self.features_:
            search = Search(self, model, inputs.iloc[searched], scale, targets[searched])
            for position, improvements in zip(searched.tolist(), search.run(), strict=True):
                found[position] = improvements
        return found

    def to_dict(self) -> dict[str, Any]:
        """The settings and learned ladders as plain JSON-ready data (floats round-trip)."""
        if not hasattr(self, "ladders_"):
            raise NotFittedError("Improver.to_dict called before fit")
        return {
            "steps": self.steps,
            "max_suggestions": self.max_suggestions,
            "pair_pool": self.pair_pool,
            "features": [
                {
                    "name": name,
                    "direction": int(self.specs_[name].direction),
                    "values": ladder.values.tolist(),
                    "levels": ladder.levels.tolist(),
                }
                for name, ladder in self.ladders_.items()
            ],
            "references": dict(self.references_),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], catalog: Catalog) -> Improver:
        """The improver ``to_dict`` wrote, under ``catalog``; ``ArtifactError`` when the catalog
        no longer lets a saved feature move that way (its suggestions would differ)."""
        try:
            improver = cls(
                catalog,
                steps=int(data["steps"]),
                max_suggestions=int(data["max_suggestions"]),
                pair_pool=int(data["pair_pool"]),
            )
            improver._check_settings()
            improver.specs_ = index_catalog(catalog)
            improver.ladders_ = dict(improver._saved_ladders(data["features"]))
            # An improver saved before references were kept has none: reasons then stand on
            # their materiality alone.
            improver.references_ = {
                str(name): float(value) for name, value in data.get("references", {}).items()
            }
        except (KeyError, TypeError, ValueError, AttributeError, ConfigError) as error:
            raise ArtifactError(f"not a saved improver ({error})") from error
        improver.features_ = list(improver.ladders_)
        return improver

    def _saved_ladders(self, features: Sequence[Mapping[str, Any]]) -> Iterator[tuple[str, Ladder]]:
        for saved in features:
            name = str(saved["name"])
            spec = self.specs_.get(name)
            if not self._movable(name) or spec is None or spec.direction != saved["direction"]:
                raise ArtifactError(
                    f"the saved improver moves {name!r} in direction {saved['direction']}, which "
                    "the feature catalog no longer allows: train the model again"
                )
            values = np.asarray(saved["values"], dtype=np.float64)
            levels = np.asarray(saved["levels"], dtype=np.float64)
            if values.size == 0 or values.shape != levels.shape or np.any(np.diff(values) <= 0):
                raise ArtifactError(f"the saved improver's ladder of {name!r} is malformed")
            yield name, Ladder(values, levels)
