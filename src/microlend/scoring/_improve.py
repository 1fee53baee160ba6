"""What would raise it: the smallest change to actionable features that lifts the score a band.

The model itself is the judge: the merchant's row is copied with one actionable feature moved,
step by step, toward its safe side (lower when the catalog's ``direction`` is +1, higher when
-1) along the quantiles of that feature in the training data, and every copy is scored in one
batch. A change is *smallest* when it moves the feature across the fewest training quantiles,
so "cut refunds by 2 points" and "raise your rating by 0.3 stars" are compared on one footing:
how much of the merchant population the move overtakes. Single features are tried first; only
when none lifts the score a band on its own are pairs tried, among the features that came
closest alone. Moves never leave the range seen in training, and features that are not
actionable (tenure, category) or have no known direction never move.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Self

import numpy as np
import numpy.typing as npt
import pandas as pd

from microlend.errors import ConfigError, NotFittedError
from microlend.features.catalog import FeatureSpec
from microlend.scoring._catalog import Catalog, index_catalog
from microlend.scoring._model import RiskModel, model_inputs
from microlend.scoring._scale import ScoreScale
from microlend.scoring._wording import change_text

__all__ = ["Change", "Improvement", "Improver"]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Change:
    """Move ``feature`` from ``before`` to ``after``, worded for the merchant in ``text``."""

    feature: str
    before: float
    after: float
    text: str


@dataclass(frozen=True)
class Improvement:
    """Changes that together lift the score at least one band, and the PD, score, band after.

    ``effort`` is the share of the training population the changes overtake, summed over them.
    """

    changes: tuple[Change, ...]
    pd: float
    score: int
    band: str
    effort: float

    @property
    def text(self) -> str:
        return " and ".join(change.text for change in self.changes)


@dataclass(frozen=True)
class _Ladder:
    """The distinct training quantiles of one feature and their mean quantile levels."""

    values: FloatArray
    levels: FloatArray

    def steps_toward_safety(self, current: float, direction: int) -> tuple[FloatArray, FloatArray]:
        """Values on the safe side of ``current`` and the quantile distance to each."""
        safer = self.values < current if direction > 0 else self.values > current
        here = float(np.interp(current, self.values, self.levels))
        return self.values[safer], np.abs(self.levels[safer] - here)


@dataclass(frozen=True)
class _Plan:
    """Candidate rows that change the same features: feature -> values, and the effort of each."""

    values: dict[str, FloatArray]
    effort: FloatArray = field(repr=False)


def _ladder(column: pd.Series, levels: FloatArray) -> _Ladder | None:
    seen = pd.to_numeric(column, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    seen = seen[np.isfinite(seen)]
    if seen.size == 0:
        return None
    # inverted_cdf keeps every candidate a value some merchant really had.
    quantiles = np.quantile(seen, levels, method="inverted_cdf")
    values, inverse = np.unique(quantiles, return_inverse=True)
    mean_levels = np.bincount(inverse, weights=levels) / np.bincount(inverse)
    return _Ladder(values=values.astype(np.float64), levels=mean_levels)


class Improver:
    """Finds "what would raise it" for a merchant (scikit-learn contract; ``fit`` on training rows).

    ``catalog`` names the actionable features and their safe direction; ``steps`` is the number of
    quantile steps each feature may move in; ``max_suggestions`` caps the alternatives returned.
    When no single feature suffices, pairs are drawn from the ``pair_pool`` features whose own
    best move raised the score most (0: no pairs); the pool keeps the search to
    ``pair_pool * (pair_pool - 1) / 2 * (steps + 1) ** 2`` rows however large the catalog.
    Learned: ``features_`` (the actionable features seen in training) and ``ladders_``.
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
        if self.steps < 1 or self.max_suggestions < 1 or self.pair_pool < 0:
            raise ConfigError("steps and max_suggestions must be at least 1, pair_pool at least 0")
        self.specs_ = index_catalog(self.catalog)
        levels = np.linspace(0.0, 1.0, self.steps + 1)
        ladders = {name: _ladder(X[name], levels) for name in X.columns if self._movable(str(name))}
        self.ladders_: dict[str, _Ladder] = {k: v for k, v in ladders.items() if v is not None}
        self.features_ = list(self.ladders_)
        return self

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
        if not hasattr(self, "ladders_"):
            raise NotFittedError("Improver.suggest called before fit")
        inputs = model_inputs(model, row)
        if len(inputs) != 1:
            raise ValueError(f"suggest takes one row, got {len(inputs)}")
        if score is None:
            score = int(scale.points(model.predict_pd(inputs))[0])
        target = int(scale.band_rank(score)) + 1
        if target > scale.best_rank:
            return ()
        moves = self._moves(inputs)
        singles = [{name: move} for name, move in moves.items()]
        found, reach = self._search(model, inputs, scale, target, singles)
        if not found and self.pair_pool >= 2:
            pool = sorted(moves, key=lambda name: -reach[name])[: self.pair_pool]
            pairs = [{a: moves[a], b: moves[b]} for a, b in itertools.combinations(pool, 2)]
            found, _ = self._search(model, inputs, scale, target, pairs)
        return tuple(sorted(found, key=lambda imp: imp.effort)[: self.max_suggestions])

    def _moves(self, inputs: pd.DataFrame) -> dict[str, tuple[FloatArray, FloatArray]]:
        moves = {}
        for name in self.features_:
            current = float(inputs[name].iloc[0]) if name in inputs.columns else np.nan
            if not np.isfinite(current):  # an unknown value has no "from" to move
                continue
            values, effort = self.ladders_[name].steps_toward_safety(
                current, self.specs_[name].direction
            )
            if values.size:
                moves[name] = (values, effort)
        return moves

    def _search(
        self,
        model: RiskModel,
        inputs: pd.DataFrame,
        scale: ScoreScale,
        target: int,
        combos: list[dict[str, tuple[FloatArray, FloatArray]]],
    ) -> tuple[list[Improvement], dict[str, int]]:
        """Cheapest lifting candidate of each combo, and the best score each combo reached."""
        plans = [_grid(combo) for combo in combos]
        if not plans:
            return [], {}
        pds = model.predict_pd(_batch(inputs, plans))
        found, reach = [], {}
        start = 0
        for plan in plans:
            stop = start + plan.effort.size
            best = _cheapest_lift(plan, pds[start:stop], scale, target)
            if best is not None:
                found.append(self._improvement(inputs, plan, best, float(pds[start + best]), scale))
            reach[" + ".join(plan.values)] = int(scale.points(pds[start:stop]).max())
            start = stop
        return found, reach

    def _improvement(
        self, inputs: pd.DataFrame, plan: _Plan, at: int, pd_: float, scale: ScoreScale
    ) -> Improvement:
        changes = tuple(
            _change(name, float(inputs[name].iloc[0]), float(values[at]), self.specs_[name])
            for name, values in plan.values.items()
        )
        points = int(scale.points(pd_))
        return Improvement(changes, pd_, points, scale.band(points), float(plan.effort[at]))


