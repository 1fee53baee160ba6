"""A small valid data set, built in code, and helpers to break exactly one thing in it."""

from __future__ import annotations

import csv
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from microlend.data import BatchReceipt, Dataset, Manifest, arrow_schema, ingest, write_dataset
from microlend.simulate import SimulationConfig, simulate

END = datetime(2026, 1, 1, tzinfo=UTC)
START = datetime(2024, 1, 1, tzinfo=UTC)
DAY = timedelta(days=1)


def _table(name: str, rows: list[dict[str, Any]], extra: pa.Schema | None = None) -> pa.Table:
    schema = arrow_schema(name)
    if extra is not None:
        schema = pa.schema([*schema, *extra])
    return pa.Table.from_pylist(rows, schema=schema)


def contract_tables(orders: int = 40) -> dict[str, pa.Table]:
    """Every contract table, valid: merchants m0, m1 sell (every other order), m2 sells nothing."""
    created = [START + timedelta(hours=12 * i) for i in range(orders)]
    merchant = [f"m{i % 2}" for i in range(orders)]
    order_rows = [
        {
            "order_id": f"o{i}",
            "merchant_id": merchant[i],
            "buyer_id": f"b{i % 7}",
            "created_at": created[i],
            "amount": Decimal("10.00") + i,
            "currency": "USD",
            "status": "completed",
        }
        for i in range(orders)
    ]
    shipments = [
        {
            "order_id": f"o{i}",
            "merchant_id": merchant[i],
            "promised_at": created[i] + 5 * DAY,
            "shipped_at": created[i] + DAY,
            "delivered_at": created[i] + 3 * DAY,
        }
        for i in range(orders)
    ]
    shipments[-1] |= {"shipped_at": None, "delivered_at": None}  # not shipped yet
    return {
        "merchants": _table(
            "merchants",
            [
                {
                    "merchant_id": f"m{k}",
                    "category": "toys",
                    "region": "EU",
                    "onboarded_at": START,
                    "note": f"seller {k}",
                }
                for k in range(3)
            ],
            pa.schema([("note", pa.string())]),
        ),
        "orders": _table("orders", order_rows),
        "refunds": _table(
            "refunds",
            [
                {
                    "order_id": "o0",
                    "merchant_id": "m0",
                    "refunded_at": created[0] + DAY,
                    "amount": Decimal("4.00"),
                },
                {
                    "order_id": "o0",
                    "merchant_id": "m0",
                    "refunded_at": created[0] + 2 * DAY,
                    "amount": Decimal("5.00"),
                },
                {
                    "order_id": "o1",
                    "merchant_id": "m1",
                    "refunded_at": created[1] + DAY,
                    "amount": Decimal("1.50"),
                },
            ],
        ),
        "reviews": _table(
            "reviews",
            [
                {
                    "order_id": f"o{i}",
                    "merchant_id": merchant[i],
                    "created_at": created[i] + 2 * DAY,
                    "rating": 1 + i % 5,
                }
                for i in range(orders)
            ],
        ),
        "shipments": _table("shipments", shipments),
        "settlements": _table(
            "settlements",
            [
                {
                    "merchant_id": f"m{k % 2}",
                    "settled_at": START + (k + 1) * DAY,
                    "gross": Decimal("100.00"),
                    "fees": Decimal("3.00"),
                    "net": Decimal("97.00"),
                }
                for k in range(6)
            ],
        ),
        "applications": _table(
            "applications",
            [
                {
                    "application_id": f"a{k}",
                    "merchant_id": f"m{k}",
                    "applied_at": START + 60 * DAY,
                    "requested_amount": Decimal("500.00"),
                }
                for k in range(2)
            ],
        ),
        "loans": _table(
            "loans",
            [
                {
                    "loan_id": "l0",
                    "application_id": "a0",
                    "merchant_id": "m0",
                    "disbursed_at": START + 61 * DAY,
                    "principal": Decimal("500.00"),
                    "product": "fixed_instalment",
                    "terms": '{"months": 6, "rate": "0.02"}',
                },
                {
                    "loan_id": "l1",
                    "application_id": "a1",
                    "merchant_id": "m1",
                    "disbursed_at": START + 62 * DAY,
                    "principal": Decimal("300.00"),
                    "product": "share_of_sales",
                    "terms": '{"share": "0.1"}',
                },
            ],
        ),
        "outcomes": _table(
            "outcomes",
            [
                {"loan_id": "l0", "defaulted": False, "default_at": None},
                {"loan_id": "l1", "defaulted": True, "default_at": START + 200 * DAY},
            ],
        ),
        "truth": _table(
            "truth",
            [{"application_id": "a0", "true_pd": 0.05}, {"application_id": "a1", "true_pd": 0.2}],
        ),
    }


