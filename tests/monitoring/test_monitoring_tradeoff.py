"""The cut-off trade-off: approvals fall as the cut-off rises, the expected figures add up on a
hand-made set, and a real decision's candidate is what the policy would lend and charge."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from microlend.features import Dimension
from microlend.money import Money
from microlend.monitoring import Candidate, candidate, tradeoff
from microlend.policy import (
    CreditRequest,
    Decision,
    Exposure,
    Policy,
    decide,
    default_policy,
    quote_fee_rate,
)
from microlend.scoring import Rating, ScoreScale

POLICY = default_policy()
SCALE = ScoreScale()
CUTOFFS = range(350, 951, 10)

#: A healthy merchant that passes every default knock-out.
GOOD = {
    "tenure_days": 400.0,
    "days_since_last_sale": 1.0,
    "gmv_90d": 30_000.0,
    "gmv_growth_90d": 0.1,
    "settlement_net_90d": 27_000.0,
    "prior_defaults": 0.0,
}


def _decision(pd: float, policy: Policy = POLICY, **changes: float | None) -> Decision:
    score = int(SCALE.points(pd))
    rating = Rating("m-1", pd, score, SCALE.band(score), dict.fromkeys(Dimension, score), (), ())
    return decide(
        CreditRequest("app-1", "m-1"),
        rating,
        GOOD | changes,
        policy,
        exposure=Exposure(Money(Decimal(0), "USD")),
        as_of=date(2025, 3, 1),
        model_version="test",
    )


def _set() -> list[Candidate]:
    """Three lendable applications and one another rule declines."""
    return [
        Candidate(800, 0.01, Decimal("1000"), Decimal("0.10"), Decimal("0.02")),
        Candidate(700, 0.05, Decimal("2000"), Decimal("0.15"), Decimal("0.03")),
        Candidate(600, 0.20, Decimal("500"), Decimal("0.30"), Decimal("0.04")),
        Candidate(900, 0.005, Decimal(0)),
    ]


def test_the_expected_figures_add_up_on_a_hand_made_set() -> None:
    found = tradeoff(_set(), [650, 750], current=700, lgd=Decimal("0.6"), currency="USD")
    assert [p.cutoff for p in found.points] == [650, 700, 750]
    at = found.at(650)
    assert (at.applications, at.approved) == (4, 2)
    assert at.approval_rate == pytest.approx(0.5)
    assert at.default_rate == pytest.approx((0.01 + 0.05) / 2)
    assert at.principal == Decimal("3000.00")
    # 0.01 x 0.6 x 1000 + 0.05 x 0.6 x 2000
    assert at.expected_loss == Decimal("66.00")
    assert at.income == Decimal("400.00")  # 0.10 x 1000 + 0.15 x 2000
    assert at.costs == Decimal("80.00")  # 0.02 x 1000 + 0.03 x 2000
    assert at.expected_profit == Decimal("254.00")
    high = found.at(750)
    assert (high.approved, high.expected_loss, high.expected_profit) == (
        1,
        Decimal("6.00"),
        Decimal("74.00"),
    )
    assert found.current == 700
    assert found.at(700).approved == 2


def test_no_application_approved_has_no_default_rate() -> None:
    found = tradeoff(_set(), [950], current=950, lgd=Decimal("0.6"), currency="USD")
    point = found.at(950)
    assert point.approved == 0
    assert point.default_rate is None
    assert point.approval_rate == 0.0
    assert point.expected_profit == Decimal("0.00")


def test_an_empty_window_gives_points_with_nothing_approved() -> None:
    found = tradeoff([], CUTOFFS, current=550, lgd=Decimal("0.6"), currency="USD")
    assert found.applications == 0
    assert all(p.approved == 0 and p.approval_rate == 0.0 for p in found.points)


def test_an_lgd_outside_zero_to_one_is_refused() -> None:
    with pytest.raises(ValueError, match="LGD"):
        tradeoff(_set(), CUTOFFS, current=550, lgd=Decimal("1.5"), currency="USD")


_candidates = st.lists(
    st.builds(
        Candidate,
        score=st.integers(350, 950),
        pd=st.floats(0.0, 1.0),
        principal=st.sampled_from([Decimal(0), Decimal("100"), Decimal("2500.50")]),
        income=st.sampled_from([Decimal("0.05"), Decimal("0.2")]),
        costs=st.sampled_from([Decimal("0.01"), Decimal("0.03")]),
    ),
    max_size=40,
)


@given(_candidates)
def test_approvals_principal_and_loss_never_rise_with_the_cut_off(
    candidates: list[Candidate],
) -> None:
    found = tradeoff(candidates, CUTOFFS, current=550, lgd=Decimal("0.6"), currency="USD")
    rates = [p.approval_rate for p in found.points]
    assert rates == sorted(rates, reverse=True)
    principal = [p.principal for p in found.points]
    assert principal == sorted(principal, reverse=True)
    losses = [p.expected_loss for p in found.points]
    assert losses == sorted(losses, reverse=True)
    # the sweep agrees with counting each cut-off from scratch
    for point in found.points:
        assert point.approved == sum(
            1 for c in candidates if c.principal > 0 and c.score >= point.cutoff
        )


def test_an_approved_decision_is_lent_its_limit_at_the_policy_price() -> None:
    decision = _decision(0.02)
    assert decision.approved
    assert decision.limit is not None
    seen = candidate(decision, POLICY)
    assert (seen.score, seen.pd) == (decision.score, decision.pd)
    assert seen.principal == decision.limit.amount > 0
    assert POLICY.share_of_sales is not None
    quote = quote_fee_rate(0.02, POLICY.pricing, days=POLICY.share_of_sales.target_days)
    assert seen.income == quote.rate
    assert seen.costs == quote.funding + quote.servicing
    # at the policy's price, a loan earns at least what its expected loss and costs take
    assert seen.income >= Decimal(repr(seen.pd)) * POLICY.pricing.lgd + seen.costs


def test_a_decline_at_the_cut_off_alone_is_lendable_below_it() -> None:
    strict = replace(POLICY, min_score=900)
    decision = _decision(0.02, strict)
    assert not decision.approved
    assert decision.score < 900
    seen = candidate(decision, strict)
    assert seen.principal == candidate(_decision(0.02), POLICY).principal > 0
    found = tradeoff([seen], [decision.score], current=900, lgd=strict.pricing.lgd, currency="USD")
    assert found.at(decision.score).approved == 1
    assert found.at(900).approved == 0


def test_a_knocked_out_application_is_never_approved() -> None:
    decision = _decision(0.02, prior_defaults=2.0)
    assert not decision.approved
    assert candidate(decision, POLICY).principal == 0
