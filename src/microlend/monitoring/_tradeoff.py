"""The cut-off trade-off: what each score cut-off would approve, lose and earn on recent
applications, under the policy's limits and prices and the model's PD.

Each application is a ``Candidate``: its score and PD, and what the policy would lend it were
the cut-off the only rule moved (``candidate``). Every other rule stays as the policy has it:
an application a knock-out declined, in a band no product serves, whose limit is under the
smallest loan or whose price is over the cap is never approved, at any cut-off. Per unit lent,
over the loan's life:

* expected loss = PD x LGD (the model's PD is taken as true);
* income = the price the policy quotes (the fee rate of a share-of-sales loan; the annual rate
  times the principal-years, plus the origination fee, of an instalment loan);
* costs = cost of funds x principal-years + servicing;
* expected profit = income - expected loss - costs.

``tradeoff`` sums them over the approved applications at each cut-off (amounts rounded once,
at the end, in the policy's currency).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from microlend.money import Money, round_money, to_text
from microlend.policy import (
    Decision,
    Policy,
    ReasonSource,
    credit_limit,
    instalment_balance_years,
    quote_annual_rate,
    quote_fee_rate,
    step_down,
)

__all__ = ["Candidate", "CutoffPoint", "TradeOff", "candidate", "tradeoff"]

_ZERO = Decimal(0)


@dataclass(frozen=True)
class Candidate:
    """One application: its ``score`` and ``pd``, and, were its score above the cut-off, the
    ``principal`` lent (zero when another rule declines it), the ``income`` and the ``costs``
    (funding and servicing) per unit of principal over the loan's life."""

    score: int
    pd: float
    principal: Decimal
    income: Decimal = _ZERO
    costs: Decimal = _ZERO

    @property
    def lendable(self) -> bool:
        return self.principal > 0


@dataclass(frozen=True)
class CutoffPoint:
    """The figures of one cut-off: approvals among ``applications``, the mean PD of the
    approved (``default_rate``, None when none is), and amounts in the policy's currency."""

    cutoff: int
    applications: int
    approved: int
    default_rate: float | None
    principal: Decimal
    expected_loss: Decimal
    income: Decimal
    costs: Decimal

    @property
    def approval_rate(self) -> float:
        return self.approved / self.applications if self.applications else 0.0

    @property
    def expected_profit(self) -> Decimal:
        return self.income - self.expected_loss - self.costs


@dataclass(frozen=True)
class TradeOff:
    """The figures at every cut-off (ascending), the policy's ``current`` cut-off, its LGD
    and currency."""

    points: tuple[CutoffPoint, ...]
    current: int
    lgd: Decimal
    currency: str

    @property
    def applications(self) -> int:
        return self.points[0].applications if self.points else 0

    def to_dict(self) -> dict[str, object]:
        """Plain JSON-ready data: rates as fractions, amounts as exact decimal text."""
        return {
            "current_cutoff": self.current,
            "applications": self.applications,
            "lgd": str(self.lgd),
            "currency": self.currency,
            "points": [
                {
                    "cutoff": p.cutoff,
                    "approved": p.approved,
                    "approval_rate": p.approval_rate,
                    "expected_default_rate": p.default_rate,
                    "principal": to_text(p.principal, self.currency),
                    "expected_loss": to_text(p.expected_loss, self.currency),
                    "income": to_text(p.income, self.currency),
                    "costs": to_text(p.costs, self.currency),
                    "expected_profit": to_text(p.expected_profit, self.currency),
                }
                for p in self.points
            ],
        }

    def at(self, cutoff: int) -> CutoffPoint:
        """The point of ``cutoff`` (one of those computed)."""
        for point in self.points:
            if point.cutoff == cutoff:
                return point
        raise KeyError(f"no trade-off point at cut-off {cutoff}")


