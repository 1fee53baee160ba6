"""Limits: never above a cap, never below zero, exposure subtracted; the sales forecast."""

from __future__ import annotations

import math
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st
from policy_support import features

from microlend.policy import DAYS_PER_MONTH, credit_limit, default_policy, forecast_sales

POLICY = default_policy()
RULE = POLICY.limits
BANDS = sorted(RULE.bands)

amounts = st.decimals(min_value=0, max_value=500_000, places=2)


def _caps(band: str, monthly_sales: Decimal) -> list[Decimal]:
    cap = RULE.bands[band]
    caps = [RULE.share_of_monthly_sales * monthly_sales, RULE.merchant_cap]
    if cap.max_amount is not None:
        caps.append(cap.max_amount)
    if cap.max_multiple is not None:
        caps.append(cap.max_multiple * monthly_sales)
    return caps


@given(band=st.sampled_from(BANDS), monthly_sales=amounts, exposure=amounts)
def test_the_limit_stays_within_every_cap_and_above_zero(
    band: str, monthly_sales: Decimal, exposure: Decimal
) -> None:
    limit = credit_limit(RULE, band, monthly_sales, exposure, "USD")
    assert limit.amount >= 0
    assert limit.amount % RULE.step == 0
    for cap in _caps(band, monthly_sales):
        assert limit.amount == 0 or limit.amount + exposure <= cap
    # It is the largest step under the tightest cap: one more step would break it.
    assert limit.amount + RULE.step > min(_caps(band, monthly_sales)) - exposure


@given(
    band=st.sampled_from(BANDS),
    monthly_sales=amounts,
    exposure=amounts,
    more=st.decimals(min_value=0, max_value=50_000, places=2),
)
def test_what_is_owed_already_comes_off_the_limit(
    band: str, monthly_sales: Decimal, exposure: Decimal, more: Decimal
) -> None:
    fresh = credit_limit(RULE, band, monthly_sales, Decimal(0), "USD")
    owing = credit_limit(RULE, band, monthly_sales, exposure, "USD")
    owing_more = credit_limit(RULE, band, monthly_sales, exposure + more, "USD")
    assert owing_more.amount <= owing.amount <= fresh.amount
    assert owing.amount <= max(fresh.ceiling - exposure, Decimal(0))


def test_the_binding_cap_is_named() -> None:
    small = credit_limit(RULE, "good", Decimal(10_000), Decimal(0), "USD")
    assert (small.binding, small.amount) == ("band_multiple", Decimal(10_000))
    large = credit_limit(RULE, "good", Decimal(1_000_000), Decimal(0), "USD")
    assert (large.binding, large.amount) == ("band_amount", Decimal(50_000))
    owing = credit_limit(RULE, "good", Decimal(10_000), Decimal("2550.50"), "USD")
    assert owing.amount == Decimal(7_400)


def test_a_band_without_a_cap_gets_no_credit() -> None:
    assert credit_limit(RULE, "poor", Decimal(10_000), Decimal(0), "USD").amount == 0


def test_the_forecast_is_the_run_rate_with_part_of_its_growth_net_of_fees() -> None:
    sales = forecast_sales(POLICY.forecast, features(gmv_90d=9_000.0, gmv_growth_90d=0.1), "USD")
    assert sales.trend_factor == Decimal("1.05")
    assert sales.daily_net == Decimal("96.60")  # 9000 / 90 x 1.05 x 0.92
    expected_monthly = Decimal(100) * Decimal("1.05") * Decimal("0.92") * DAYS_PER_MONTH
    assert abs(sales.monthly_net - expected_monthly) <= Decimal("0.005")


def test_growth_is_clipped_and_missing_values_are_neutral() -> None:
    boom = forecast_sales(POLICY.forecast, features(gmv_growth_90d=5.0), "USD")
    bust = forecast_sales(POLICY.forecast, features(gmv_growth_90d=-1.0), "USD")
    unknown = forecast_sales(POLICY.forecast, features(gmv_growth_90d=math.nan), "USD")
    assert (boom.trend_factor, bust.trend_factor, unknown.trend_factor) == (
        Decimal("1.2"),
        Decimal("0.5"),
        Decimal(1),
    )
    no_sales = forecast_sales(POLICY.forecast, features(gmv_90d=None), "USD")
    assert no_sales.monthly_net == 0
