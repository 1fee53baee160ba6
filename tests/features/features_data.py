"""A tiny hand-made marketplace whose features can be computed by hand (as of 2024-07-01)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pyarrow as pa

from microlend.data import arrow_schema

AS_OF = date(2024, 7, 1)


def ts(text: str) -> datetime:
    """A UTC timestamp from ``YYYY-MM-DD`` or ``YYYY-MM-DD HH:MM``."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def table(name: str, rows: list[dict[str, Any]]) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=arrow_schema(name))


def order(oid: str, merchant: str, buyer: str, at: str, amount: str, status: str = "completed"):
    return {
        "order_id": oid,
        "merchant_id": merchant,
        "buyer_id": buyer,
        "created_at": ts(at),
        "amount": Decimal(amount),
        "currency": "EUR",
        "status": status,
    }


MERCHANTS = [
    {"merchant_id": "m1", "category": "toys", "region": "EU", "onboarded_at": ts("2023-01-01")},
    {"merchant_id": "m2", "category": "toys", "region": "EU", "onboarded_at": ts("2024-05-02")},
    {"merchant_id": "m3", "category": "books", "region": "EU", "onboarded_at": ts("2022-06-01")},
]

ORDERS = [
    order("o1", "m1", "b1", "2024-06-30 23:59", "100.00"),  # 1 day before as-of
    order("o2", "m1", "b1", "2024-06-15", "50.00"),
    order("o3", "m1", "b2", "2024-05-01", "30.00"),
    order("o4", "m1", "b3", "2024-06-20", "20.00", status="cancelled"),
    order("o6", "m1", "b2", "2023-10-01", "200.00"),
    order("o9", "m1", "b2", "2024-03-15", "40.00"),  # the 90 days before the last 90
    order("o10", "m1", "b1", "2023-06-20", "60.00"),  # a year and 11 days before as-of
    order("o7", "m2", "b5", "2024-06-01", "10.00"),
    order("o8", "m3", "b6", "2023-04-10", "80.00"),  # last sale long ago
]

REFUNDS = [
    {
        "order_id": "o2",
        "merchant_id": "m1",
        "refunded_at": ts("2024-06-20"),
        "amount": Decimal("25"),
    }
]

REVIEWS = [
    {"order_id": "o1", "merchant_id": "m1", "created_at": ts("2024-06-30 23:59"), "rating": 1},
    {"order_id": "o2", "merchant_id": "m1", "created_at": ts("2024-06-16"), "rating": 5},
    {"order_id": "o3", "merchant_id": "m1", "created_at": ts("2024-05-02"), "rating": 2},
    {"order_id": "o6", "merchant_id": "m1", "created_at": ts("2023-10-05"), "rating": 4},
    {"order_id": "o9", "merchant_id": "m1", "created_at": ts("2024-03-20"), "rating": 4},
]

SHIPMENTS = [
    # late: delivered after the promise
    {
        "order_id": "o2",
        "merchant_id": "m1",
        "promised_at": ts("2024-06-18"),
        "shipped_at": ts("2024-06-16"),
        "delivered_at": ts("2024-06-19"),
    },
    # on time
    {
        "order_id": "o3",
        "merchant_id": "m1",
        "promised_at": ts("2024-05-05"),
        "shipped_at": ts("2024-05-02"),
        "delivered_at": ts("2024-05-04"),
    },
    # promised before as-of, not shipped: late and unshipped
    {
        "order_id": "o1",
        "merchant_id": "m1",
        "promised_at": ts("2024-06-30 23:00"),
        "shipped_at": None,
        "delivered_at": None,
    },
]

SETTLEMENTS = [
    {
        "merchant_id": "m1",
        "settled_at": ts("2024-06-24"),
        "gross": Decimal("50"),
        "fees": Decimal("5"),
        "net": Decimal("45"),
    },
]

LOANS = [
    {
        "loan_id": "L0",
        "application_id": "A0",
        "merchant_id": "m1",
        "disbursed_at": ts("2023-06-01"),
        "principal": Decimal("1000"),
        "product": "fixed_instalment",
        "terms": "{}",
    },
    {
        "loan_id": "L1",
        "application_id": "A1",
        "merchant_id": "m1",
        "disbursed_at": ts("2024-01-10"),
        "principal": Decimal("2000"),
        "product": "share_of_sales",
        "terms": "{}",
    },
]

OUTCOMES = [
    {"loan_id": "L0", "defaulted": True, "default_at": ts("2023-12-01")},
    {"loan_id": "L1", "defaulted": True, "default_at": ts("2024-08-01")},  # after as-of: unseen
]

ROWS: dict[str, list[dict[str, Any]]] = {
    "merchants": MERCHANTS,
    "orders": ORDERS,
    "refunds": REFUNDS,
    "reviews": REVIEWS,
    "shipments": SHIPMENTS,
    "settlements": SETTLEMENTS,
    "loans": LOANS,
    "outcomes": OUTCOMES,
}


def tables(extra: Mapping[str, list[dict[str, Any]]] | None = None) -> dict[str, pa.Table]:
    """The tiny marketplace as contract tables, with ``extra`` rows appended per table."""
    extra = extra or {}
    return {name: table(name, rows + list(extra.get(name, []))) for name, rows in ROWS.items()}


# --- Left truncation: records that begin on 2024-01-01 ---------------------------------------
#: The records' first day (the first order), and the date the history tests look from: 121
#: days of records lie before it.
RECORDS_START = date(2024, 1, 1)
HISTORY_AS_OF = date(2024, 5, 1)


def _daily_orders(merchant: str, first: date, days: int, amount: str) -> list[dict[str, Any]]:
    """One order a day from ``first`` for ``days`` days, from three buyers in turn."""
    return [
        order(
            f"{merchant}-{i}",
            merchant,
            f"{merchant}-b{i % 3}",
            (first + timedelta(days=i)).isoformat(),
            amount,
        )
        for i in range(days)
    ]


def history_tables(extra: Mapping[str, list[dict[str, Any]]] | None = None) -> dict[str, pa.Table]:
    """Two steady sellers whose records begin with the data on 2024-01-01.

    ``old`` joined in 2020, before the records begin: it sells 10.00 every day from the first
    day of the records to 2024-04-30 (121 days). ``new`` joined on 2024-04-01, 30 days before
    ``HISTORY_AS_OF``, and sells 2.00 every day from then. The other tables are empty.
    """
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in ROWS}
    rows["merchants"] = [
        {
            "merchant_id": "old",
            "category": "toys",
            "region": "EU",
            "onboarded_at": ts("2020-01-01"),
        },
        {
            "merchant_id": "new",
            "category": "toys",
            "region": "EU",
            "onboarded_at": ts("2024-04-01"),
        },
    ]
    rows["orders"] = _daily_orders("old", RECORDS_START, 121, "10.00") + _daily_orders(
        "new", date(2024, 4, 1), 30, "2.00"
    )
    extra = extra or {}
    return {name: table(name, found + list(extra.get(name, []))) for name, found in rows.items()}
