"""Feature values computed by hand on the tiny marketplace equal the builder's."""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal

import pyarrow as pa
import pytest
from features_data import AS_OF, tables, ts

from microlend.errors import ConfigError, DataContractError
from microlend.features import application_spine, build_features


@pytest.fixture(scope="module")
def by_merchant() -> dict[str, dict[str, float]]:
    out = build_features(tables(), as_of=AS_OF).to_pylist()
    return {row["merchant_id"]: row for row in out}


# m1 before 2024-07-01: o1 100 (06-30 23:59, b1), o2 50 (06-15, b1), o3 30 (05-01, b2),
# o4 20 cancelled (06-20), o6 200 (2023-10-01, b2), o9 40 (03-15, b2), o10 60 (2023-06-20, b1).
HAND = {
    "gmv_30d": 150.0,
    "gmv_90d": 180.0,
    "gmv_180d": 220.0,
    "gmv_365d": 420.0,
    "orders_365d": 5.0,
    "gmv_growth_90d": 180 / 40 - 1,
    # Per day on record: the records begin with m3's order of 2023-04-10, so of the year-ago
    # window [2023-04-03, 2023-07-02) 83 days are on record.
    "gmv_growth_yoy_90d": (180 / 90) / (60 / 83) - 1,
    "sales_vs_last_year_30d": 150 / 60 - 1,
    "orders_90d": 3.0,
    "aov_90d": 60.0,
    "cancel_rate_90d": 1 / 4,
    "days_since_last_sale": 1.0,
    # The last 90 days' buyers: b1 spent 150 on o1 and o2, b2 30 on o3 (and bought in 2023).
    "buyer_hhi_90d": (150**2 + 30**2) / 180**2,
    "top_buyers_share_90d": 1.0,
    "repeat_buyer_share_90d": 1 / 2,
    "returning_order_share_90d": 1.0,  # b1 and b2 had both bought on an earlier day
    "refund_rate_90d": 1 / 3,
    "refunded_gmv_share_90d": 25 / 180,
    "rating_mean_180d": (1 + 5 + 2 + 4) / 4,
    "rating_trend_90d": (1 + 5 + 2) / 3 - 4,
    "low_rating_share_180d": 2 / 4,
    "review_count_180d": 4.0,
    "late_shipment_rate_90d": 2 / 3,
    "unshipped_share_90d": 1 / 3,
    "delivery_days_90d": (3 + 2) / 2,
    "tenure_days": 547.0,
    "prior_loans": 2.0,
    "prior_defaults": 1.0,  # L1 defaults after as-of
    "prior_default_share": 0.5,
    "prior_principal": 3000.0,
    "settlement_weeks_share_90d": 1 / 13,
    "settlement_net_90d": 45.0,  # its one payout, 2024-06-24
}


@pytest.mark.parametrize(("name", "expected"), HAND.items())
def test_hand_computed_values_of_m1(by_merchant, name: str, expected: float) -> None:
    assert by_merchant["m1"][name] == pytest.approx(expected)


def test_weekly_volatility_and_trend_match_the_formulas(by_merchant) -> None:
    weeks = [0.0] * 13
    weeks[12], weeks[10], weeks[4] = 100.0, 50.0, 30.0  # ages 1, 16 and 61 days
    mean = sum(weeks) / 13
    sd = (sum((w - mean) ** 2 for w in weeks) / 13) ** 0.5
    slope = sum((x - 6) * (w - mean) for x, w in enumerate(weeks)) / 182
    assert by_merchant["m1"]["weekly_sales_cv_90d"] == pytest.approx(sd / mean)
    assert by_merchant["m1"]["sales_trend_90d"] == pytest.approx(slope / mean)


def test_a_first_sale_before_the_records_could_be_is_unknown(by_merchant) -> None:
    """The records begin with m3's order of 2023-04-10; m1 joined on 2023-01-01 and m3 in 2022,
    so their first sales may be older than any record. m2 joined on 2024-05-02."""
    assert math.isnan(by_merchant["m1"]["days_since_first_sale"])
    assert math.isnan(by_merchant["m3"]["days_since_first_sale"])
    assert by_merchant["m2"]["days_since_first_sale"] == (AS_OF - date(2024, 6, 1)).days


