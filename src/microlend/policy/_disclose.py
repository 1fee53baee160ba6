"""``disclose``: the disclosure of one offer, from what priced it.

Every figure is the offer's own: its schedule (``ledger.schedule``) and its APR
(``ledger.effective_apr``). A share-of-sales loan has no dates, so its payment, term and APR
are estimates by the historical method: from the merchant's own net payouts over the last
``PAYOUTS_DAYS`` days (``PAYOUTS_FEATURE``), stated with the figures used, as the offer's own
``apr`` and ``expected_days`` are (``policy._offers``); the policy's sales forecast sizes the
holdback but is no estimate the merchant is told. What a missed payment or an early payoff does
is worded from what the ledger does: no late fee and no interest beyond the schedule, past due
from the missed date, written off at ``WRITE_OFF_DAYS`` (``ledger.loan_state``); a payoff of
fixed instalments charges interest up to its day only, while a share-of-sales fee is owed whole
however early.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import groupby

from microlend.errors import LedgerError
from microlend.ledger import (
    WRITE_OFF_DAYS,
    FixedInstalmentTerms,
    Instalment,
    ShareOfSalesTerms,
    expected_holdback,
)
from microlend.money import format_money, round_money
from microlend.policy._decision import Offer
from microlend.policy._disclosure import Disclosure
from microlend.policy._limits import SalesForecast
from microlend.policy._policy import PAYOUTS_DAYS, PAYOUTS_FEATURE, Knockout, Policy
from microlend.policy._rules import fired_knockouts, is_missing

__all__ = ["SalesBasis", "disclose", "percent", "sales_basis"]

_ZERO = Decimal(0)


@dataclass(frozen=True)
class SalesBasis:
    """What a share-of-sales offer rests on: the policy's ``forecast`` of the merchant's net
    settlements, which sizes its holdback, and the merchant's own ``net_payouts`` over the last
    ``PAYOUTS_DAYS`` days (``None``: no record of them), from which its payment, term and APR
    are estimated and told (the historical method)."""

    forecast: SalesForecast
    net_payouts: Decimal | None
    currency: str

    @property
    def daily_payout(self) -> Decimal | None:
        """The settlement expected a day by the historical method, the net payouts' daily
        average to the currency's places; ``None`` without payouts above zero to average."""
        if self.net_payouts is None or self.net_payouts <= 0:
            return None
        return round_money(self.net_payouts / PAYOUTS_DAYS, self.currency)


