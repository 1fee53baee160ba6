"""Charge-off and write-off, servicing actions that take everything an active loan owes off
the book at the lender's cost: each posts one transaction (undone by ``reverse_transaction``),
and above the policy's ``approval_threshold`` is only proposed, applied when another key
approves it (``approve_taking_off``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from microlend.errors import ProposalUnavailableError
from microlend.ledger import Bucket, Component, charge_off, write_off
from microlend.money import to_text
from microlend.service.lending._audit import active_loan, owed_now, record_reason, recorded
from microlend.service.lending._maker_checker import Applier, Held, maker_checked
from microlend.service.lending._posting import post
from microlend.service.lending._receipts import Receipt, header_for, on_loan
from microlend.store import (
    ActionKind,
    Ageing,
    LoanBookCommands,
    LoanRecord,
    LoanStatus,
    Proposal,
)

__all__ = ["approve_taking_off", "charge_off_loan", "write_off_loan"]


def charge_off_loan(
    engine: Engine,
    loan_id: str,
    business_date: date,
    idempotency_key: str,
    *,
    reason: str,
    scope: str = "",
    approval_threshold: Decimal | None = None,
) -> Receipt:
    """Charge an active loan off: what its receivables hold leaves the book (``ledger.
    charge_off``), it accrues no more, and what is collected from it after is a recovery.
    Undone by reversing its transaction (while nothing was recovered since). A balance above
    ``approval_threshold`` is only proposed (``maker_checked``)."""
    return _take_off(
        engine,
        ActionKind.CHARGE_OFF,
        loan_id,
        business_date,
        idempotency_key,
        reason=reason,
        scope=scope,
        approval_threshold=approval_threshold,
    )


def write_off_loan(
    engine: Engine,
    loan_id: str,
    business_date: date,
    idempotency_key: str,
    *,
    reason: str,
    scope: str = "",
    approval_threshold: Decimal | None = None,
) -> Receipt:
    """Write an active loan off now, before end of day's rule would (``ledger.write_off``):
    what it owes leaves the book as a loss, and what is collected after is a recovery. Undone
    by reversing its transaction. A balance above ``approval_threshold`` is only proposed."""
    return _take_off(
        engine,
        ActionKind.WRITE_OFF,
        loan_id,
        business_date,
        idempotency_key,
        reason=reason,
        scope=scope,
        approval_threshold=approval_threshold,
    )


def _take_off(
    engine: Engine,
    kind: ActionKind,
    loan_id: str,
    business_date: date,
    idempotency_key: str,
    *,
    reason: str,
    scope: str,
    approval_threshold: Decimal | None,
) -> Receipt:
    """A charge-off or a write-off of everything the loan owes, or its proposal."""
    text = record_reason(reason)
    operation = kind.value

    def work(session: Session) -> Receipt:
        loan = active_loan(session, loan_id, _DONE[kind])
        owed, total = owed_now(session, loan)
        held = Held(kind, total, text, {})
        request = (operation, idempotency_key, scope)
        return maker_checked(
            session,
            loan,
            held,
            business_date,
            request,
            approval_threshold,
            lambda: _taken_off(session, loan, kind, owed, business_date, request, text),
        )

    return on_loan(
        engine,
        operation,
        loan_id,
        business_date,
        idempotency_key,
        work,
        scope=scope,
        request={"reason": reason},
    )


_DONE = {ActionKind.CHARGE_OFF: "charged off", ActionKind.WRITE_OFF: "written off"}


def _taken_off(
    session: Session,
    loan: LoanRecord,
    kind: ActionKind,
    owed: Mapping[Component, Decimal],
    business_date: date,
    request: tuple[str, str, str],
    reason: str,
) -> Receipt:
    """Post the charge-off (or write-off) of ``owed`` and record it; its receipt."""
    operation, key, scope = request
    header = header_for(operation, key, business_date, loan.loan_id, scope)
    if kind is ActionKind.CHARGE_OFF:
        entry = charge_off(header, owed, loan.currency)
        bucket = Bucket.CHARGED_OFF
    else:
        entry = write_off(header, owed, loan.currency)
        bucket = Bucket.WRITTEN_OFF
    status = post(session, loan, [entry], business_date)
    assert status in (LoanStatus.CHARGED_OFF, LoanStatus.WRITTEN_OFF), status
    # Out of the delinquency buckets: end of day no longer ages it.
    ageing = Ageing(loan.ageing.aged_on, 0, bucket, None)
    LoanBookCommands(session).set_ageing([(loan.loan_id, status, ageing)])
    posted = (entry, sum(owed.values(), Decimal(0)))
    return recorded(
        session, request, loan, kind, business_date, reason, status=str(status), posted=posted
    )


def approve_taking_off(kind: ActionKind) -> Applier:
    """How an approved charge-off (or write-off) proposal is applied: refused as stale when the
    loan owes another amount now than was proposed."""

    def apply(
        session: Session,
        loan: LoanRecord,
        proposal: Proposal,
        business_date: date,
        request: tuple[str, str, str],
    ) -> Receipt:
        owed, total = owed_now(session, loan)
        if total != proposal.amount:
            raise ProposalUnavailableError(
                "stale",
                f"loan {loan.loan_id} owes {to_text(total, loan.currency)} {loan.currency} now, "
                f"not the {to_text(proposal.amount, loan.currency)} proposed in "
                f"{proposal.proposal_id}: propose it again",
            )
        return _taken_off(session, loan, kind, owed, business_date, request, proposal.reason)

    return apply