def with_value(
    tables: Mapping[str, pa.Table], table: str, row: int, column: str, value: object
) -> dict[str, pa.Table]:
    """A copy of ``tables`` where 1-based data ``row`` of ``table.column`` holds ``value``."""
    target = tables[table]
    values = target.column(column).to_pylist()
    values[row - 1] = value
    index = target.column_names.index(column)
    changed = target.set_column(index, column, pa.array(values, target.column(column).type))
    return {**tables, table: changed}


def edit_csv(path: Path, row: int, column: str, value: str) -> None:
    """Write ``value`` as the text of 1-based data ``row``, ``column`` of a CSV file."""
    with path.open(newline="", encoding="utf-8") as handle:
        lines = list(csv.reader(handle))
    lines[row][lines[0].index(column)] = value
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(lines)


Writer = Callable[..., Path]


def sorted_table(table: pa.Table) -> pa.Table:
    return table.sort_by([(name, "ascending") for name in table.column_names])


def assert_same_records(expected: Dataset, got: Dataset) -> None:
    """The same tables, schemas and rows (in any order): a store read back as its folder."""
    assert set(got.tables) == set(expected.tables)
    for name, table in expected.tables.items():
        assert got.tables[name].schema == table.schema, name
        assert sorted_table(got.tables[name]).equals(sorted_table(table)), name


def _latest(table: pa.Table) -> pa.Array | None:
    """Each row's latest time (any timestamp column), as microseconds; None: no timestamps."""
    stamps = [
        table.column(f.name).cast(pa.int64()) for f in table.schema if pa.types.is_timestamp(f.type)
    ]
    if not stamps:
        return None
    latest = stamps[0]
    for other in stamps[1:]:
        latest = pc.max_element_wise(latest, other, skip_nulls=True)
    return latest


def split_by_time(
    tables: Mapping[str, pa.Table], ends: tuple[datetime, ...]
) -> list[dict[str, pa.Table]]:
    """Each row into the first batch whose end is not before any of its times (a record that
    refers to another is never earlier than it); undated rows into the last. A batch holds
    only the tables it has rows of."""
    cuts = [int(end.timestamp() * 1_000_000) for end in ends]
    parts: list[dict[str, pa.Table]] = [{} for _ in cuts]
    for name, table in tables.items():
        latest = _latest(table)
        latest = pa.array([cuts[-1]] * table.num_rows) if latest is None else latest
        latest = pc.fill_null(latest, cuts[-1])
        low = None
        for k, cut in enumerate(cuts):
            inside = pc.less_equal(latest, cut)
            if low is not None:
                inside = pc.and_(inside, pc.greater(latest, low))
            part = table.filter(inside)
            if part.num_rows:
                parts[k][name] = part
            low = cut
    return parts


@dataclass(frozen=True)
class BatchedMarket:
    """A simulated market written whole (``folder``) and, split at the cuts, as batch folders
    ingested in order into ``store``."""

    folder: Path
    batches: tuple[Path, ...]
    store: Path
    receipts: tuple[BatchReceipt, ...]


def batched_market(
    root: Path, config: SimulationConfig, cuts: tuple[datetime, ...], *, at: datetime
) -> BatchedMarket:
    """Simulate ``config``; write it whole and in batches ending at each cut, then at its end."""
    run = simulate(config)
    currency = pc.unique(run.tables["orders"].column("currency")).to_pylist()[0]
    folder = root / "folder"
    write_dataset(run.tables, folder, manifest=Manifest(run.end, currency, run.generator))
    ends = (*cuts, run.end)
    folders = []
    for k, part in enumerate(split_by_time(run.tables, ends)):
        folders.append(root / f"batch{k}")
        write_dataset(part, folders[-1], manifest=Manifest(ends[k], currency))
    store = root / "store.duckdb"
    receipts = tuple(ingest(store, batch, at=at) for batch in folders)
    return BatchedMarket(folder, tuple(folders), store, receipts)
