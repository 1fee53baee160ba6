"""Risk-based prices: what a loan must earn to cover its expected loss and costs, on a grid.

Over the life of a loan, per unit of principal, the lender must earn

    required = PD x LGD                                   expected loss
             + cost_of_funds x balance_years              funding
             + servicing                                  once per loan
             + target_margin x balance_years              profit on the capital lent

where ``balance_years`` is the average principal outstanding times the loan's life in years
(principal-years per unit lent). A share-of-sales loan repaid evenly over ``days`` has
``days / 730``; an instalment loan of ``n`` payments, ``ppy`` a year, has ``(n + 1) / (2 ppy)``
(equal principal repayments; an annuity repays more slowly, so it earns at least that much).

* Share of sales: the fee rate (total fee over principal) is ``required``.
* Fixed instalments: the annual rate earns ``rate x balance_years``, the origination fee the
  rest: ``rate = (required - fee_rate) / balance_years``.

Each rate is rounded *up* to the grid's step (never under-priced) and raised to its floor; a
rate over the grid's ceiling is flagged (``within_cap`` false) and the product is not offered.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import ROUND_CEILING, Decimal

from microlend.policy._policy import InstalmentTerm, Pricing, RateGrid

__all__ = ["Quote", "instalment_balance_years", "quote_annual_rate", "quote_fee_rate"]


@dataclass(frozen=True)
class Quote:
    """Costs as shares of the principal over the loan's life, and the rate quoted for them."""

    expected_loss: Decimal
    funding: Decimal
    servicing: Decimal
    margin: Decimal
    rate: Decimal
    within_cap: bool

    @property
    def required(self) -> Decimal:
        """What the loan must earn per unit of principal: the sum of the costs."""
        return self.expected_loss + self.funding + self.servicing + self.margin


def instalment_balance_years(term: InstalmentTerm) -> Decimal:
    """Principal-years per unit lent of ``count`` equal principal repayments."""
    return Decimal(term.count + 1) / (2 * term.frequency.periods_per_year)


def _share_balance_years(days: int) -> Decimal:
    return Decimal(days) / Decimal(730)


def _on_grid(rate: Decimal, grid: RateGrid) -> tuple[Decimal, bool]:
    steps = (max(rate, Decimal(0)) / grid.step).to_integral_value(rounding=ROUND_CEILING)
    quoted = max(steps * grid.step, grid.low)
    return quoted, quoted <= grid.high


def _costs(pd: float, pricing: Pricing, balance_years: Decimal) -> Quote:
    """The costs, quoted at zero until a grid rate is set."""
    if not 0.0 <= pd <= 1.0:
        raise ValueError(f"a PD must lie in [0, 1], got {pd}")
    return Quote(
        expected_loss=Decimal(repr(pd)) * pricing.lgd,
        funding=pricing.cost_of_funds * balance_years,
        servicing=pricing.servicing,
        margin=pricing.target_margin * balance_years,
        rate=Decimal(0),
        within_cap=False,
    )


def quote_fee_rate(pd: float, pricing: Pricing, *, days: int) -> Quote:
    """The fee rate of a share-of-sales loan expected to be repaid in ``days``."""
    costs = _costs(pd, pricing, _share_balance_years(days))
    rate, within_cap = _on_grid(costs.required, pricing.fee_rate)
    return replace(costs, rate=rate, within_cap=within_cap)


def quote_annual_rate(
    pd: float, pricing: Pricing, *, term: InstalmentTerm, fee_rate: Decimal
) -> Quote:
    """The annual rate of an instalment loan over ``term`` with an origination ``fee_rate``."""
    balance_years = instalment_balance_years(term)
    costs = _costs(pd, pricing, balance_years)
    rate, within_cap = _on_grid((costs.required - fee_rate) / balance_years, pricing.annual_rate)
    return replace(costs, rate=rate, within_cap=within_cap)
