from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from microlend.monitoring import (
    BUCKET_ORDER,
    Verdict,
    calibration_by_band,
    decisions_by_month,
    psi,
    roll_rates,
    score_histogram,
    vintage_curves,
    worst_verdict,
)
from microlend.scoring import ScoreScale


def test_vintage_curves_are_cumulative_and_stop_at_as_of() -> None:
    loans = pd.DataFrame(
        {
            "disbursed_on": [date(2025, 1, 5), date(2025, 1, 20), date(2025, 3, 1)],
            "defaulted_on": [date(2025, 3, 10), None, None],
        }
    )
    curves = vintage_curves(loans, date(2025, 4, 15))
    january = curves[curves["vintage"] == "2025-01"].set_index("months_on_book")
    assert list(january.index) == [0, 1, 2, 3]
    assert list(january["default_rate"]) == [0.0, 0.0, 0.5, 0.5]
    march = curves[curves["vintage"] == "2025-03"]
    assert list(march["months_on_book"]) == [0, 1]  # young vintages have short curves
    assert (march["defaults"] == 0).all()


def test_roll_rates_pair_month_ends_and_rows_sum_to_one() -> None:
    history = pd.DataFrame(
        {
            "loan_id": ["a", "a", "a", "b", "b", "c", "c"],
            "aged_on": pd.to_datetime(
                [
                    "2025-01-15",
                    "2025-01-31",
                    "2025-02-28",
                    "2025-01-31",
                    "2025-02-28",
                    "2025-01-31",
                    "2025-02-28",
                ]
            ),
            "bucket": ["1-29", "current", "1-29", "current", "current", "30-59", "60-89"],
        }
    )
    matrix = roll_rates(history)
    assert list(matrix.index) == list(BUCKET_ORDER) == list(matrix.columns)
    # "a" ended January current (its mid-month 1-29 is not a month end), then rolled to 1-29.
    assert matrix.loc["current", "1-29"] == pytest.approx(0.5)
    assert matrix.loc["current", "current"] == pytest.approx(0.5)
    assert matrix.loc["30-59", "60-89"] == pytest.approx(1.0)
    sums = matrix.sum(axis=1)
    assert set(sums.round(9)) <= {0.0, 1.0}


def test_calibration_by_band_groups_by_the_score_bands() -> None:
    scale = ScoreScale()
    pds = np.array([0.001, 0.002, 0.2, 0.3])
    table = calibration_by_band(pds, [0, 0, 1, 0], scale)
    assert list(table["band"]) == [b.name for b in scale.bands]
    poor = table.set_index("band").loc["poor"]
    assert poor["loans"] == 2
    assert poor["observed"] == pytest.approx(0.5)
    assert poor["predicted"] == pytest.approx(0.25)
    assert table["loans"].sum() == 4
    assert np.isnan(table.set_index("band").loc["fair", "observed"])


def test_decisions_by_month_counts_approvals() -> None:
    decisions = pd.DataFrame(
        {
            "as_of": [date(2025, 1, 3), date(2025, 1, 9), date(2025, 2, 1)],
            "approved": [True, False, True],
            "score": [700.0, 500.0, 650.0],
        }
    )
    table = decisions_by_month(decisions)
    assert list(table["month"]) == ["2025-01", "2025-02"]
    assert list(table["approval_rate"]) == [0.5, 1.0]
    assert table["score_median"].iloc[0] == pytest.approx(600.0)


def test_score_histogram_keeps_every_score() -> None:
    table = score_histogram([350, 600, 949.9, 950], bins=6)
    assert table["count"].sum() == 4
    assert table["share"].sum() == pytest.approx(1.0)


def test_the_worst_verdict_wins() -> None:
    rng = np.random.default_rng(0)
    base = rng.normal(size=5000)
    stable, act = psi(base, base, name="a"), psi(base, base + 2, name="b")
    assert worst_verdict([stable, act]) is Verdict.ACT
    assert worst_verdict([stable]) is Verdict.STABLE
    assert worst_verdict([]) is Verdict.STABLE
