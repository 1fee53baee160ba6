"""``disclose``: the disclosure of one offer, from what priced it.

Every figure is the offer's own: its schedule (``ledger.schedule``), its APR
(``ledger.effective_apr``) and, for share of sales, the sales forecast its holdback was sized
on. A share-of-sales loan has no dates, so its term and APR are estimates by the historical
method: from the merchant's own sales over the forecast's lookback (``Forecast.window_days``),
stated with the figures used. What a missed payment or an early payoff does is worded from what
the ledger does: no late fee and no interest beyond the schedule, past due from the missed date,
written off at ``WRITE_OFF_DAYS`` (``ledger.loan_state``); a payoff of fixed instalments charges
interest up to its day only, while a share-of-sales fee is owed whole however early.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import groupby

from microlend.ledger import (
    WRITE_OFF_DAYS,
    FixedInstalmentTerms,
    Instalment,
    ShareOfSalesTerms,
    expected_holdback,
)
from microlend.money import format_money
from microlend.policy._decision import Offer
from microlend.policy._disclosure import Disclosure
from microlend.policy._limits import SalesForecast
from microlend.policy._policy import Operator, Policy

__all__ = ["SalesBasis", "disclose", "percent"]

_ZERO = Decimal(0)


@dataclass(frozen=True)
class SalesBasis:
    """What a share-of-sales estimate rests on: the merchant's own sales over the forecast's
    lookback (``Forecast.window_days``), and the forecast the policy made of them."""

    recent_sales: Decimal
    forecast: SalesForecast


def percent(rate: Decimal) -> str:
    """A rate in plain words: ``0.1`` is ``10 %``, ``0.125`` is ``12.5 %``."""
    return f"{(rate * 100).normalize():f} %"


def disclose(
    policy: Policy,
    offer: Offer,
    rows: Sequence[Instalment],
    *,
    basis: SalesBasis,
    expires_on: date,
) -> Disclosure:
    """The disclosure of ``offer``, whose full schedule is ``rows``."""
    if isinstance(offer.terms, FixedInstalmentTerms):
        return _instalments(policy, offer, offer.terms, rows, expires_on)
    return _share_of_sales(policy, offer, offer.terms, rows, basis, expires_on)


def _money(currency: str) -> Callable[[Decimal], str]:
    return lambda amount: format_money(amount, currency)


def _instalments(
    policy: Policy,
    offer: Offer,
    terms: FixedInstalmentTerms,
    rows: Sequence[Instalment],
    expires_on: date,
) -> Disclosure:
    money = _money(offer.amount.currency)
    totals = [row.total for row in rows]
    regular = Counter(totals).most_common(1)[0][0]
    includes = f"; it includes the {money(offer.fee)} fee" if offer.fee else ""
    return Disclosure(
        title=_instalment_title(terms, totals, regular, money),
        currency=offer.amount.currency,
        amount_funded=offer.amount.amount,
        finance_charge=offer.total_cost,
        total_repayable=offer.total_repayable,
        payments=_instalment_payments(terms, rows, offer.fee, money),
        payment=regular,
        payment_count=terms.count,
        frequency=terms.frequency.value,
        holdback_rate=None,
        estimated_daily_payment=None,
        estimated_term_days=offer.expected_days,
        estimated_apr=offer.apr,
        apr_basis=f"the APR if every payment is made on its due date{includes}",
        lookback_days=None,
        minimum_payment=None,
        minimum_period_days=None,
        covenant=(
            "Each payment is due on its date; one not made is due at once. "
            + _late(policy, "the payment was missed")
        ),
        prepayment=_instalment_prepayment(offer.fee, money),
        expires_on=expires_on,
    )


def _instalment_title(
    terms: FixedInstalmentTerms,
    totals: Sequence[Decimal],
    regular: Decimal,
    money: Callable[[Decimal], str],
) -> str:
    """``6 monthly payments of 596.10 USD (the first 631.10 USD, the last 596.12 USD)``: the
    regular payment, and the first and last where they differ from it."""
    count = terms.count
    noun = "payment" if count == 1 else "payments"
    title = f"{count} {terms.frequency.value} {noun} of {money(regular)}"
    if any(total != regular for total in totals[1:-1]):
        low, high = min(totals[1:-1]), max(totals[1:-1])
        title = f"{count} {terms.frequency.value} {noun} of {money(low)} to {money(high)}"
    ends = []
    if count > 1 and totals[0] != regular:
        ends.append(f"the first {money(totals[0])}")
    if count > 1 and totals[-1] != regular:
        ends.append(f"the last {money(totals[-1])}")
    return f"{title} ({', '.join(ends)})" if ends else title


def _instalment_payments(
    terms: FixedInstalmentTerms,
    rows: Sequence[Instalment],
    fee: Decimal,
    money: Callable[[Decimal], str],
) -> str:
    """Every payment in order, equal ones counted: ``6 monthly payments from 2025-04-01 to
    2025-09-01: 631.10 USD (with the 35.00 USD fee), then 4 of 596.10 USD, then 596.12 USD``."""
    runs = []
    for total, run in groupby(rows, key=lambda row: row.total):
        size = len(list(run))
        runs.append(money(total) if size == 1 else f"{size} of {money(total)}")
    if fee:
        runs[0] += f" (with the {money(fee)} fee)"
    span = (
        f"on {rows[0].due_on}" if len(rows) == 1 else f"from {rows[0].due_on} to {rows[-1].due_on}"
    )
    noun = "payment" if terms.count == 1 else "payments"
    return f"{terms.count} {terms.frequency.value} {noun} {span}: {', then '.join(runs)}"


def _instalment_prepayment(fee: Decimal, money: Callable[[Decimal], str]) -> str:
    kept = f" The {money(fee)} fee is owed in full, however early you repay." if fee else ""
    return (
        "You may repay all that is left at any time, at no charge: you then pay the principal "
        "left and any fee not yet paid, with interest up to that day at most, so you save the "
        "interest of the periods after it. Paying more than is due, short of all of it, counts "
        f"toward your next payments and does not lower their interest.{kept}"
    )


def _late(policy: Policy, missed: str) -> str:
    """What a missed payment does (past due from the day ``missed``): the ledger's ageing, and
    the policy's arrears knock-out."""
    barred = ""
    for rule in policy.knockouts:
        if rule.feature == "days_past_due" and rule.op in (Operator.GE, Operator.GT):
            late = (
                f"{rule.value:g} days or more"
                if rule.op is Operator.GE
                else (f"more than {rule.value:g} days")
            )
            barred = f"while it is {late} past due we make you no new offer, and "
    return (
        "No late fee or extra interest is charged, but the loan is past due from the day "
        f"{missed}; {barred}at {WRITE_OFF_DAYS} days past due it is in default and "
        "written off."
    )


