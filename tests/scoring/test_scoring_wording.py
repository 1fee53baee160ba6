"""Every catalog feature is told truly: its wording agrees with the sign of its value and of its
contribution, carries its unit (money its currency), and tells a missing value as missing."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from wording_support import contradictions, less_is_riskier_as_shown

from microlend.features.catalog import CATALOG, FeatureSpec, Unit
from microlend.scoring._reasons import reasons_of_rows
from microlend.scoring._wording import format_value, reason_text

_COUNTS = (Unit.ORDERS, Unit.BUYERS, Unit.REVIEWS, Unit.LOANS)


def _values(spec: FeatureSpec) -> st.SearchStrategy[float]:
    """The values ``spec`` can take (both sides of zero where it is a change), and missing."""
    finite: st.SearchStrategy[float]
    if spec.unit is Unit.CURRENCY:
        finite = st.floats(-1e5 if spec.wording.fall else 0, 1e7)
    elif spec.unit in _COUNTS:
        finite = st.integers(0, 100_000).map(float)
    elif spec.unit is Unit.DAYS:
        finite = st.one_of(st.integers(0, 3000).map(float), st.floats(0, 60))
    elif spec.unit is Unit.STARS:
        finite = st.floats(-4, 4) if spec.wording.fall else st.floats(1, 5)
    elif spec.unit is Unit.CHANGE:
        finite = st.floats(-1, 20)
    elif spec.unit is Unit.CHANGE_PER_WEEK:
        finite = st.floats(-1, 1)
    elif spec.unit is Unit.RATIO:
        finite = st.floats(0, 5)
    elif spec.unit is Unit.HHI:
        finite = st.floats(1e-4, 1)
    else:  # shares and percentiles
        finite = st.floats(0, 1)
    edges = st.sampled_from([0.0, 0.0004, -0.0004, 1.0, -0.5] if spec.wording.fall else [0.0])
    if spec.unit is Unit.HHI:
        edges = st.sampled_from([1.0, 1.0000000000000002, 0.1])  # a float sum may pass 1
    return st.one_of(finite, edges, st.just(math.nan))


def _case(spec: FeatureSpec) -> st.SearchStrategy[tuple[float, float]]:
    return st.tuples(_values(spec), st.sampled_from([0.8, 0.01, -0.01, -0.8]))


@pytest.mark.parametrize("spec", CATALOG, ids=lambda s: s.name)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_every_feature_is_worded_true_to_its_value_and_contribution(
    spec: FeatureSpec, data: st.DataObject
) -> None:
    value, contribution = data.draw(_case(spec))
    text = reason_text(spec.name, spec, value, contribution, "EUR")
    assert contradictions(spec, value, contribution, text, "EUR") == [], text


@pytest.mark.parametrize("spec", CATALOG, ids=lambda s: s.name)
def test_every_case_a_feature_can_meet_has_its_own_sentence(spec: FeatureSpec) -> None:
    wording = spec.wording
    assert wording.missing, spec.name
    assert wording.plain, spec.name
    assert "{value}" not in wording.missing + wording.zero, spec.name
    assert all("{value}" in t for t in (wording.plain, wording.adverse, wording.fall) if t)
    if wording.fall:  # a change can show as none: it must not then "grow by only 0.0 %"
        assert wording.zero, spec.name
    if less_is_riskier_as_shown(spec) or spec.direction == 0:
        assert wording.adverse, spec.name
        assert wording.adverse != wording.plain, spec.name


@given(value=st.floats(-0.9, 5), pushed_up=st.booleans())
@example(value=-0.209, pushed_up=True)
@example(value=0.159, pushed_up=True)
@example(value=0.0003, pushed_up=True)
@example(value=-0.0003, pushed_up=False)
@example(value=0.0, pushed_up=True)
def test_a_change_is_a_fall_only_when_it_fell(value: float, pushed_up: bool) -> None:
    spec = next(s for s in CATALOG if s.name == "orders_growth_90d")
    text = reason_text(spec.name, spec, value, 0.3 if pushed_up else -0.3, "USD")
    if value == 0:
        assert text == spec.wording.zero
    elif round(value * 100, 1) == 0:
        verb = "fell" if value < 0 else "grew"
        assert text.startswith(f"your orders of the last 90 days {verb} by less than 0.1 %")
    elif value < 0:
        assert text.startswith(f"your orders of the last 90 days fell by {abs(value) * 100:.1f} %")
    else:
        only = "only " if pushed_up else ""
        assert text.startswith(f"your orders of the last 90 days grew by {only}{value * 100:.1f}")


@pytest.mark.parametrize(
    ("name", "value", "text"),
    [
        (
            "orders_growth_90d",
            0.159,
            "your orders of the last 90 days grew by only 15.9 % on the 90 days before",
        ),
        ("gmv_30d", 735.38, "your sales over the last 30 days were only 735.38 EUR"),
        ("rating_mean_180d", math.nan, "you have no reviews in the last 180 days yet"),
        (
            "buyer_hhi_90d",
            0.0765,
            "your sales over the last 90 days were as concentrated as "
            "if spread evenly over only 13 buyers",
        ),
        (
            "gmv_growth_yoy_90d",
            math.nan,
            "we have no record of your sales in the same 90 days a year earlier to compare with",
        ),
        (
            "peer_rating_pct",
            0.23,
            "your average rating over the last 180 days is only at the "
            "23rd percentile of similar sellers (same category and size; the 100th is the highest)",
        ),
        ("prior_loans", 1.0, "you have had only 1 loan from us before"),
        # Review 13, item 4: a rate too small to show is not "none".
        (
            "cancel_rate_90d",
            0.0003,
            "less than 0.1 % of your orders over the last 90 days were cancelled",
        ),
        ("cancel_rate_90d", 0.0, "none of your orders over the last 90 days were cancelled"),
        (
            "repeat_buyer_share_90d",
            0.0004,
            "less than 0.1 % of your buyers over the last 90 days ordered more than once",
        ),
        (
            "delivery_days_90d",
            0.04,
            "your deliveries of the last 90 days took less than 0.1 days on average to arrive",
        ),
        # Review 13, item 5: the share is of the days since joining when that is under 90.
        (
            "active_days_share_90d",
            0.5,
            "you made sales on only 50.0 % of the days since you joined (at most the last 90)",
        ),
        (
            "aov_90d",
            12.5,
            "your average order value over the last 90 days was 12.50 EUR, which our "
            "model links with more defaults",
        ),
    ],
)
def test_the_issues_examples_are_told_truly(name: str, value: float, text: str) -> None:
    spec = next(s for s in CATALOG if s.name == name)
    assert reason_text(name, spec, value, 0.4, "EUR") == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (980.0, "your net payouts over the last 90 days came to only 980.00 EUR"),
        (
            -1234.5,
            "your net payouts over the last 90 days were 1,234.50 EUR below zero: refunds and "
            "fees took more than your sales paid out",
        ),
        (
            -0.001,
            "your net payouts over the last 90 days were less than 0.01 EUR below zero: refunds "
            "and fees took more than your sales paid out",
        ),
        (0.0, "your net payouts over the last 90 days came to nothing"),
        (math.nan, "we have no record of your payouts over the last 90 days"),
    ],
)
def test_net_payouts_below_zero_are_told_by_how_far(value: float, text: str) -> None:
    spec = next(s for s in CATALOG if s.name == "settlement_net_90d")
    assert reason_text(spec.name, spec, value, 0.4, "EUR") == text


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (0.0, "1st percentile"),
        (0.004, "1st percentile"),
        (0.23, "23rd percentile"),
        (1.0, "100th percentile"),
    ],
)
def test_a_percentile_runs_from_the_1st_to_the_100th(value: float, shown: str) -> None:
    assert format_value(value, Unit.PERCENTILE) == shown


@pytest.mark.parametrize(
    ("name", "value", "history_days", "text"),
    [
        (
            "gmv_365d",
            3650.0,
            121.0,
            "your sales over the last 365 days were only 3,650.00 EUR (estimated from the "
            "121 days we have records of)",
        ),
        ("gmv_365d", 3650.0, 365.0, "your sales over the last 365 days were only 3,650.00 EUR"),
        (
            "gmv_180d",
            0.0,
            30.0,
            "you made no sales over the last 180 days (estimated from the 30 days we have "
            "records of)",
        ),
        ("gmv_180d", 900.0, 200.0, "your sales over the last 180 days were only 900.00 EUR"),
        (
            "orders_365d",
            365.0,
            1.0,
            "you received only 365 orders over the last 365 days (estimated from the 1 day we "
            "have records of)",
        ),
        (
            "review_count_180d",
            12.0,
            None,
            "you received only 12 reviews over the last 180 days (estimated from the days we "
            "have records of, where fewer)",
        ),
        (
            "review_count_180d",
            math.nan,
            0.0,
            "we have no count of your reviews over the last 180 days",
        ),
        ("gmv_90d", 900.0, 30.0, "your sales over the last 90 days were only 900.00 EUR"),
    ],
)
def test_a_level_estimated_from_fewer_days_says_from_how_many(
    name: str, value: float, history_days: float | None, text: str
) -> None:
    """A long window's level is scaled from the days on record when there are fewer; the
    merchant is told so, and told nothing of it when the whole window is on record."""
    spec = next(s for s in CATALOG if s.name == name)
    assert reason_text(name, spec, value, 0.4, "EUR", history_days) == text


def test_reasons_read_the_merchants_days_on_record_from_its_row() -> None:
    specs = {s.name: s for s in CATALOG}
    features = ["gmv_365d", "history_days"]
    rows = reasons_of_rows(
        features,
        np.array([[0.5, 0.0], [0.5, 0.0]]),
        [[3650.0, 121.0], [3650.0, 365.0]],
        specs,
        currency="EUR",
    )
    assert [r[0].text for r in rows] == [
        "your sales over the last 365 days were only 3,650.00 EUR (estimated from the 121 days "
        "we have records of)",
        "your sales over the last 365 days were only 3,650.00 EUR",
    ]
