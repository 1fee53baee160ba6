"""The cut-off trade-off on the book's recent decisions, under a policy's limits and prices.

The applications are the stored decisions of the ``days`` up to ``as_of`` (each decided
application once); each is seen as the policy would lend to it were the cut-off the only rule
moved (``monitoring.candidate``), and the figures are summed at every cut-off of the score
scale, ``step`` points apart (``monitoring.tradeoff``).
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from microlend.monitoring import TradeOff, candidate, tradeoff
from microlend.policy import Policy
from microlend.scoring import ScoreScale
from microlend.store import PortfolioQueries

__all__ = ["TRADEOFF_DAYS", "cutoff_tradeoff"]

#: The recent window of the trade-off when none is asked for: about a quarter.
TRADEOFF_DAYS = 90


def cutoff_tradeoff(
    engine: Engine,
    policy: Policy,
    as_of: date | None = None,
    *,
    scale: ScoreScale | None = None,
    days: int = TRADEOFF_DAYS,
    step: int = 10,
) -> TradeOff:
    """Approval rate, expected default rate, loss and profit at each cut-off, on the decisions
    made in the ``days`` up to ``as_of`` (by default the latest decision's date), with the
    policy's ``min_score`` as the current one."""
    if days < 1 or step < 1:
        raise ValueError(f"the window and the step must be positive, got {days} and {step}")
    scale = scale or ScoreScale()
    with Session(engine) as session:
        stored = PortfolioQueries(session).decisions()
    end = as_of or max((r.decision.as_of for r in stored), default=date.min)
    since = end - timedelta(days=days) if end > date.min + timedelta(days=days) else date.min
    recent = [r.decision for r in stored if since < r.decision.as_of <= end]
    return tradeoff(
        [candidate(decision, policy) for decision in recent],
        range(scale.low, scale.high + 1, step),
        current=policy.min_score,
        lgd=policy.pricing.lgd,
        currency=policy.currency,
    )
