"""Performance estimated from PDs before loans mature (CBPE): the expected AUC is the pairwise
sum it claims to be, the expected default rate is the mean PD, young vintages get no verdict,
and a matured vintage's verdict needs the minimum of defaults."""

from __future__ import annotations

import json
from datetime import date, timedelta
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import roc_auc_score

from microlend.monitoring import (
    Verdict,
    estimate_performance,
    estimated_performance,
    expected_auc,
)
from microlend.monitoring._estimate import ESTIMATE_COLUMNS, vintage_estimates

YEAR = timedelta(days=365)


def brute_force_auc(p: list[float], s: list[float]) -> float:
    """The definition, pair by pair: sum p_i (1 - p_j) [s_i > s_j] / sum p_i (1 - p_j), i != j,
    ties a half; in exact fractions, so that tiny (subnormal) PDs are no excuse."""
    numerator = denominator = Fraction(0)
    exact = [Fraction(x) for x in p]
    for i, (p_i, s_i) in enumerate(zip(exact, s, strict=True)):
        for j, (p_j, s_j) in enumerate(zip(exact, s, strict=True)):
            if i != j:
                weight = p_i * (1 - p_j)
                denominator += weight
                numerator += weight * ((s_i > s_j) + Fraction(1, 2) * (s_i == s_j))
    return float(numerator / denominator) if denominator > 0 else float("nan")


# Few distinct scores, so ties are common; PDs include 0 and 1.
loans = st.lists(
    st.tuples(
        st.floats(0.0, 1.0, allow_nan=False),
        st.sampled_from([0.0, 0.1, 0.25, 0.5, 0.9]),
    ),
    min_size=0,
    max_size=12,
)


@settings(max_examples=200, deadline=None)
@given(loans)
def test_expected_auc_is_the_pairwise_sum(rows: list[tuple[float, float]]) -> None:
    p = [r[0] for r in rows]
    s = [r[1] for r in rows]
    want = brute_force_auc(p, s)
    got = expected_auc(np.array(p), np.array(s))
    if np.isnan(want):
        assert np.isnan(got)
    else:
        assert abs(got - want) < 1e-9


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(0.0, 1.0, allow_nan=False), min_size=2, max_size=12))
def test_expected_auc_ranks_by_the_pds_themselves_without_scores(p: list[float]) -> None:
    want = brute_force_auc(p, p)
    got = expected_auc(p)
    assert np.isnan(got) if np.isnan(want) else abs(got - want) < 1e-9


def test_with_outcomes_for_pds_it_is_the_realised_auc() -> None:
    rng = np.random.default_rng(4)
    scores = rng.integers(0, 20, 300).astype(np.float64)  # ties
    outcomes = rng.random(300) < 0.2
    realised = expected_auc(outcomes.astype(np.float64), scores)
    assert abs(realised - roc_auc_score(outcomes, scores)) < 1e-12


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(0.0, 1.0, allow_nan=False), min_size=1, max_size=40))
def test_expected_default_rate_is_the_mean_pd(p: list[float]) -> None:
    estimate = estimate_performance(p, draws=40)
    assert abs(estimate.default_rate - float(np.mean(p))) < 1e-12
    low, high = estimate.default_rate_interval
    # A quantile interval of a discrete count: it need not hold the mean of a few tiny PDs.
    assert 0.0 <= low <= high <= 1.0


def test_the_interval_is_seeded_and_narrows_with_more_loans() -> None:
    rng = np.random.default_rng(0)
    small, large = rng.beta(1, 12, 200), rng.beta(1, 12, 5000)
    first, again = estimate_performance(small, seed=7), estimate_performance(small, seed=7)
    assert first == again
    wide = first.auc_interval[1] - first.auc_interval[0]
    narrow = estimate_performance(large, seed=7).auc_interval
    assert 0 < narrow[1] - narrow[0] < wide
    assert first.auc_interval[0] < first.auc < first.auc_interval[1]


def test_a_pd_outside_zero_one_is_refused() -> None:
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        estimate_performance([0.1, 1.5])


