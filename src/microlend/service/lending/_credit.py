"""Credit control: what a merchant owes or has committed to, and the rules a loan must pass.

- Exposure counts every commitment: what the merchant's active loans owe as of the date (their
  state from postings) plus the principal of loans accepted and not yet disbursed.
- A decision is single-use and short-lived: its offers give at most one loan (a unique index
  on ``loans.decision_id`` holds it even if this code did not), they stand until the
  decision's ``expires_on``, and only while it is the merchant's latest decision
  (``merchants.latest_decision_id``): a newer one supersedes them.
- A loan from a decision stays within what that decision granted (its limit plus the exposure
  it was sized on: the most the merchant may owe in all), checked when the offer is accepted
  and again when the loan is disbursed, under the merchant's lock.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from microlend.errors import ConfigError, LimitExceededError, OfferUnavailableError
from microlend.money import Money
from microlend.policy import Exposure
from microlend.service.lending._pausing import pauses_of
from microlend.service.lending._servicing import state_of
from microlend.store import (
    DecisionRecord,
    LoanActions,
    LoanBookCommands,
    LoanBookQueries,
    LoanRecord,
    LoanStatus,
    in_transaction,
)

__all__ = ["book_exposure", "check_within_limit", "exposure_in", "granted", "usable_decision"]

_ZERO = Decimal(0)


def book_exposure(engine: Engine, merchant_id: str, currency: str, as_of: date) -> Exposure:
    """``exposure_in``, in a transaction of its own."""
    return in_transaction(engine, lambda s: exposure_in(s, merchant_id, currency, as_of))


def exposure_in(
    session: Session,
    merchant_id: str,
    currency: str,
    as_of: date,
    *,
    excluding: str | None = None,
    accrue_in_pause: bool = False,
) -> Exposure:
    """What ``merchant_id`` owes on its active loans in ``currency`` as of ``as_of`` plus the
    principal of its accepted ones (all but loan ``excluding``), and the worst days past due:
    each loan read with its payment pauses, so a paused merchant is not in arrears (as the
    loan's own read says; ``accrue_in_pause``: the policy's interest during a pause)."""
    queries = LoanBookQueries(session)
    loans = [
        loan
        for loan in queries.committed_loans(merchant_id)
        if loan.currency == currency and loan.loan_id != excluding
    ]
    if not loans:
        # Most applicants owe nothing: no history to read.
        return Exposure(Money(_ZERO, currency), 0)
    accepted = sum((loan.principal for loan in loans if loan.disbursed_on is None), _ZERO)
    active = [loan for loan in loans if loan.disbursed_on is not None]
    ids = [loan.loan_id for loan in active]
    history = queries.transactions_of(ids)
    actions = LoanActions(session).of_loans(ids)
    states = [
        state_of(
            loan,
            history.get(loan.loan_id, []),
            as_of,
            pauses_of(actions.get(loan.loan_id, []), as_of).values(),
            accrue_in_pause=accrue_in_pause,
        )
        for loan in active
    ]
    owed = sum((state.outstanding_total for state in states), accepted)
    worst = max((state.days_past_due for state in states), default=0)
    return Exposure(Money(owed, currency), worst)


def granted(decision: DecisionRecord) -> Decimal:
    """The most the merchant may owe in all, loans of this decision included: the limit it
    offered plus the exposure that limit was sized on."""
    limit = decision.decision.limit
    if limit is None:
        return _ZERO
    return limit.exposure + limit.amount


def usable_decision(session: Session, decision_id: str, business_date: date) -> DecisionRecord:
    """Decision ``decision_id``, its merchant locked, when its offers may be accepted on
    ``business_date``; otherwise ``OfferUnavailableError`` saying why."""
    queries = LoanBookQueries(session)
    decision = queries.decision(decision_id)  # never updated: read before the lock
    merchant_id = decision.merchant_id
    # Under the lock: a newer decision or an accept may have committed meanwhile.
    LoanBookCommands(session).lock_merchant(merchant_id)
    if (loan := queries.loan_of_decision(decision_id)) is not None:
        raise OfferUnavailableError(
            "used", f"decision {decision_id} was already accepted (loan {loan.loan_id})"
        )
    latest = queries.latest_decision(merchant_id)
    if latest != decision_id:
        raise OfferUnavailableError(
            "superseded", f"decision {decision_id} was superseded by decision {latest}"
        )
    if decision.expires_on is None:
        raise OfferUnavailableError("declined", f"decision {decision_id} made no offer")
    if business_date > decision.expires_on:
        raise OfferUnavailableError(
            "expired", f"the offers of decision {decision_id} expired on {decision.expires_on}"
        )
    if business_date < decision.as_of:
        raise ConfigError(
            f"decision {decision_id} is dated {decision.as_of}, after {business_date}"
        )
    return decision


def check_within_limit(
    session: Session,
    loan: LoanRecord,
    business_date: date,
    *,
    decision: DecisionRecord | None = None,
    merchant_cap: Decimal | None = None,
) -> None:
    """Raise ``LimitExceededError`` unless the merchant's exposure as of ``business_date``
    (its other loans) plus ``loan`` stays within what ``decision`` granted and within
    ``merchant_cap``. The caller holds the merchant's lock."""
    assert loan.status in (LoanStatus.ACCEPTED, LoanStatus.ACTIVE), loan.status
    exposure = exposure_in(
        session, loan.merchant_id, loan.currency, business_date, excluding=loan.loan_id
    )
    total = exposure.outstanding.amount + loan.principal
    caps = [] if decision is None else [(granted(decision), f"decision {decision.decision_id}")]
    if merchant_cap is not None:
        caps.append((merchant_cap, "the policy's cap on one merchant"))
    for cap, source in caps:
        if total > cap:
            raise LimitExceededError(
                f"loan {loan.loan_id} of {loan.principal} {loan.currency} would take merchant "
                f"{loan.merchant_id} to {total} {loan.currency} owed or committed, over the "
                f"{cap} {loan.currency} granted by {source}"
            )
