"""Rating and deciding: health, score, apply, the stored decision, the feature refresh."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request

from microlend.api._auth import Caller, RiskOfficer, require_merchant, runtime_of
from microlend.api._schemas import ApplyRequest, DecisionOut, Health, ScoreOut, SnapshotOut
from microlend.api._views import decision_out, score_out
from microlend.policy import Decision
from microlend.service import rate_one, underwrite

__all__ = ["router"]

router = APIRouter()

MerchantPath = Annotated[str, Path(min_length=1, max_length=64, description="Merchant id.")]


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
    runtime = runtime_of(request)
    snapshot = await runtime.snapshot()
    model = runtime.context.model
    rating = await runtime.run(lambda: rate_one(model, snapshot, merchant_id))
    return score_out(rating, snapshot.as_of)


@router.post(
    "/v1/applications",
    tags=["rating"],
    summary="Apply for credit: a stored decision with offers or the reasons for a decline",
    status_code=201,
)
async def apply(request: Request, body: ApplyRequest, caller: Caller) -> DecisionOut:
    require_merchant(caller, body.merchant_id)
    runtime = runtime_of(request)
    context = runtime.context
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


@router.post(
    "/v1/features/refresh",
    tags=["operations"],
    summary="Rebuild every merchant's features and rating as of today",
)
async def refresh(request: Request, caller: RiskOfficer) -> SnapshotOut:
    snapshot = await runtime_of(request).snapshot(force=True)
    return SnapshotOut(as_of=snapshot.as_of, merchants=len(snapshot.ratings))
