"""The notices of stored decisions, as the api and the merchant's page read them.

A notice is written when its decision is made and stored with it (``_decide``), never rebuilt
on reading: what is shown is what the merchant was told, under the policy of the day.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from microlend.errors import NotFoundError
from microlend.policy import Notice
from microlend.store import DecisionRecord, LoanBookQueries

__all__ = ["StoredNotice", "decision_notice", "latest_notice"]


@dataclass(frozen=True)
class StoredNotice:
    """A stored decision's notice: ``notice`` is ``None`` when the decision offered what was
    asked for (``approved``), or was stored before notices were kept; ``latest``: whether the
    decision is still its merchant's latest (a newer one replaces its offers, not its notice);
    ``searched``: whether the rating looked for what would raise the score, so that finding
    nothing may be said."""

    decision_id: str
    merchant_id: str
    approved: bool
    notice: Notice | None
    latest: bool
    searched: bool


def _stored(queries: LoanBookQueries, record: DecisionRecord) -> StoredNotice:
    return StoredNotice(
        decision_id=record.decision_id,
        merchant_id=record.merchant_id,
        approved=record.decision.approved,
        notice=record.notice,
        latest=queries.latest_decision(record.merchant_id) == record.decision_id,
        searched=record.rating.searched,
    )


def decision_notice(engine: Engine, decision_id: str) -> StoredNotice:
    """The notice of decision ``decision_id`` (``NotFoundError`` when there is no such
    decision); the caller checks who may read it."""
    with Session(engine) as session:
        queries = LoanBookQueries(session)
        return _stored(queries, queries.decision(decision_id))


def latest_notice(engine: Engine, merchant_id: str) -> StoredNotice | None:
    """``merchant_id``'s latest notice (of its latest decline or counter-offer), ``None`` when
    none of its decisions has one; ``NotFoundError`` when the book has no such merchant."""
    with Session(engine) as session:
        queries = LoanBookQueries(session)
        if not queries.has_merchant(merchant_id):
            raise NotFoundError(f"no merchant {merchant_id!r} in the book")
        record = queries.latest_notice(merchant_id)
        return None if record is None else _stored(queries, record)
