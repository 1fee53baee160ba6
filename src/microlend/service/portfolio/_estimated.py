"""The book's performance estimated before its loans mature, and reconciled once they have.

Each funded loan is taken with the PD of the decision it was accepted from (its PD at
origination) and its default date as ``portfolio_performance`` dates it (90+ days past due,
written off or charged off); ``microlend.monitoring.estimated_performance`` does the rest. A
vintage matures when every loan of it has been out the PD model's performance window.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from microlend.monitoring import EstimatedPerformance, estimated_performance
from microlend.policy import MinimumSample
from microlend.service.portfolio._performance import _default_dates
from microlend.service.rating import PERFORMANCE_WINDOW
from microlend.store import Base, LoanBookQueries, PortfolioQueries

__all__ = ["book_as_of", "estimated_book_performance", "origination_pds"]

_TRANSACTIONS = Base.metadata.tables["transactions"]


def origination_pds(engine: Engine, as_of: date) -> pd.DataFrame:
    """One row per funded loan with a stored decision: ``loan_id``, ``disbursed_on``, ``pd``
    (its decision's) and ``defaulted_on`` (by ``as_of``; missing when it has not defaulted)."""
    with Session(engine) as session:
        portfolio = PortfolioQueries(session)
        loans = portfolio.loans()
        pd_of = {d.decision_id: d.rating.pd for d in portfolio.decisions()}
        defaulted = _default_dates(session, loans, as_of)
    rated = [loan for loan in loans if loan.disbursed_on and loan.decision_id in pd_of]
    return pd.DataFrame(
        {
            "loan_id": [loan.loan_id for loan in rated],
            "disbursed_on": [loan.disbursed_on for loan in rated],
            "pd": [float(pd_of[str(loan.decision_id)]) for loan in rated],
            "defaulted_on": [defaulted.get(loan.loan_id) for loan in rated],
        },
        columns=["loan_id", "disbursed_on", "pd", "defaulted_on"],
    )


def book_as_of(engine: Engine, default: date) -> date:
    """The book's last closed business day (its figures are as of that day); in a book that
    closes no days (a backtest's) the date of its latest transaction; else ``default``."""
    with Session(engine) as session:
        last = LoanBookQueries(session).last_closed_day()
        if last is None:
            last = session.scalar(select(func.max(_TRANSACTIONS.c.business_date)))
    return default if last is None else last


def estimated_book_performance(
    engine: Engine,
    as_of: date,
    minimum: MinimumSample | None = None,
    *,
    horizon: timedelta = PERFORMANCE_WINDOW,
) -> EstimatedPerformance:
    """Each vintage's default rate and AUC estimated from its loans' PDs at origination, with
    the realised figures of the matured ones; a vintage's verdict needs the policy's
    ``minimum.calibration_bads`` defaults, as the calibration verdict does."""
    minimum = minimum or MinimumSample()
    return estimated_performance(
        origination_pds(engine, as_of),
        as_of,
        horizon=horizon,
        min_bads=minimum.calibration_bads,
    )
