"""Servicing actions proposed by one key and waiting for another's approval (maker-checker).

A proposal names its loan, the action (``ActionKind``: a charge-off, a write-off, a goodwill
credit), the amount it moves (what approval would take off the book or credit), the action's
own parameters, the reason, who proposed it and on which business date. It is decided once:
approved (the action is applied then, by the approver, and the action it recorded is named) or
rejected, each with who decided, when and why. The decision is the row's only update, made under
the loan's lock and only while the row is still ``proposed``, so two approvals racing on one
proposal apply it once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Date,
    DateTime,
    ForeignKey,
    String,
    Text,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from microlend.money import exact
from microlend.store._actions import ActionKind
from microlend.store._tables import ID_LENGTH, Base, Sequenced
from microlend.store._types import Amount, Document
from microlend.types import LoanId

__all__ = ["LoanProposals", "Proposal", "ProposalRow", "ProposalStatus"]


class ProposalStatus(StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    REJECTED = "rejected"


class ProposalRow(Sequenced, Base):
    __tablename__ = "loan_proposals"

    loan_id: Mapped[str] = mapped_column(ForeignKey("loans.id"), index=True)
    action: Mapped[str] = mapped_column(String(16))
    amount: Mapped[Decimal] = mapped_column(Amount)
    currency: Mapped[str] = mapped_column(String(3))
    #: The action's own parameters, as its command takes them (a credit's amount).
    params: Mapped[dict[str, Any]] = mapped_column(Document)
    reason: Mapped[str] = mapped_column(Text)
    proposed_by: Mapped[str] = mapped_column(String(ID_LENGTH))
    proposed_on: Mapped[date] = mapped_column(Date)
    proposed_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.current_timestamp()
    )
    status: Mapped[str] = mapped_column(String(16), index=True)
    decided_by: Mapped[str | None] = mapped_column(String(ID_LENGTH))
    decided_on: Mapped[date | None] = mapped_column(Date)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    #: The action recorded when it was approved (``loan_actions.id``).
    action_id: Mapped[str | None] = mapped_column(String(ID_LENGTH))


@dataclass(frozen=True)
class Proposal:
    """One proposal as stored (``proposed_at`` is ``None`` until it is)."""

    proposal_id: str
    loan_id: LoanId
    kind: ActionKind
    amount: Decimal
    currency: str
    reason: str
    proposed_by: str
    proposed_on: date
    params: Mapping[str, Any] = field(default_factory=dict)
    status: ProposalStatus = ProposalStatus.PROPOSED
    proposed_at: datetime | None = None
    decided_by: str | None = None
    decided_on: date | None = None
    decided_at: datetime | None = None
    decision_reason: str | None = None
    action_id: str | None = None


class LoanProposals:
    """Records, decides and reads proposals within the caller's session."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, proposal: Proposal) -> None:
        self._session.execute(
            insert(ProposalRow).values(
                id=proposal.proposal_id,
                loan_id=proposal.loan_id,
                action=proposal.kind.value,
                amount=proposal.amount,
                currency=proposal.currency,
                params=dict(proposal.params),
                reason=proposal.reason,
                proposed_by=proposal.proposed_by,
                proposed_on=proposal.proposed_on,
                status=ProposalStatus.PROPOSED.value,
            )
        )

    def get(self, proposal_id: str) -> Proposal | None:
        row = self._session.scalars(
            select(ProposalRow).where(ProposalRow.id == proposal_id)
        ).one_or_none()
        return None if row is None else _proposal(row)

    def decide(
        self,
        proposal_id: str,
        status: ProposalStatus,
        *,
        by: str,
        on: date,
        reason: str | None,
        action_id: str | None = None,
    ) -> bool:
        """Approve or reject a proposal still open; whether it was (``False``: decided already)."""
        assert status is not ProposalStatus.PROPOSED, status
        done = self._session.execute(
            update(ProposalRow)
            .where(
                ProposalRow.id == proposal_id,
                ProposalRow.status == ProposalStatus.PROPOSED.value,
            )
            .values(
                status=status.value,
                decided_by=by,
                decided_on=on,
                decided_at=func.current_timestamp(),
                decision_reason=reason,
                action_id=action_id,
            )
        )
        return bool(getattr(done, "rowcount", 0) == 1)

    def listed(
        self,
        *,
        loan_id: str | None = None,
        status: ProposalStatus | None = None,
        limit: int = 100,
    ) -> list[Proposal]:
        """Proposals in the order they were made, of one loan or all, in one status or any."""
        query = select(ProposalRow).order_by(ProposalRow.seq).limit(limit)
        if loan_id is not None:
            query = query.where(ProposalRow.loan_id == loan_id)
        if status is not None:
            query = query.where(ProposalRow.status == status.value)
        return [_proposal(row) for row in self._session.scalars(query)]


def _proposal(row: ProposalRow) -> Proposal:
    return Proposal(
        proposal_id=row.id,
        loan_id=LoanId(row.loan_id),
        kind=ActionKind(row.action),
        amount=exact(row.amount, row.currency),
        currency=row.currency,
        reason=row.reason,
        proposed_by=row.proposed_by,
        proposed_on=row.proposed_on,
        params=dict(row.params),
        status=ProposalStatus(row.status),
        proposed_at=row.proposed_at,
        decided_by=row.decided_by,
        decided_on=row.decided_on,
        decided_at=row.decided_at,
        decision_reason=row.decision_reason,
        action_id=row.action_id,
    )
