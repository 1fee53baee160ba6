"""Windows that know where records start: a window of n days as of t sees the days of
[max(t - n, the merchant's start), t), where its start is its onboarding or the records' first
day, whichever is later; its long levels are scaled to the window, its comparisons are per day
seen, and ``history_days`` says how much it saw."""

from __future__ import annotations

import math
from datetime import date

import pytest
from features_data import HISTORY_AS_OF, RECORDS_START, history_tables, order

from microlend.features import build_features

HISTORY = [
    "history_days",
    "tenure_days",
    "days_since_first_sale",
    "gmv_30d",
    "gmv_90d",
    "gmv_180d",
    "gmv_365d",
    "orders_365d",
    "gmv_growth_90d",
    "orders_growth_90d",
    "gmv_growth_yoy_90d",
    "active_days_share_90d",
    "weekly_sales_cv_90d",
    "sales_trend_90d",
]


def _by_merchant(as_of: date, extra=None) -> dict[str, dict[str, float]]:
    out = build_features(history_tables(extra), as_of=as_of, features=HISTORY).to_pylist()
    return {row["merchant_id"]: row for row in out}


def test_a_merchant_onboarded_30_days_ago_has_windows_of_30_days() -> None:
    new = _by_merchant(HISTORY_AS_OF)["new"]
    assert new["history_days"] == new["tenure_days"] == new["days_since_first_sale"] == 30.0
    # 30 days of 2.00: the 30- and 90-day sums are what the records hold ...
    assert (new["gmv_30d"], new["gmv_90d"]) == (60.0, 60.0)
    # ... the long levels run at the same rate over their whole window ...
    assert (new["gmv_180d"], new["gmv_365d"], new["orders_365d"]) == (360.0, 730.0, 365.0)
    # ... it sold on every day it could, and nothing of the 90 days before is on record.
    assert new["active_days_share_90d"] == 1.0
    assert math.isnan(new["gmv_growth_90d"])
    assert math.isnan(new["orders_growth_90d"])


def test_a_merchant_that_joined_before_the_records_is_cut_at_their_start() -> None:
    old = _by_merchant(HISTORY_AS_OF)["old"]
    seen = (HISTORY_AS_OF - RECORDS_START).days
    assert seen == 121
    assert old["history_days"] == 121.0
    assert old["tenure_days"] == (HISTORY_AS_OF - date(2020, 1, 1)).days  # joining stays known
    # Its first sale may be older than the records: unknown, not the records' 121 days.
    assert math.isnan(old["days_since_first_sale"])
    assert (old["gmv_30d"], old["gmv_90d"]) == (300.0, 900.0)
    # 1,210.00 over the 121 days on record, scaled to 180 and 365 days.
    assert (old["gmv_180d"], old["gmv_365d"], old["orders_365d"]) == (1800.0, 3650.0, 365.0)
    # Steady sales: no growth per day seen, although the 90 days before hold only 31 on record
    # (their plain sum, 310.00 against 900.00, would read as a rise of 190 %).
    assert old["gmv_growth_90d"] == old["orders_growth_90d"] == 0.0
    # The 13 weeks are all on record and equal: flat, without variation.
    assert old["sales_trend_90d"] == old["weekly_sales_cv_90d"] == 0.0
    assert old["active_days_share_90d"] == 1.0
    assert math.isnan(old["gmv_growth_yoy_90d"])  # the records do not reach a year back


def test_a_steady_sellers_levels_do_not_depend_on_how_long_the_records_run() -> None:
    """Without the cut's scaling a year's sales would read 300.00 a month into the records and
    1,210.00 four months in: a trend made by the export, not by the seller."""
    early = _by_merchant(date(2024, 1, 31))["old"]
    late = _by_merchant(HISTORY_AS_OF)["old"]
    assert (early["history_days"], late["history_days"]) == (30.0, 121.0)
    for name in ("gmv_180d", "gmv_365d", "orders_365d", "active_days_share_90d"):
        assert early[name] == late[name], name


def test_a_date_before_the_records_begin_sees_nothing() -> None:
    old = _by_merchant(date(2023, 12, 1))["old"]
    assert old["history_days"] == 0.0
    assert old["gmv_30d"] == 0.0  # a sum over no record is zero ...
    for name in ("gmv_365d", "gmv_growth_90d", "active_days_share_90d", "sales_trend_90d"):
        assert math.isnan(old[name]), name  # ... a level or a rate of no day is undefined


def test_the_records_start_is_their_first_order_whoever_made_it() -> None:
    """An older order of another merchant moves the records' start, and with it what ``old``'s
    windows could see (its own first order is not its start: it joined in 2020)."""
    earlier = {"orders": [order("x1", "new", "b", "2023-12-01", "1.00")]}
    old = _by_merchant(HISTORY_AS_OF, earlier)["old"]
    assert old["history_days"] == (HISTORY_AS_OF - date(2023, 12, 1)).days == 152
    assert old["gmv_365d"] == pytest.approx(1210 * 365 / 152)


def test_records_at_or_after_as_of_do_not_move_the_windows() -> None:
    later = {"orders": [order("x2", "new", "b", HISTORY_AS_OF.isoformat(), "500.00")]}
    assert repr(_by_merchant(HISTORY_AS_OF, later)) == repr(_by_merchant(HISTORY_AS_OF))
