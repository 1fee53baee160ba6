"""Disclosures: every offer says what it costs, how it is repaid and what it assumes, in words
whose figures are the offer's own, and survives the decision's JSON exactly."""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal

import pytest
from policy_support import edited_policy, features, rating

from microlend.ledger import (
    FixedInstalmentTerms,
    ShareOfSalesTerms,
    effective_apr,
    expected_holdback,
    last_payment_on,
    schedule,
)
from microlend.money import Money, format_money, round_money
from microlend.policy import (
    PAYOUTS_DAYS,
    CreditRequest,
    Decision,
    Disclosure,
    Exposure,
    Offer,
    Policy,
    decide,
    default_policy,
)

AS_OF = date(2025, 3, 1)
POLICY = default_policy()


def _decide(
    policy: Policy = POLICY, requested: str = "3500", pd: float = 0.02, **values: float | None
) -> Decision:
    currency = policy.currency
    return decide(
        CreditRequest("app-1", "m-1", Money(Decimal(requested), currency)),
        rating(pd),
        features(**values),
        policy,
        exposure=Exposure(Money.zero(currency)),
        as_of=AS_OF,
        model_version="pd-test",
    )


def _disclosed(offer: Offer) -> Disclosure:
    assert offer.disclosure is not None
    return offer.disclosure


def test_every_offer_discloses_the_figures_it_was_priced_on() -> None:
    decision = _decide()
    assert len(decision.offers) == 4
    for offer in decision.offers:
        told = _disclosed(offer)
        assert told.currency == offer.amount.currency == "USD"
        assert told.amount_funded == offer.amount.amount == Decimal("3500.00")
        assert told.finance_charge == offer.total_cost > 0
        assert told.total_repayable == offer.amount.amount + offer.total_cost
        assert told.estimated_apr == offer.apr
        assert told.estimated_term_days == offer.expected_days
        assert told.expires_on == decision.expires_on == date(2025, 3, 8)


def test_titles_tell_the_offers_apart_with_payment_count_and_amount() -> None:
    titles = [_disclosed(offer).title for offer in _decide().offers]
    assert len(set(titles)) == len(titles)
    assert titles == [
        "6 monthly payments of 610.86 USD (the first 645.86 USD, the last 610.84 USD)",
        "12 monthly payments of 313.43 USD (the first 348.43 USD, the last 313.46 USD)",
        "26 weekly payments of 140.64 USD (the first 175.64 USD, the last 140.57 USD)",
        "8 % of each daily payout until 3,683.75 USD is repaid",
    ]


def test_instalment_payments_are_the_schedule_every_one_counted() -> None:
    for offer in _decide().offers:
        terms = offer.terms
        if not isinstance(terms, FixedInstalmentTerms):
            continue
        told, rows = _disclosed(offer), schedule(terms, offer.amount, AS_OF)
        assert told.payment_count == terms.count == len(rows)
        assert told.frequency == terms.frequency.value
        assert told.payment in {row.total for row in rows}
        assert told.holdback_rate is None
        assert told.minimum_payment is None
        # The words list every payment: counted runs of equal amounts add up to the total.
        runs = re.findall(r"(?:(\d+) of )?([\d,]+\.\d\d) USD(?! fee)", told.payments)
        listed = sum(int(n or 1) * Decimal(a.replace(",", "")) for n, a in runs)
        assert listed == told.total_repayable == sum(row.total for row in rows)
        assert f"from {rows[0].due_on} to {rows[-1].due_on}" in told.payments
        assert f"The {format_money(offer.fee, 'USD')} fee is owed in full" in told.prepayment


def _share_offer(decision: Decision) -> tuple[Offer, ShareOfSalesTerms, Disclosure]:
    offer = decision.offers[-1]
    assert isinstance(offer.terms, ShareOfSalesTerms)
    return offer, offer.terms, _disclosed(offer)


def _stated_payouts(told: Disclosure) -> Decimal:
    """The payouts the words say the estimates rest on, read back from them."""
    stated = re.search(
        r"based on your net payouts of (-?[\d,]+\.\d\d) USD over the last 90 days", told.apr_basis
    )
    assert stated is not None, told.apr_basis
    return Decimal(stated.group(1).replace(",", ""))


