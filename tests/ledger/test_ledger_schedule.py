import math
from datetime import date
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from microlend.errors import LedgerError
from microlend.ledger import (
    Covenant,
    FixedInstalmentTerms,
    Frequency,
    ShareOfSalesTerms,
    cash_flows,
    effective_apr,
    fee_amount,
    last_payment_on,
    schedule,
)
from microlend.money import Money, round_money

D = Decimal
DISBURSED = date(2026, 1, 15)

currencies = st.sampled_from(["USD", "JPY", "KWD", "EUR"])
fixed_terms = st.builds(
    FixedInstalmentTerms,
    annual_rate=st.decimals(min_value=0, max_value=2, places=4),
    count=st.integers(1, 72),
    frequency=st.sampled_from(Frequency),
    fee_rate=st.decimals(min_value=0, max_value=D("0.2"), places=4),
)
share_terms = st.builds(
    ShareOfSalesTerms,
    fee_rate=st.decimals(min_value=0, max_value=D("0.3"), places=4),
    holdback_rate=st.decimals(min_value=D("0.01"), max_value=D("0.3"), places=4),
    covenant=st.builds(Covenant, periods=st.integers(1, 24), period_days=st.integers(1, 90)),
)


@st.composite
def principals(draw: st.DrawFn) -> Money:
    currency = draw(currencies)
    amount = draw(st.decimals(min_value=D("0.001"), max_value=D("1000000"), places=3))
    return Money(max(amount, D(1)), currency)


@given(st.one_of(fixed_terms, share_terms), principals())
def test_schedules_sum_exactly_to_principal_plus_charges(
    terms: FixedInstalmentTerms | ShareOfSalesTerms, principal: Money
) -> None:
    rows = schedule(terms, principal, DISBURSED)
    assert sum(r.principal for r in rows) == principal.amount
    assert sum(r.fee for r in rows) == fee_amount(terms, principal)
    assert sum(r.total for r in rows) == principal.amount + sum(r.interest + r.fee for r in rows)
    for row in rows:
        assert min(row.principal, row.interest, row.fee) >= 0
        for amount in (row.principal, row.interest, row.fee):
            assert round_money(amount, principal.currency) == amount
    due_dates = [r.due_on for r in rows]
    assert due_dates == sorted(set(due_dates))
    assert due_dates[0] > DISBURSED


@given(fixed_terms, principals())
def test_annuity_instalments_are_level_but_for_fee_and_remainder(
    terms: FixedInstalmentTerms, principal: Money
) -> None:
    rows = schedule(terms, principal, DISBURSED)
    level = set()
    # Interest is the balance times the period rate, rounded once per row.
    balance = principal.amount
    for row in rows:
        assert row.interest == round_money(balance * terms.period_rate, principal.currency)
        if row.number < terms.count and row.principal < balance:
            level.add(row.principal + row.interest)
        balance -= row.principal
    assert balance == 0
    # Only a tiny loan whose rounded-up payment repays it early has rows that are not level.
    assert len(level) <= 1


def test_a_twelve_month_loan_by_hand() -> None:
    # 1,000 at 12 % a year, monthly: payment = 1000 * 0.01 / (1 - 1.01 ** -12) = 88.8488 -> 88.85.
    terms = FixedInstalmentTerms(annual_rate=D("0.12"), count=12)
    rows = schedule(terms, Money(D(1000), "USD"), DISBURSED)
    expected = [
        ("2026-02-15", "78.85", "10.00"),
        ("2026-03-15", "79.64", "9.21"),
        ("2026-04-15", "80.43", "8.42"),
        ("2026-05-15", "81.24", "7.61"),
        ("2026-06-15", "82.05", "6.80"),
        ("2026-07-15", "82.87", "5.98"),
        ("2026-08-15", "83.70", "5.15"),
        ("2026-09-15", "84.54", "4.31"),
        ("2026-10-15", "85.38", "3.47"),
        ("2026-11-15", "86.24", "2.61"),
        ("2026-12-15", "87.10", "1.75"),
        ("2027-01-15", "87.96", "0.88"),  # the remainder: 1000 - 912.04, one cent short of level
    ]
    got = [(r.due_on.isoformat(), str(r.principal), str(r.interest)) for r in rows]
    assert got == expected
    assert [r.total for r in rows] == [D("88.85")] * 11 + [D("88.84")]
    assert sum(r.interest for r in rows) == D("66.19")


def test_monthly_dates_clamp_to_month_end_and_weekly_step_seven_days() -> None:
    monthly = FixedInstalmentTerms(annual_rate=D("0.1"), count=3)
    rows = schedule(monthly, Money(D(300), "USD"), date(2026, 1, 31))
    assert [r.due_on for r in rows] == [date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30)]
    weekly = FixedInstalmentTerms(annual_rate=D("0"), count=3, frequency=Frequency.WEEKLY)
    rows = schedule(weekly, Money(D(100), "USD"), DISBURSED)
    assert [r.due_on for r in rows] == [date(2026, 1, 22), date(2026, 1, 29), date(2026, 2, 5)]
    assert [r.principal for r in rows] == [D("33.33"), D("33.33"), D("33.34")]


