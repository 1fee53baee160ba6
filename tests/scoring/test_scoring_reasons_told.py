"""Over a simulated marketplace's scored merchants (the demo's generator, at test size), no
reason says anything untrue: the score file's wording agrees with each reason's value and sign,
every amount carries its currency, and a missing value is never worded as a comparison."""

from __future__ import annotations

import math

import pandas as pd
from wording_support import contradictions

from microlend.data import Dataset
from microlend.features import spec
from microlend.features.catalog import Unit
from microlend.scoring import TOP_REASONS
from microlend.service import RatingFit, score_merchants


def _told(table: pd.DataFrame) -> list[tuple[str, float, str]]:
    """Every reason of the score file: code, value and wording."""
    told = []
    for n in range(1, TOP_REASONS + 1):
        columns = [f"reason_{n}_code", f"reason_{n}_value", f"reason_{n}"]
        for code, value, text in table[columns].itertuples(index=False):
            assert pd.isna(code) == pd.isna(text), (code, text)
            if not pd.isna(code):
                told.append((str(code), float(value), str(text)))
    return told


def test_no_scored_merchant_is_told_anything_untrue(
    small_market: Dataset, small_fit: RatingFit
) -> None:
    currency = small_market.currency()
    table = score_merchants(small_fit.model, small_market, small_market.end.date())
    told = _told(table)
    # Every reason pushed the PD up: its contribution is positive by construction.
    wrong = [
        (code, value, text, problem)
        for code, value, text in told
        for problem in contradictions(spec(code), value, 1.0, text, currency)
    ]
    assert wrong == []
    assert len(told) > 2 * len(table)  # most merchants have several reasons
    assert all(t.count(currency) <= 1 for _, _, t in told)
    # Every amount told carries its currency (none at all is told in words: "no sales").
    money = [
        t
        for code, v, t in told
        if spec(code).unit is Unit.CURRENCY and math.isfinite(v) and t != spec(code).wording.zero
    ]
    assert money
    assert [t for t in money if f" {currency}" not in t] == []
    # Missing values do come up (merchants without reviews), and are told as missing.
    missing = [(code, t) for code, v, t in told if math.isnan(v)]
    assert missing
    assert all(t == spec(code).wording.missing for code, t in missing)