def _change(name: str, before: float, after: float, spec: FeatureSpec) -> Change:
    return Change(name, before, after, change_text(spec, before, after))


def _grid(combo: Mapping[str, tuple[FloatArray, FloatArray]]) -> _Plan:
    """Every combination of the candidate values of the combo's features, with summed effort."""
    names = list(combo)
    mesh = np.meshgrid(*(combo[name][0] for name in names), indexing="ij")
    efforts = np.meshgrid(*(combo[name][1] for name in names), indexing="ij")
    values = {name: grid.ravel() for name, grid in zip(names, mesh, strict=True)}
    return _Plan(values=values, effort=np.sum([e.ravel() for e in efforts], axis=0))


def _batch(inputs: pd.DataFrame, plans: list[_Plan]) -> pd.DataFrame:
    """Copies of the row, one per candidate of every plan, with the plan's features replaced."""
    sizes = [plan.effort.size for plan in plans]
    total = sum(sizes)
    batch = inputs.loc[inputs.index.repeat(total)].reset_index(drop=True)
    columns: dict[str, FloatArray] = {}
    start = 0
    for plan, size in zip(plans, sizes, strict=True):
        for name, values in plan.values.items():
            if name not in columns:
                columns[name] = np.full(total, float(inputs[name].iloc[0]))
            columns[name][start : start + size] = values
        start += size
    for name, column in columns.items():
        batch[name] = column
    return batch


def _cheapest_lift(plan: _Plan, pds: FloatArray, scale: ScoreScale, target: int) -> int | None:
    """Index of the least-effort candidate reaching band ``target`` (ties: the higher score)."""
    points = scale.points(pds)
    lifted = np.flatnonzero(scale.band_rank(points) >= target)
    if lifted.size == 0:
        return None
    order = np.lexsort((-points[lifted], plan.effort[lifted]))
    return int(lifted[order[0]])
