"""Sub-scores: the identity with the overall log-odds, and each dimension's share of the risk."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scoring_support import CATALOG

from microlend.features.catalog import Dimension
from microlend.models import PDModel
from microlend.scoring import Band, ScoreScale, dimension_log_odds, sub_scores

SPECS = {spec.name: spec for spec in CATALOG}


def logit(p: np.ndarray) -> np.ndarray:
    return np.log(p / (1 - p))


def test_sub_score_log_odds_average_to_the_overall_log_odds(
    model: PDModel, applicants: pd.DataFrame
) -> None:
    pds = model.predict_pd(applicants)
    per_dimension = dimension_log_odds(model.contributions(applicants), pds, SPECS)
    assert list(per_dimension.columns) == list(Dimension)
    np.testing.assert_allclose(per_dimension.mean(axis=1), logit(pds), atol=1e-9)


def test_unclipped_sub_scores_average_to_the_overall_score(
    model: PDModel, applicants: pd.DataFrame
) -> None:
    scale = ScoreScale(low=-100_000, high=100_000, bands=(Band("any", -100_000),))
    pds = model.predict_pd(applicants)
    per_dimension = dimension_log_odds(model.contributions(applicants), pds, SPECS)
    mean_sub = scale.from_log_odds(per_dimension.to_numpy()).mean(axis=1)
    np.testing.assert_allclose(mean_sub, scale.score(pds), atol=1e-6)


def hand_made(contributions: dict[str, float]) -> pd.DataFrame:
    return pd.DataFrame([contributions], index=["m1"])


def test_a_dimension_that_adds_risk_scores_below_the_overall_score() -> None:
    contributions = hand_made(
        {"refund_rate": 0.8, "late_shipment_rate": -0.2, "tenure_days": -0.1, "base": -2.0}
    )
    pd_ = np.array([0.05])
    scores = sub_scores(contributions, pd_, SPECS, ScoreScale()).iloc[0]
    overall = int(ScoreScale().points(pd_)[0])
    assert scores[Dimension.SATISFACTION] < overall
    assert scores[Dimension.FULFILMENT] > overall
    assert scores[Dimension.HISTORY] > overall


def test_shift_is_k_times_own_share_minus_the_total() -> None:
    contributions = hand_made({"refund_rate": 0.3, "avg_rating": 0.1, "tenure_days": -0.5})
    per_dimension = dimension_log_odds(contributions, [0.1], SPECS).iloc[0]
    overall = float(logit(np.array([0.1]))[0])
    total = 0.3 + 0.1 - 0.5
    assert per_dimension[Dimension.SATISFACTION] == pytest.approx(overall + 5 * 0.4 - total)
    assert per_dimension[Dimension.HISTORY] == pytest.approx(overall + 5 * -0.5 - total)
    assert per_dimension[Dimension.STABILITY] == pytest.approx(overall - total)


def test_uncatalogued_features_move_every_sub_score_alike() -> None:
    base = {"refund_rate": 0.3, "tenure_days": -0.2}
    without = dimension_log_odds(hand_made(base), [0.1], SPECS).iloc[0]
    with_stranger = dimension_log_odds(hand_made({**base, "stranger": 0.7}), [0.1], SPECS).iloc[0]
    np.testing.assert_allclose(with_stranger - without, 0.0, atol=1e-12)


def test_sub_scores_are_whole_points_within_the_range(
    model: PDModel, applicants: pd.DataFrame
) -> None:
    scale = ScoreScale()
    scores = sub_scores(model.contributions(applicants), model.predict_pd(applicants), SPECS, scale)
    values = scores.to_numpy()
    assert values.dtype == np.int64
    assert values.min() >= scale.low
    assert values.max() <= scale.high
