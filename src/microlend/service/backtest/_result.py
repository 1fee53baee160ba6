"""What a backtest found for one policy: volumes, credit performance, income, costs, profit.

Amounts are exact decimals read from the book's postings (the cost of funds is computed: the
policy's annual cost of funds on the principal outstanding at each day's close). Rates are
floats. ``to_dict`` is the JSON form the command line prints.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from microlend.money import to_text

__all__ = ["BacktestResult"]


@dataclass(frozen=True)
class BacktestResult:
    """One policy's run. ``defaults``: loans written off (90+ days past due) in the window;
    ``losses``: principal written off; ``*_true_pd``: the simulator's mean true PD of every
    application and of the funded ones (``None`` for real records)."""

    policy_version: str
    start: date
    end: date
    currency: str
    applications: int
    approved: int
    loans: int
    funded_amount: Decimal
    defaults: int
    repaid: int
    losses: Decimal
    fee_income: Decimal
    interest_income: Decimal
    cost_of_funds: Decimal
    capital: Decimal
    trial_balance: Decimal
    applications_true_pd: float | None = None
    funded_true_pd: float | None = None

    @property
    def approval_rate(self) -> float:
        return self.approved / self.applications if self.applications else 0.0

    @property
    def default_rate(self) -> float:
        """Share of funded loans written off within the window."""
        return self.defaults / self.loans if self.loans else 0.0

    @property
    def loss_rate(self) -> float:
        """Principal written off per unit of principal funded."""
        return float(self.losses / self.funded_amount) if self.funded_amount else 0.0

    @property
    def net_profit(self) -> Decimal:
        """Fee and interest income (net of charges written off) less losses and funding."""
        return self.fee_income + self.interest_income - self.losses - self.cost_of_funds

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data: amounts as exact decimal text with the currency's places
        (``money.to_text``), rates as numbers."""

        def money(amount: Decimal) -> str:
            return to_text(amount, self.currency)

        return {
            "policy": self.policy_version,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "currency": self.currency,
            "applications": self.applications,
            "approved": self.approved,
            "approval_rate": self.approval_rate,
            "loans": self.loans,
            "funded_amount": money(self.funded_amount),
            "defaults": self.defaults,
            "repaid": self.repaid,
            "default_rate": self.default_rate,
            "losses": money(self.losses),
            "loss_rate": self.loss_rate,
            "fee_income": money(self.fee_income),
            "interest_income": money(self.interest_income),
            "cost_of_funds": money(self.cost_of_funds),
            "net_profit": money(self.net_profit),
            "capital": money(self.capital),
            "trial_balance": money(self.trial_balance),
            "applications_true_pd": self.applications_true_pd,
            "funded_true_pd": self.funded_true_pd,
        }
