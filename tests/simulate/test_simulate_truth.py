"""Calibration targets, the exactness of the true PD, and records that tell the outcome's story."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd

from microlend.simulate import Simulation


def _matured(sim: Simulation) -> pd.DataFrame:
    t = sim.tables
    loans = t["loans"].select(["loan_id", "application_id", "merchant_id", "disbursed_at"])
    frame = (
        loans.to_pandas()
        .merge(t["outcomes"].to_pandas(), on="loan_id")
        .merge(t["truth"].select(["application_id", "true_pd"]).to_pandas(), on="application_id")
    )
    return frame[frame["matured"]]


def test_default_rate_and_oracle_auc_land_on_the_targets(medium: Simulation):
    s = medium.summary
    assert s.matured >= 1000
    assert 0.03 <= s.default_rate <= 0.08
    assert 0.75 <= s.oracle_auc <= 0.90


def test_true_pd_predicts_the_observed_default_count(medium: Simulation):
    # If true_pd is the exact probability, defaults ~ Poisson-binomial(true_pd): the count is
    # within 4 standard deviations of the sum of the PDs, overall and in each half by PD.
    frame = _matured(medium)
    ranked = frame.sort_values("true_pd")
    half = len(ranked) // 2
    for part in (frame, ranked.iloc[:half], ranked.iloc[half:]):
        p = part["true_pd"].to_numpy()
        observed = part["defaulted"].sum()
        assert abs(observed - p.sum()) <= 4 * np.sqrt((p * (1 - p)).sum()) + 1


def test_defaulted_merchants_stop_settling_and_the_others_keep_settling(medium: Simulation):
    frame = _matured(medium)
    pay = medium.tables["settlements"].select(["merchant_id", "settled_at", "net"]).to_pandas()
    pay["net"] = pay["net"].astype(float)
    by_merchant = dict(tuple(pay.groupby("merchant_id")))
    empty = pay.iloc[:0]

    def paid(merchant: str, start: pd.Timestamp, stop: pd.Timestamp) -> float:
        rows = by_merchant.get(merchant, empty)
        inside = (rows["settled_at"] >= start) & (rows["settled_at"] < stop)
        return float(rows.loc[inside, "net"].sum())

    gone = frame[frame["defaulted"]]
    assert len(gone) > 20
    before = after = 0.0
    for row in gone.itertuples():
        before += paid(row.merchant_id, row.default_at - timedelta(days=90), row.default_at)
        # Payouts lag deliveries by one to two weeks and sales fade within days of failing; a
        # tiny shop failing just before a festival may still be paid a few orders a month on.
        after += paid(row.merchant_id, row.default_at + timedelta(days=28), medium.end)
        late = paid(row.merchant_id, row.default_at + timedelta(days=70), medium.end)
        assert late == 0.0
    assert after <= 0.05 * before
    kept = frame[~frame["defaulted"]]
    still_paying = [
        paid(r.merchant_id, r.observed_until - timedelta(days=60), r.observed_until) > 0
        for r in kept.itertuples()
    ]
    assert np.mean(still_paying) >= 0.97
