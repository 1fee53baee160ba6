"""The servicing actions taken on loans, each with who took it, when and why: the audit trail.

A payment pause, its resume, a charge-off, a write-off, a goodwill credit and a reversal is
each recorded here once, in the same database transaction as its effect (and its postings, when
it has any): the loan's id, the business date it was booked on, the caller (the API key's id, or
``book`` for the book's own commands), the wall-clock moment, and the reason given. Rows are
never updated: a resume is a row of its own naming its pause, so the trail reads as it happened.
A reversal of a book-level transaction (one of no loan, such as a funding) is recorded with no
loan, so its reason is kept too (``book_level``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Date,
    DateTime,
    ForeignKey,
    String,
    Text,
    func,
    insert,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from microlend.store._tables import ID_LENGTH, Base, Sequenced
from microlend.types import LoanId

__all__ = ["ActionKind", "LoanAction", "LoanActionRow", "LoanActions"]


class ActionKind(StrEnum):
    PAUSE = "pause"
    RESUME = "resume"
    CHARGE_OFF = "charge_off"
    WRITE_OFF = "write_off"
    GOODWILL_CREDIT = "goodwill_credit"
    REVERSAL = "reversal"


class LoanActionRow(Sequenced, Base):
    __tablename__ = "loan_actions"

    #: ``None`` for a book-level action (the reversal of a transaction of no loan).
    loan_id: Mapped[str | None] = mapped_column(ForeignKey("loans.id"), index=True)
    action: Mapped[str] = mapped_column(String(16))
    business_date: Mapped[date] = mapped_column(Date)
    #: A pause's first day and the day it is counted again from (exclusive end).
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    #: What a resume ends, or the transaction a charge-off, credit or reversal posted.
    refers_to: Mapped[str | None] = mapped_column(String(ID_LENGTH))
    reason: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(ID_LENGTH))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.current_timestamp()
    )


@dataclass(frozen=True)
class LoanAction:
    """One servicing action as recorded (``created_at`` is ``None`` until it is stored)."""

    action_id: str
    loan_id: LoanId | None
    kind: ActionKind
    business_date: date
    reason: str
    actor: str
    starts_on: date | None = None
    ends_on: date | None = None
    refers_to: str | None = None
    created_at: datetime | None = None


class LoanActions:
    """Records and reads servicing actions within the caller's session."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, action: LoanAction) -> None:
        self._session.execute(
            insert(LoanActionRow).values(
                id=action.action_id,
                loan_id=action.loan_id,
                action=action.kind.value,
                business_date=action.business_date,
                starts_on=action.starts_on,
                ends_on=action.ends_on,
                refers_to=action.refers_to,
                reason=action.reason,
                actor=action.actor,
            )
        )

    def of_loan(self, loan_id: str) -> list[LoanAction]:
        """The loan's actions in the order they were taken."""
        return self.of_loans([loan_id]).get(LoanId(loan_id), [])

    def of_loans(self, loan_ids: Sequence[str]) -> dict[LoanId, list[LoanAction]]:
        """The actions of each of ``loan_ids`` that has any, in the order they were taken."""
        if not loan_ids:
            return {}
        rows = self._session.scalars(
            select(LoanActionRow)
            .where(LoanActionRow.loan_id.in_(loan_ids))
            .order_by(LoanActionRow.loan_id, LoanActionRow.seq)
        )
        found: dict[LoanId, list[LoanAction]] = {}
        for row in rows:
            found.setdefault(LoanId(str(row.loan_id)), []).append(_action(row))
        return found

    def book_level(self) -> list[LoanAction]:
        """The actions of no loan (reversals of book-level transactions), in order."""
        rows = self._session.scalars(
            select(LoanActionRow).where(LoanActionRow.loan_id.is_(None)).order_by(LoanActionRow.seq)
        )
        return [_action(row) for row in rows]


def _action(row: LoanActionRow) -> LoanAction:
    return LoanAction(
        action_id=row.id,
        loan_id=None if row.loan_id is None else LoanId(row.loan_id),
        kind=ActionKind(row.action),
        business_date=row.business_date,
        reason=row.reason,
        actor=row.actor,
        starts_on=row.starts_on,
        ends_on=row.ends_on,
        refers_to=row.refers_to,
        created_at=row.created_at,
    )
