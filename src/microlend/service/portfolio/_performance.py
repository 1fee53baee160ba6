"""How the book performs: vintages, roll rates, predicted against observed default by band,
and approvals and scores by month, computed from the book by ``microlend.monitoring``.

A loan counts as defaulted from the first end of day on which it was written off or 90+ days
past due (``ledger.WRITE_OFF_DAYS``), or from the day it was charged off: the event the PD model
predicts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from microlend.ledger import WRITE_OFF_DAYS, TransactionKind
from microlend.monitoring import (
    calibration_by_band,
    decisions_by_month,
    roll_rates,
    score_histogram,
    vintage_curves,
)
from microlend.scoring import ScoreScale
from microlend.store import (
    ActionKind,
    AgeingHistory,
    LoanActions,
    LoanBookQueries,
    LoanRecord,
    LoanStatus,
    PortfolioQueries,
)

__all__ = ["PortfolioPerformance", "portfolio_performance"]


@dataclass(frozen=True)
class PortfolioPerformance:
    """The monitoring tables of the book as of ``as_of`` (see ``microlend.monitoring``)."""

    as_of: date
    vintages: pd.DataFrame
    roll_rates: pd.DataFrame
    calibration: pd.DataFrame
    decisions: pd.DataFrame
    scores: pd.DataFrame


def _default_dates(session: Session, loans: list[LoanRecord], as_of: date) -> dict[str, date]:
    first: dict[str, date] = {}
    for snap in AgeingHistory(session).snapshots():
        late = snap.status is LoanStatus.WRITTEN_OFF or snap.days_past_due >= WRITE_OFF_DAYS
        if late and snap.aged_on <= as_of and snap.loan_id not in first:
            first[snap.loan_id] = snap.aged_on
    # A charge-off leaves no ageing snapshot (end of day passes it by): its action dates it;
    # the last one is the one in force, an earlier one having been reversed.
    charged = [loan.loan_id for loan in loans if loan.status is LoanStatus.CHARGED_OFF]
    for loan_id, actions in LoanActions(session).of_loans(charged).items():
        dates = [a.business_date for a in actions if a.kind is ActionKind.CHARGE_OFF]
        on = max(dates, default=None)
        if on is not None and on <= as_of:
            first[loan_id] = min(first.get(loan_id, on), on)
    # A book without ageing history (a backtest's) dates a write-off by its transaction: the
    # last one, in force (an earlier one was reversed), as a charge-off's action above.
    undated = [
        loan.loan_id
        for loan in loans
        if loan.status is LoanStatus.WRITTEN_OFF and loan.loan_id not in first
    ]
    for loan_id, moves in LoanBookQueries(session).transactions_of(undated).items():
        days = [m.business_date for m in moves if m.kind is TransactionKind.WRITE_OFF]
        if days and max(days) <= as_of:
            first[loan_id] = max(days)
    return first


def portfolio_performance(
    engine: Engine, as_of: date, scale: ScoreScale | None = None
) -> PortfolioPerformance:
    """Vintages, roll rates, calibration by band and decisions by month of the whole book."""
    scale = scale or ScoreScale()
    with Session(engine) as session:
        portfolio, history = PortfolioQueries(session), AgeingHistory(session)
        loans, decisions = portfolio.loans(), portfolio.decisions()
        snapshots = history.snapshots()
        defaulted = _default_dates(session, loans, as_of)
    funded = pd.DataFrame(
        {
            "loan_id": [loan.loan_id for loan in loans],
            "disbursed_on": [loan.disbursed_on for loan in loans],
            "defaulted_on": [defaulted.get(loan.loan_id) for loan in loans],
        }
    )
    ageing = pd.DataFrame(
        {
            "loan_id": [s.loan_id for s in snapshots],
            "aged_on": pd.to_datetime([s.aged_on for s in snapshots]),
            "bucket": [s.bucket.value for s in snapshots],
        }
    )
    pd_of = {d.decision_id: d.rating.pd for d in decisions}
    rated = [loan for loan in loans if loan.decision_id in pd_of and loan.disbursed_on]
    decided = pd.DataFrame(
        {
            "as_of": [d.as_of for d in decisions],
            "approved": [d.decision.approved for d in decisions],
            "score": [float(d.rating.score) for d in decisions],
        }
    )
    return PortfolioPerformance(
        as_of=as_of,
        vintages=vintage_curves(funded, as_of),
        roll_rates=roll_rates(ageing),
        calibration=calibration_by_band(
            [pd_of[str(loan.decision_id)] for loan in rated],
            [loan.loan_id in defaulted for loan in rated],
            scale,
        ),
        decisions=decisions_by_month(decided),
        scores=score_histogram(decided["score"].dropna(), low=scale.low, high=scale.high),
    )
