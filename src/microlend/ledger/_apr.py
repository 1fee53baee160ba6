"""The effective annual percentage rate of a loan, from its cash flows.

The rate ``R`` solving ``sum(flow_i / (1 + R) ** (days_i / 365)) = 0`` over the lender's cash
flows (the principal out on day 0, every repayment in): the annual percentage rate of charge as
the EU's Consumer Credit Directive defines it. It includes the fee, so products with different
prices and speeds compare on one scale. A share-of-sales loan has no contractual dates, so its
rate depends on how fast sales repay it: ``daily_net_sales`` is the expected settlement net of
one day, of which the holdback rate is collected every day until principal plus fee are paid.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from decimal import Decimal

from microlend.errors import LedgerError
from microlend.ledger._schedule import fee_amount, schedule
from microlend.ledger._terms import ShareOfSalesTerms, Terms
from microlend.money import Money, round_money

__all__ = ["CashFlow", "cash_flows", "effective_apr"]

#: A dated cash flow of the lender: negative out, positive in.
CashFlow = tuple[date, Decimal]

# Bounds of ln(1 + R) searched: R from -99.3 % to e**60; far past any real price.
_LOW, _HIGH = -5.0, 60.0
_ITERATIONS = 200


def cash_flows(
    terms: Terms,
    principal: Money,
    disbursed_on: date,
    *,
    daily_net_sales: Decimal | None = None,
) -> tuple[CashFlow, ...]:
    """The lender's cash flows: the principal out, then the schedule (or the expected holdbacks)."""
    lent: CashFlow = (disbursed_on, -principal.amount)
    if not isinstance(terms, ShareOfSalesTerms):
        rows = schedule(terms, principal, disbursed_on)
        return (lent, *((row.due_on, row.total) for row in rows))
    if daily_net_sales is None:
        raise LedgerError("the rate of a share-of-sales loan needs the expected daily_net_sales")
    return (lent, *_holdbacks(terms, principal, disbursed_on, daily_net_sales))


def effective_apr(
    terms: Terms,
    principal: Money,
    disbursed_on: date,
    *,
    daily_net_sales: Decimal | None = None,
) -> float:
    """The effective annual rate (0.25 is 25 %) of a loan under ``terms``; see the module."""
    flows = cash_flows(terms, principal, disbursed_on, daily_net_sales=daily_net_sales)
    return _annual_irr(flows)


def _holdbacks(
    terms: ShareOfSalesTerms, principal: Money, disbursed_on: date, daily_net_sales: Decimal
) -> tuple[CashFlow, ...]:
    daily = round_money(daily_net_sales * terms.holdback_rate, principal.currency)
    if daily <= 0:
        raise LedgerError(f"daily_net_sales of {daily_net_sales} repays nothing at this holdback")
    owed = principal.amount + fee_amount(terms, principal)
    days, last = divmod(owed, daily)
    flows = [(disbursed_on + timedelta(days=day), daily) for day in range(1, int(days) + 1)]
    if last:
        flows.append((disbursed_on + timedelta(days=int(days) + 1), last))
    return tuple(flows)


def _annual_irr(flows: tuple[CashFlow, ...]) -> float:
    start = flows[0][0]
    timed = [((day - start).days / 365.0, float(amount)) for day, amount in flows]

    def npv(log_growth: float) -> float:
        return sum(amount * math.exp(-log_growth * years) for years, amount in timed)

    low, high = _LOW, _HIGH
    # The principal goes out first and repayments come in later, so the NPV falls as the rate
    # rises and there is exactly one root; bisection finds it without needing a derivative.
    if npv(low) < 0 or npv(high) > 0:
        raise LedgerError("the cash flows have no rate of return in range")
    for _ in range(_ITERATIONS):
        middle = (low + high) / 2
        if npv(middle) > 0:
            low = middle
        else:
            high = middle
    return math.expm1((low + high) / 2)
