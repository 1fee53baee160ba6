"""Knock-out rules: each default rule fires, missing values follow the rule, all are reported."""

from __future__ import annotations

import math
from datetime import date

import pytest
from policy_support import features, rating

from microlend.money import Money
from microlend.policy import (
    CreditRequest,
    Decision,
    Exposure,
    Knockout,
    Missing,
    Operator,
    ReasonSource,
    decide,
    default_policy,
    fired_knockouts,
)

AS_OF = date(2025, 3, 1)
REQUEST = CreditRequest("app-1", "m-1")


def _decide(values: dict[str, float | None], *, days_past_due: int = 0) -> Decision:
    exposure = Exposure(Money.zero("USD"), days_past_due=days_past_due)
    return decide(
        REQUEST,
        rating(0.01),
        values,
        default_policy(),
        exposure=exposure,
        as_of=AS_OF,
        model_version="pd-test",
    )


def test_a_healthy_merchant_passes_every_knockout() -> None:
    assert _decide(features()).approved


@pytest.mark.parametrize(
    ("code", "changes"),
    [
        ("short_tenure", {"tenure_days": 89.0}),
        ("sales_stopped", {"days_since_last_sale": 15.0}),
        ("low_sales", {"gmv_90d": 899.99}),
        ("prior_default", {"prior_defaults": 1.0}),
    ],
)
def test_each_feature_knockout_fires(code: str, changes: dict[str, float]) -> None:
    decision = _decide(features(**changes))
    assert not decision.approved
    assert decision.offers == ()
    assert decision.limit is None
    assert decision.reasons[0].source is ReasonSource.KNOCKOUT
    assert [r.code for r in decision.reasons if r.source is ReasonSource.KNOCKOUT] == [code]


def test_thresholds_are_exclusive_as_written() -> None:
    on_the_line = features(tenure_days=90.0, days_since_last_sale=14.0, gmv_90d=900.0)
    reasons = _decide(on_the_line).reasons
    assert not [r for r in reasons if r.source is ReasonSource.KNOCKOUT]
    # So small a merchant passes the knock-outs but its sales carry no loan of the minimum.
    assert reasons[0].code == "limit_below_minimum"


def test_open_arrears_fires_on_the_exposure_days_past_due() -> None:
    assert _decide(features(), days_past_due=29).approved
    decision = _decide(features(), days_past_due=30)
    assert [r.code for r in decision.reasons[:1]] == ["open_arrears"]
    assert decision.exposure.days_past_due == 30


def test_a_missing_feature_fires_unless_the_rule_lets_it_pass() -> None:
    never_sold = _decide(features(days_since_last_sale=math.nan))
    assert "sales_stopped" in {r.code for r in never_sold.reasons}
    assert never_sold.features["days_since_last_sale"] is None
    no_history = features()
    del no_history["prior_defaults"]
    assert _decide(no_history).approved


def test_every_firing_rule_is_reported_in_policy_order_before_score_reasons() -> None:
    decision = _decide(features(tenure_days=10.0, gmv_90d=100.0, prior_defaults=2.0))
    codes = [r.code for r in decision.reasons]
    assert codes[:3] == ["short_tenure", "low_sales", "prior_default"]
    sources = [r.source for r in decision.reasons]
    assert sources == sorted(sources, key=list(ReasonSource).index)
    assert sources[-1] is ReasonSource.SCORE
    assert decision.reasons[0].text == "you joined the platform less than 90 days ago"


@pytest.mark.parametrize(
    ("op", "fires"),
    [
        (Operator.LT, [True, False, False]),
        (Operator.LE, [True, True, False]),
        (Operator.GT, [False, False, True]),
        (Operator.GE, [False, True, True]),
        (Operator.EQ, [False, True, False]),
        (Operator.NE, [True, False, True]),
    ],
)
def test_every_operator_compares_the_feature_with_the_value(
    op: Operator, fires: list[bool]
) -> None:
    rule = Knockout("r", "gmv_90d", op, 5.0, "reason")
    assert [bool(fired_knockouts([rule], {"gmv_90d": v})) for v in (4.0, 5.0, 6.0)] == fires


def test_missing_setting_decides_for_absent_and_nan_values() -> None:
    fire = Knockout("r", "gmv_90d", Operator.LT, 5.0, "reason", Missing.FIRE)
    let_pass = Knockout("p", "gmv_90d", Operator.LT, 5.0, "reason", Missing.PASS)
    for facts in ({}, {"gmv_90d": None}, {"gmv_90d": math.nan}):
        assert fired_knockouts([fire, let_pass], facts) == (fire,)
