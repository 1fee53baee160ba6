"""What would raise it, searched for a whole batch at once and saved with the model: the batch's
pruned search finds exactly what trying every step finds, and a saved improver suggests the same.
"""

from __future__ import annotations

import dataclasses
import itertools
import json

import numpy as np
import numpy.typing as npt
import pandas as pd
import pytest
from scoring_support import CATALOG

from microlend.errors import ArtifactError
from microlend.models import PDModel
from microlend.scoring import Improvement, Improver, ScoreScale
from microlend.scoring._wording import format_value

SCALE = ScoreScale()
SPECS = {spec.name: spec for spec in CATALOG}

Found = tuple[tuple[tuple[str, float, float], ...], int, float]


def _points(model: PDModel, rows: pd.DataFrame) -> npt.NDArray[np.int64]:
    return SCALE.points(model.predict_pd(rows))


def _tried(row: pd.DataFrame, moves: dict[str, npt.NDArray[np.float64]]) -> pd.DataFrame:
    """Copies of the one-row ``row``, one per combination of the moved features' values."""
    grids = np.meshgrid(*moves.values(), indexing="ij")
    size = grids[0].size
    copies = row.loc[row.index.repeat(size)].reset_index(drop=True)
    return copies.assign(**{name: grid.ravel() for name, grid in zip(moves, grids, strict=True)})


def _every_step(model: PDModel, improver: Improver, row: pd.DataFrame) -> list[Found]:
    """The search done the slow way: every step of every feature scored, then every pair's
    grid among the features that reached highest alone, with no pruning at all."""
    target = SCALE.band_rank(_points(model, row))[0] + 1
    if target > SCALE.best_rank:
        return []
    moves = {}
    for name in improver.features_:
        current = float(row[name].iloc[0])
        if np.isfinite(current):
            values, effort = improver.ladders_[name].steps_toward_safety(
                current, SPECS[name].direction
            )
            # A step that reads as where it starts is no move (review 13, item 8).
            unit = SPECS[name].unit
            shows = np.array(
                [format_value(v, unit) != format_value(current, unit) for v in values], dtype=bool
            )
            values, effort = values[shows], effort[shows]
            if values.size:
                moves[name] = (values, effort)
    found, reach = _best(model, row, target, [[name] for name in moves], moves)
    if not found:
        pool = sorted(moves, key=lambda name: -reach[(name,)])[: improver.pair_pool]
        found, _ = _best(
            model, row, target, [list(p) for p in itertools.combinations(pool, 2)], moves
        )
    return sorted(found, key=lambda f: f[2])[: improver.max_suggestions]


def _best(
    model: PDModel,
    row: pd.DataFrame,
    target: int,
    combos: list[list[str]],
    moves: dict[str, tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]],
) -> tuple[list[Found], dict[tuple[str, ...], int]]:
    found, reach = [], {}
    for combo in combos:
        tried = _tried(row, {name: moves[name][0] for name in combo})
        efforts = np.meshgrid(*(moves[name][1] for name in combo), indexing="ij")
        effort = np.sum([e.ravel() for e in efforts], axis=0)
        points = _points(model, tried)
        reach[tuple(combo)] = int(points.max())
        lifted = np.flatnonzero(SCALE.band_rank(points) >= target)
        if lifted.size:
            at = lifted[np.lexsort((-points[lifted], effort[lifted]))[0]]
            changes = tuple(
                (name, float(row[name].iloc[0]), float(tried[name].iloc[at])) for name in combo
            )
            found.append((changes, int(points[at]), float(effort[at])))
    return found, reach


def _shown(improvements: tuple[Improvement, ...]) -> list[Found]:
    return [
        (tuple((c.feature, c.before, c.after) for c in i.changes), i.score, i.effort)
        for i in improvements
    ]


def test_the_batch_search_finds_what_trying_every_step_finds(
    model: PDModel, applicants: pd.DataFrame, improver: Improver
) -> None:
    rows = applicants.iloc[:120]
    batch = improver.suggest_rows(model, rows, SCALE)
    pairs = 0
    for position, found in enumerate(batch):
        expected = _every_step(model, improver, rows.iloc[[position]])
        assert _shown(found) == expected
        pairs += any(len(f[0]) == 2 for f in expected)
    assert sum(bool(found) for found in batch) > len(rows) // 3
    assert pairs > 0, "no row needed a pair: the pairs' pruning went untested"


def test_a_row_searched_in_a_batch_gets_what_it_gets_alone(
    model: PDModel, applicants: pd.DataFrame, improver: Improver
) -> None:
    rows = applicants.iloc[120:180]
    batch = improver.suggest_rows(model, rows, SCALE)
    for position, found in enumerate(batch):
        assert improver.suggest(model, rows.iloc[[position]], SCALE) == found


def test_a_saved_improver_suggests_the_same_changes(
    model: PDModel, applicants: pd.DataFrame, improver: Improver
) -> None:
    saved = json.loads(json.dumps(improver.to_dict(), allow_nan=False))
    loaded = Improver.from_dict(saved, CATALOG)
    assert loaded.features_ == improver.features_
    assert loaded.to_dict() == improver.to_dict()
    rows = applicants.iloc[:80]
    expected = improver.suggest_rows(model, rows, SCALE)
    assert loaded.suggest_rows(model, rows, SCALE) == expected
    assert sum(map(bool, expected)) > 0


def test_a_saved_improver_is_refused_where_the_catalog_no_longer_allows_its_moves(
    improver: Improver,
) -> None:
    saved = improver.to_dict()
    flipped = [
        dataclasses.replace(spec, direction=-spec.direction) if spec.name == "refund_rate" else spec
        for spec in CATALOG
    ]
    with pytest.raises(ArtifactError, match="refund_rate"):
        Improver.from_dict(saved, flipped)
    frozen = [dataclasses.replace(spec, actionable=False) for spec in CATALOG]
    with pytest.raises(ArtifactError, match="train the model again"):
        Improver.from_dict(saved, frozen)
    broken = saved | {"features": [saved["features"][0] | {"values": [2.0, 1.0]}]}
    with pytest.raises(ArtifactError, match="malformed"):
        Improver.from_dict(broken, CATALOG)
    with pytest.raises(ArtifactError, match="not a saved improver"):
        Improver.from_dict({"steps": 20}, CATALOG)