def _share_of_sales(
    policy: Policy,
    offer: Offer,
    terms: ShareOfSalesTerms,
    rows: Sequence[Instalment],
    basis: SalesBasis,
    expires_on: date,
) -> Disclosure:
    currency = offer.amount.currency
    money = _money(currency)
    daily = expected_holdback(terms, offer.amount, basis.forecast.daily_net)
    share, owed = percent(terms.holdback_rate), money(offer.total_repayable)
    return Disclosure(
        title=f"{share} of each daily payout until {owed} is repaid",
        currency=currency,
        amount_funded=offer.amount.amount,
        finance_charge=offer.total_cost,
        total_repayable=offer.total_repayable,
        payments=(
            f"{share} of each daily payout is held back until {owed} "
            f"({money(offer.amount.amount)} and the {money(offer.fee)} fee) is repaid: "
            f"about {money(daily)} a day at your recent sales, for about "
            f"{offer.expected_days:,} days"
        ),
        payment=None,
        payment_count=None,
        frequency=None,
        holdback_rate=terms.holdback_rate,
        estimated_daily_payment=daily,
        estimated_term_days=offer.expected_days,
        estimated_apr=offer.apr,
        apr_basis=_historical_basis(policy, terms, basis, daily, money),
        lookback_days=policy.forecast.window_days,
        minimum_payment=rows[0].total,
        minimum_period_days=terms.covenant.period_days,
        covenant=_share_covenant(policy, terms, rows, offer.total_repayable, money),
        prepayment=(
            f"You may pay off what is left at any time, at no charge, but paying early saves "
            f"nothing: the {money(offer.fee)} fee is fixed, owed in full however fast you "
            "repay."
        ),
        expires_on=expires_on,
    )


def _historical_basis(
    policy: Policy,
    terms: ShareOfSalesTerms,
    basis: SalesBasis,
    daily: Decimal,
    money: Callable[[Decimal], str],
) -> str:
    forecast, days = policy.forecast, policy.forecast.window_days
    trend = (basis.forecast.trend_factor - 1) * 100
    return (
        f"estimated from your own sales over the last {days} days "
        f"({money(basis.recent_sales)}): with {percent(forecast.net_share)} of sales paid out "
        f"to you after fees and refunds and part of your recent growth carried forward "
        f"({trend:+.1f} %), "
        f"we expect {money(basis.forecast.daily_net)} a day paid out, of which "
        f"{percent(terms.holdback_rate)} ({money(daily)}) is held back. If your payouts are "
        "lower, repayment takes longer and the APR is lower; if higher, repayment is quicker "
        "and the APR higher"
    )


def _share_covenant(
    policy: Policy,
    terms: ShareOfSalesTerms,
    rows: Sequence[Instalment],
    total: Decimal,
    money: Callable[[Decimal], str],
) -> str:
    covenant, first = terms.covenant, rows[0].total
    days = covenant.period_days
    if covenant.periods == 1:
        minimum = f"All {money(total)} must have been repaid by day {days:,}."
    else:
        by_second = first + rows[1].total
        minimum = (
            f"At least {money(first)} (1/{covenant.periods} of the {money(total)} total) must "
            f"have been repaid by the end of every {days} days, counted in total: "
            f"{money(first)} by day {days:,}, {money(by_second)} by day {2 * days:,}, and so on, "
            f"all of it by day {covenant.periods * days:,}."
        )
    return (
        f"{minimum} If the holdbacks fall short, the difference is due at once: pay it "
        f"directly. {_late(policy, 'the minimum was missed')}"
    )
