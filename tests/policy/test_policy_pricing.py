"""Pricing: prices rise with PD, cover expected loss and costs, and keep to the grid."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from microlend.ledger import FixedInstalmentTerms, Frequency, schedule
from microlend.money import Money
from microlend.policy import (
    InstalmentTerm,
    default_policy,
    instalment_balance_years,
    quote_annual_rate,
    quote_fee_rate,
)

PRICING = default_policy().pricing
FEE_RATE = Decimal("0.01")

pds = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
days = st.integers(min_value=1, max_value=1080)
terms = st.builds(
    InstalmentTerm, count=st.integers(1, 60), frequency=st.sampled_from(list(Frequency))
)


@given(low=pds, high=pds, days=days)
def test_the_fee_rate_rises_with_pd(low: float, high: float, days: int) -> None:
    low, high = sorted((low, high))
    cheaper = quote_fee_rate(low, PRICING, days=days)
    dearer = quote_fee_rate(high, PRICING, days=days)
    assert cheaper.rate <= dearer.rate
    # A rise in expected loss of a full grid step shows in the price, once above the floor.
    step_more = (Decimal(repr(high)) - Decimal(repr(low))) * PRICING.lgd > PRICING.fee_rate.step
    if step_more and dearer.required > PRICING.fee_rate.low:
        assert cheaper.rate < dearer.rate


@given(low=pds, high=pds, term=terms)
def test_the_annual_rate_rises_with_pd(low: float, high: float, term: InstalmentTerm) -> None:
    low, high = sorted((low, high))
    cheaper = quote_annual_rate(low, PRICING, term=term, fee_rate=FEE_RATE)
    dearer = quote_annual_rate(high, PRICING, term=term, fee_rate=FEE_RATE)
    assert cheaper.rate <= dearer.rate
    assert cheaper.expected_loss <= dearer.expected_loss


@given(pd=pds, days=days)
def test_the_fee_covers_expected_loss_and_costs(pd: float, days: int) -> None:
    quote = quote_fee_rate(pd, PRICING, days=days)
    assert quote.expected_loss == Decimal(repr(pd)) * PRICING.lgd
    assert quote.funding == PRICING.cost_of_funds * (Decimal(days) / 730)
    assert quote.rate >= quote.required
    # Rounded up to the grid, never by a whole step more than needed (unless at the floor).
    assert quote.rate == PRICING.fee_rate.low or quote.rate - PRICING.fee_rate.step < quote.required
    assert quote.within_cap == (quote.rate <= PRICING.fee_rate.high)


@given(pd=st.floats(min_value=0.0, max_value=0.3), term=terms)
def test_interest_and_fee_cover_expected_loss_and_costs(pd: float, term: InstalmentTerm) -> None:
    quote = quote_annual_rate(pd, PRICING, term=term, fee_rate=FEE_RATE)
    if not quote.within_cap:
        return
    principal = Money(Decimal(10_000), "USD")
    loan = FixedInstalmentTerms(quote.rate, term.count, term.frequency, FEE_RATE)
    rows = schedule(loan, principal, date(2025, 1, 31))
    earned = sum((row.interest + row.fee for row in rows), Decimal(0)) / principal.amount
    # Principal-years actually outstanding: the annuity repays no faster than the pricing assumes.
    balance, balance_years = principal.amount, Decimal(0)
    for row in rows:
        balance_years += balance / principal.amount / term.frequency.periods_per_year
        balance -= row.principal
    assert balance_years >= instalment_balance_years(term)
    annual = PRICING.cost_of_funds + PRICING.target_margin
    needed = quote.expected_loss + PRICING.servicing + annual * balance_years
    assert earned >= needed - Decimal("0.0001")  # cents of rounding on 10 000


def test_worked_example_of_docs() -> None:
    quote = quote_fee_rate(0.02, PRICING, days=180)
    # 0.02 x 0.85 + (0.06 + 0.04) x 180 / 730 + 0.01 = 0.051658 -> 0.0525 on the 0.25 % grid
    assert quote.required.quantize(Decimal("0.000001")) == Decimal("0.051658")
    assert quote.rate == Decimal("0.0525")
    twelve = InstalmentTerm(12, Frequency.MONTHLY)
    # (0.051658... with 13/24 balance-years) -> (0.017 + 0.01 + 0.1 x 13/24 - 0.01) / (13/24)
    assert quote_annual_rate(0.02, PRICING, term=twelve, fee_rate=FEE_RATE).rate == Decimal("0.135")


def test_a_price_over_the_cap_is_flagged_not_capped() -> None:
    quote = quote_fee_rate(0.5, PRICING, days=180)
    assert not quote.within_cap
    assert quote.rate > PRICING.fee_rate.high
    assert quote_fee_rate(0.0, PRICING, days=1).rate == PRICING.fee_rate.low


def test_a_pd_outside_zero_to_one_is_refused() -> None:
    with pytest.raises(ValueError, match="PD"):
        quote_fee_rate(1.5, PRICING, days=180)
