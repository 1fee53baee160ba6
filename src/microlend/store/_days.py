"""The daily cycle's record in the book: each step of a business date done, and the
pre-qualified offers of that date.

A step is recorded once, in the transaction of its own last write (the offers' step with its
offers), with what it reported as a JSON document, so a cycle stopped between two steps resumes
after the last one recorded and a finished date answers its report again from here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, DateTime, Integer, String, delete, func, insert, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from microlend.store._tables import Base
from microlend.store._types import Amount, Document

__all__ = ["DayStepRow", "DaySteps", "PrequalifiedOffer", "PrequalifiedOfferRow"]


class DayStepRow(Base):
    """One step of the daily cycle done for a business date, with its report."""

    __tablename__ = "day_steps"

    business_date: Mapped[date] = mapped_column(Date, primary_key=True)
    step: Mapped[str] = mapped_column(String(16), primary_key=True)
    report: Mapped[Any] = mapped_column(Document)
    done_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.current_timestamp()
    )


class PrequalifiedOfferRow(Base):
    """A merchant the policy would approve on a business date, and the most it would lend."""

    __tablename__ = "prequalified_offers"

    business_date: Mapped[date] = mapped_column(Date, primary_key=True)
    merchant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    amount: Mapped[Decimal] = mapped_column(Amount)
    currency: Mapped[str] = mapped_column(String(3))
    score: Mapped[int] = mapped_column(Integer)


@dataclass(frozen=True)
class PrequalifiedOffer:
    """A merchant invited to apply on ``business_date``, up to ``amount`` in ``currency``."""

    business_date: date
    merchant_id: str
    amount: Decimal
    currency: str
    score: int


class DaySteps:
    """Reads and writes of the daily cycle's steps and offers, in the caller's session."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def done(self, business_date: date) -> dict[str, Mapping[str, Any]]:
        """The steps done for ``business_date``, each with its report."""
        rows = self._session.execute(
            select(DayStepRow.step, DayStepRow.report).where(
                DayStepRow.business_date == business_date
            )
        ).all()
        return {str(step): report for step, report in rows}

    def last_day(self) -> date | None:
        """The latest business date any step was done for."""
        return self._session.scalar(select(func.max(DayStepRow.business_date)))

    def record(self, business_date: date, step: str, report: Mapping[str, Any]) -> None:
        self._session.execute(
            insert(DayStepRow).values(business_date=business_date, step=step, report=dict(report))
        )

    def replace_offers(self, business_date: date, offers: Sequence[PrequalifiedOffer]) -> None:
        """The date's offers, in place of any stored for it."""
        self._session.execute(
            delete(PrequalifiedOfferRow).where(PrequalifiedOfferRow.business_date == business_date)
        )
        if offers:
            self._session.execute(
                insert(PrequalifiedOfferRow),
                [
                    {
                        "business_date": o.business_date,
                        "merchant_id": o.merchant_id,
                        "amount": o.amount,
                        "currency": o.currency,
                        "score": o.score,
                    }
                    for o in offers
                ],
            )

    def offers(self, business_date: date) -> list[PrequalifiedOffer]:
        """The date's offers, by merchant id."""
        rows = self._session.scalars(
            select(PrequalifiedOfferRow)
            .where(PrequalifiedOfferRow.business_date == business_date)
            .order_by(PrequalifiedOfferRow.merchant_id)
        ).all()
        return [
            PrequalifiedOffer(r.business_date, r.merchant_id, r.amount, r.currency, r.score)
            for r in rows
        ]
