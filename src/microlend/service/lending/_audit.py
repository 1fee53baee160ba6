"""What every servicing action shares: its audit record (who, when, why: ``store.LoanActions``,
in the same database transaction as its effect), the reason it requires, and the checks it
makes of the loan before it is taken (active, and what it owes now).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from microlend.errors import ConfigError, LedgerError
from microlend.ledger import Component, Transaction, receivables
from microlend.service.lending._receipts import (
    Receipt,
    loan_receipt,
    scoped_key,
    transaction_id,
)
from microlend.store import (
    ActionKind,
    LoanAction,
    LoanActions,
    LoanBookQueries,
    LoanRecord,
    LoanStatus,
)

__all__ = [
    "MAX_REASON",
    "active_loan",
    "actor_of",
    "owed_now",
    "record_action",
    "record_reason",
    "recorded",
]

#: The longest reason an action records.
MAX_REASON = 500


def actor_of(scope: str) -> str:
    """Who acts for caller ``scope``: its API key's id, or ``book`` for the book's own."""
    return scope or "book"


def record_action(
    session: Session,
    request: tuple[str, str, str],
    loan: LoanRecord | None,
    kind: ActionKind,
    business_date: date,
    reason: str,
    *,
    starts_on: date | None = None,
    ends_on: date | None = None,
    refers_to: str | None = None,
) -> str:
    """Record one action on ``loan`` (``None``: on the book, such as the reversal of a
    funding) for ``request`` (its operation, key and caller's scope, which name the action);
    returns the action's id."""
    operation, key, scope = request
    action_id = transaction_id(scoped_key(f"{operation}-action", key, scope))
    LoanActions(session).add(
        LoanAction(
            action_id=action_id,
            loan_id=None if loan is None else loan.loan_id,
            kind=kind,
            business_date=business_date,
            reason=record_reason(reason),
            actor=actor_of(scope),
            starts_on=starts_on,
            ends_on=ends_on,
            refers_to=refers_to,
        )
    )
    return action_id


def recorded(
    session: Session,
    request: tuple[str, str, str],
    loan: LoanRecord,
    kind: ActionKind,
    business_date: date,
    reason: str,
    *,
    status: str,
    posted: tuple[Transaction, Decimal] | None = None,
    starts_on: date | None = None,
    ends_on: date | None = None,
    refers_to: str | None = None,
) -> Receipt:
    """Record action ``kind`` on ``loan`` and return the command's receipt naming it; with
    ``posted`` (the transaction the action booked and the amount it moved) the action refers to
    that transaction and the receipt lists it."""
    entries = () if posted is None else (posted[0],)
    refers_to = refers_to if posted is None else posted[0].id
    action_id = record_action(
        session,
        request,
        loan,
        kind,
        business_date,
        reason,
        starts_on=starts_on,
        ends_on=ends_on,
        refers_to=refers_to,
    )
    amount = Decimal(0) if posted is None else posted[1]
    receipt = loan_receipt(kind.value, loan, business_date, entries, amount, status=status)
    return replace(receipt, action_id=action_id)


def owed_now(session: Session, loan: LoanRecord) -> tuple[dict[Component, Decimal], Decimal]:
    """What ``loan`` owes now, by component, and in all: what a take-off removes, what a
    credit may settle at most, and what a proposal of either is checked against."""
    owed = receivables(LoanBookQueries(session).loan_transactions(loan.loan_id), loan.loan_id)
    return owed, sum(owed.values(), Decimal(0))


def active_loan(session: Session, loan_id: str, done: str) -> LoanRecord:
    """The loan, refused unless it is active (``done``: what the action does to it)."""
    loan = LoanBookQueries(session).loan(loan_id)
    if loan.status is not LoanStatus.ACTIVE:
        raise LedgerError(f"loan {loan_id} is {loan.status}: only an active loan is {done}")
    return loan


def record_reason(reason: str) -> str:
    """The reason an action records: some words, at most ``MAX_REASON`` characters."""
    text = reason.strip()
    if not text:
        raise ConfigError("an action needs a reason: say why it is taken")
    if len(text) > MAX_REASON:
        raise ConfigError(f"a reason is at most {MAX_REASON} characters, got {len(text)}")
    return text
