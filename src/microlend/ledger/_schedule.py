"""Repayment schedules: one function for both products.

Amounts are rounded by ``money.round_money`` (the one rounding rule); whatever rounding leaves
over goes into the last instalment, so a schedule's principal sums exactly to the principal lent.

* Fixed instalments: an annuity. Each period's interest is the outstanding balance times the
  period rate; the rest of the equal payment repays principal; the last instalment clears the
  balance. The origination fee is due with the first instalment.
* Share of sales: the covenant's minimum milestones. Repayment really follows sales, so the
  schedule says the least that must have been paid by each milestone: ``total / periods`` every
  ``period_days`` days, split between principal and fee in proportion to the total.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache

from microlend.dates import add_months
from microlend.errors import LedgerError
from microlend.ledger._terms import FixedInstalmentTerms, Frequency, ShareOfSalesTerms, Terms
from microlend.money import Money, round_money

__all__ = ["Instalment", "fee_amount", "schedule"]

_ZERO = Decimal(0)


@dataclass(frozen=True)
class Instalment:
    """One row of a schedule: what falls due on ``due_on``, by component."""

    number: int
    due_on: date
    principal: Decimal
    interest: Decimal
    fee: Decimal
    currency: str

    @property
    def total(self) -> Decimal:
        return self.principal + self.interest + self.fee


def fee_amount(terms: Terms, principal: Money) -> Decimal:
    """The fixed fee of a loan of ``principal``, recognised when it is disbursed."""
    return round_money(principal.amount * terms.fee_rate, principal.currency)


def schedule(terms: Terms, principal: Money, disbursed_on: date) -> tuple[Instalment, ...]:
    """The repayment schedule of ``principal`` lent on ``disbursed_on`` under ``terms``."""
    return _schedule(terms, principal, disbursed_on)


# A schedule is a pure function of immutable values, and pricing an offer reads it three times
# (its rate, its rows, its last date), as a loan's state reads it on every posting.
@lru_cache(maxsize=1024)
def _schedule(terms: Terms, principal: Money, disbursed_on: date) -> tuple[Instalment, ...]:
    if principal.amount <= 0:
        raise LedgerError(f"a loan needs a positive principal, got {principal}")
    if isinstance(terms, FixedInstalmentTerms):
        return _annuity(terms, principal, disbursed_on)
    return _milestones(terms, principal, disbursed_on)


def _due_date(terms: FixedInstalmentTerms, disbursed_on: date, number: int) -> date:
    # Each date is counted from the disbursement, not from the previous date, so a loan made on
    # the 31st falls due on the last day of short months and on the 31st again after them.
    if terms.frequency is Frequency.MONTHLY:
        return add_months(disbursed_on, number)
    return disbursed_on + timedelta(weeks=number)


def _level_payment(terms: FixedInstalmentTerms, amount: Decimal, currency: str) -> Decimal:
    rate, count = terms.period_rate, terms.count
    if rate == 0:
        return round_money(amount / count, currency)
    return round_money(amount * rate / (1 - (1 + rate) ** -count), currency)


def _annuity(
    terms: FixedInstalmentTerms, principal: Money, disbursed_on: date
) -> tuple[Instalment, ...]:
    currency = principal.currency
    payment = _level_payment(terms, principal.amount, currency)
    fee = fee_amount(terms, principal)
    zero = round_money(_ZERO, currency)
    balance = principal.amount
    rows = []
    for number in range(1, terms.count + 1):
        interest = round_money(balance * terms.period_rate, currency)
        # Rounding the payment up can repay a tiny loan early: never repay more than is left.
        repaid = balance if number == terms.count else min(max(payment - interest, zero), balance)
        balance -= repaid
        rows.append(
            Instalment(
                number=number,
                due_on=_due_date(terms, disbursed_on, number),
                principal=repaid,
                interest=interest,
                fee=fee if number == 1 else zero,
                currency=currency,
            )
        )
    return tuple(rows)


def _milestones(
    terms: ShareOfSalesTerms, principal: Money, disbursed_on: date
) -> tuple[Instalment, ...]:
    currency, periods = principal.currency, terms.covenant.periods
    fee = fee_amount(terms, principal)
    total = principal.amount + fee
    minimum = round_money(total / periods, currency)
    rows, paid, fee_paid = [], _ZERO, _ZERO
    for number in range(1, periods + 1):
        amount = total - paid if number == periods else min(minimum, total - paid)
        paid += amount
        # The fee share is rounded on the running total, so each row's share is never negative
        # and the shares sum exactly to the fee.
        fee_part = round_money(fee * paid / total, currency) - fee_paid
        fee_paid += fee_part
        rows.append(
            Instalment(
                number=number,
                due_on=disbursed_on + timedelta(days=number * terms.covenant.period_days),
                principal=amount - fee_part,
                interest=round_money(_ZERO, currency),
                fee=fee_part,
                currency=currency,
            )
        )
    return tuple(rows)