def sales_basis(
    forecast: SalesForecast, features: Mapping[str, float | None], currency: str
) -> SalesBasis:
    """The basis of ``forecast`` and the merchant's ``PAYOUTS_FEATURE`` (exact to the cent)."""
    value = features.get(PAYOUTS_FEATURE)
    if value is None or is_missing(value) or math.isinf(value):
        return SalesBasis(forecast, None, currency)
    return SalesBasis(forecast, round_money(Decimal(repr(float(value))), currency), currency)


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
    regular = _regular(totals)
    includes = f"; it includes the {money(offer.fee)} fee" if offer.fee else ""
    return Disclosure(
        title=_instalment_title(terms, totals, regular, money),
        currency=offer.amount.currency,
        amount_funded=offer.amount.amount,
        finance_charge=offer.total_cost,
        total_repayable=offer.total_repayable,
        payments=_instalment_payments(terms, rows, totals, offer.fee, money),
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


def _regular(totals: Sequence[Decimal]) -> Decimal:
    """The regular payment: the commonest of the middle payments (neither the first, which
    carries the fee, nor the last, which takes the rounding), the second of two or three, the
    only one of one; of equally common ones, the first."""
    middle = totals[1:-1] or totals[1:] or totals
    # Counted by equality over runs, not hashed: a schedule's payments are runs of a few
    # values, and hashing every Decimal cost more than the rest of the disclosure.
    values: list[Decimal] = []
    counts: list[int] = []
    for total, size in _runs(middle):
        if total in values:  # equality, element by element
            counts[values.index(total)] += size
        else:
            values.append(total)
            counts.append(size)
    return values[counts.index(max(counts))]


def _runs(totals: Sequence[Decimal]) -> list[tuple[Decimal, int]]:
    """Consecutive equal payments as (amount, how many), in order."""
    runs: list[tuple[Decimal, int]] = []
    start = 0
    for at in range(1, len(totals) + 1):
        if at == len(totals) or totals[at] != totals[start]:
            runs.append((totals[start], at - start))
            start = at
    return runs


def _instalment_title(
    terms: FixedInstalmentTerms,
    totals: Sequence[Decimal],
    regular: Decimal,
    money: Callable[[Decimal], str],
) -> str:
    """``6 monthly payments of 596.10 USD (the first 631.10 USD, the last 596.12 USD)``: the
    regular payment (the range of the middle ones where they differ), and the first and last
    where they differ from it."""
    count = terms.count
    noun = "payment" if count == 1 else "payments"
    middle = totals[1:-1] or [regular]
    low, high = min(middle), max(middle)
    amount = money(regular) if low == high else f"{money(low)} to {money(high)}"
    ends = []
    if count > 1 and totals[0] != regular:
        ends.append(f"the first {money(totals[0])}")
    if count > 1 and totals[-1] != regular:
        ends.append(f"the last {money(totals[-1])}")
    title = f"{count} {terms.frequency.value} {noun} of {amount}"
    return f"{title} ({', '.join(ends)})" if ends else title


def _instalment_payments(
    terms: FixedInstalmentTerms,
    rows: Sequence[Instalment],
    totals: Sequence[Decimal],
    fee: Decimal,
    money: Callable[[Decimal], str],
) -> str:
    """Every payment in order (``totals``: each of ``rows``' total), equal ones counted: ``6
    monthly payments from 2025-04-01 to 2025-09-01: 631.10 USD (with the 35.00 USD fee), then
    4 of 596.10 USD, then 596.12 USD``."""
    runs = [
        money(total) if size == 1 else f"{size} of {money(total)}" for total, size in _runs(totals)
    ]
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
    the policy's arrears knock-outs, all of them, as the days past due on which they bar an
    offer (days past due are whole days, so ``> 14`` reads ``15 days or more``)."""
    barred = _barred_days(policy.knockouts)
    when = f"while it is {barred} past due we make you no new offer, and " if barred else ""
    return (
        "No late fee or extra interest is charged, but the loan is past due from the day "
        f"{missed}; {when}at {WRITE_OFF_DAYS} days past due it is in default and "
        "written off."
    )


# Cached: the wording depends on the policy's knock-outs alone, and every offer of every
# decision is disclosed with it (the search evaluates the rules on each day up to write-off).
@functools.cache
def _barred_days(knockouts: tuple[Knockout, ...]) -> str:
    """The days past due, before the write-off, on which any ``days_past_due`` knock-out fires,
    in words (``5 to 9 days or 30 days or more``); empty when none does."""
    rules = [rule for rule in knockouts if rule.feature == "days_past_due"]
    last = WRITE_OFF_DAYS - 1
    days = [d for d in range(1, WRITE_OFF_DAYS) if fired_knockouts(rules, {"days_past_due": d})]
    spans = []
    for _, run in groupby(enumerate(days), key=lambda pair: pair[1] - pair[0]):
        span = [day for _, day in run]
        first, end = span[0], span[-1]
        unit = "day" if first == 1 else "days"
        if end == last:
            spans.append(f"{first} {unit} or more")
        elif first == end:
            spans.append(f"{first} {unit}")
        else:
            spans.append(f"{first} to {end} days")
    return " or ".join(spans)


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
    per_day, payouts = basis.daily_payout, basis.net_payouts
    if per_day is None or payouts is None:
        raise LedgerError("a share-of-sales offer is only made on the merchant's own payouts")
    daily = expected_holdback(terms, offer.amount, per_day)
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
            f"about {money(daily)} a day at your net payouts of the last {PAYOUTS_DAYS} days, "
            f"for about {offer.expected_days:,} days"
        ),
        payment=None,
        payment_count=None,
        frequency=None,
        holdback_rate=terms.holdback_rate,
        estimated_daily_payment=daily,
        estimated_term_days=offer.expected_days,
        estimated_apr=offer.apr,
        apr_basis=(
            f"estimated by the historical method, based on your net payouts of "
            f"{money(payouts)} over the last {PAYOUTS_DAYS} days (what you were paid after "
            f"fees and refunds): {money(per_day)} a day on average, of which {share} "
            f"({money(daily)}) is held back, repaying {owed} in about "
            f"{offer.expected_days:,} days. If your payouts are lower, repayment takes longer "
            "and the APR is lower; if higher, repayment is quicker and the APR higher"
        ),
        lookback_days=PAYOUTS_DAYS,
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
