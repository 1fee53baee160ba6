"""decide: offers with APRs that match the ledger, declines with reasons, exact replay."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from policy_support import SCORE_REASONS, edited_policy, features, rating

from microlend.errors import ConfigError
from microlend.ledger import (
    FixedInstalmentTerms,
    Product,
    ShareOfSalesTerms,
    effective_apr,
    fee_amount,
    last_payment_on,
    terms_from_json,
    terms_to_json,
)
from microlend.money import Money, round_money
from microlend.policy import (
    PREVIEW_ROWS,
    CreditRequest,
    Decision,
    Exposure,
    Offer,
    Policy,
    ReasonSource,
    decide,
    default_policy,
)
from microlend.scoring import TOP_REASONS

AS_OF = date(2025, 3, 1)
POLICY = default_policy()


def _decide(
    pd: float = 0.02,
    *,
    values: dict[str, float | None] | None = None,
    policy: Policy = POLICY,
    requested: str | None = None,
    owed: str = "0",
) -> Decision:
    request = CreditRequest(
        "app-1", "m-1", None if requested is None else Money(Decimal(requested), "USD")
    )
    return decide(
        request,
        rating(pd),
        features() if values is None else values,
        policy,
        exposure=Exposure(Money(Decimal(owed), "USD")),
        as_of=AS_OF,
        model_version="pd-2025.03",
    )


def _historical_daily(decision: Decision) -> Decimal:
    """The merchant's net payouts over the last 90 days, a day: a share-of-sales offer's APR
    and term are estimated from them (the historical method)."""
    payouts = decision.features["settlement_net_90d"]
    assert payouts is not None
    return round_money(round_money(Decimal(repr(payouts)), "USD") / 90, "USD")


def _forecast_days(decision: Decision, offer: Offer) -> int:
    """Days to repay ``offer`` at the forecast daily net sales its holdback was sized on."""
    paid = last_payment_on(
        offer.terms, offer.amount, AS_OF, daily_net_sales=decision.sales.daily_net
    )
    return (paid - AS_OF).days


def _assert_offers_are_consistent(decision: Decision) -> None:
    for offer in decision.offers:
        assert decision.limit is not None
        share = offer.product is Product.SHARE_OF_SALES
        daily = _historical_daily(decision) if share else None
        assert offer.apr == effective_apr(offer.terms, offer.amount, AS_OF, daily_net_sales=daily)
        assert offer.apr <= POLICY.pricing.max_apr
        assert POLICY.limits.minimum <= offer.amount.amount <= decision.limit.amount
        assert offer.amount.amount % POLICY.limits.step == 0
        assert offer.fee == fee_amount(offer.terms, offer.amount)
        assert offer.total_repayable == offer.amount.amount + offer.total_cost
        assert offer.total_cost >= offer.fee > 0
        assert 0 < len(offer.preview) <= PREVIEW_ROWS
        assert terms_from_json(terms_to_json(offer.terms)) == offer.terms


def test_a_good_merchant_gets_a_menu_of_every_product_and_term() -> None:
    decision = _decide(0.02)
    assert decision.approved
    assert decision.reasons == ()
    assert decision.band == "good"
    instalments = [o.terms for o in decision.offers if isinstance(o.terms, FixedInstalmentTerms)]
    assert [(t.count, t.frequency.value) for t in instalments] == [
        (6, "monthly"),
        (12, "monthly"),
        (26, "weekly"),
    ]
    assert [o.product for o in decision.offers].count(Product.SHARE_OF_SALES) == 1
    _assert_offers_are_consistent(decision)


@settings(max_examples=40, deadline=None)
@given(
    pd=st.floats(min_value=0.0005, max_value=0.12),
    gmv=st.floats(min_value=900.0, max_value=3_000_000.0),
    growth=st.floats(min_value=-1.0, max_value=3.0),
    paid_out=st.floats(min_value=-0.1, max_value=1.5),
    owed=st.decimals(min_value=0, max_value=20_000, places=2),
)
def test_every_offer_shows_the_ledger_apr_and_stays_within_the_limit(
    pd: float, gmv: float, growth: float, paid_out: float, owed: Decimal
) -> None:
    values = features(gmv_90d=gmv, gmv_growth_90d=growth, settlement_net_90d=gmv * paid_out)
    decision = _decide(pd, values=values, owed=str(owed))
    _assert_offers_are_consistent(decision)
    if decision.limit is not None:
        assert decision.limit.amount + owed <= POLICY.limits.merchant_cap
    assert decision.approved or decision.reasons


def test_a_share_of_sales_offer_repays_within_the_target_by_a_grid_holdback() -> None:
    offer = next(o for o in _decide(0.02).offers if o.product is Product.SHARE_OF_SALES)
    assert isinstance(offer.terms, ShareOfSalesTerms)
    share = POLICY.share_of_sales
    assert share is not None
    assert offer.terms.holdback_rate in share.holdback_rates
    assert offer.terms.covenant == share.covenant
    decision = _decide(0.02)
    assert 0 < _forecast_days(decision, offer) <= share.target_days
    assert offer.total_cost == offer.fee == offer.amount.amount * offer.price


def test_too_little_sales_for_the_holdback_shrinks_the_share_of_sales_offer() -> None:
    policy = edited_policy(
        "holdback_rates = [0.05, 0.08, 0.1, 0.12, 0.15, 0.2, 0.25]", "holdback_rates = [0.05]"
    )
    decision = _decide(0.02, policy=policy)
    share = next(o for o in decision.offers if o.product is Product.SHARE_OF_SALES)
    instalment = decision.offers[0]
    assert share.amount < instalment.amount
    assert _forecast_days(decision, share) <= 180
    assert share.amount + Money(Decimal(100), "USD") > Money(
        Decimal("0.05") * decision.sales.daily_net * 180 / (1 + share.price), "USD"
    )


def test_sales_too_low_for_any_holdback_is_a_decline_with_its_reason() -> None:
    policy = edited_policy(
        "holdback_rates = [0.05, 0.08, 0.1, 0.12, 0.15, 0.2, 0.25]", "holdback_rates = [0.05]"
    )
    # About 45 USD a day: a limit above the minimum, but 5 % of it repays under 500 in 180 days.
    decision = _decide(0.1, values=features(gmv_90d=4_200.0), policy=policy)
    assert decision.limit is not None
    assert decision.limit.amount >= policy.limits.minimum
    assert not decision.approved
    assert decision.reasons[0].code == "sales_too_low"


def test_the_amount_follows_the_request_within_minimum_and_limit() -> None:
    full = _decide(0.02)
    assert full.limit is not None
    limit = full.limit.amount
    assert {o.amount.amount for o in full.offers} == {limit}
    assert {o.amount.amount for o in _decide(0.02, requested="2345.67").offers} == {Decimal(2300)}
    assert {o.amount.amount for o in _decide(0.02, requested="100").offers} == {Decimal(500)}
    assert {o.amount.amount for o in _decide(0.02, requested="10000000").offers} == {limit}


def test_the_weak_band_is_offered_share_of_sales_only() -> None:
    decision = _decide(0.1)
    assert decision.band == "weak"
    assert [o.product for o in decision.offers] == [Product.SHARE_OF_SALES]
    assert _decide(0.005).band == "excellent"


def test_a_low_score_is_declined_with_policy_then_score_reasons() -> None:
    decision = _decide(0.2)
    assert not decision.approved
    assert decision.limit is None
    assert [r.code for r in decision.reasons] == [
        "score_below_minimum",
        "band_not_eligible",
        *(reason.feature for reason in SCORE_REASONS),
    ]
    assert f"your score of {decision.score}" in decision.reasons[0].text
    assert decision.reasons[-1].source is ReasonSource.SCORE
    assert decision.reasons[-1].text == SCORE_REASONS[-1].text


def test_exposure_can_leave_too_little_to_lend() -> None:
    fresh = _decide(0.02)
    assert fresh.limit is not None
    owed = fresh.limit.ceiling - Decimal(450)
    decision = _decide(0.02, owed=str(owed))
    assert decision.limit is not None
    assert decision.limit.amount == Decimal(400)
    assert decision.reasons[0].code == "limit_below_minimum"
    assert "after what you owe us already" in decision.reasons[0].text
    assert decision.reasons[0].text.endswith("is below our smallest loan of 500.00 USD")


def test_a_band_not_lent_to_is_named_in_plain_words() -> None:
    decision = _decide(0.2)
    told = {reason.code: reason.text for reason in decision.reasons}
    assert told["band_not_eligible"] == f"we make no offer to merchants rated {decision.band}"


def test_a_price_over_the_cap_is_a_decline_with_its_reason() -> None:
    policy = edited_policy("low = 0.03\nhigh = 0.2", "low = 0.03\nhigh = 0.1")
    decision = _decide(0.1, policy=policy)
    assert [r.code for r in decision.reasons][:1] == ["price_above_cap"]


def test_an_apr_over_the_maximum_is_a_decline_with_its_reason() -> None:
    policy = edited_policy("max_apr = 0.8", "max_apr = 0.1")
    decision = _decide(0.02, policy=policy)
    assert not decision.approved
    assert decision.reasons[0].code == "apr_above_cap"
    assert [r.code for r in decision.reasons].count("apr_above_cap") == 1


def test_the_decision_records_its_inputs_and_versions() -> None:
    decision = _decide(0.02, values=features(refund_rate_90d=0.01), owed="12.30")
    assert (decision.policy_version, decision.policy_digest) == (POLICY.version, POLICY.digest)
    assert decision.model_version == "pd-2025.03"
    assert decision.as_of == AS_OF
    assert decision.pd == 0.02
    assert decision.exposure.outstanding == Money(Decimal("12.30"), "USD")
    # The features the policy reads, not everything it was given.
    assert set(decision.features) == set(POLICY.features_read())
    assert decision.features["gmv_90d"] == 30_000.0


@pytest.mark.parametrize("pd", [0.02, 0.2])
def test_same_inputs_give_an_equal_decision_that_survives_json(pd: float) -> None:
    decision = _decide(pd, requested="5000")
    assert _decide(pd, requested="5000") == decision
    text = json.dumps(decision.to_dict())
    assert Decision.from_dict(json.loads(text)) == decision
    assert json.loads(text)["approved"] is decision.approved
    # Replaying from the recorded features alone gives the same decision.
    assert _decide(pd, values=dict(decision.features), requested="5000") == decision


def test_amounts_in_another_currency_are_refused() -> None:
    request = CreditRequest("app-1", "m-1", Money(Decimal(1000), "EUR"))
    with pytest.raises(ConfigError, match="lends in USD"):
        decide(
            request,
            rating(0.02),
            features(),
            POLICY,
            exposure=Exposure.none("USD"),
            as_of=AS_OF,
            model_version="pd",
        )


#: A value of each feature knock-out of the default policy that fires it.
KNOCKING_OUT = {
    "tenure_days": 10.0,
    "days_since_last_sale": 40.0,
    "gmv_90d": 100.0,
    "prior_defaults": 2.0,
}


def _declined(values: dict[str, float | None], pd: float, days_past_due: int = 0) -> Decision:
    return decide(
        CreditRequest("app-1", "m-1"),
        rating(pd),
        values,
        POLICY,
        exposure=Exposure(Money.zero("USD"), days_past_due=days_past_due),
        as_of=AS_OF,
        model_version="pd-2025.03",
    )


def test_a_decline_names_at_most_four_principal_reasons_knock_outs_first() -> None:
    # Five knock-outs fire (arrears too), the score is below the minimum, two score reasons.
    decision = _declined(features(**KNOCKING_OUT), 0.2, days_past_due=45)
    assert TOP_REASONS == 4  # what an adverse-action notice may name
    assert [r.code for r in decision.reasons] == [
        "short_tenure",
        "sales_stopped",
        "low_sales",
        "prior_default",
    ]
    assert [r.value for r in decision.reasons] == [10.0, 40.0, 100.0, 2.0]
    assert {r.source for r in decision.reasons} == {ReasonSource.KNOCKOUT}


def test_score_reasons_fill_what_knock_outs_and_policy_leave_worst_first() -> None:
    decision = _declined(features(tenure_days=10.0), 0.2)
    assert [(r.source, r.code) for r in decision.reasons] == [
        (ReasonSource.KNOCKOUT, "short_tenure"),
        (ReasonSource.POLICY, "score_below_minimum"),
        (ReasonSource.POLICY, "band_not_eligible"),
        (ReasonSource.SCORE, SCORE_REASONS[0].code),  # the larger contribution stays
    ]
    assert decision.reasons[1].value == decision.score
    worst = decision.reasons[-1]
    assert (worst.feature, worst.value, worst.text) == (
        SCORE_REASONS[0].feature,
        SCORE_REASONS[0].value,
        SCORE_REASONS[0].text,
    )


@settings(max_examples=60, deadline=None)
@given(
    fired=st.lists(st.sampled_from(sorted(KNOCKING_OUT)), unique=True),
    arrears=st.booleans(),
    pd=st.sampled_from([0.01, 0.05, 0.2, 0.6]),
)
def test_reasons_never_exceed_the_cap_and_keep_their_order(
    fired: list[str], arrears: bool, pd: float
) -> None:
    values = features(**{name: KNOCKING_OUT[name] for name in fired})
    decision = _declined(values, pd, days_past_due=45 if arrears else 0)
    sources = [r.source for r in decision.reasons]
    assert len(sources) <= TOP_REASONS
    assert sources == sorted(sources, key=list(ReasonSource).index)
    knock_outs = len(fired) + arrears
    assert sources.count(ReasonSource.KNOCKOUT) == min(knock_outs, TOP_REASONS)
    if knock_outs:
        assert not decision.approved
    if not decision.approved:  # a decline always says why, up to the cap
        assert sources
        assert len(sources) == TOP_REASONS or ReasonSource.SCORE in sources