def test_share_of_sales_term_and_apr_follow_from_the_stated_payouts() -> None:
    decision = _decide()
    offer, terms, told = _share_offer(decision)
    payouts = _stated_payouts(told)
    assert payouts == Decimal("27000.00")  # the merchant's settlement_net_90d
    assert told.lookback_days == PAYOUTS_DAYS == 90
    # The historical method: the expected daily settlement is the payouts' daily average.
    per_day = round_money(payouts / 90, "USD")
    assert f"{format_money(per_day, 'USD')} a day on average" in told.apr_basis
    assert told.estimated_apr == effective_apr(terms, offer.amount, AS_OF, daily_net_sales=per_day)
    last = last_payment_on(terms, offer.amount, AS_OF, daily_net_sales=per_day)
    assert told.estimated_term_days == (last - AS_OF).days
    assert f"in about {told.estimated_term_days:,} days" in told.apr_basis
    assert told.estimated_daily_payment == expected_holdback(terms, offer.amount, per_day)
    assert told.estimated_daily_payment == Decimal("24.00")  # 8 % of 300.00
    # One APR: the offer's own is the one told, not the forecast's that sized the holdback.
    assert offer.apr == told.estimated_apr
    assert offer.expected_days == told.estimated_term_days
    forecast = effective_apr(terms, offer.amount, AS_OF, daily_net_sales=decision.sales.daily_net)
    assert forecast != told.estimated_apr
    assert format_money(decision.sales.daily_net, "USD") not in told.apr_basis + told.payments


@pytest.mark.parametrize("payouts", [13_500.0, 54_000.0])
def test_lower_payouts_give_a_longer_term_and_a_lower_apr(payouts: float) -> None:
    _, _, usual = _share_offer(_decide())
    _, _, told = _share_offer(_decide(settlement_net_90d=payouts))
    lower = payouts < 27_000
    assert (told.estimated_term_days > usual.estimated_term_days) == lower
    assert (told.estimated_apr < usual.estimated_apr) == lower
    assert told.holdback_rate == usual.holdback_rate  # the forecast sized it, as before


_NONE_TO_HOLD = (
    ": with no payouts to hold back a share of, we cannot estimate how long repaying would "
    "take, nor its APR"
)


@pytest.mark.parametrize(
    ("payouts", "said"),
    [
        (0.0, "your net payouts over the last 90 days came to 0.00 USD" + _NONE_TO_HOLD),
        (-120.5, "your net payouts over the last 90 days came to -120.50 USD" + _NONE_TO_HOLD),
        (
            None,
            "we have no record of your payouts over the last 90 days, from which we estimate "
            "how long a share of them would take to repay a loan, and its APR",
        ),
    ],
)
def test_without_payouts_no_estimate_is_made_up_and_the_merchant_is_told_why(
    payouts: float | None, said: str
) -> None:
    # A weak merchant is offered share of sales only: without payouts, nothing is offered.
    weak = _decide(pd=0.05, settlement_net_90d=payouts)
    assert weak.band == "weak"
    assert weak.offers == ()
    refusal = next(r for r in weak.reasons if r.code == "no_payouts")
    assert refusal.text == said
    # Others keep their fixed-instalment offers, none of share of sales.
    good = _decide(settlement_net_90d=payouts)
    assert [offer.terms.product.value for offer in good.offers] == ["fixed_instalment"] * 3


def test_payouts_too_low_for_the_minimum_payments_are_refused_not_estimated() -> None:
    # 3,500 at an 8 % holdback of 0.20 a day could not repay 1/18 of it every 60 days.
    decision = _decide(pd=0.05, settlement_net_90d=225.0)
    assert decision.offers == ()
    refusal = next(r for r in decision.reasons if r.code == "payouts_too_low")
    assert "(225.00 USD)" in refusal.text
    assert "more slowly than its minimum payments require" in refusal.text


def test_share_of_sales_states_its_covenant_and_prepayment() -> None:
    offer, terms, told = _share_offer(_decide())
    assert told.holdback_rate == terms.holdback_rate == Decimal("0.08")
    rows = schedule(terms, offer.amount, AS_OF)
    assert told.minimum_payment == rows[0].total
    assert told.minimum_period_days == terms.covenant.period_days == 60
    assert f"{format_money(rows[0].total, 'USD')} by day 60" in told.covenant
    assert "saves nothing" in told.prepayment
    assert told.payment is None
    assert told.payment_count is None


def test_what_a_missed_payment_does_follows_the_policy_arrears_rule() -> None:
    strict = edited_policy('op = ">="\nvalue = 30', 'op = ">"\nvalue = 14')
    told = _disclosed(_decide(strict).offers[0])
    # Days past due are whole days: more than 14 is 15 or more.
    assert "while it is 15 days or more past due we make you no new offer" in told.covenant
    assert "at 90 days past due it is in default" in told.covenant
    assert "30 days or more" in _disclosed(_decide().offers[0]).covenant


