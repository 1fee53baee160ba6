"""The credit limit: sized on forecast net settlements, less what the merchant owes, under caps.

``forecast_sales`` turns the recent sales run rate into expected daily and monthly net
settlements (what repays a loan). ``credit_limit`` then takes the smallest of the ceilings on
what a merchant may owe in all (a share of monthly sales, its band's caps, the portfolio's
per-merchant cap), subtracts the exposure it already has, and rounds down to the step.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from microlend.money import round_money
from microlend.policy._policy import Forecast, LimitRule
from microlend.policy._rules import is_missing

__all__ = [
    "DAYS_PER_MONTH",
    "Limit",
    "SalesForecast",
    "credit_limit",
    "forecast_sales",
    "step_down",
]

#: Days of an average month: monthly amounts are daily ones times this.
DAYS_PER_MONTH = Decimal(365) / Decimal(12)

_ZERO = Decimal(0)


@dataclass(frozen=True)
class SalesForecast:
    """Expected net settlements per day and per month, and the trend factor applied."""

    daily_net: Decimal
    monthly_net: Decimal
    trend_factor: Decimal


@dataclass(frozen=True)
class Limit:
    """How a limit was sized. ``ceiling``: the most the merchant may owe in all; ``binding``:
    which cap set it (``sales``, ``band_amount``, ``band_multiple`` or ``merchant_cap``)."""

    monthly_sales: Decimal
    exposure: Decimal
    ceiling: Decimal
    binding: str
    amount: Decimal


def _feature(features: Mapping[str, float | None], name: str) -> Decimal:
    """A feature as an exact decimal; missing counts as 0 (no sales seen, no trend known)."""
    value = features.get(name)
    if value is None or is_missing(value) or math.isinf(value):
        return _ZERO
    return Decimal(repr(float(value)))


def forecast_sales(
    forecast: Forecast, features: Mapping[str, float | None], currency: str
) -> SalesForecast:
    """Forecast net settlements from the sales feature, carrying part of the recent growth."""
    sales = max(_feature(features, forecast.sales_feature), _ZERO)
    growth = _feature(features, forecast.growth_feature) * forecast.growth_weight
    trend = 1 + min(max(growth, forecast.growth_floor), forecast.growth_cap)
    daily = sales / forecast.window_days * trend * forecast.net_share
    return SalesForecast(
        daily_net=round_money(daily, currency),
        monthly_net=round_money(daily * DAYS_PER_MONTH, currency),
        trend_factor=trend,
    )


def step_down(amount: Decimal, step: Decimal, currency: str) -> Decimal:
    """``amount`` rounded down to a multiple of ``step`` (never below zero)."""
    if amount <= 0:
        return round_money(_ZERO, currency)
    return round_money((amount // step) * step, currency)


def credit_limit(
    rule: LimitRule, band: str, monthly_sales: Decimal, exposure: Decimal, currency: str
) -> Limit:
    """The new credit a merchant of ``band`` may get. A band without a cap gets none."""
    ceilings = {
        "sales": rule.share_of_monthly_sales * monthly_sales,
        "merchant_cap": rule.merchant_cap,
    }
    cap = rule.bands.get(band)
    if cap is None:
        ceilings["band_amount"] = _ZERO
    else:
        if cap.max_amount is not None:
            ceilings["band_amount"] = cap.max_amount
        if cap.max_multiple is not None:
            ceilings["band_multiple"] = cap.max_multiple * monthly_sales
    binding = min(ceilings, key=lambda name: ceilings[name])
    # The step is taken off the exact ceiling, so rounding the ceiling for display can never
    # lift the limit over a cap.
    return Limit(
        monthly_sales=monthly_sales,
        exposure=exposure,
        ceiling=round_money(ceilings[binding], currency),
        binding=binding,
        amount=step_down(ceilings[binding] - exposure, rule.step, currency),
    )
