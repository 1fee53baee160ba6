"""The platform store: batches validated against the contract and the store, all or nothing,
at most once, recorded; and read back as the folder loader reads the same records."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest
from data_factory import DAY, END, START, assert_same_records, contract_tables, with_value

from microlend.data import (
    Manifest,
    arrow_schema,
    batches,
    close_day,
    ingest,
    load_dataset,
    load_store,
    write_dataset,
)
from microlend.errors import ConfigError, DataContractError, NotFoundError

AT = END  # when the tests' batches are ingested


def write_batch(
    root: Path, tables: Mapping[str, pa.Table], fmt: str = "csv", end: bool = True
) -> Path:
    """``tables`` as a batch folder (with a manifest holding END unless not ``end``)."""
    write_dataset(
        tables,
        root,
        fmt=fmt,  # type: ignore[arg-type]
        manifest=Manifest(END, "USD") if end else None,
    )
    return root


def only(tables: Mapping[str, pa.Table], *names: str) -> dict[str, pa.Table]:
    return {name: tables[name] for name in names}


def raised(store: Path, batch: Path) -> DataContractError:
    with pytest.raises(DataContractError) as caught:
        ingest(store, batch, at=AT)
    return caught.value


def test_one_batch_reads_back_as_its_folder(tmp_path: Path) -> None:
    folder = write_batch(tmp_path / "all", contract_tables())
    receipt = ingest(tmp_path / "store.duckdb", folder, at=AT)

    assert not receipt.already
    assert receipt.seq == 1
    assert receipt.end == END
    assert receipt.rows["orders"] == 40
    assert receipt.rows["merchants"] == 3
    assert receipt.source == str(folder.resolve())
    assert len(receipt.batch_id) == 64
    assert_same_records(load_dataset(folder), load_store(tmp_path / "store.duckdb"))


def test_batches_add_up_across_formats_and_references_resolve_in_the_store(
    tmp_path: Path,
) -> None:
    tables, store = contract_tables(), tmp_path / "store.duckdb"
    first = ingest(store, write_batch(tmp_path / "b1", only(tables, "merchants")), at=AT)
    # Orders name merchants stored before; their refunds, reviews and shipments name the orders.
    rest = {name: table for name, table in tables.items() if name != "merchants"}
    second = ingest(store, write_batch(tmp_path / "b2", rest, fmt="parquet"), at=AT)

    assert (first.seq, second.seq) == (1, 2)
    assert batches(store) == (first, second)
    whole = load_dataset(write_batch(tmp_path / "all", tables, fmt="parquet"))
    assert_same_records(whole, load_store(store))


def test_the_same_batch_twice_adds_nothing_and_returns_its_first_receipt(tmp_path: Path) -> None:
    folder, store = write_batch(tmp_path / "b", contract_tables()), tmp_path / "store.duckdb"
    first = ingest(store, folder, at=AT)
    again = ingest(store, folder, at=AT + DAY)

    assert again.already
    assert replace(again, already=False) == first
    assert batches(store) == (first,)
    assert load_store(store).table("orders").num_rows == 40


def test_a_key_already_stored_is_refused_naming_the_row_and_the_batch(tmp_path: Path) -> None:
    tables, store = contract_tables(), tmp_path / "store.duckdb"
    first = ingest(store, write_batch(tmp_path / "b1", only(tables, "merchants", "orders")), at=AT)
    # The same order again, with another amount: another batch, a key already stored.
    changed = with_value(tables, "orders", 1, "amount", Decimal("99.00"))
    error = raised(store, write_batch(tmp_path / "b2", only(changed, "orders")))

    assert error.total == 40
    shown = error.violations[0]
    assert (shown.file, shown.row, shown.column) == ("orders.csv", 1, "order_id")
    assert f"'o0' is already stored (batch {first.batch_id[:12]}" in shown.message
    assert "order_id must be unique across batches" in shown.message
    assert batches(store) == (first,)


def test_a_review_of_an_order_already_reviewed_is_refused(tmp_path: Path) -> None:
    tables, store = contract_tables(), tmp_path / "store.duckdb"
    ingest(
        store, write_batch(tmp_path / "b1", only(tables, "merchants", "orders", "reviews")), at=AT
    )
    again = with_value(tables, "reviews", 3, "rating", 5)
    error = raised(store, write_batch(tmp_path / "b2", {"reviews": again["reviews"].slice(2, 1)}))

    assert [(v.row, v.column) for v in error.violations] == [(1, "order_id")]
    assert "'o2' is already stored" in error.violations[0].message


def test_a_reference_to_an_unknown_merchant_or_order_is_refused(tmp_path: Path) -> None:
    tables, store = contract_tables(), tmp_path / "store.duckdb"
    ingest(store, write_batch(tmp_path / "b1", only(tables, "merchants", "orders")), at=AT)
    stranger = with_value(tables, "settlements", 2, "merchant_id", "m9")
    lost = with_value(tables, "refunds", 3, "order_id", "o404")
    batch = write_batch(
        tmp_path / "b2", {"settlements": stranger["settlements"], **only(lost, "refunds")}
    )
    error = raised(store, batch)

    found = {(v.file, v.row, v.column, v.message) for v in error.violations}
    assert ("settlements.csv", 2, "merchant_id", "'m9' is not a merchant_id of merchants") in found
    assert ("refunds.csv", 3, "order_id", "'o404' is not a order_id of orders") in found


def test_a_refund_beyond_its_stored_order_is_refused(tmp_path: Path) -> None:
    tables, store = contract_tables(), tmp_path / "store.duckdb"
    ingest(
        store, write_batch(tmp_path / "b1", only(tables, "merchants", "orders", "refunds")), at=AT
    )
    # Order o1 (11.00) has 1.50 refunded in the store; 10.00 more crosses it.
    more = with_value(tables, "refunds", 3, "amount", Decimal("10.00"))["refunds"].slice(2, 1)
    error = raised(store, write_batch(tmp_path / "b2", {"refunds": more}))

    (shown,) = error.violations
    assert (shown.row, shown.column) == (1, "amount")
    assert "refunds of order 'o1' reach 11.50 here, above the order's 11.00" in shown.message


def test_the_store_holds_one_currency(tmp_path: Path) -> None:
    tables, store = contract_tables(), tmp_path / "store.duckdb"
    ingest(store, write_batch(tmp_path / "b1", only(tables, "merchants")), at=AT)
    in_euros = with_value(tables, "orders", 2, "currency", "EUR")
    write_dataset(
        only(in_euros, "orders"), tmp_path / "b2", fmt="csv", manifest=Manifest(END, "EUR")
    )
    error = raised(store, tmp_path / "b2")

    assert [str(v) for v in error.violations] == [
        "dataset.json, column 'currency': EUR is not the store's currency USD",
        "orders.csv, row 2 (line 3), column 'currency': 'EUR' is not the store's currency USD",
    ]


def test_without_a_manifest_the_first_orders_set_the_stores_currency(tmp_path: Path) -> None:
    """Batches without dataset.json: the first orders' one currency becomes the store's, so
    later orders in another (or a later manifest naming another) are refused."""
    tables, store = contract_tables(), tmp_path / "store.duckdb"
    first = write_batch(tmp_path / "b1", only(tables, "merchants", "orders"), end=False)
    ingest(store, first, at=AT)
    assert load_store(store).currency() == "USD"
    euros = only(with_value(tables, "orders", 2, "currency", "EUR"), "orders")
    later = write_batch(tmp_path / "b2", {"orders": euros["orders"].slice(1, 1)}, end=False)
    assert "'EUR' is not the store's currency USD" in str(raised(store, later))
    reviews = tmp_path / "b3"
    write_dataset(only(tables, "reviews"), reviews, fmt="csv", manifest=Manifest(END, "EUR"))
    assert "EUR is not the store's currency USD" in str(raised(store, reviews))
    assert [r.seq for r in batches(store)] == [1]


def test_a_first_batch_of_orders_in_two_currencies_is_refused(tmp_path: Path) -> None:
    tables, store = contract_tables(), tmp_path / "store.duckdb"
    mixed = with_value(tables, "orders", 2, "currency", "EUR")
    batch = write_batch(tmp_path / "b1", only(mixed, "merchants", "orders"), end=False)
    error = raised(store, batch)
    assert "holds orders in EUR, USD: a store holds one currency" in str(error)
    assert not store.exists() or batches(store) == ()


def test_nothing_may_be_dated_on_or_before_the_last_closed_day(tmp_path: Path) -> None:
    tables, store = contract_tables(), tmp_path / "store.duckdb"
    ingest(store, write_batch(tmp_path / "b1", only(tables, "merchants")), at=AT)
    closed = (START + 10 * DAY).date()  # orders o0 to o21 are dated on or before it
    assert close_day(store, closed) == closed
    error = raised(store, write_batch(tmp_path / "b2", only(tables, "orders")))

    assert error.total == 22
    shown = error.violations[0]
    assert (shown.file, shown.row, shown.column) == ("orders.csv", 1, "created_at")
    assert shown.message == f"2024-01-01T00:00:00Z is on or before {closed}, " + (
        "the store's last closed day"
    )
    later = {"orders": tables["orders"].slice(22)}
    assert ingest(store, write_batch(tmp_path / "b3", later), at=AT).rows == {"orders": 18}


def test_a_closed_day_stays_closed_and_waits_for_its_records(tmp_path: Path) -> None:
    store = tmp_path / "store.duckdb"
    ingest(store, write_batch(tmp_path / "b1", only(contract_tables(), "merchants")), at=AT)
    close_day(store, date(2025, 6, 1))

    with pytest.raises(ConfigError, match="a closed day stays closed"):
        close_day(store, date(2025, 5, 31))
    with pytest.raises(ConfigError, match="cannot close 2026-01-01: the stored records end at"):
        close_day(store, END.date())  # the records end at the start of that day
    assert close_day(store, END.date() - timedelta(days=1)) == date(2025, 12, 31)


def test_a_batch_whose_last_table_is_invalid_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    tables, store = contract_tables(), tmp_path / "store.duckdb"
    ingest(store, write_batch(tmp_path / "b1", only(tables, "merchants")), at=AT)
    files = sorted(tmp_path.glob("store.duckdb*"))
    before = {path.name: path.read_bytes() for path in files}
    records = load_store(store)
    # Every table valid but the contract's last, truth.
    rest = {name: table for name, table in tables.items() if name != "merchants"}
    broken = with_value(rest, "truth", 2, "true_pd", 1.5)
    error = raised(store, write_batch(tmp_path / "b2", broken))

    assert [(v.file, v.row, v.column) for v in error.violations] == [("truth.csv", 2, "true_pd")]
    assert {path.name: path.read_bytes() for path in sorted(tmp_path.glob("store.duckdb*"))} == (
        before
    )
    assert_same_records(records, load_store(store))
    assert len(batches(store)) == 1


def test_a_non_utf8_csv_is_one_clear_error_and_creates_no_store(tmp_path: Path) -> None:
    batch = write_batch(tmp_path / "b", only(contract_tables(), "merchants"))
    path = batch / "merchants.csv"
    path.write_bytes(path.read_bytes().replace(b"toys", b"jouets \xe9t\xe9", 1))
    error = raised(tmp_path / "store.duckdb", batch)

    (shown,) = error.violations
    assert (shown.file, shown.row, shown.column) == ("merchants.csv", None, None)
    assert "is not UTF-8 text (byte 0xe9): save it as UTF-8" in shown.message
    assert not (tmp_path / "store.duckdb").exists()


def test_a_truncated_parquet_file_is_one_clear_error(tmp_path: Path) -> None:
    store = tmp_path / "store.duckdb"
    ingest(store, write_batch(tmp_path / "b1", only(contract_tables(), "merchants")), at=AT)
    batch = write_batch(tmp_path / "b2", only(contract_tables(), "orders"), fmt="parquet")
    path = batch / "orders.parquet"
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    error = raised(store, batch)

    (shown,) = error.violations
    assert (shown.file, shown.row, shown.column) == ("orders.parquet", None, None)
    assert shown.message.startswith("cannot be read as Parquet:")
    assert len(batches(store)) == 1


def test_an_extra_column_keeps_its_type_across_batches(tmp_path: Path) -> None:
    tables, store = contract_tables(), tmp_path / "store.duckdb"
    ingest(store, write_batch(tmp_path / "b1", only(tables, "merchants")), at=AT)
    merchants = tables["merchants"].slice(0, 1)
    other = merchants.set_column(0, "merchant_id", pa.array(["m7"])).set_column(
        4, "note", pa.array([7], pa.int64())
    )
    error = raised(store, write_batch(tmp_path / "b2", {"merchants": other}, fmt="parquet"))

    (shown,) = error.violations
    assert (shown.file, shown.column) == ("merchants.parquet", "note")
    assert shown.message == "holds BIGINT values where the store's merchants holds VARCHAR"


def test_an_empty_or_missing_batch_and_a_missing_store_are_clear(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    error = raised(tmp_path / "store.duckdb", tmp_path / "empty")
    assert "no contract table here: expected one or more of merchants.csv" in str(error)
    with pytest.raises(NotFoundError, match="no batch folder at"):
        ingest(tmp_path / "store.duckdb", tmp_path / "nowhere", at=AT)
    with pytest.raises(NotFoundError, match="no store at"):
        load_store(tmp_path / "nowhere.duckdb")
    with pytest.raises(NotFoundError, match="no store at"):
        close_day(tmp_path / "nowhere.duckdb", date(2025, 1, 1))
    assert not (tmp_path / "nowhere.duckdb").exists()
    (tmp_path / "odd.duckdb").write_bytes(b"not a database at all, " * 300)
    batch = write_batch(tmp_path / "b", only(contract_tables(), "merchants"))
    with pytest.raises(ConfigError, match=r"odd\.duckdb cannot be opened as a store"):
        ingest(tmp_path / "odd.duckdb", batch, at=AT)


def test_a_required_table_no_batch_brought_is_empty_and_an_optional_one_absent(
    tmp_path: Path,
) -> None:
    store = tmp_path / "store.duckdb"
    ingest(store, write_batch(tmp_path / "b1", only(contract_tables(), "merchants")), at=AT)
    records = load_store(store)

    assert records.table("merchants").num_rows == 3
    assert records.table("orders").num_rows == 0
    assert records.table("orders").schema == arrow_schema("orders")
    assert not records.has("loans")


_INGEST = """
import json, sys
from datetime import datetime, UTC
from pathlib import Path
from microlend.data import ingest
from microlend.errors import DataContractError
try:
    receipt = ingest(Path(sys.argv[1]), Path(sys.argv[2]), at=datetime(2026, 1, 1, tzinfo=UTC))
