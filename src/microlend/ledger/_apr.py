"""The effective annual percentage rate of a loan, from its cash flows.

The rate ``R`` solving ``sum(flow_i / (1 + R) ** (days_i / 365)) = 0`` over the lender's cash
flows (the principal out on day 0, every repayment in): the annual percentage rate of charge as
the EU's Consumer Credit Directive defines it. It includes the fee, so products with different
prices and speeds compare on one scale. A share-of-sales loan has no contractual dates, so its
rate depends on how fast sales repay it: ``daily_net_sales`` is the expected settlement net of
one day, of which the holdback rate is collected every day until principal plus fee are paid.

After a loan ends, the same rate of the flows that really happened (``realised_cash_flows``:
the disbursement out, every receipt kept, on its business date) is its realised APR
(``flows_apr``): one solver prices an offer and measures a loan.

The root is found in ``g = ln(1 + R)`` by Newton's method kept inside a bracket (a step that
would leave it bisects instead), on the flows as arrays: every offer of every decision is priced
this way, so the solver is on the decision's hot path.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import numpy.typing as npt

from microlend.errors import LedgerError
from microlend.ledger._accounts import Account
from microlend.ledger._entries import Transaction, unique_transactions
from microlend.ledger._schedule import fee_amount, schedule
from microlend.ledger._terms import ShareOfSalesTerms, Terms
from microlend.money import Money, round_money
from microlend.types import LoanId

__all__ = [
    "CashFlow",
    "cash_flows",
    "effective_apr",
    "expected_holdback",
    "flows_apr",
    "last_payment_on",
    "realised_cash_flows",
]

#: A dated cash flow of the lender: negative out, positive in.
CashFlow = tuple[date, Decimal]

_Floats = npt.NDArray[np.float64]

# Bounds of ln(1 + R) searched: R from -99.3 % to e**60; far past any real price.
_LOW, _HIGH = -5.0, 60.0
# Newton converges in a handful of steps from the first guess; a step that leaves the bracket
# halves it instead, so even the worst case ends well within this many.
_ITERATIONS = 200
# Steps this small (in ln(1 + R)) are below what the NPV's rounding can resolve.
_TOLERANCE = 1e-15
_DAYS_PER_YEAR = 365.0
# exp(300) is about 2e130: times any amount and any count of flows it stays finite.
_MAX_EXPONENT = 300.0
_ZERO = Decimal(0)
# The merchant's side of a loan: cash in and out of the book, less what the book owes back.
_MERCHANT_CASH = frozenset({Account.CASH, Account.MERCHANT_PAYABLE})


@dataclass(frozen=True)
class _Holdbacks:
    """The expected collections of a share-of-sales loan: ``daily`` on each of days 1 to
    ``days``, then ``last`` (possibly zero) the day after."""

    daily: Decimal
    days: int
    last: Decimal


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
    plan = _holdbacks(terms, principal, daily_net_sales)
    flows = [(disbursed_on + timedelta(days=day), plan.daily) for day in range(1, plan.days + 1)]
    if plan.last:
        flows.append((disbursed_on + timedelta(days=plan.days + 1), plan.last))
    return (lent, *flows)


def last_payment_on(
    terms: Terms,
    principal: Money,
    disbursed_on: date,
    *,
    daily_net_sales: Decimal | None = None,
) -> date:
    """The date of the last of ``cash_flows`` (the loan repaid), without listing them all."""
    if not isinstance(terms, ShareOfSalesTerms):
        return schedule(terms, principal, disbursed_on)[-1].due_on
    plan = _holdbacks(terms, principal, daily_net_sales)
    return disbursed_on + timedelta(days=plan.days + (1 if plan.last else 0))


def effective_apr(
    terms: Terms,
    principal: Money,
    disbursed_on: date,
    *,
    daily_net_sales: Decimal | None = None,
) -> float:
    """The effective annual rate (0.25 is 25 %) of a loan under ``terms``; see the module."""
    if isinstance(terms, ShareOfSalesTerms):
        years, amounts = _holdback_arrays(_holdbacks(terms, principal, daily_net_sales))
    else:
        rows = schedule(terms, principal, disbursed_on)
        days = [(row.due_on - disbursed_on).days for row in rows]
        years = np.array(days, dtype=np.float64) / _DAYS_PER_YEAR
        amounts = np.array([float(row.total) for row in rows], dtype=np.float64)
    return _annual_irr(float(principal.amount), years, amounts)


def expected_holdback(
    terms: ShareOfSalesTerms, principal: Money, daily_net_sales: Decimal
) -> Decimal:
    """The holdback expected each day (all but perhaps the last) of a share-of-sales loan."""
    return _holdbacks(terms, principal, daily_net_sales).daily


def realised_cash_flows(
    transactions: Iterable[Transaction], loan_id: LoanId
) -> tuple[CashFlow, ...]:
    """The lender's cash flows of one loan as they happened, netted by business date: what
    left the book for the merchant (the disbursement, refunds) negative, what came in and stayed
    (repayments and holdbacks) positive. Money that came in beyond what was owed is owed back
    (``merchant_payable``), so it counts only once it is kept; a transaction reversed and its
    reversal count as neither (a reversal undoes a mistake: the money never really moved)."""
    mine = [t for t in unique_transactions(transactions) if t.loan_id == loan_id]
    undone = {t.reverses for t in mine if t.reverses is not None}
    by_day: dict[date, Decimal] = {}
    for transaction in mine:
        if transaction.reverses is not None or transaction.id in undone:
            continue
        moved = sum((p.amount for p in transaction.postings if p.account in _MERCHANT_CASH), _ZERO)
        by_day[transaction.business_date] = by_day.get(transaction.business_date, _ZERO) + moved
    return tuple(sorted((day, amount) for day, amount in by_day.items() if amount != 0))


def flows_apr(flows: Sequence[CashFlow]) -> float:
    """The effective annual rate (0.25 is 25 %) of dated cash flows of the lender: the first
    must go out (negative), the rest come in; flows of one date are netted. The same rate as
    ``effective_apr`` gives a loan's contractual flows (``cash_flows``)."""
    if not flows:
        raise LedgerError("no cash flows: a rate needs money lent and repaid")
    start = min(day for day, _ in flows)
    netted: dict[int, Decimal] = {}
    for day, amount in flows:
        netted[(day - start).days] = netted.get((day - start).days, _ZERO) + amount
    lent = -netted.pop(0, _ZERO)
    if lent <= 0:
        raise LedgerError(f"the first cash flow, on {start}, must be money lent")
    days = sorted(netted)
    years = np.array(days, dtype=np.float64) / _DAYS_PER_YEAR
    amounts = np.array([float(netted[day]) for day in days], dtype=np.float64)
    return _annual_irr(float(lent), years, amounts)


