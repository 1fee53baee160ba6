"""The quality report's figures on a valid data set with planted problems."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyarrow as pa
import pytest
from data_factory import Writer, contract_tables, with_value

from microlend.data import load_dataset, quality_report


@pytest.fixture
def planted(make_folder: Writer) -> dict[str, object]:
    tables = contract_tables()
    # One exact duplicate settlement (a payout recorded twice).
    settlements = tables["settlements"]
    tables["settlements"] = pa.concat_tables([settlements, settlements.slice(2, 1)])
    # Orders 0..39 every 12 hours span 20 days; move order 39 ten days later: Jan 21-29 empty.
    created = tables["orders"].column("created_at")[39].as_py()
    tables = with_value(tables, "orders", 40, "created_at", created + timedelta(days=10))
    tables = with_value(tables, "reviews", 40, "created_at", created + timedelta(days=12))
    tables = with_value(tables, "shipments", 40, "promised_at", created + timedelta(days=15))
    # Late: one review 100 days after its order, one refund 200 days after, one delivery
    # 70 days after shipping.
    start = tables["orders"].column("created_at")[5].as_py()
    tables = with_value(tables, "reviews", 6, "created_at", start + timedelta(days=100))
    tables = with_value(tables, "refunds", 3, "refunded_at", start + timedelta(days=200))
    shipped = tables["shipments"].column("shipped_at")[7].as_py()
    tables = with_value(tables, "shipments", 8, "delivered_at", shipped + timedelta(days=70))
    report = quality_report(load_dataset(make_folder(tables)))
    return report.to_dict()


def _table(report: dict[str, object], name: str) -> dict[str, object]:
    tables = report["tables"]
    assert isinstance(tables, list)
    (found,) = (t for t in tables if t["name"] == name)
    return dict(found)


def test_rows_columns_and_missing_rates(planted: dict[str, object]) -> None:
    shipments = _table(planted, "shipments")
    assert (shipments["rows"], shipments["columns"]) == (40, 5)
    assert shipments["missing"] == {
        "order_id": 0.0,
        "merchant_id": 0.0,
        "promised_at": 0.0,
        "shipped_at": 1 / 40,
        "delivered_at": 1 / 40,
    }


def test_exact_duplicate_rows(planted: dict[str, object]) -> None:
    assert _table(planted, "settlements")["duplicate_rows"] == 1
    assert _table(planted, "orders")["duplicate_rows"] == 0


def test_date_coverage_counts_days_without_records(planted: dict[str, object]) -> None:
    coverage = _table(planted, "orders")["coverage"]
    assert coverage == {
        "column": "created_at",
        "first": "2024-01-01T00:00:00Z",
        "last": "2024-01-30T12:00:00Z",
        "days": 30,
        "days_without_records": 9,
    }


def test_late_arriving_records(planted: dict[str, object]) -> None:
    late = {row["table"]: row for row in planted["late"]}  # type: ignore[attr-defined]
    assert late["reviews"]["count"] == 1
    assert late["refunds"]["count"] == 1
    assert late["shipments"]["count"] == 1
    assert late["refunds"]["share"] == pytest.approx(1 / 3)
    assert late["reviews"]["threshold_days"] == 90


def test_merchants_without_orders(planted: dict[str, object]) -> None:
    assert planted["merchants_without_orders"] == 1
    assert planted["merchants_without_orders_sample"] == ["m2"]


def test_a_clean_data_set_reports_no_late_records(make_folder: Writer) -> None:
    report = quality_report(load_dataset(make_folder()))
    assert all(late.count == 0 for late in report.late)
    assert report.end == datetime(2026, 1, 1, tzinfo=UTC)
