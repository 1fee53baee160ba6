"""The servicing actions on a loan: pause and resume its payments, charge it off, write it off,
credit it, and reverse a transaction.

Each is a servicing key's; a risk officer key (and a merchant's) is refused (403): the risk
officer checks, it does not act. Each takes an ``Idempotency-Key``, like every money-moving
request, and a ``reason``: each is recorded with the key that took it and when (the loan's
``actions``). A charge-off, write-off or goodwill credit of more than the policy's
``approval_threshold`` is only proposed (202, status ``proposed``): a risk officer approves or
rejects it (``_routes_proposals``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Protocol

from fastapi import APIRouter, Path, Request, Response
from sqlalchemy import Engine

from microlend.api._auth import IdempotencyKey, Servicing, runtime_of
from microlend.api._loan_schemas import GoodwillRequest, PauseRequest, ReasonRequest, ReceiptOut
from microlend.api._on_book import LoanPath, on_book
from microlend.api._schemas import ID_PATTERN
from microlend.money import Money
from microlend.service import (
    Principal,
    Receipt,
    charge_off_loan,
    grant_goodwill_credit,
    pause_loan,
    resume_pause,
    reverse_transaction,
    write_off_loan,
)

__all__ = ["router"]

router = APIRouter(tags=["loans"])

PausePath = Annotated[str, Path(pattern=ID_PATTERN, description="The pause's id.")]
TransactionPath = Annotated[str, Path(pattern=ID_PATTERN, description="Transaction id.")]


@router.post(
    "/v1/loans/{loan_id}/pauses",
    summary="Pause a loan's payments for some days: its later due dates move, its days past "
    "due and covenant stand still",
    status_code=201,
)
async def pause(
    request: Request, loan_id: LoanPath, body: PauseRequest, caller: Servicing, key: IdempotencyKey
) -> ReceiptOut:
    return await on_book(
        request,
        lambda engine, today: pause_loan(
            engine,
            loan_id,
            body.starts_on or today,
            body.days,
            today,
            key,
            reason=body.reason,
            scope=caller.key_id,
        ),
    )


@router.post(
    "/v1/loans/{loan_id}/pauses/{pause_id}/resume",
    summary="End a payment pause today (one not yet started is called off)",
)
async def resume(
    request: Request,
    loan_id: LoanPath,
    pause_id: PausePath,
    body: ReasonRequest,
    caller: Servicing,
    key: IdempotencyKey,
) -> ReceiptOut:
    return await on_book(
        request,
        lambda engine, today: resume_pause(
            engine, loan_id, pause_id, today, key, reason=body.reason, scope=caller.key_id
        ),
    )


#: The answer of a command held for approval, beside its usual 200.
_PROPOSED: dict[int | str, dict[str, Any]] = {
    202: {
        "model": ReceiptOut,
        "description": "Proposed (status 'proposed', a proposal_id, nothing moved): it waits "
        "for a risk officer's approval.",
    }
}


@router.post(
    "/v1/loans/{loan_id}/charge-off",
    summary="Charge a loan off: its balance leaves the book, it accrues no more, and what is "
    "collected after is a recovery (a balance above the approval threshold is only proposed: 202)",
    responses=_PROPOSED,
)
async def charge_off(
    request: Request,
    response: Response,
    loan_id: LoanPath,
    body: ReasonRequest,
    caller: Servicing,
    key: IdempotencyKey,
) -> ReceiptOut:
    return await _take_off(charge_off_loan, request, response, loan_id, body.reason, caller, key)


@router.post(
    "/v1/loans/{loan_id}/write-off",
    summary="Write a loan off now: its balance leaves the book as a loss, and what is collected "
    "after is a recovery (a balance above the approval threshold is only proposed: 202)",
    responses=_PROPOSED,
)
async def write_off(
    request: Request,
    response: Response,
    loan_id: LoanPath,
    body: ReasonRequest,
    caller: Servicing,
    key: IdempotencyKey,
) -> ReceiptOut:
    return await _take_off(write_off_loan, request, response, loan_id, body.reason, caller, key)


@router.post(
    "/v1/loans/{loan_id}/goodwill-credits",
    summary="Credit a loan at the lender's expense: it settles what is owed as a payment would "
    "(a credit above the approval threshold is only proposed: 202)",
    responses=_PROPOSED,
)
async def goodwill(
    request: Request,
    response: Response,
    loan_id: LoanPath,
    body: GoodwillRequest,
    caller: Servicing,
    key: IdempotencyKey,
) -> ReceiptOut:
    amount = Money(body.amount, body.currency)
    return await _proposable(
        request,
        response,
        lambda engine, today, threshold: grant_goodwill_credit(
            engine,
            loan_id,
            amount,
            today,
            key,
            reason=body.reason,
            scope=caller.key_id,
            approval_threshold=threshold,
        ),
    )


class _TakingOff(Protocol):
    """``charge_off_loan`` or ``write_off_loan``."""

    def __call__(
        self,
        engine: Engine,
        loan_id: str,
        business_date: date,
        idempotency_key: str,
        /,
        *,
        reason: str,
        scope: str,
        approval_threshold: Decimal | None,
    ) -> Receipt: ...


async def _take_off(
    command: _TakingOff,
    request: Request,
    response: Response,
    loan_id: str,
    reason: str,
    caller: Principal,
    key: str,
) -> ReceiptOut:
    """A charge-off or write-off of the whole loan, or its proposal."""
    return await _proposable(
        request,
        response,
        lambda engine, today, threshold: command(
            engine,
            loan_id,
            today,
            key,
            reason=reason,
            scope=caller.key_id,
            approval_threshold=threshold,
        ),
    )


async def _proposable(
    request: Request, response: Response, command: Callable[[Engine, date, Decimal], Receipt]
) -> ReceiptOut:
    """Run ``command`` on the book with the policy's approval threshold; its receipt, answered
    202 when it is a proposal waiting for a risk officer's approval (nothing moved)."""
    threshold = runtime_of(request).context.policy.approval_threshold
    receipt = await on_book(request, lambda engine, today: command(engine, today, threshold))
    if receipt.status == "proposed":
        response.status_code = 202
    return receipt


@router.post(
    "/v1/transactions/{transaction_id}/reverse",
    summary="Post the exact mirror of a transaction (a payment, accrual, write-off, charge-off, "
    "recovery or goodwill credit)",
)
async def reverse(
    request: Request,
    transaction_id: TransactionPath,
    body: ReasonRequest,
    caller: Servicing,
    key: IdempotencyKey,
) -> ReceiptOut:
    # An accrual's reversal is a waiver: above the threshold it is refused (a goodwill credit,
    # approved by a risk officer, is the way).
    threshold = runtime_of(request).context.policy.approval_threshold
    return await on_book(
        request,
        lambda engine, today: reverse_transaction(
            engine,
            transaction_id,
            today,
            key,
            scope=caller.key_id,
            reason=body.reason,
            approval_threshold=threshold,
        ),
    )
