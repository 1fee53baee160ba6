"""Reads across the whole book for portfolio views: every loan, every decision."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from microlend.store._codec import decision_from_row, loan_from_row
from microlend.store._records import DecisionRecord, LoanRecord
from microlend.store._tables import DecisionRow, LoanRow

__all__ = ["PortfolioQueries"]


class PortfolioQueries:
    """Portfolio-wide reads within the caller's session; nothing here writes."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def loans(self, *, after: str | None = None, limit: int | None = None) -> list[LoanRecord]:
        """Loans of every status in id order, ``limit`` at a time after id ``after``."""
        query = select(LoanRow)
        if after is not None:
            query = query.where(LoanRow.id > after)
        query = query.order_by(LoanRow.id)
        if limit is not None:
            query = query.limit(limit)
        return [loan_from_row(row) for row in self._session.scalars(query)]

    def decisions(self) -> list[DecisionRecord]:
        """Every stored credit decision, oldest first."""
        query = select(DecisionRow).order_by(DecisionRow.as_of, DecisionRow.id)
        return [decision_from_row(row) for row in self._session.scalars(query)]

    def merchant_decisions(self, merchant_id: str) -> list[DecisionRecord]:
        """The merchant's stored decisions, oldest first (its score and sales over time)."""
        query = (
            select(DecisionRow)
            .where(DecisionRow.merchant_id == merchant_id)
            .order_by(DecisionRow.as_of, DecisionRow.created_at)
        )
        return [decision_from_row(row) for row in self._session.scalars(query)]