def _holdbacks(
    terms: ShareOfSalesTerms, principal: Money, daily_net_sales: Decimal | None
) -> _Holdbacks:
    if daily_net_sales is None:
        raise LedgerError("the rate of a share-of-sales loan needs the expected daily_net_sales")
    daily = round_money(daily_net_sales * terms.holdback_rate, principal.currency)
    if daily <= 0:
        raise LedgerError(f"daily_net_sales of {daily_net_sales} repays nothing at this holdback")
    owed = principal.amount + fee_amount(terms, principal)
    days, last = divmod(owed, daily)
    return _Holdbacks(daily, int(days), last)


def _holdback_arrays(plan: _Holdbacks) -> tuple[_Floats, _Floats]:
    count = plan.days + (1 if plan.last else 0)
    years = np.arange(1, count + 1, dtype=np.float64) / _DAYS_PER_YEAR
    amounts = np.full(count, float(plan.daily), dtype=np.float64)
    if plan.last:
        amounts[-1] = float(plan.last)
    return years, amounts


def _annual_irr(lent: float, years: _Floats, amounts: _Floats) -> float:
    """``expm1`` of the root ``g`` of ``-lent + sum(amounts * exp(-g * years))``."""

    def npv(log_growth: float) -> float:
        # At the bracket's low end a decades-long repayment would overflow: the sign is all
        # the bracket check needs, and a capped exponent keeps it (and costs less than
        # np.errstate, which sets a context variable on every call).
        return float(amounts @ np.exp(np.minimum(-log_growth * years, _MAX_EXPONENT))) - lent

    low, high = _LOW, _HIGH
    # The principal goes out first and repayments come in later, so the NPV falls as the rate
    # rises (and is convex): there is exactly one root, and Newton's steps close in on it.
    if npv(low) < 0 or npv(high) > 0:
        raise LedgerError("the cash flows have no rate of return in range")
    growth = _first_guess(lent, years, amounts, low, high)
    for _ in range(_ITERATIONS):
        discounted = amounts * np.exp(-growth * years)
        value = float(discounted.sum()) - lent
        if value == 0:
            break
        if value > 0:
            low = growth
        else:
            high = growth
        slope = -float(discounted @ years)
        step = value / slope if slope < 0 else math.inf
        following = growth - step
        if not low < following < high:
            following = (low + high) / 2
        if abs(following - growth) <= _TOLERANCE * max(1.0, abs(growth)):
            growth = following
            break
        growth = following
    return math.expm1(growth)


def _first_guess(lent: float, years: _Floats, amounts: _Floats, low: float, high: float) -> float:
    """The growth that turns ``lent`` into what is repaid over the flows' mean time: exact for
    a single repayment, close for the rest."""
    repaid = float(amounts.sum())
    if lent <= 0 or repaid <= 0:
        return (low + high) / 2
    mean_years = float(amounts @ years) / repaid
    if mean_years <= 0:
        return (low + high) / 2
    return min(max(math.log(repaid / lent) / mean_years, low), high)
