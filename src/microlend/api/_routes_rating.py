"""Rating and deciding: health, score, apply, the stored decision, the feature refresh."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.exceptions import RequestValidationError

from microlend.api._auth import Caller, RiskOfficer, require_merchant, runtime_of
from microlend.api._schemas import (
    ID_PATTERN,
    ApplyRequest,
    DecisionOut,
    Health,
    ScoreOut,
    SnapshotOut,
    excess_places,
)
from microlend.api._views import decision_out, score_out
from microlend.policy import Decision
from microlend.service import rate_one, underwrite

__all__ = ["router"]

router = APIRouter()

MerchantPath = Annotated[str, Path(pattern=ID_PATTERN, description="Merchant id.")]


@router.get("/health", tags=["operations"], summary="Is the api up")
async def health(request: Request) -> Health:
    context = runtime_of(request).context
    return Health(
        status="ok",
        business_date=context.today(),
        model_version=context.model_version,
        policy_version=context.policy.version,
    )


@router.get(
    "/v1/merchants/{merchant_id}/score",
    tags=["rating"],
    summary="Score a merchant as of today: PD, score, sub-scores, reasons, what would raise it",
)
async def score(request: Request, merchant_id: MerchantPath, caller: Caller) -> ScoreOut:
    require_merchant(caller, merchant_id)
    snapshot = await runtime_of(request).snapshot()
    return score_out(rate_one(snapshot, merchant_id), snapshot.as_of)


@router.post(
    "/v1/applications",
    tags=["rating"],
    summary="Apply for credit: a stored decision with offers or the reasons for a decline",
    status_code=201,
)
async def apply(request: Request, body: ApplyRequest, caller: Caller) -> DecisionOut:
    runtime = runtime_of(request)
    context = runtime.context
    _check_places(body, context.policy.currency)
    require_merchant(caller, body.merchant_id)
    snapshot = await runtime.snapshot()

    def work() -> Decision:
        return underwrite(
            context.engine,
            snapshot,
            context.policy,
            merchant_id=body.merchant_id,
            model_version=context.model_version,
            requested_amount=body.requested_amount,
        )

    return decision_out(await runtime.run(work))


def _check_places(body: ApplyRequest, currency: str) -> None:
    """A requested amount has at most the decimal places of the policy's currency: a 422 as
    the schema's own, naming the field."""
    amount = body.requested_amount
    problem = None if amount is None else excess_places(amount, currency)
    if problem is not None:
        error = {"loc": ("body", "requested_amount"), "msg": problem, "type": "value_error"}
        raise RequestValidationError([error])


@router.post(
    "/v1/features/refresh",
    tags=["operations"],
    summary="Rebuild every merchant's features and rating as of today",
)
async def refresh(request: Request, caller: RiskOfficer) -> SnapshotOut:
    snapshot = await runtime_of(request).snapshot(force=True)
    return SnapshotOut(as_of=snapshot.as_of, merchants=len(snapshot.ratings))
