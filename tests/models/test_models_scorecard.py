"""Scorecard: ranks better than chance, reports IV, and its points reproduce its score."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd
import pytest
from models_support import risk_frame
from sklearn.metrics import roc_auc_score

from microlend.models import Scorecard

Data = tuple[pd.DataFrame, npt.NDArray[np.int64], pd.Series]


@pytest.fixture(scope="module")
def card(risk_data: Data) -> Scorecard:
    rows, y, _ = risk_data
    return Scorecard().fit(rows, y)


def test_scorecard_beats_random_out_of_sample(card: Scorecard) -> None:
    rows, y, _ = risk_frame(2000, seed=21)
    assert roc_auc_score(y, card.predict_pd(rows)) > 0.75


def test_information_values_rank_the_features(card: Scorecard) -> None:
    assert set(card.iv_) == {"late", "sales", "noise", "segment"}
    assert card.iv_["late"] > 0.1
    assert card.iv_["sales"] > 0.1
    assert card.iv_["noise"] < card.iv_["segment"] < card.iv_["late"]
    assert "late" in card.selected_


def test_points_add_up_to_the_score_of_the_pd(card: Scorecard) -> None:
    rows, _, _ = risk_frame(50, seed=22)
    table = card.points_table()
    assert list(table.columns) == ["feature", "bin", "woe", "coefficient", "points"]
    total = np.zeros(len(rows))
    for name, bins in card.bins_.items():
        woe = bins.transform(rows[name])
        own = table[table["feature"] == name]
        points = dict(zip(own["woe"], own["points"], strict=True))
        total += np.array([points[w] for w in woe])
    pd_ = card.predict_pd(rows)
    factor = card.pdo / np.log(2)
    offset = card.base_score - factor * np.log(card.base_odds)
    np.testing.assert_allclose(total, offset + factor * np.log((1 - pd_) / pd_), atol=1e-6)


def test_round_trip_through_a_dict(card: Scorecard, risk_data: Data) -> None:
    rows = risk_data[0].iloc[:200]
    again = Scorecard.from_dict(card.to_dict())
    np.testing.assert_array_equal(again.predict_pd(rows), card.predict_pd(rows))
