"""Ratings for many rows at once: consistent with the scale, the model and their parts."""

from __future__ import annotations

import json
import logging

import numpy as np
import pandas as pd
import pytest
from scoring_support import CATALOG

from microlend.errors import ModelError
from microlend.features.catalog import Dimension
from microlend.models import PDModel
from microlend.scoring import Improver, Rating, ScoreScale, rate

SCALE = ScoreScale()


@pytest.fixture(scope="module")
def ratings(
    model: PDModel,
    applicants: pd.DataFrame,
    improver: Improver,
) -> list[Rating]:
    return list(
        rate(model, applicants.iloc[:60], CATALOG, SCALE, currency="USD", improver=improver).ratings
    )


def test_one_rating_per_row_keyed_by_the_index(
    ratings: list[Rating], applicants: pd.DataFrame
) -> None:
    assert [r.key for r in ratings] == list(applicants.index[:60])


def test_pd_score_and_band_agree_with_the_model_and_scale(
    ratings: list[Rating], model: PDModel, applicants: pd.DataFrame
) -> None:
    pds = model.predict_pd(applicants.iloc[:60])
    np.testing.assert_allclose([r.pd for r in ratings], pds)
    assert [r.score for r in ratings] == SCALE.points(pds).tolist()
    assert [r.band for r in ratings] == [SCALE.band(r.score) for r in ratings]


def test_every_rating_has_five_sub_scores_and_at_most_four_reasons(
    ratings: list[Rating],
) -> None:
    for rating in ratings:
        assert set(rating.sub_scores) == set(Dimension)
        assert all(SCALE.low <= s <= SCALE.high for s in rating.sub_scores.values())
        assert len(rating.reasons) <= 4
        assert all(reason.contribution > 0 for reason in rating.reasons)


def test_improvements_only_below_the_best_band(ratings: list[Rating]) -> None:
    best_floor = SCALE.bands[0].floor
    assert all(not r.improvements for r in ratings if r.score >= best_floor)
    assert any(r.improvements for r in ratings if r.score < best_floor)
    for rating in ratings:
        assert all(i.score > rating.score for i in rating.improvements)


def test_improve_below_limits_the_search(
    model: PDModel,
    applicants: pd.DataFrame,
    improver: Improver,
) -> None:
    few = rate(
        model,
        applicants.iloc[:60],
        CATALOG,
        currency="USD",
        improver=improver,
        improve_below=500,
    ).ratings
    assert all(not r.improvements for r in few if r.score >= 500)


def test_to_dict_is_json(ratings: list[Rating]) -> None:
    improved = next(r for r in ratings if r.improvements)
    data = json.loads(json.dumps(improved.to_dict()))
    assert data["score"] == improved.score
    assert set(data["sub_scores"]) == {d.value for d in Dimension}
    assert data["improvements"][0]["text"] == improved.improvements[0].text
    assert [r["feature"] for r in data["reasons"]] == [r.feature for r in improved.reasons]


def test_a_catalog_mapping_works_like_the_tuple(
    ratings: list[Rating], model: PDModel, applicants: pd.DataFrame
) -> None:
    as_mapping = {spec.name: spec for spec in CATALOG}
    again = rate(model, applicants.iloc[:60], as_mapping, SCALE, currency="USD").ratings
    assert [r.reasons for r in again] == [r.reasons for r in ratings]


def test_missing_features_are_a_model_error(model: PDModel, applicants: pd.DataFrame) -> None:
    with pytest.raises(ModelError, match="refund_rate"):
        rate(model, applicants.drop(columns="refund_rate"), CATALOG, currency="USD")


def test_uncatalogued_features_are_logged(
    model: PDModel, applicants: pd.DataFrame, caplog: pytest.LogCaptureFixture
) -> None:
    partial = [spec for spec in CATALOG if spec.name != "sales_growth"]
    with caplog.at_level(logging.WARNING, logger="microlend.scoring"):
        rated = rate(model, applicants.iloc[:60], partial, currency="USD").ratings
    assert "sales_growth" in caplog.text
    generic = [r for rating in rated for r in rating.reasons if r.feature == "sales_growth"]
    assert generic
    assert all(r.text.startswith("the value of sales_growth") for r in generic)