def test_origination_fee_is_due_with_the_first_instalment() -> None:
    terms = FixedInstalmentTerms(annual_rate=D("0.12"), count=12, fee_rate=D("0.02"))
    rows = schedule(terms, Money(D(1000), "USD"), DISBURSED)
    assert [r.fee for r in rows] == [D("20.00")] + [D("0.00")] * 11


def test_share_of_sales_milestones_follow_the_covenant() -> None:
    terms = ShareOfSalesTerms(fee_rate=D("0.1"), holdback_rate=D("0.1"))
    rows = schedule(terms, Money(D(1000), "USD"), DISBURSED)
    assert len(rows) == 18
    assert rows[0].due_on == date(2026, 3, 16)  # 60 days after disbursement
    assert [r.total for r in rows] == [D("61.11")] * 17 + [D("61.13")]
    assert sum(r.fee for r in rows) == D("100.00")
    assert all(r.interest == 0 for r in rows)


def test_effective_apr_of_an_annuity_is_its_compounded_rate() -> None:
    terms = FixedInstalmentTerms(annual_rate=D("0.12"), count=12)
    apr = effective_apr(terms, Money(D(1000), "USD"), DISBURSED)
    assert apr == pytest.approx(1.01**12 - 1, abs=0.0015)  # 12.68 %, up to day counts
    free = FixedInstalmentTerms(annual_rate=D("0"), count=4)
    assert effective_apr(free, Money(D(1000), "USD"), DISBURSED) == pytest.approx(0, abs=1e-9)


def test_effective_apr_of_share_of_sales_rises_with_repayment_speed() -> None:
    terms = ShareOfSalesTerms(fee_rate=D("0.1"), holdback_rate=D("0.1"))
    lent = Money(D(1000), "USD")
    flows = cash_flows(terms, lent, DISBURSED, daily_net_sales=D(100))
    assert flows[0] == (DISBURSED, D(-1000))
    assert sum(amount for _, amount in flows[1:]) == D(1100)
    assert len(flows) == 1 + 110  # 10.00 a day for 110 days
    slow = effective_apr(terms, lent, DISBURSED, daily_net_sales=D(50))
    fast = effective_apr(terms, lent, DISBURSED, daily_net_sales=D(200))
    # A 10 % fee repaid over ~110 days and ~55 days: (1.1) ** (365 / days) - 1, roughly.
    assert 0.3 < slow < fast
    assert fast == pytest.approx(1.1 ** (365 / 28) - 1, rel=0.25)
    with pytest.raises(LedgerError, match="daily_net_sales"):
        effective_apr(terms, lent, DISBURSED)


def _bisected_apr(flows: tuple[tuple[date, Decimal], ...]) -> float | None:
    """The rate by plain bisection on ln(1 + R), as the ledger first computed it; ``None`` when
    it is outside the range searched."""
    years = np.array([(day - flows[0][0]).days / 365.0 for day, _ in flows])
    amounts = np.array([float(amount) for _, amount in flows])

    def npv(growth: float) -> float:
        # A loan repaid over decades overflows exp at the low end: +inf keeps the sign right.
        with np.errstate(over="ignore"):
            return float(np.sum(amounts * np.exp(-growth * years)))

    low, high = -5.0, 60.0
    if npv(low) < 0 or npv(high) > 0:
        return None
    for _ in range(200):
        middle = (low + high) / 2
        low, high = (middle, high) if npv(middle) > 0 else (low, middle)
    return math.expm1((low + high) / 2)


@settings(max_examples=60, deadline=None)
@given(
    st.one_of(fixed_terms.filter(lambda t: t.count <= 26), share_terms),
    st.integers(500, 100_000),
    st.integers(20, 20_000),
)
def test_effective_apr_is_the_root_bisection_finds(
    terms: FixedInstalmentTerms | ShareOfSalesTerms, amount: int, daily_sales: int
) -> None:
    lent = Money(D(amount), "USD")
    daily = D(daily_sales)
    try:
        flows = cash_flows(terms, lent, DISBURSED, daily_net_sales=daily)
    except LedgerError:  # the holdback rounds to nothing a day
        return
    assert last_payment_on(terms, lent, DISBURSED, daily_net_sales=daily) == flows[-1][0]
    expected = _bisected_apr(flows)
    if expected is None:
        with pytest.raises(LedgerError, match="no rate of return"):
            effective_apr(terms, lent, DISBURSED, daily_net_sales=daily)
        return
    apr = effective_apr(terms, lent, DISBURSED, daily_net_sales=daily)
    assert apr == pytest.approx(expected, rel=1e-11, abs=1e-12)


def test_a_loan_needs_a_positive_principal() -> None:
    with pytest.raises(LedgerError):
        schedule(FixedInstalmentTerms(annual_rate=D("0.1"), count=3), Money(D(0), "USD"), DISBURSED)
