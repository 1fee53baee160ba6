"""The merchant's page and its one form: accepting an offer.

The page is read by the merchant (its own key) or by a risk officer; only the merchant accepts.
Accepting goes through ``accept_decision_offer``, as the api's ``POST /v1/offers/accept`` does:
one loan per decision, while its offers stand, within the limit it granted, idempotent (a key
per decision and offer, scoped to the merchant's API key, so a form sent twice makes one loan).
A refusal is said on the page in plain words, never as an error page.
"""

from __future__ import annotations

import re

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from microlend.dashboard._charts import merchant_sales_chart, merchant_score_chart
from microlend.dashboard._context import DashboardContext, render
from microlend.dashboard._login import (
    Form,
    RefusedError,
    Visitor,
    no_merchant,
    reader_of,
    refusal,
    require_token,
)
from microlend.errors import (
    ConfigError,
    IdempotencyConflictError,
    LedgerError,
    LimitExceededError,
    NotFoundError,
    OfferUnavailableError,
)
from microlend.service import Role, accept_decision_offer, decision_merchant, merchant_view
from microlend.types import ID_PATTERN

__all__ = ["add_merchant_routes"]

#: What the merchant is told when an accept is refused, by ``OfferUnavailableError.reason``.
_UNAVAILABLE = {
    "used": "You have already accepted one of these offers: one decision gives one loan. "
    "Your loan is listed below.",
    "superseded": "These offers were replaced by a newer decision: its offers are shown below.",
    "expired": "These offers have expired: apply again for a new decision.",
    "declined": "This decision made no offer.",
}
_OVER_LIMIT = (
    "Accepting this offer would take what you owe and have committed to past the limit this "
    "decision granted. Repay part of your current loans first, or choose a smaller offer."
)
_CHANGED = "This offer could not be matched to the one you saw: reload the page and try again."
_NOT_TODAY = "This offer cannot be accepted today: reload the page and choose again."
_GONE = "That offer is not on your page any more: reload the page and choose again."
_OFFICER = (
    "An offer is accepted by the merchant itself: no other key can accept it on the "
    "merchant's behalf."
)
#: An offer's number as the page writes it: ASCII digits, no leading zero, at most 4 (a decision
#: has a handful). ``str.isdigit`` alone takes "²" (which ``int`` refuses) and "١" (which reads
#: as 1 under another idempotency key than "1"), and ``int`` refuses 5,000 digits.
_OFFER_NUMBER = re.compile(r"[1-9][0-9]{0,3}")


def _page(
    context: DashboardContext,
    visitor: Visitor,
    merchant_id: str,
    *,
    accepted: str | None = None,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    try:
        view = merchant_view(context.engine, merchant_id, context.today())
    except NotFoundError as missing:
        raise RefusedError(no_merchant(visitor, merchant_id)) from missing
    # Only a loan of this merchant is confirmed: the query string is anyone's to write.
    # The banner says "you accepted": true of a loan not yet paid out, not of a closed one.
    confirmed = next(
        (loan for loan in view.loans if loan.loan_id == accepted and loan.status == "accepted"),
        None,
    )
    return render(
        "merchant.html",
        status,
        visitor=visitor,
        view=view,
        scale=context.scale,
        may_accept=visitor.principal.role is Role.MERCHANT,
        confirmed=confirmed,
        error=error,
        charts={
            "score": merchant_score_chart(view, context.scale),
            "sales": merchant_sales_chart(view),
        },
    )


def _refused(error: Exception) -> tuple[int, str]:
    """The status and plain words for an accept the book refused."""
    if isinstance(error, OfferUnavailableError):
        return 409, _UNAVAILABLE[error.reason]
    if isinstance(error, LimitExceededError):
        return 409, _OVER_LIMIT
    if isinstance(error, IdempotencyConflictError):
        return 409, _CHANGED
    if isinstance(error, NotFoundError):
        return 404, _GONE
    return 409, _NOT_TODAY


def add_merchant_routes(router: APIRouter, context: DashboardContext) -> None:
    """``GET /merchants/{id}`` (the page) and ``POST /merchants/{id}/accept`` (its form)."""

    @router.get("/merchants/{merchant_id}")
    def merchant(request: Request, merchant_id: str, accepted: str | None = None) -> HTMLResponse:
        visitor = reader_of(context, request, merchant_id)
        return _page(context, visitor, merchant_id, accepted=accepted)

    @router.post("/merchants/{merchant_id}/accept")
    def accept(request: Request, merchant_id: str, form: Form) -> Response:
        visitor = reader_of(context, request, merchant_id)
        require_token(visitor, form)
        if visitor.principal.role is not Role.MERCHANT:
            raise RefusedError(refusal(visitor, 403, "Not for this key", _OFFICER))
        decision_id, number = form.get("decision", ""), form.get("offer", "")
        try:
            # The api's checks, before the book is asked: odd bytes name no offer on this page.
            if not (re.fullmatch(ID_PATTERN, decision_id) and _OFFER_NUMBER.fullmatch(number)):
                raise NotFoundError(f"no offer {number!r} of decision {decision_id!r}")
            owner = decision_merchant(context.engine, decision_id)
            if owner != merchant_id:
                raise NotFoundError(f"no offer {number!r} of decision {decision_id!r}")
            receipt = accept_decision_offer(
                context.engine,
                decision_id=decision_id,
                offer_number=int(number),
                business_date=context.today(),
                idempotency_key=f"page:{decision_id}:{number}",
                scope=visitor.principal.key_id,
            )
        except (NotFoundError, LedgerError, ConfigError) as refused:
            status, text = _refused(refused)
            return _page(context, visitor, merchant_id, error=text, status=status)
        target = f"/merchants/{merchant_id}?accepted={receipt.loan_id}#loans"
        return RedirectResponse(target, status_code=303)
