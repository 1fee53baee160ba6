"""The one rating path: a batch costs one model pass and one contribution pass, its flat table
and its ratings are the same numbers, and a row rated in a batch is rated as it is alone."""

from __future__ import annotations

import pandas as pd
from scoring_support import CATALOG

from microlend.features.catalog import Dimension
from microlend.models import PDModel
from microlend.scoring import TOP_REASONS, Improver, ScoreScale, rate
from rating_support import Counted

SCALE = ScoreScale()


def test_a_batch_asks_the_model_once_for_pds_and_once_for_contributions(
    model: PDModel, applicants: pd.DataFrame
) -> None:
    counted = Counted(model)
    rated = rate(counted, applicants, CATALOG, SCALE, currency="USD")
    assert len(rated.ratings) == len(applicants) == len(rated.table)
    assert counted.calls == {"predict_pd": 1, "contributions": 1}


def test_suggestions_query_the_model_but_add_no_contribution_pass(
    model: PDModel, applicants: pd.DataFrame, improver: Improver
) -> None:
    counted = Counted(model)
    rated = rate(counted, applicants.iloc[:20], CATALOG, SCALE, currency="USD", improver=improver)
    improvable = sum(r.score < SCALE.bands[0].floor for r in rated.ratings)
    assert improvable > 0
    assert counted.calls["contributions"] == 1
    # The table's pass, then one search for the whole batch, never one per row: each feature's
    # far end, the single steps, then the pairs' corners and grids (the rows are not rescored).
    assert improvable > 4
    assert 2 <= counted.calls["predict_pd"] <= 1 + 4


def test_the_table_shows_the_ratings_numbers(model: PDModel, applicants: pd.DataFrame) -> None:
    rated = rate(model, applicants, CATALOG, SCALE, currency="USD")
    table = rated.table
    subs = [f"sub_{d}" for d in Dimension]
    reasons = [
        f"reason_{n}{part}" for n in range(1, TOP_REASONS + 1) for part in ("_code", "_value", "")
    ]
    assert list(table.columns) == ["pd", "score", "band", *subs, *reasons]
    assert list(table.index) == list(applicants.index)
    for (key, line), rating in zip(table.iterrows(), rated.ratings, strict=True):
        assert key == rating.key
        assert line["pd"] == rating.pd
        assert line["score"] == rating.score
        assert line["band"] == rating.band
        assert [line[f"sub_{d}"] for d in Dimension] == [rating.sub_scores[d] for d in Dimension]
        empty = [None] * (TOP_REASONS - len(rating.reasons))
        for part, given in (
            ("_code", [r.code for r in rating.reasons]),
            ("", [r.text for r in rating.reasons]),
        ):
            shown = [line[f"reason_{n}{part}"] for n in range(1, TOP_REASONS + 1)]
            assert [None if pd.isna(v) else v for v in shown] == given + empty
        values = [line[f"reason_{n}_value"] for n in range(1, len(rating.reasons) + 1)]
        assert values == [r.value for r in rating.reasons]
    assert table["reason_1"].notna().any()
    assert table["reason_4"].isna().any()  # rows with fewer reasons leave the rest empty
    assert table["reason_4_value"].dtype == "float64"


def test_a_row_rated_in_a_batch_is_rated_as_when_alone(
    model: PDModel, applicants: pd.DataFrame, improver: Improver
) -> None:
    batch = rate(model, applicants.iloc[:25], CATALOG, SCALE, currency="USD", improver=improver)
    assert any(r.improvements for r in batch.ratings)
    for position, rating in enumerate(batch.ratings):
        alone = rate(
            model, applicants.iloc[[position]], CATALOG, SCALE, currency="USD", improver=improver
        )
        assert alone.ratings == (rating,)
        # A reason column's dtype follows its values (text, or no text at all): compare values.
        assert _values(alone.table) == _values(batch.table.iloc[[position]])


def _values(table: pd.DataFrame) -> list[list[object]]:
    return [[None if pd.isna(v) else v for v in row] for row in table.itertuples()]
