"""Maker-checker: the proposals servicing keys made (charge-offs, write-offs and goodwill credits
above the policy's ``approval_threshold``), and a risk officer's approval or rejection of each.

An approval applies the action then, dated the api's business date, recorded as the approver's;
the key that proposed never decides (403), a proposal decided already or gone stale (the loan
paid off, written off, or owing another amount since) is a 409 whose ``type`` ends in
``proposal-approved``, ``proposal-rejected`` or ``proposal-stale``. Both decisions take an
``Idempotency-Key``, scoped to the caller, like every other command on a loan.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from microlend.api._auth import Caller, IdempotencyKey, RiskOfficer, runtime_of
from microlend.api._loan_schemas import (
    ApprovalRequest,
    ProposalOut,
    ProposalPage,
    ReasonRequest,
    ReceiptOut,
)
from microlend.api._on_book import LoanPath, on_book
from microlend.api._problems import ProblemError
from microlend.api._schemas import ID_PATTERN
from microlend.money import to_text
from microlend.service import Role, approve_proposal, proposals, reject_proposal
from microlend.store import Proposal, ProposalStatus

__all__ = ["router"]

router = APIRouter(tags=["proposals"])

ProposalPath = Annotated[str, Path(pattern=ID_PATTERN, description="The proposal's id.")]


@router.get("/v1/proposals", summary="Proposals in the order they were made (staff only)")
async def proposal_list(
    request: Request,
    caller: Caller,
    status: Annotated[
        ProposalStatus | None, Query(description="Only proposals in this status.")
    ] = None,
    loan_id: Annotated[
        str | None, Query(pattern=ID_PATTERN, description="Only this loan's.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500, description="How many at most.")] = 100,
) -> ProposalPage:
    if caller.role is Role.MERCHANT:
        raise ProblemError(403, "proposals are staff's: a servicing or risk officer key")
    runtime = runtime_of(request)
    engine = runtime.context.engine
    found = await runtime.run(
        lambda: proposals(engine, loan_id=loan_id, status=status, limit=limit)
    )
    return ProposalPage(items=[_out(p) for p in found])


@router.post(
    "/v1/loans/{loan_id}/proposals/{proposal_id}/approve",
    summary="Approve a proposal (a risk officer's key, not the proposer's): it is applied now",
)
async def approve(
    request: Request,
    loan_id: LoanPath,
    proposal_id: ProposalPath,
    caller: RiskOfficer,
    key: IdempotencyKey,
    body: ApprovalRequest | None = None,
) -> ReceiptOut:
    note = None if body is None else body.reason
    return await on_book(
        request,
        lambda engine, today: approve_proposal(
            engine, loan_id, proposal_id, today, key, scope=caller.key_id, reason=note
        ),
    )


@router.post(
    "/v1/loans/{loan_id}/proposals/{proposal_id}/reject",
    summary="Reject a proposal (a risk officer's key, not the proposer's), saying why",
)
async def reject(
    request: Request,
    loan_id: LoanPath,
    proposal_id: ProposalPath,
    body: ReasonRequest,
    caller: RiskOfficer,
    key: IdempotencyKey,
) -> ReceiptOut:
    return await on_book(
        request,
        lambda engine, today: reject_proposal(
            engine, loan_id, proposal_id, today, key, scope=caller.key_id, reason=body.reason
        ),
    )


def _out(proposal: Proposal) -> ProposalOut:
    return ProposalOut(
        proposal_id=proposal.proposal_id,
        loan_id=proposal.loan_id,
        action=proposal.kind.value,
        amount=to_text(proposal.amount, proposal.currency),
        currency=proposal.currency,
        reason=proposal.reason,
        proposed_by=proposal.proposed_by,
        proposed_on=proposal.proposed_on,
        proposed_at=proposal.proposed_at,
        status=proposal.status.value,
        decided_by=proposal.decided_by,
        decided_on=proposal.decided_on,
        decision_reason=proposal.decision_reason,
        action_id=proposal.action_id,
    )