def _with_arrears_rule(op: str, value: int) -> Policy:
    """The default policy with a second arrears knock-out before the default one (30 or more)."""
    rule = (
        f'[[knockouts]]\ncode = "arrears_{value}"\nfeature = "days_past_due"\n'
        f'op = "{op}"\nvalue = {value}\nreason = "a loan with us is late"\n\n'
    )
    return edited_policy(
        '[[knockouts]]\ncode = "open_arrears"', f'{rule}[[knockouts]]\ncode = "open_arrears"'
    )


@pytest.mark.parametrize(
    ("op", "value", "barred"),
    [
        (">", 14, "15 days or more"),
        (">=", 45, "30 days or more"),
        ("==", 10, "10 days or 30 days or more"),
        ("!=", 0, "1 day or more"),
    ],
)
def test_every_arrears_knockout_is_told_not_only_the_last(op: str, value: int, barred: str) -> None:
    for offer in _decide(_with_arrears_rule(op, value)).offers:
        covenant = _disclosed(offer).covenant
        assert f"while it is {barred} past due we make you no new offer" in covenant


def _one_term(count: int, frequency: str) -> Policy:
    return edited_policy(
        '    { count = 6, frequency = "monthly" },\n'
        '    { count = 12, frequency = "monthly" },\n'
        '    { count = 26, frequency = "weekly" },\n',
        f'    {{ count = {count}, frequency = "{frequency}" }},\n',
    )


@pytest.mark.parametrize(
    ("count", "frequency"),
    [
        (1, "monthly"),
        (2, "monthly"),
        (3, "monthly"),
        (4, "monthly"),
        (6, "monthly"),
        (12, "monthly"),
        (26, "weekly"),
    ],
)
def test_the_title_and_payment_agree_with_the_schedule(count: int, frequency: str) -> None:
    offer = _decide(_one_term(count, frequency)).offers[0]
    assert isinstance(offer.terms, FixedInstalmentTerms)
    assert offer.terms.count == count
    told, rows = _disclosed(offer), schedule(offer.terms, offer.amount, AS_OF)
    totals = [row.total for row in rows]
    # The regular payment is neither the first (it carries the fee) nor the last (rounding).
    regular = totals[1] if count > 1 else totals[0]
    assert all(total == regular for total in totals[1:-1])
    assert told.payment == regular
    money = [format_money(total, "USD") for total in totals]
    noun = "payment" if count == 1 else "payments"
    expected = f"{count} {frequency} {noun} of {format_money(regular, 'USD')}"
    ends = [f"the first {money[0]}"] if count > 1 and totals[0] != regular else []
    if count > 1 and totals[-1] != regular:
        ends.append(f"the last {money[-1]}")
    assert told.title == (f"{expected} ({', '.join(ends)})" if ends else expected)
    assert " to " not in told.title
    assert count == 1 or f"the first {money[0]}" in told.title  # the fee is always told


def test_every_amount_in_the_words_carries_its_currency() -> None:
    for offer in _decide().offers:
        told = _disclosed(offer)
        for text in (told.title, told.payments, told.apr_basis, told.covenant, told.prepayment):
            for match in re.finditer(r"\d\.\d\d\b", text):
                assert text[match.end() :].startswith(" USD"), text


@pytest.mark.parametrize(("currency", "amount"), [("JPY", "350000"), ("KWD", "3500")])
def test_disclosures_round_trip_at_the_currency_places(currency: str, amount: str) -> None:
    policy = edited_policy('currency = "USD"', f'currency = "{currency}"')
    decision = _decide(policy, requested=amount, gmv_90d=3_000_000.0)
    assert decision.offers
    body = json.loads(json.dumps(decision.to_dict()))
    assert Decision.from_dict(body) == decision
    for offer, written in zip(decision.offers, body["offers"], strict=True):
        told = _disclosed(offer)
        assert written["disclosure"]["amount_funded"] == format(told.amount_funded, "f")
        assert currency in told.title


def test_an_offer_stored_before_disclosures_reads_back_without_one() -> None:
    body = _decide().to_dict()
    for offer in body["offers"]:
        del offer["disclosure"]
    assert all(offer.disclosure is None for offer in Decision.from_dict(body).offers)
