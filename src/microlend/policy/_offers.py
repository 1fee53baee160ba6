"""The menu of offers: each product and term, priced, scheduled, given its effective APR and
disclosed (``policy._disclose``).

A share-of-sales offer is sized on the policy's sales forecast, but its APR and expected days
(what the merchant is told, and what the cap applies to) are estimated from the merchant's own
net payouts (the historical method, ``policy._disclose``), so a merchant sees one APR.

An offer that cannot be made (its price over the grid's cap, its APR over the policy's maximum,
forecast sales too low to repay it by holdback in time, or no net payouts to estimate it from,
or too few to keep up with its minimum payments) yields a ``DecisionReason`` instead, so a
merchant who gets no offer at all is told why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from microlend.errors import LedgerError
from microlend.ledger import (
    FixedInstalmentTerms,
    Instalment,
    ShareOfSalesTerms,
    Terms,
    effective_apr,
    expected_holdback,
    last_payment_on,
    schedule,
)
from microlend.money import Money, format_money
from microlend.policy._decision import DecisionReason, Offer, ReasonSource
from microlend.policy._disclose import SalesBasis, disclose, percent
from microlend.policy._limits import step_down
from microlend.policy._policy import (
    PAYOUTS_DAYS,
    InstalmentProduct,
    InstalmentTerm,
    Policy,
    ShareOfSalesProduct,
)
from microlend.policy._pricing import Quote, quote_annual_rate, quote_fee_rate

__all__ = ["PREVIEW_ROWS", "menu", "offers_expire_on"]

#: Instalments shown with an offer.
PREVIEW_ROWS = 3

# The highest holdback always covers the amount sized for it but for the daily holdback's
# rounding to cents, which a step or two less absorbs; more tries would never find more.
_RESIZE_TRIES = 3


def offers_expire_on(policy: Policy, as_of: date) -> date:
    """The last business day offers made on ``as_of`` may be accepted."""
    return as_of + timedelta(days=policy.offer_valid_days)


def menu(
    policy: Policy, *, band: str, pd: float, amount: Money, sales: SalesBasis, as_of: date
) -> tuple[tuple[Offer, ...], tuple[DecisionReason, ...]]:
    """The offers of every product open to ``band``, each disclosed, and why any product could
    not be offered. ``sales``: the merchant's recent sales and the forecast made of them."""
    made: list[Offer | DecisionReason] = []
    instalment, share = policy.instalment, policy.share_of_sales
    if instalment is not None and band in instalment.bands:
        made += [
            _instalment_offer(policy, instalment, term, pd=pd, amount=amount, as_of=as_of)
            for term in instalment.terms
        ]
    if share is not None and band in share.bands:
        made.append(_share_offer(policy, share, pd=pd, amount=amount, sales=sales, as_of=as_of))
    expires_on = offers_expire_on(policy, as_of)
    offers = tuple(
        _disclosed(policy, item, sales, as_of, expires_on)
        for item in made
        if isinstance(item, Offer)
    )
    refusals = tuple(item for item in made if isinstance(item, DecisionReason))
    return offers, tuple(dict.fromkeys(refusals))


def _disclosed(
    policy: Policy, offer: Offer, sales: SalesBasis, as_of: date, expires_on: date
) -> Offer:
    rows = schedule(offer.terms, offer.amount, as_of)
    disclosure = disclose(policy, offer, rows, basis=sales, expires_on=expires_on)
    return replace(offer, disclosure=disclosure)


def _refusal(code: str, text: str) -> DecisionReason:
    return DecisionReason(ReasonSource.POLICY, code, text)


def _price_over_cap() -> DecisionReason:
    return _refusal("price_above_cap", "the price your risk calls for is above our maximum")


def _offer(
    policy: Policy,
    terms: Terms,
    quote: Quote,
    amount: Money,
    *,
    as_of: date,
    daily_net: Decimal | None = None,
) -> Offer | DecisionReason:
    apr = effective_apr(terms, amount, as_of, daily_net_sales=daily_net)
    if apr > policy.pricing.max_apr:
        return _refusal("apr_above_cap", "the effective APR would be above our maximum")
    rows = schedule(terms, amount, as_of)
    last_day = last_payment_on(terms, amount, as_of, daily_net_sales=daily_net)
    fee, interest = _totals(rows)
    # A schedule's principal sums exactly to the principal lent (``ledger.schedule``).
    return Offer(
        amount=amount,
        terms=terms,
        quote=quote,
        fee=fee,
        total_cost=fee + interest,
        total_repayable=amount.amount + fee + interest,
        expected_days=(last_day - as_of).days,
        apr=apr,
        preview=rows[:PREVIEW_ROWS],
    )


def _totals(rows: Sequence[Instalment]) -> tuple[Decimal, Decimal]:
    """The fee and the interest of a schedule, in one pass (every offer of every decision)."""
    fee = interest = Decimal(0)
    for row in rows:
        fee += row.fee
        interest += row.interest
    return fee, interest


