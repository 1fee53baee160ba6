"""evaluate: AUC, KS, Brier and the decile table against independent computations."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from microlend.errors import ModelError
from microlend.models import evaluate


def _direct_ks(y: np.ndarray, score: np.ndarray) -> float:
    """Largest gap between the cumulative shares of bads and goods, walking down the scores."""
    best = 0.0
    for threshold in np.unique(score):
        bads = np.mean(score[y == 1] >= threshold)
        goods = np.mean(score[y == 0] >= threshold)
        best = max(best, bads - goods)
    return float(best)


def test_metrics_agree_with_independent_computations() -> None:
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 60)
    pd_ = np.clip(0.3 * y + rng.uniform(0, 0.7, 60), 0, 1).round(2)
    result = evaluate(y, pd_)
    assert result.auc == pytest.approx(roc_auc_score(y, pd_))
    assert result.gini == pytest.approx(2 * roc_auc_score(y, pd_) - 1)
    assert result.ks == pytest.approx(_direct_ks(y, pd_))
    assert result.brier == pytest.approx(np.mean((pd_ - y) ** 2))
    assert result.n == 60
    assert result.bad_rate == pytest.approx(y.mean())
    assert result.mean_pd == pytest.approx(pd_.mean())
    assert result.oracle_auc is None


def test_a_hand_worked_example() -> None:
    y = np.array([0, 0, 1, 0, 1, 1])
    pd_ = np.array([0.1, 0.2, 0.3, 0.4, 0.8, 0.9])
    result = evaluate(y, pd_, true_pd=np.array([0.1, 0.1, 0.9, 0.1, 0.9, 0.9]))
    # Pairs (bad, good) ranked right: 8 of 9.
    assert result.auc == pytest.approx(8 / 9)
    # Above 0.3: all three bads, one good of three.
    assert result.ks == pytest.approx(2 / 3)
    assert result.oracle_auc == pytest.approx(1.0)


def test_calibration_deciles_cover_every_row_in_pd_order() -> None:
    rng = np.random.default_rng(4)
    pd_ = rng.uniform(0, 1, 1003)
    y = (rng.uniform(0, 1, 1003) < pd_).astype(int)
    table = evaluate(y, pd_).calibration
    assert len(table) == 10
    assert sum(b.n for b in table) == 1003
    means = [b.mean_pd for b in table]
    assert means == sorted(means)
    assert abs(table[-1].observed - table[-1].mean_pd) < 0.1


def test_to_dict_is_json_ready() -> None:
    data = evaluate(np.array([0, 1, 0, 1]), np.array([0.1, 0.6, 0.3, 0.7])).to_dict()
    decoded = json.loads(json.dumps(data))
    assert {"auc", "ks", "brier", "n", "bad_rate", "calibration"} <= set(decoded)
    assert decoded["calibration"][0]["n"] == 1


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(ModelError, match="one class"):
        evaluate(np.zeros(5, dtype=int), np.full(5, 0.1))
    with pytest.raises(ModelError, match="within"):
        evaluate(np.array([0, 1]), np.array([0.1, 1.5]))
    with pytest.raises(ModelError, match="shape"):
        evaluate(np.array([0, 1]), np.array([0.1]))
