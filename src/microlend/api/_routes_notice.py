"""The notice of a decision: what a declined merchant, or one offered less than it asked for,
was told in writing, as it was stored with the decision.

A merchant's key reads its own decisions' notices; another merchant's decision answers the same
404 as a decision that does not exist, so a key learns nothing of decisions not its own.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request

from microlend.api._auth import Caller, runtime_of
from microlend.api._problems import ProblemError
from microlend.api._schemas import ID_PATTERN, NoticeOut
from microlend.api._views import notice_out
from microlend.errors import NotFoundError
from microlend.service import decision_notice

__all__ = ["router"]

router = APIRouter(tags=["rating"])

DecisionPath = Annotated[str, Path(pattern=ID_PATTERN, description="The decision's id.")]


@router.get(
    "/v1/decisions/{decision_id}/notice",
    summary="The notice of a decline or a counter-offer: the lender, the date, the principal "
    "reasons, what would raise the score, and the right to the reasons in detail",
)
async def notice(request: Request, decision_id: DecisionPath, caller: Caller) -> NoticeOut:
    runtime = runtime_of(request)
    engine = runtime.context.engine
    stored = await runtime.run(lambda: decision_notice(engine, decision_id))
    if not caller.may_see(stored.merchant_id):
        raise NotFoundError(f"no decision {decision_id!r} in the book")
    if stored.notice is None:
        why = (
            "offered what was asked for"
            if stored.approved
            else "was stored before notices were kept"
        )
        raise ProblemError(404, f"decision {decision_id!r} {why}: it has no notice")
    return notice_out(stored)
