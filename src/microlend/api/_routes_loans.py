"""The loan book: accept an offer, disburse, collect, read loans, close a business day (the
servicing actions on a loan are ``_routes_servicing``'s).

Every money-moving request carries an ``Idempotency-Key``, scoped to the API key that sent it;
the service stores its first answer with the money it moved, so a retry answers the same and
moves nothing.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Protocol

from fastapi import APIRouter, Query, Request
from sqlalchemy import Engine

from microlend.api._auth import Caller, IdempotencyKey, Servicing, require_merchant, runtime_of
from microlend.api._loan_schemas import (
    AcceptRequest,
    EndOfDayOut,
    EndOfDayRequest,
    LoanOut,
    LoanPage,
    MoneyIn,
    ReceiptOut,
)
from microlend.api._on_book import LoanPath, on_book
from microlend.api._problems import ProblemError
from microlend.api._schemas import (
    ID_PATTERN,
    IsoDay,
)
from microlend.api._views import end_of_day_out, loan_out, summary
from microlend.money import Money
from microlend.service import (
    Principal,
    Receipt,
    Role,
    accept_decision_offer,
    cancel_loan,
    decision_merchant,
    disburse,
    end_of_day,
    loan_view,
    loans_page,
    post_payment,
    post_settlement,
)
from microlend.store import LoanStatus

__all__ = ["router"]

router = APIRouter(tags=["loans"])


@router.post(
    "/v1/offers/accept",
    summary="Accept an offer of a decision: the loan is created, not yet disbursed",
    status_code=201,
)
async def accept(
    request: Request, body: AcceptRequest, caller: Caller, key: IdempotencyKey
) -> ReceiptOut:
    runtime = runtime_of(request)
    context = runtime.context
    if caller.role is Role.RISK_OFFICER:
        raise ProblemError(403, "a loan is accepted by its merchant or by servicing")
    owner = await runtime.run(lambda: decision_merchant(context.engine, body.decision_id))
    require_merchant(caller, owner)
    return await on_book(
        request,
        lambda engine, today: accept_decision_offer(
            engine,
            decision_id=body.decision_id,
            offer_number=body.offer_number,
            business_date=today,
            idempotency_key=key,
            scope=caller.key_id,
        ),
    )


@router.post("/v1/loans/{loan_id}/disburse", summary="Pay out an accepted loan")
async def disburse_loan(
    request: Request, loan_id: LoanPath, caller: Servicing, key: IdempotencyKey
) -> ReceiptOut:
    cap = runtime_of(request).context.policy.limits.merchant_cap
    return await on_book(
        request,
        lambda engine, today: disburse(
            engine, loan_id, today, key, scope=caller.key_id, merchant_cap=cap
        ),
    )


@router.post(
    "/v1/loans/{loan_id}/cancel",
    summary="Cancel an accepted loan before it is disbursed: its principal is released",
)
async def cancel(
    request: Request, loan_id: LoanPath, caller: Servicing, key: IdempotencyKey
) -> ReceiptOut:
    return await on_book(
        request, lambda engine, today: cancel_loan(engine, loan_id, today, key, scope=caller.key_id)
    )


@router.post(
    "/v1/loans/{loan_id}/settlements",
    summary="Post a daily settlement: the holdback of a share-of-sales loan is taken",
)
async def settlement(
    request: Request, loan_id: LoanPath, body: MoneyIn, caller: Servicing, key: IdempotencyKey
) -> ReceiptOut:
    return await _collect(post_settlement, request, loan_id, body, caller, key)


@router.post("/v1/loans/{loan_id}/payments", summary="Post a payment; any excess is refunded")
async def payment(
    request: Request, loan_id: LoanPath, body: MoneyIn, caller: Servicing, key: IdempotencyKey
) -> ReceiptOut:
    return await _collect(post_payment, request, loan_id, body, caller, key)


class _Collection(Protocol):
    """``post_settlement`` or ``post_payment``."""

    def __call__(
        self,
        engine: Engine,
        loan_id: str,
        amount: Money,
        business_date: date,
        key: str,
        /,
        *,
        scope: str,
    ) -> Receipt: ...


async def _collect(
    command: _Collection,
    request: Request,
    loan_id: str,
    body: MoneyIn,
    caller: Principal,
    key: str,
) -> ReceiptOut:
    """Money collected on a loan (a settlement or a payment) as of the api's business date."""
    amount = Money(body.amount, body.currency)
    return await on_book(
        request,
        lambda engine, today: command(engine, loan_id, amount, today, key, scope=caller.key_id),
    )


@router.get(
    "/v1/loans/{loan_id}",
    summary="A loan with its schedule, postings, status and payoff quote as of today, or as it "
    "stood at the end of an earlier day",
)
async def loan(
    request: Request,
    loan_id: LoanPath,
    caller: Caller,
    as_of: Annotated[
        IsoDay | None,
        Query(
            description="A business date (YYYY-MM-DD) from the loan's disbursement to today: "
            "its balances, state, status and days past due as they stood at the end of that "
            "day, from the postings dated on or before it. Today when left out."
        ),
    ] = None,
) -> LoanOut:
    runtime = runtime_of(request)
    context = runtime.context
    today = context.today()
    accrue = context.policy.accrue_in_pause
    view = await runtime.run(
        lambda: loan_view(
            context.engine, loan_id, today, as_of=as_of, viewer=caller, accrue_in_pause=accrue
        )
    )
    return loan_out(view, staff=caller.role is not Role.MERCHANT)


@router.get("/v1/loans", summary="Loans in id order, filtered, a page at a time")
async def loans(
    request: Request,
    caller: Caller,
    merchant_id: Annotated[
        str | None, Query(pattern=ID_PATTERN, description="Only this merchant's.")
    ] = None,
    status: Annotated[LoanStatus | None, Query(description="Only loans in this status.")] = None,
    after: Annotated[
        str | None, Query(pattern=ID_PATTERN, description="Loans after this id.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500, description="Page size.")] = 100,
) -> LoanPage:
    if caller.role is Role.MERCHANT:
        if merchant_id is not None:
            require_merchant(caller, merchant_id)
        merchant_id = caller.merchant_id
    runtime = runtime_of(request)
    engine = runtime.context.engine
    found = await runtime.run(
        lambda: loans_page(engine, merchant_id=merchant_id, status=status, after=after, limit=limit)
    )
    next_after = found[-1].loan_id if len(found) == limit else None
    return LoanPage(items=[summary(loan) for loan in found], next_after=next_after)


@router.post("/v1/end-of-day", summary="Close a business day: ageing, interest, write-offs")
async def close_day(
    request: Request, body: EndOfDayRequest, caller: Servicing, key: IdempotencyKey
) -> EndOfDayOut:
    # A date is closed once (the service refuses one before the last closed day), and every
    # call for it answers the same; the key is still required, as on every money movement.
    runtime = runtime_of(request)
    context = runtime.context
    day: date = body.business_date or context.today()
    if day > context.today():
        raise ProblemError(422, f"{day} is after today's business date {context.today()}")
    start = context.data.start().date()
    if day < start:
        raise ProblemError(422, f"{day} is before the records begin ({start})")
    accrue = context.policy.accrue_in_pause
    return end_of_day_out(
        await runtime.run(lambda: end_of_day(context.engine, day, accrue_in_pause=accrue))
    )
