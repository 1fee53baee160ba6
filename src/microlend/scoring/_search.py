"""The search behind ``Improver``: candidate rows with actionable features moved, scored in
batches, the cheapest that lifts each row a band kept.

For a batch of rows: every feature's farthest safe step is scored first (on a monotone model,
the most that feature can do alone); only the features that lift a row there have their whole
ladder scored; for the rows no single feature lifts, the pairs of the features that came
closest have their corner scored, and only the pairs whose corner lifts have their whole grid
scored. Candidates tie on effort, then the higher score wins, then the first tried.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pandas as pd

from microlend.scoring._model import RiskModel
from microlend.scoring._scale import ScoreScale
from microlend.scoring._wording import change_text, format_value

if TYPE_CHECKING:
    from microlend.scoring._improve import Improver

__all__ = ["Change", "Improvement", "Ladder", "Search", "numbers"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: Candidate rows scored per model call: bounds the memory of a population's search.
_CHUNK = 100_000


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
        """The changes, worded; the score after holds only if nothing else changes (linked
        features, a peer percentile, stay where they are), so the text says so."""
        return " and ".join(change.text for change in self.changes) + ", if nothing else changes"


@dataclass(frozen=True)
class Ladder:
    """The distinct training quantiles of one feature and their mean quantile levels."""

    values: FloatArray
    levels: FloatArray

    def steps_toward_safety(self, current: float, direction: int) -> tuple[FloatArray, FloatArray]:
        """Values on the safe side of ``current`` and the quantile distance to each."""
        safer = self.values < current if direction > 0 else self.values > current
        here = float(np.interp(current, self.values, self.levels))
        return self.values[safer], np.abs(self.levels[safer] - here)


def _shown(values: FloatArray, unit: str) -> npt.NDArray[np.str_]:
    """Each value as a merchant reads it in ``unit`` (a missing one as the empty text)."""
    distinct, inverse = np.unique(values, return_inverse=True)
    texts = [format_value(v, unit) if np.isfinite(v) else "" for v in distinct.tolist()]
    return np.asarray(texts, dtype=np.str_)[inverse.reshape(-1)]


def numbers(column: pd.Series) -> FloatArray:
    """A column as floats, anything missing or not a number as NaN."""
    numbers: FloatArray = pd.to_numeric(column, errors="coerce").to_numpy(
        dtype=np.float64, na_value=np.nan
    )
    return numbers


@dataclass(frozen=True)
class _Moves:
    """One feature's moves for every searched row: which ladder steps lie on the safe side
    (``safe``, rows x steps), the effort of each, and the step farthest toward safety."""

    safe: npt.NDArray[np.bool_]
    effort: FloatArray
    far: int

    def reachable(self) -> npt.NDArray[np.bool_]:
        return self.safe[:, self.far]


@dataclass(frozen=True)
class _Candidates:
    """Copies of searched rows (``rows``) with features moved: ``moved`` pairs a feature
    number (-1: none) with the value it takes, per copy; ``group`` names what each copy tries
    (one row and one feature or pair), ``effort`` its summed effort."""

    rows: IntArray
    moved: tuple[tuple[IntArray, FloatArray], ...]
    group: IntArray
    effort: FloatArray


@dataclass(frozen=True)
class _Scored:
    """Every candidate's PD and score, and whether it reached its row's target band."""

    pds: FloatArray
    points: IntArray
    lifted: npt.NDArray[np.bool_]


class Search:
    """One batch's search: the rows' moves per feature, then singles, then pairs."""

    def __init__(
        self,
        improver: Improver,
        model: RiskModel,
        inputs: pd.DataFrame,
        scale: ScoreScale,
        targets: IntArray,
    ) -> None:
        self.improver = improver
        # A feature the model does not read cannot change its score.
        self.names = [name for name in improver.features_ if name in inputs.columns]
        self.model = model
        self.inputs = inputs
        self.scale = scale
        self.targets = targets
        self.current = {name: numbers(inputs[name]) for name in self.names}
        self.moves = [self._moves(name) for name in self.names]

    def _moves(self, name: str) -> _Moves:
        ladder = self.improver.ladders_[name]
        direction = self.improver.specs_[name].direction
        current = self.current[name]
        # A missing value has no "from" to move: NaN compares false, so no step is safe.
        safe = ladder.values[None, :] < current[:, None]
        if direction < 0:
            safe = ladder.values[None, :] > current[:, None]
        # A step that reads as the value it starts from ("from 3.2 days to 3.2 days") is no
        # advice a merchant could follow: only steps that show a change are moves.
        unit = self.improver.specs_[name].unit
        safe &= _shown(ladder.values, unit)[None, :] != _shown(current, unit)[:, None]
        here = np.interp(current, ladder.values, ladder.levels)
        effort = np.abs(ladder.levels[None, :] - here[:, None])
        return _Moves(safe, effort, 0 if direction > 0 else ladder.values.size - 1)

    def run(self) -> list[tuple[Improvement, ...]]:
        count = len(self.inputs)
        if not self.names:
            return [()] * count
        reach, far_lifts = self._reach()
        found: list[list[Improvement]] = [[] for _ in range(count)]
        self._collect(self._singles(far_lifts), found)
        if self.improver.pair_pool >= 2:
            alone = [row for row in range(count) if not found[row]]
            self._collect(self._pairs(alone, reach), found)
        cap = self.improver.max_suggestions
        return [tuple(sorted(row, key=lambda imp: imp.effort)[:cap]) for row in found]

    def _reach(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
        """Each row's score with each feature at its farthest safe step (-1: no move), and
        whether that lifts it: on a monotone model, the best each feature can do alone."""
        rows, features, values, efforts = [], [], [], []
        for number, moves in enumerate(self.moves):
            reachable = np.flatnonzero(moves.reachable())
            rows.append(reachable)
            features.append(np.full(reachable.size, number))
            values.append(np.full(reachable.size, self._ladder(number).values[moves.far]))
            efforts.append(moves.effort[reachable, moves.far])
        row = np.concatenate(rows)
        candidates = _Candidates(
            row, ((np.concatenate(features), np.concatenate(values)),), row, np.concatenate(efforts)
        )
        scored = self._score(candidates)
        reach = np.full((len(self.inputs), len(self.names)), -1, dtype=np.int64)
        reach[row, candidates.moved[0][0]] = scored.points
        lifts = np.zeros(reach.shape, dtype=np.bool_)
        lifts[row, candidates.moved[0][0]] = scored.lifted
        return reach, lifts

    def _ladder(self, number: int) -> Ladder:
        return self.improver.ladders_[self.names[number]]

    def _singles(self, lifts: npt.NDArray[np.bool_]) -> Iterator[tuple[int, Improvement]]:
        """The cheapest lifting step of every feature that lifts its row at its far end."""
        rows, steps = [], []
        features = []
        for number, moves in enumerate(self.moves):
            lifting = np.flatnonzero(lifts[:, number])
            row, step = np.nonzero(moves.safe[lifting])
            rows.append(lifting[row])
            steps.append(step)
            features.append(np.full(row.size, number))
        row, step, feature = np.concatenate(rows), np.concatenate(steps), np.concatenate(features)
        values = np.empty(row.size, dtype=np.float64)
        effort = np.empty(row.size, dtype=np.float64)
        for number, moves in enumerate(self.moves):
            mine = feature == number
            values[mine] = self._ladder(number).values[step[mine]]
            effort[mine] = moves.effort[row[mine], step[mine]]
        group = row * len(self.names) + feature
        # Grouped by row, then feature in catalog order: the order suggestions tie in.
        order = np.lexsort((feature, row))
        candidates = _Candidates(
            row[order], ((feature[order], values[order]),), group[order], effort[order]
        )
        yield from self._cheapest(candidates)

    def _pairs(
        self, rows: list[int], reach: npt.NDArray[np.int64]
    ) -> Iterator[tuple[int, Improvement]]:
        """For rows no single feature lifts: pairs of the features that came closest alone,
        each pair's grid scored only where both at their far end lift the row."""
        pool_size = self.improver.pair_pool
        combos = [
            (row, a, b)
            for row in rows
            for a, b in itertools.combinations(
                sorted(np.flatnonzero(reach[row] >= 0).tolist(), key=lambda f: -reach[row, f])[
                    :pool_size
                ],
                2,
            )
        ]
        if not combos:
            return
        corners = self._corners(combos)
        lifting = [combo for combo, lifted in zip(combos, corners, strict=True) if lifted]
        if lifting:
            yield from self._cheapest(self._grids(lifting))

    def _corners(self, combos: list[tuple[int, int, int]]) -> npt.NDArray[np.bool_]:
        row, a, b = (np.array(part, dtype=np.int64) for part in zip(*combos, strict=True))
        moved = tuple(
            (feature, np.array([self._far_value(f) for f in feature.tolist()]))
            for feature in (a, b)
        )
        candidates = _Candidates(row, moved, np.arange(row.size), np.zeros(row.size))
        return self._score(candidates).lifted

    def _far_value(self, number: int) -> float:
        return float(self._ladder(number).values[self.moves[number].far])

    def _grids(self, combos: list[tuple[int, int, int]]) -> _Candidates:
        """Every step of one feature against every step of the other, per (row, pair)."""
        parts: list[tuple[IntArray, ...]] = []
        value_parts: list[tuple[FloatArray, FloatArray, FloatArray]] = []
        for group, (row, a, b) in enumerate(combos):
            steps_a = np.flatnonzero(self.moves[a].safe[row])
            steps_b = np.flatnonzero(self.moves[b].safe[row])
            grid_a, grid_b = (g.ravel() for g in np.meshgrid(steps_a, steps_b, indexing="ij"))
            size = grid_a.size
            parts.append(
                (np.full(size, row), np.full(size, a), np.full(size, b), np.full(size, group))
            )
            value_parts.append(
                (
                    self._ladder(a).values[grid_a],
                    self._ladder(b).values[grid_b],
                    self.moves[a].effort[row, grid_a] + self.moves[b].effort[row, grid_b],
                )
            )
        rows, first, second, groups = (np.concatenate(p) for p in zip(*parts, strict=True))
        value_a, value_b, effort = (np.concatenate(p) for p in zip(*value_parts, strict=True))
        return _Candidates(rows, ((first, value_a), (second, value_b)), groups, effort)

    def _cheapest(self, candidates: _Candidates) -> Iterator[tuple[int, Improvement]]:
        """Per group, the least-effort candidate reaching its row's target band (ties: the
        higher score, then the first tried), as the row's improvement."""
        scored = self._score(candidates)
        lifted = np.flatnonzero(scored.lifted)
        if lifted.size == 0:
            return
        order = lifted[
            np.lexsort(
                (-scored.points[lifted], candidates.effort[lifted], candidates.group[lifted])
            )
        ]
        _, first = np.unique(candidates.group[order], return_index=True)
        for at in np.sort(order[first]).tolist():
            yield int(candidates.rows[at]), self._improvement(candidates, scored, at)

    def _improvement(self, candidates: _Candidates, scored: _Scored, at: int) -> Improvement:
        row = int(candidates.rows[at])
        changes = []
        for features, values in candidates.moved:
            name = self.names[int(features[at])]
            before, after = float(self.current[name][row]), float(values[at])
            changes.append(
                Change(name, before, after, change_text(self.improver.specs_[name], before, after))
            )
        points = int(scored.points[at])
        return Improvement(
            tuple(changes),
            float(scored.pds[at]),
            points,
            self.scale.band(points),
            float(candidates.effort[at]),
        )

    @staticmethod
    def _collect(
        improvements: Iterator[tuple[int, Improvement]], found: list[list[Improvement]]
    ) -> None:
        for row, improvement in improvements:
            found[row].append(improvement)

    def _score(self, candidates: _Candidates) -> _Scored:
        """The model's PD of every candidate, ``_CHUNK`` copies a call."""
        pds = np.empty(candidates.rows.size, dtype=np.float64)
        if pds.size == 0:
            empty = np.zeros(0, dtype=np.bool_)
            return _Scored(pds, np.zeros(0, dtype=np.int64), empty)
        for start in range(0, pds.size, _CHUNK):
            part = slice(start, start + _CHUNK)
            pds[part] = self.model.predict_pd(self._batch(candidates, part))
        points = self.scale.points(pds)
        lifted = self.scale.band_rank(points) >= self.targets[candidates.rows]
        return _Scored(pds, points, lifted)

    def _batch(self, candidates: _Candidates, part: slice) -> pd.DataFrame:
        rows = candidates.rows[part]
        batch = self.inputs.iloc[rows]
        columns: dict[str, FloatArray] = {}
        for features, values in candidates.moved:
            features, values = features[part], values[part]
            for number in np.unique(features[features >= 0]).tolist():
                name = self.names[number]
                column = columns.get(name)
                if column is None:
                    column = self.current[name][rows].copy()
                mine = features == number
                column[mine] = values[mine]
                columns[name] = column
        return batch.assign(**columns) if columns else batch