def _instalment_offer(
    policy: Policy,
    product: InstalmentProduct,
    term: InstalmentTerm,
    *,
    pd: float,
    amount: Money,
    as_of: date,
) -> Offer | DecisionReason:
    quote = quote_annual_rate(pd, policy.pricing, term=term, fee_rate=product.fee_rate)
    if not quote.within_cap:
        return _price_over_cap()
    terms = FixedInstalmentTerms(
        annual_rate=quote.rate,
        count=term.count,
        frequency=term.frequency,
        fee_rate=product.fee_rate,
    )
    return _offer(policy, terms, quote, amount, as_of=as_of)


def _share_offer(
    policy: Policy,
    product: ShareOfSalesProduct,
    *,
    pd: float,
    amount: Money,
    sales: SalesBasis,
    as_of: date,
) -> Offer | DecisionReason:
    # The fee is priced on the target duration; the holdback is then chosen to repay within it
    # at the forecast, so the forecast duration is never longer than the one the fee pays for.
    quote = quote_fee_rate(pd, policy.pricing, days=product.target_days)
    if not quote.within_cap:
        return _price_over_cap()
    daily_net = sales.forecast.daily_net
    sized = _size_holdback(policy, product, quote.rate, amount, daily_net, as_of)
    if sized is None:
        return _refusal(
            "sales_too_low",
            "your forecast sales are too low to repay the smallest loan by holdback in time",
        )
    terms, principal = sized
    # What the merchant is told, and the APR the cap applies to, are estimated from its own
    # net payouts (the historical method), not from the forecast that sized the holdback.
    historical = _historical_daily(terms, principal, sales, as_of)
    if isinstance(historical, DecisionReason):
        return historical
    return _offer(policy, terms, quote, principal, as_of=as_of, daily_net=historical)


def _historical_daily(
    terms: ShareOfSalesTerms, principal: Money, sales: SalesBasis, as_of: date
) -> Decimal | DecisionReason:
    """The daily settlement the estimates rest on, or why there can be none: no payouts to
    average, or a share of them too small to keep up with the covenant's minimum payments."""
    payouts, per_day = sales.net_payouts, sales.daily_payout
    lookback = f"over the last {PAYOUTS_DAYS} days"
    if payouts is None:
        return _refusal(
            "no_payouts",
            f"we have no record of your payouts {lookback}, from which we estimate how long "
            "a share of them would take to repay a loan, and its APR",
        )
    told = format_money(payouts, principal.currency)
    if per_day is None:
        return _refusal(
            "no_payouts",
            f"your net payouts {lookback} came to {told}: with no payouts to hold back a "
            "share of, we cannot estimate how long repaying would take, nor its APR",
        )
    if not _keeps_to_covenant(terms, principal, per_day, as_of):
        return _refusal(
            "payouts_too_low",
            f"at your net payouts {lookback} ({told}), holding back "
            f"{percent(terms.holdback_rate)} of them would repay a loan more slowly than its "
            "minimum payments require",
        )
    return per_day


def _keeps_to_covenant(
    terms: ShareOfSalesTerms, principal: Money, daily_net: Decimal, as_of: date
) -> bool:
    """Whether the daily holdback at ``daily_net`` has repaid each covenant minimum by its day."""
    try:
        daily = expected_holdback(terms, principal, daily_net)
    except LedgerError:  # the daily holdback rounds to nothing: it repays nothing
        return False
    owed = Decimal(0)
    for row in schedule(terms, principal, as_of):
        owed += row.total
        if daily * (row.due_on - as_of).days < owed:
            return False
    return True


def _size_holdback(
    policy: Policy,
    product: ShareOfSalesProduct,
    fee_rate: Decimal,
    amount: Money,
    daily_net: Decimal,
    as_of: date,
) -> tuple[ShareOfSalesTerms, Money] | None:
    """The lowest holdback that repays ``amount`` within the target days; if even the highest
    cannot, the largest amount (on the limit's step, at least its minimum) that it repays."""
    if daily_net <= 0:
        return None
    rates, limits = product.holdback_rates, policy.limits
    owed_per_unit = 1 + fee_rate
    most = step_down(
        rates[-1] * daily_net * product.target_days / owed_per_unit, limits.step, amount.currency
    )
    principal = min(amount, Money(most, amount.currency))
    for _ in range(_RESIZE_TRIES):
        if principal.amount < limits.minimum:
            break
        needed = principal.amount * owed_per_unit / (daily_net * product.target_days)
        for rate in (r for r in rates if r >= needed):
            terms = ShareOfSalesTerms(fee_rate, rate, product.covenant)
            if _repaid_within(terms, principal, daily_net, as_of, product.target_days):
                return terms, principal
        # Rounding the daily holdback to cents can leave a last payment a day late.
        principal = principal - Money(limits.step, amount.currency)
    return None


def _repaid_within(
    terms: ShareOfSalesTerms, principal: Money, daily_net: Decimal, as_of: date, days: int
) -> bool:
    try:
        last_day = last_payment_on(terms, principal, as_of, daily_net_sales=daily_net)
    except LedgerError:  # the daily holdback rounds to nothing: it repays nothing
        return False
    return (last_day - as_of).days <= days