def test_no_loans_give_an_empty_state_not_an_error() -> None:
    empty = pd.DataFrame(columns=["disbursed_on", "pd", "defaulted_on"])
    assert estimate_performance([]).loans == 0
    table = vintage_estimates(empty, date(2025, 6, 30), horizon=YEAR)
    assert table.empty
    assert list(table.columns) == list(ESTIMATE_COLUMNS)
    result = estimated_performance(empty, date(2025, 6, 30), horizon=YEAR, min_bads=30)
    assert (result.matured, result.within, result.verdict) == (0, 0, Verdict.INSUFFICIENT)
    shown = json.loads(json.dumps(result.to_dict()))
    assert shown["vintages"] == []
    assert shown["mae_auc"] is None


def _book(n: int, month: date, *, pd_value: float, bad_share: float, seed: int) -> pd.DataFrame:
    """``n`` loans disbursed in ``month`` with PDs around ``pd_value``, ``bad_share`` of them
    (the riskiest) defaulting 100 days after disbursement."""
    rng = np.random.default_rng(seed)
    p = np.clip(rng.normal(pd_value, pd_value / 2, n), 0.001, 0.9)
    days = rng.integers(0, 28, n)
    disbursed = [month + timedelta(days=int(d)) for d in days]
    bad = np.argsort(-p)[: round(bad_share * n)]
    defaulted = [
        d + timedelta(days=100) if i in set(bad) else None for i, d in enumerate(disbursed)
    ]
    return pd.DataFrame({"disbursed_on": disbursed, "pd": p, "defaulted_on": defaulted})


def test_young_vintages_are_estimated_and_given_no_verdict() -> None:
    loans = _book(400, date(2025, 5, 1), pd_value=0.08, bad_share=0.0, seed=1)
    table = vintage_estimates(loans, date(2025, 7, 31), horizon=YEAR)
    (row,) = table.itertuples()
    assert not row.matured
    assert row.verdict is None
    assert np.isnan(row.realised_default_rate)
    assert np.isnan(row.auc_gap)
    assert abs(row.estimated_default_rate - loans["pd"].mean()) < 1e-12


def test_a_matured_vintages_verdict_needs_the_minimum_of_defaults() -> None:
    # Defaults far above the PDs: act, once the defaults reach the minimum.
    loans = _book(300, date(2024, 1, 1), pd_value=0.05, bad_share=0.2, seed=2)
    as_of = date(2025, 3, 1)
    bads = int(loans["defaulted_on"].notna().sum())
    enough = estimated_performance(loans, as_of, horizon=YEAR, min_bads=bads)
    too_few = estimated_performance(loans, as_of, horizon=YEAR, min_bads=bads + 1)
    assert enough.verdict is Verdict.ACT
    assert too_few.verdict is Verdict.INSUFFICIENT
    assert enough.matured == 1
    assert enough.within == 0
    assert enough.mae_default_rate == abs(enough.vintages["default_rate_gap"].iloc[0]) > 0.1


def test_a_default_after_the_horizon_is_not_the_event_the_pd_predicts() -> None:
    loans = _book(50, date(2024, 1, 1), pd_value=0.1, bad_share=0.2, seed=3)
    late = loans.assign(defaulted_on=loans["disbursed_on"].map(lambda d: d + timedelta(days=400)))
    table = vintage_estimates(late, date(2025, 6, 1), horizon=YEAR)
    assert table["defaults"].iloc[0] == 0
    assert table["realised_default_rate"].iloc[0] == 0.0


def test_a_vintage_without_defaults_is_judged_on_its_default_rate_alone() -> None:
    loans = _book(60, date(2024, 1, 1), pd_value=0.01, bad_share=0.0, seed=5)
    table = vintage_estimates(loans, date(2025, 6, 1), horizon=YEAR)
    assert np.isnan(table["realised_auc"].iloc[0])  # one outcome: no AUC to compare
    assert table["verdict"].iloc[0] == Verdict.STABLE.value
