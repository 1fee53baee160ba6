"""Maker-checker: an action that moves more than the policy's ``approval_threshold`` is proposed
by one key and applied only when another key approves it.

A command that can be held for approval computes, under its loan's lock, the amount it would
move (what a charge-off or write-off takes off the book, what a goodwill credit grants) and
calls ``maker_checked``: at or below the threshold it applies at once; above it, a proposal is
recorded (``store.LoanProposals``: who, when, why, the amount, the command's parameters) and
nothing is posted. ``service.lending._approvals`` applies it later through the command's
``Applier``, which checks first that the loan is still as it was proposed on (a proposal gone
stale is refused, never applied to another balance than the one approved).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from microlend.service.lending._receipts import Receipt, scoped_key, transaction_id
from microlend.store import ActionKind, LoanProposals, LoanRecord, Proposal

__all__ = ["Applier", "Held", "maker_checked", "needs_approval"]

#: Applies an approved proposal to its loan (locked, active) on a business date for a request
#: (operation, key, caller's scope: the approver's); raises ``ProposalUnavailableError("stale")``
#: when the loan no longer matches the proposal.
Applier = Callable[[Session, LoanRecord, Proposal, date, tuple[str, str, str]], Receipt]


@dataclass(frozen=True)
class Held:
    """What a command would do, for ``maker_checked`` to apply or propose: the action, the
    amount it moves, its parameters as its ``Applier`` reads them back, and the reason.
    ``prior`` is what earlier actions of its kind on the loan moved and count with it against
    the threshold (a goodwill credit's earlier unreversed credits and open proposals), so a
    large amount split into small ones still waits for approval."""

    kind: ActionKind
    amount: Decimal
    reason: str
    params: Mapping[str, Any]
    prior: Decimal = Decimal(0)


def needs_approval(amount: Decimal, threshold: Decimal | None) -> bool:
    """Whether moving ``amount`` waits for approval: only above the threshold (``None``: the
    book's own commands, never held)."""
    return threshold is not None and amount > threshold


def maker_checked(
    session: Session,
    loan: LoanRecord,
    held: Held,
    business_date: date,
    request: tuple[str, str, str],
    threshold: Decimal | None,
    apply: Callable[[], Receipt],
) -> Receipt:
    """``apply()`` when ``held`` needs no approval (its amount with its ``prior``, at most the
    threshold); else record it as a proposal of the caller (``request``: operation, key, scope)
    and answer with a receipt that moved nothing."""
    if not needs_approval(held.amount + held.prior, threshold):
        return apply()
    operation, key, scope = request
    proposal_id = transaction_id(scoped_key(f"{operation}-proposal", key, scope))
    LoanProposals(session).add(
        Proposal(
            proposal_id=proposal_id,
            loan_id=loan.loan_id,
            kind=held.kind,
            amount=held.amount,
            currency=loan.currency,
            reason=held.reason,
            proposed_by=scope or "book",
            proposed_on=business_date,
            params=held.params,
        )
    )
    return Receipt(
        held.kind.value,
        loan.loan_id,
        business_date,
        (),
        held.amount,
        status="proposed",
        currency=loan.currency,
        proposal_id=proposal_id,
    )