def test_undefined_ratios_are_nan_not_zero(by_merchant) -> None:
    m3 = by_merchant["m3"]  # no sale within the last year
    assert m3["gmv_90d"] == 0.0
    assert m3["refund_rate_90d"] != m3["refund_rate_90d"]  # NaN
    assert m3["days_since_last_sale"] == (AS_OF - date(2023, 4, 10)).days


def test_one_row_per_spine_row_in_spine_order_with_keys_kept() -> None:
    spine = pa.table(
        {
            "application_id": ["a2", "a1", "a3"],
            "merchant_id": ["m1", "m1", "m2"],
            "as_of": pa.array([date(2024, 7, 1), date(2024, 6, 1), date(2024, 7, 1)]),
        }
    )
    out = build_features(tables(), spine, features=["gmv_30d", "orders_365d"])
    assert out.column_names == ["application_id", "merchant_id", "as_of", "gmv_30d", "orders_365d"]
    assert out["application_id"].to_pylist() == ["a2", "a1", "a3"]
    assert out["gmv_30d"].to_pylist() == [150.0, 0.0, 10.0]


def test_training_spine_matches_one_date_builds() -> None:
    """Each application at its own date gets what a build of all merchants at that date gives."""
    applied = [AS_OF, date(2024, 6, 10)]
    applications = pa.table(
        {
            "application_id": ["x", "y"],
            "merchant_id": ["m1", "m1"],
            "applied_at": pa.array(
                [pa.scalar(d).cast(pa.timestamp("us", tz="UTC")).as_py() for d in applied],
                pa.timestamp("us", tz="UTC"),
            ),
            "requested_amount": pa.array([1, 1], pa.decimal128(18, 2)),
        }
    )
    per_app = build_features(tables(), application_spine(applications)).to_pylist()
    for row, day in zip(per_app, applied, strict=True):
        alone = build_features(tables(), as_of=day).to_pylist()
        expected = next(r for r in alone if r["merchant_id"] == "m1")
        for name, value in expected.items():
            if name != "merchant_id" and name != "as_of":
                assert value == pytest.approx(row[name], nan_ok=True), name


def test_spine_and_as_of_together_are_refused() -> None:
    spine = pa.table({"merchant_id": ["m1"], "as_of": pa.array([AS_OF])})
    with pytest.raises(ConfigError):
        build_features(tables(), spine, as_of=AS_OF)


def test_unknown_feature_is_refused() -> None:
    with pytest.raises(ConfigError, match="nope"):
        build_features(tables(), as_of=AS_OF, features=["nope"])


def test_missing_orders_table_is_a_contract_error() -> None:
    data = tables()
    del data["orders"]
    with pytest.raises(DataContractError, match="orders"):
        build_features(data, as_of=AS_OF)


def _payout(merchant: str, at: str, net: str) -> dict[str, object]:
    fees = Decimal("1.00")
    return {
        "merchant_id": merchant,
        "settled_at": ts(at),
        "gross": Decimal(net) + fees,
        "fees": fees,
        "net": Decimal(net),
    }


def test_net_payouts_are_the_exact_sum_of_the_last_90_days() -> None:
    # As of 2024-07-01 the last 90 days are 2024-04-02 to 2024-06-30, both included.
    extra = {
        "settlements": [
            _payout("m1", "2024-04-02 00:00", "10.10"),  # 90 days before: in
            _payout("m1", "2024-04-01 23:59", "1000.00"),  # 91 days (still in the 13 weeks): out
            _payout("m1", "2024-07-01 00:00", "500.00"),  # on the as-of date: out
            _payout("m1", "2024-06-30 23:59", "-12.34"),  # refunds over sales: a negative net
            _payout("m2", "2024-06-01", "0.10"),
            _payout("m2", "2024-06-02", "0.20"),
        ]
    }
    out = build_features(tables(extra), as_of=AS_OF, features=["settlement_net_90d"])
    paid = dict(
        zip(out["merchant_id"].to_pylist(), out["settlement_net_90d"].to_pylist(), strict=True)
    )
    # m1's 45.00 of 2024-06-24, + 10.10 - 12.34; m2 exactly 0.30 (floats would give
    # 0.30000000000000004); m3 had no payout: nothing, not missing.
    assert paid == {"m1": 42.76, "m2": 0.3, "m3": 0.0}