except DataContractError as exc:
    print(json.dumps({"error": str(exc)}))
else:
    print(json.dumps({"seq": receipt.seq, "already": receipt.already}))
"""


def ingest_at_once(store: Path, folders: list[Path]) -> list[dict[str, object]]:
    """Ingest each folder in its own process, all started together."""
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", _INGEST, str(store), str(folder)],
            stdout=subprocess.PIPE,
            text=True,
        )
        for folder in folders
    ]
    outputs = [run.communicate(timeout=120)[0] for run in runs]
    assert [run.returncode for run in runs] == [0] * len(runs)
    return [json.loads(output) for output in outputs]


def test_processes_ingesting_the_same_batch_at_once_add_it_once(tmp_path: Path) -> None:
    folder, store = write_batch(tmp_path / "b", contract_tables()), tmp_path / "store.duckdb"
    results = ingest_at_once(store, [folder, folder, folder])

    assert sorted(r["already"] for r in results) == [False, True, True]  # type: ignore[type-var]
    assert {r["seq"] for r in results} == {1}
    assert len(batches(store)) == 1
    assert load_store(store).table("orders").num_rows == 40


def test_processes_ingesting_clashing_batches_at_once_store_one(tmp_path: Path) -> None:
    tables, store = contract_tables(), tmp_path / "store.duckdb"
    ingest(store, write_batch(tmp_path / "b0", only(tables, "merchants")), at=AT)
    one = write_batch(tmp_path / "b1", only(tables, "orders"))
    other = with_value(tables, "orders", 40, "amount", Decimal("1.00"))
    results = ingest_at_once(store, [one, write_batch(tmp_path / "b2", only(other, "orders"))])

    stored = [r for r in results if "seq" in r]
    refused = [r for r in results if "error" in r]
    assert len(stored) == 1
    assert len(refused) == 1
    assert "is already stored" in str(refused[0]["error"])
    assert len(batches(store)) == 2
    assert load_store(store).table("orders").num_rows == 40


def test_the_folder_loader_words_a_non_utf8_header_as_the_store_does(tmp_path: Path) -> None:
    folder = write_batch(tmp_path / "all", contract_tables())
    path = folder / "orders.csv"
    path.write_bytes(path.read_bytes().replace(b"buyer_id", b"acheteur_\xe9", 1))
    with pytest.raises(DataContractError) as caught:
        load_dataset(folder)

    (shown,) = caught.value.violations
    assert str(shown) == "orders.csv: is not UTF-8 text (byte 0xe9): save it as UTF-8"
