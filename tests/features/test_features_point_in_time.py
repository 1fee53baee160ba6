"""Point in time: a feature as of D sees only events strictly before D 00:00 UTC."""

from __future__ import annotations

import math
from decimal import Decimal

import pyarrow as pa
from features_data import AS_OF, order, tables, ts

from microlend.features import build_features

# Events at or after as-of (2024-07-01 00:00 UTC) in every table, including the first instant.
FUTURE = {
    "orders": [
        order("f1", "m1", "b9", "2024-07-01 00:00", "999.00"),
        order("f2", "m2", "b9", "2024-08-01", "5.00", status="cancelled"),
        order("f3", "m3", "b1", "2024-07-02", "7.00"),
    ],
    "refunds": [
        {
            "order_id": "o1",
            "merchant_id": "m1",
            "refunded_at": ts("2024-07-01"),
            "amount": Decimal("9"),
        }
    ],
    "reviews": [
        {"order_id": "f1", "merchant_id": "m1", "created_at": ts("2024-07-01"), "rating": 1}
    ],
    "shipments": [
        {
            "order_id": "f1",
            "merchant_id": "m1",
            "promised_at": ts("2024-07-01"),
            "shipped_at": None,
            "delivered_at": None,
        },
    ],
    "settlements": [
        {
            "merchant_id": "m2",
            "settled_at": ts("2024-07-01"),
            "gross": Decimal("1"),
            "fees": Decimal("0"),
            "net": Decimal("1"),
        },
    ],
    "loans": [
        {
            "loan_id": "L9",
            "application_id": "A9",
            "merchant_id": "m2",
            "disbursed_at": ts("2024-07-01"),
            "principal": Decimal("5"),
            "product": "fixed_instalment",
            "terms": "{}",
        },
    ],
    "outcomes": [{"loan_id": "L9", "defaulted": True, "default_at": ts("2024-07-03")}],
}


def _rows(table: pa.Table) -> list[tuple[object, ...]]:
    """Rows with NaN made comparable (NaN != NaN)."""
    clean = [
        tuple("nan" if isinstance(v, float) and math.isnan(v) else v for v in row.values())
        for row in table.to_pylist()
    ]
    return sorted(clean, key=lambda r: str(r[0]))


def test_events_at_or_after_as_of_change_nothing() -> None:
    before = build_features(tables(), as_of=AS_OF)
    after = build_features(tables(FUTURE), as_of=AS_OF)
    assert _rows(after) == _rows(before)


def test_the_same_event_one_microsecond_earlier_does_change_features() -> None:
    """The check above can fail: moving one future order just before as-of changes the output."""
    early = {"orders": [order("f1", "m1", "b9", "2024-06-30 23:59:59.999999", "999.00")]}
    before = build_features(tables(), as_of=AS_OF, features=["gmv_30d", "days_since_last_sale"])
    after = build_features(tables(early), as_of=AS_OF, features=["gmv_30d", "days_since_last_sale"])
    m1_before = next(r for r in before.to_pylist() if r["merchant_id"] == "m1")
    m1_after = next(r for r in after.to_pylist() if r["merchant_id"] == "m1")
    assert m1_after["gmv_30d"] == m1_before["gmv_30d"] + 999.0
    assert m1_after["days_since_last_sale"] == 1.0


def test_a_default_becomes_visible_only_after_it_happened() -> None:
    later = build_features(tables(), as_of=ts("2024-08-02").date(), features=["prior_defaults"])
    now = build_features(tables(), as_of=AS_OF, features=["prior_defaults"])
    m1_now = next(r for r in now.to_pylist() if r["merchant_id"] == "m1")
    m1_later = next(r for r in later.to_pylist() if r["merchant_id"] == "m1")
    assert (m1_now["prior_defaults"], m1_later["prior_defaults"]) == (1.0, 2.0)


def test_merchants_onboarded_after_as_of_are_not_in_the_default_spine() -> None:
    out = build_features(tables(), as_of=ts("2024-05-01").date(), features=["gmv_30d"])
    assert sorted(out["merchant_id"].to_pylist()) == ["m1", "m3"]