def _principal(decision: Decision, policy: Policy) -> Decimal:
    """What the policy would lend, with the cut-off passed; zero where another rule says no."""
    knocked_out = any(r.source is ReasonSource.KNOCKOUT for r in decision.reasons)
    if knocked_out or decision.band not in policy.eligible_bands():
        return _ZERO
    limit = credit_limit(
        policy.limits,
        decision.band,
        decision.sales.monthly_net,
        decision.exposure.outstanding.amount,
        decision.currency,
    ).amount
    if limit < policy.limits.minimum:
        return _ZERO
    asked: Money | None = decision.requested_amount
    if asked is None:
        return limit
    stepped = step_down(asked.amount, policy.limits.step, decision.currency)
    return min(max(stepped, policy.limits.minimum), limit)


def _price(decision: Decision, policy: Policy) -> tuple[Decimal, Decimal] | None:
    """Income and costs per unit lent, of the product the band is served by (share of sales
    first: the marketplace's own product; else the first instalment term); None over the cap."""
    pricing, share, instalment = policy.pricing, policy.share_of_sales, policy.instalment
    if share is not None and decision.band in share.bands:
        quote = quote_fee_rate(decision.pd, pricing, days=share.target_days)
        income = quote.rate
    elif instalment is not None and decision.band in instalment.bands and instalment.terms:
        term = instalment.terms[0]
        quote = quote_annual_rate(decision.pd, pricing, term=term, fee_rate=instalment.fee_rate)
        income = quote.rate * instalment_balance_years(term) + instalment.fee_rate
    else:
        return None
    if not quote.within_cap:
        return None
    return income, quote.funding + quote.servicing


def candidate(decision: Decision, policy: Policy) -> Candidate:
    """``decision``'s application as the trade-off sees it under ``policy``."""
    principal = _principal(decision, policy)
    price = _price(decision, policy) if principal > 0 else None
    if price is None:
        return Candidate(decision.score, decision.pd, _ZERO)
    income, costs = price
    return Candidate(decision.score, decision.pd, principal, income, costs)


def tradeoff(
    candidates: Sequence[Candidate],
    cutoffs: Sequence[int],
    *,
    current: int,
    lgd: Decimal,
    currency: str,
) -> TradeOff:
    """The figures at each of ``cutoffs`` (and ``current``): an application is approved at a
    cut-off when its score is at or above it and it is ``lendable``."""
    if not 0 <= lgd <= 1:
        raise ValueError(f"an LGD must lie in [0, 1], got {lgd}")
    # One sweep from the highest cut-off down: each lendable application is added once, when
    # the cut-off reaches its score (a page asks for some sixty cut-offs over the book).
    lendable = sorted((c for c in candidates if c.lendable), key=lambda c: -c.score)
    totals = _Totals()
    points: list[CutoffPoint] = []
    index = 0
    for cutoff in sorted({*cutoffs, current}, reverse=True):
        while index < len(lendable) and lendable[index].score >= cutoff:
            totals.add(lendable[index], lgd)
            index += 1
        points.append(totals.point(cutoff, len(candidates), currency))
    return TradeOff(tuple(reversed(points)), current, lgd, currency)


@dataclass
class _Totals:
    """Running sums over the applications approved so far."""

    approved: int = 0
    pd_sum: float = 0.0
    principal: Decimal = _ZERO
    loss: Decimal = _ZERO
    income: Decimal = _ZERO
    costs: Decimal = _ZERO

    def add(self, c: Candidate, lgd: Decimal) -> None:
        self.approved += 1
        self.pd_sum += c.pd
        self.principal += c.principal
        self.loss += Decimal(repr(c.pd)) * lgd * c.principal
        self.income += c.income * c.principal
        self.costs += c.costs * c.principal

    def point(self, cutoff: int, applications: int, currency: str) -> CutoffPoint:
        return CutoffPoint(
            cutoff=cutoff,
            applications=applications,
            approved=self.approved,
            default_rate=self.pd_sum / self.approved if self.approved else None,
            principal=round_money(self.principal, currency),
            expected_loss=round_money(self.loss, currency),
            income=round_money(self.income, currency),
            costs=round_money(self.costs, currency),
        )
