"""The checker's side of maker-checker: approve a proposed action (it is applied then, by the
approver, dated the business date of approval) or reject it; and the proposals to read.

Each decision holds the loan's lock and takes an idempotency key like every command on a loan.
The proposer's own key never decides its proposal (``SegregationError``). A proposal decided
already, or gone stale (the loan is no longer active, or no longer owes what it was proposed
on), is refused with ``ProposalUnavailableError`` naming which; two approvals racing on one
proposal queue on the loan's lock, and the second finds it approved.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from microlend.errors import NotFoundError, ProposalUnavailableError, SegregationError
from microlend.service.lending._actions import APPLIERS
from microlend.service.lending._audit import actor_of, record_reason
from microlend.service.lending._receipts import Receipt, on_loan
from microlend.store import (
    LoanBookQueries,
    LoanProposals,
    LoanRecord,
    LoanStatus,
    Proposal,
    ProposalStatus,
    in_transaction,
)

__all__ = ["approve_proposal", "proposals", "reject_proposal"]


def approve_proposal(
    engine: Engine,
    loan_id: str,
    proposal_id: str,
    business_date: date,
    idempotency_key: str,
    *,
    scope: str,
    reason: str | None = None,
) -> Receipt:
    """Apply proposal ``proposal_id`` of the loan now, as the caller ``scope`` (never its
    proposer): its postings are dated ``business_date`` and its action is recorded as the
    approver's, with the proposal's reason."""
    note = None if reason is None else record_reason(reason)

    def work(session: Session) -> Receipt:
        loan = LoanBookQueries(session).loan(loan_id)
        proposal = _open(session, loan, proposal_id, scope)
        operation = f"{proposal.kind.value}-approval"
        apply = APPLIERS[proposal.kind]
        receipt = apply(session, loan, proposal, business_date, (operation, proposal_id, scope))
        decided = LoanProposals(session).decide(
            proposal_id,
            ProposalStatus.APPROVED,
            by=actor_of(scope),
            on=business_date,
            reason=note,
            action_id=receipt.action_id,
        )
        assert decided, proposal_id  # under the loan's lock, seen open just now
        return replace(receipt, proposal_id=proposal_id)

    request = {"proposal_id": proposal_id, "reason": reason}
    return on_loan(
        engine,
        "approve",
        loan_id,
        business_date,
        idempotency_key,
        work,
        scope=scope,
        request=request,
    )


def reject_proposal(
    engine: Engine,
    loan_id: str,
    proposal_id: str,
    business_date: date,
    idempotency_key: str,
    *,
    scope: str,
    reason: str,
) -> Receipt:
    """Refuse proposal ``proposal_id`` of the loan, as the caller ``scope`` (never its
    proposer), saying why: it will never be applied. Nothing moves."""
    note = record_reason(reason)

    def work(session: Session) -> Receipt:
        loan = LoanBookQueries(session).loan(loan_id)
        proposal = _open(session, loan, proposal_id, scope, stale_ok=True)
        decided = LoanProposals(session).decide(
            proposal_id, ProposalStatus.REJECTED, by=actor_of(scope), on=business_date, reason=note
        )
        assert decided, proposal_id
        return Receipt(
            proposal.kind.value,
            loan.loan_id,
            business_date,
            (),
            proposal.amount,
            status=ProposalStatus.REJECTED.value,
            currency=loan.currency,
            proposal_id=proposal_id,
        )

    return on_loan(
        engine,
        "reject",
        loan_id,
        business_date,
        idempotency_key,
        work,
        scope=scope,
        request={"proposal_id": proposal_id, "reason": reason},
    )


def proposals(
    engine: Engine,
    *,
    loan_id: str | None = None,
    status: ProposalStatus | None = None,
    limit: int = 100,
) -> list[Proposal]:
    """Proposals in the order they were made: of one loan or all, in one status or any."""
    return in_transaction(
        engine,
        lambda session: LoanProposals(session).listed(loan_id=loan_id, status=status, limit=limit),
    )


def _open(
    session: Session, loan: LoanRecord, proposal_id: str, scope: str, *, stale_ok: bool = False
) -> Proposal:
    """The loan's proposal ``proposal_id``, still open, that the caller may decide."""
    proposal = LoanProposals(session).get(proposal_id)
    if proposal is None or proposal.loan_id != loan.loan_id:
        raise NotFoundError(f"loan {loan.loan_id} has no proposal {proposal_id!r}")
    if actor_of(scope) == proposal.proposed_by:
        raise SegregationError(
            f"proposal {proposal_id} was made with this key: another key must decide it"
        )
    if proposal.status is not ProposalStatus.PROPOSED:
        raise ProposalUnavailableError(
            proposal.status.value,
            f"proposal {proposal_id} was {proposal.status.value} already, by "
            f"{proposal.decided_by} on {proposal.decided_on}",
        )
    if not stale_ok and loan.status is not LoanStatus.ACTIVE:
        raise ProposalUnavailableError(
            "stale",
            f"loan {loan.loan_id} is {loan.status} since proposal {proposal_id} was made "
            f"(on {proposal.proposed_on}): only an active loan's proposal is approved",
        )
    return proposal
