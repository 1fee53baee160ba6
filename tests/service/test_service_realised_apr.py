"""A loan's realised APR: recorded once as it is repaid, from the cash flows it really had, on
SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine
from test_service_lending import DAY, open_loan, usd

from microlend.ledger import (
    FixedInstalmentTerms,
    Frequency,
    ShareOfSalesTerms,
    TransactionKind,
    effective_apr,
    flows_apr,
    realised_cash_flows,
    schedule,
)
from microlend.service import (
    end_of_day,
    loan_view,
    post_payment,
    post_settlement,
    reverse_transaction,
)
from microlend.service.backtest._book import DayBook
from microlend.store import LoanRecord, LoanStatus, MerchantRecord
from microlend.types import LoanId, MerchantId

MONTHLY = FixedInstalmentTerms(Decimal("0.24"), 6, fee_rate=Decimal("0.01"))
WEEKLY = FixedInstalmentTerms(Decimal("0.2"), 26, Frequency.WEEKLY, fee_rate=Decimal("0.01"))
HIGH_FEE = FixedInstalmentTerms(Decimal("0.12"), 6, fee_rate=Decimal("0.03"))
SHARE = ShareOfSalesTerms(fee_rate=Decimal("0.06"), holdback_rate=Decimal("0.1"))
LENT = usd("1000.00")


def _loan(engine: Engine, loan_id: str) -> LoanRecord:
    return loan_view(engine, loan_id, DAY).loan


def _pay_every_instalment(
    engine: Engine, loan_id: str, terms: FixedInstalmentTerms, late_days: int = 0
) -> None:
    """Each instalment paid ``late_days`` after its due date, whose interest the day's close
    recognised."""
    for row in schedule(terms, LENT, DAY):
        end_of_day(engine, row.due_on)
        paid_on = row.due_on + timedelta(days=late_days)
        post_payment(engine, loan_id, usd(str(row.total)), paid_on, f"pay-{row.number}")


@pytest.mark.parametrize("terms", [MONTHLY, WEEKLY], ids=["monthly", "weekly"])
def test_paid_on_schedule_the_realised_apr_is_the_contractual_one(
    engine: Engine, terms: FixedInstalmentTerms
) -> None:
    loan_id = open_loan(engine, terms, "1000.00")
    assert _loan(engine, loan_id).realised_apr is None  # none while it runs
    _pay_every_instalment(engine, loan_id, terms)
    loan = _loan(engine, loan_id)
    assert loan.status is LoanStatus.REPAID
    assert loan.realised_apr == pytest.approx(effective_apr(terms, LENT, DAY), abs=1e-9)


def test_paid_late_with_no_late_charge_it_realises_less(engine: Engine) -> None:
    loan_id = open_loan(engine, MONTHLY, "1000.00")
    _pay_every_instalment(engine, loan_id, MONTHLY, late_days=12)
    realised = _loan(engine, loan_id).realised_apr
    assert realised is not None
    assert realised < effective_apr(MONTHLY, LENT, DAY) - 0.01


def test_an_early_payoff_costs_less_but_the_fixed_fee_raises_the_rate(engine: Engine) -> None:
    loan_id = open_loan(engine, HIGH_FEE, "1000.00")
    first_due = schedule(HIGH_FEE, LENT, DAY)[0].due_on
    end_of_day(engine, first_due)
    payoff_on = first_due + timedelta(days=9)
    quote = loan_view(engine, loan_id, payoff_on).state.payoff
    post_payment(engine, loan_id, usd(str(quote)), payoff_on, "payoff")
    view = loan_view(engine, loan_id, payoff_on)
    paid = sum(
        (p.amount for t in view.transactions for p in t.postings if p.account.value == "cash"),
        Decimal(0),
    )
    contractual = sum(row.total for row in schedule(HIGH_FEE, LENT, DAY)) - LENT.amount
    assert view.loan.status is LoanStatus.REPAID
    assert Decimal(0) < paid < contractual  # what it cost: less than the schedule's charges
    assert view.loan.realised_apr is not None
    assert view.loan.realised_apr > effective_apr(HIGH_FEE, LENT, DAY) + 0.05


def test_share_of_sales_at_the_forecast_pace_realises_the_estimate(engine: Engine) -> None:
    net = Decimal("400.00")
    loan_id = open_loan(engine, SHARE, "1000.00")
    day = DAY
    while _loan(engine, loan_id).status is LoanStatus.ACTIVE:
        day += timedelta(days=1)
        post_settlement(engine, loan_id, usd(str(net)), day, f"s-{day}")
    estimate = effective_apr(SHARE, LENT, DAY, daily_net_sales=net)
    assert _loan(engine, loan_id).realised_apr == pytest.approx(estimate, abs=1e-9)


def test_recorded_once_and_cleared_when_a_reversal_reopens_the_loan(engine: Engine) -> None:
    loan_id = open_loan(engine, MONTHLY, "1000.00")
    _pay_every_instalment(engine, loan_id, MONTHLY)
    recorded = _loan(engine, loan_id).realised_apr
    last_due = schedule(MONTHLY, LENT, DAY)[-1].due_on
    # A payment after it is repaid is refunded whole: the loan and its rate stay as they were.
    post_payment(engine, loan_id, usd("50.00"), last_due + timedelta(days=3), "extra")
    assert _loan(engine, loan_id).realised_apr == recorded
    last = next(
        t
        for t in loan_view(engine, loan_id, last_due).transactions
        if t.kind is TransactionKind.REPAYMENT and t.business_date == last_due
    )
    reverse_transaction(engine, last.id, last_due + timedelta(days=5), "undo-last")
    reopened = _loan(engine, loan_id)
    assert reopened.status is LoanStatus.ACTIVE
    assert reopened.realised_apr is None
    again = last_due + timedelta(days=30)
    owed = loan_view(engine, loan_id, again).owed_total
    post_payment(engine, loan_id, usd(str(owed)), again, "pay-again")
    repaid = _loan(engine, loan_id).realised_apr
    assert repaid is not None
    assert repaid < recorded  # the last payment came a month later
    assert recorded is not None


def test_a_written_off_loan_has_no_realised_apr(engine: Engine) -> None:
    loan_id = open_loan(engine, MONTHLY, "1000.00")
    first_due = schedule(MONTHLY, LENT, DAY)[0].due_on
    end_of_day(engine, first_due + timedelta(days=95))
    loan = _loan(engine, loan_id)
    assert loan.status is LoanStatus.WRITTEN_OFF
    assert loan.realised_apr is None


def test_a_loan_repaid_the_day_it_was_lent_has_none(engine: Engine) -> None:
    loan_id = open_loan(engine, SHARE, "1000.00")
    post_payment(engine, loan_id, usd("1060.00"), DAY, "at-once")
    loan = _loan(engine, loan_id)
    assert loan.status is LoanStatus.REPAID
    assert loan.realised_apr is None


def test_the_realised_apr_is_kept_exactly(engine: Engine) -> None:
    """A double on both databases: read back, exactly the rate of the loan's own flows."""
    loan_id = open_loan(engine, MONTHLY, "1000.00")
    _pay_every_instalment(engine, loan_id, MONTHLY, late_days=3)
    view = loan_view(engine, loan_id, DAY)
    assert view.loan.realised_apr == flows_apr(realised_cash_flows(view.transactions, loan_id))


def test_a_backtest_records_it_as_its_day_close_repays_a_loan(engine: Engine) -> None:
    net = Decimal("400.00")
    book = DayBook(engine, "USD")
    merchant = MerchantRecord(MerchantId("M1"), "toys", "north", datetime(2024, 1, 1, tzinfo=UTC))
    book.add_merchants([merchant])
    loan = LoanRecord(
        LoanId("BT-1"),
        merchant.merchant_id,
        None,
        SHARE,
        LENT.amount,
        "USD",
        LoanStatus.ACTIVE,
        DAY,
        disbursed_on=DAY,
    )
    book.open_loan(loan, DAY)
    book.close_day(DAY)
    day = DAY
    while book.tally.repaid == 0:
        day += timedelta(days=1)
        book.collect("M1", net, day)
        book.close_day(day)
    estimate = effective_apr(SHARE, LENT, DAY, daily_net_sales=net)
    assert _loan(engine, "BT-1").realised_apr == pytest.approx(estimate, abs=1e-9)
