"""The realised APR: the one solver over the cash flows a loan really had."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from microlend.errors import LedgerError
from microlend.ledger import (
    FixedInstalmentTerms,
    Frequency,
    Header,
    ShareOfSalesTerms,
    Transaction,
    cash_flows,
    disbursement,
    effective_apr,
    flows_apr,
    interest_accrual,
    overpayment_refund,
    realised_cash_flows,
    receivables,
    repayment,
    reversal,
    schedule,
)
from microlend.money import Money
from microlend.types import LoanId

D = Decimal
LOAN = LoanId("L1")
LENT_ON = date(2026, 1, 15)
PRINCIPAL = Money(D(3500), "USD")
MONTHLY = FixedInstalmentTerms(annual_rate=D("0.18"), count=6, fee_rate=D("0.01"))
WEEKLY = FixedInstalmentTerms(D("0.2"), 26, Frequency.WEEKLY, fee_rate=D("0.01"))
SHARE = ShareOfSalesTerms(fee_rate=D("0.05"), holdback_rate=D("0.1"))


def _header(key: str, day: date) -> Header:
    return Header(f"t-{key}", day, key, LOAN)


def _paid(
    history: list[Transaction], terms: FixedInstalmentTerms, amount: Decimal, day: date
) -> Transaction:
    owed = receivables(history, LOAN)
    return repayment(
        _header(f"pay-{day}-{len(history)}", day), Money(amount, "USD"), owed, terms.waterfall
    )


def _on_schedule(terms: FixedInstalmentTerms, late_days: int = 0) -> list[Transaction]:
    """A loan whose every instalment is paid, ``late_days`` after it falls due (interest
    recognised first, as the end of day does)."""
    history = [disbursement(_header("lend", LENT_ON), terms, PRINCIPAL)]
    for row in schedule(terms, PRINCIPAL, LENT_ON):
        if row.interest:
            history.append(
                interest_accrual(
                    _header(f"acc-{row.number}", row.due_on), Money(row.interest, "USD")
                )
            )
        history.append(_paid(history, terms, row.total, row.due_on + timedelta(days=late_days)))
    return history


@pytest.mark.parametrize("terms", [MONTHLY, WEEKLY], ids=["monthly", "weekly"])
def test_a_loan_paid_on_schedule_realises_its_contractual_apr(terms: FixedInstalmentTerms) -> None:
    flows = realised_cash_flows(_on_schedule(terms), LOAN)
    assert flows == cash_flows(terms, PRINCIPAL, LENT_ON)
    assert flows_apr(flows) == pytest.approx(effective_apr(terms, PRINCIPAL, LENT_ON), abs=1e-12)


def test_paid_late_with_no_late_charge_realises_less() -> None:
    # The same amounts, each ten days later: the lender waited longer for them.
    contractual = effective_apr(MONTHLY, PRINCIPAL, LENT_ON)
    late = flows_apr(realised_cash_flows(_on_schedule(MONTHLY, late_days=10), LOAN))
    assert late < contractual - 0.01


def test_share_of_sales_flows_are_the_same_rate_as_effective_apr() -> None:
    daily = D("250.00")
    flows = cash_flows(SHARE, PRINCIPAL, LENT_ON, daily_net_sales=daily)
    expected = effective_apr(SHARE, PRINCIPAL, LENT_ON, daily_net_sales=daily)
    assert flows_apr(flows) == pytest.approx(expected, abs=1e-12)


def test_an_overpayment_counts_only_while_it_is_kept() -> None:
    history = [disbursement(_header("lend", LENT_ON), MONTHLY, PRINCIPAL)]
    later = LENT_ON + timedelta(days=40)
    payment = _paid(history, MONTHLY, D("3600.00"), later)  # 65.00 beyond the 3,535.00 owed
    history.append(payment)
    assert realised_cash_flows(history, LOAN) == (
        (LENT_ON, D("-3500.00")),
        (later, D("3535.00")),
    )
    history.append(
        overpayment_refund(_header("refund", later + timedelta(days=3)), Money(D(65), "USD"))
    )
    assert realised_cash_flows(history, LOAN) == ((LENT_ON, D("-3500.00")), (later, D("3535.00")))


def test_a_reversed_payment_and_its_reversal_count_as_neither() -> None:
    history = [disbursement(_header("lend", LENT_ON), MONTHLY, PRINCIPAL)]
    mistaken = _paid(history, MONTHLY, D("100.00"), LENT_ON + timedelta(days=5))
    history += [mistaken, reversal(_header("undo", LENT_ON + timedelta(days=9)), mistaken)]
    assert realised_cash_flows(history, LOAN) == ((LENT_ON, D("-3500.00")),)


def test_flows_without_money_lent_first_have_no_rate() -> None:
    with pytest.raises(LedgerError, match="must be money lent"):
        flows_apr(((LENT_ON, D("100")), (LENT_ON + timedelta(days=30), D("-100"))))
    with pytest.raises(LedgerError, match="no cash flows"):
        flows_apr(())
