"""Loading: canonical types from CSV and Parquet, time zones, exact money, the data's end."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from data_factory import END, Writer, contract_tables, edit_csv

from microlend.data import CONTRACT, Manifest, arrow_schema, load_dataset
from microlend.errors import ConfigError, DataContractError, NotFoundError


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_every_table_loads_in_canonical_form(make_folder: Writer, fmt: str) -> None:
    dataset = load_dataset(make_folder(fmt=fmt))
    expected = contract_tables()
    for name in CONTRACT:
        table = dataset.table(name)
        contract = arrow_schema(name)
        assert table.schema.names[: len(contract)] == contract.names
        assert table.select(contract.names).schema == contract
        assert table.equals(expected[name]), name
    assert dataset.files["orders"].name == f"orders.{fmt}"
    assert dataset.manifest == Manifest(END, "USD", {"tool": "tests"})


def test_extra_columns_are_kept(make_folder: Writer) -> None:
    merchants = load_dataset(make_folder()).table("merchants")
    assert merchants.column("note").to_pylist() == ["seller 0", "seller 1", "seller 2"]


def test_csv_timestamps_in_any_iso_form_become_utc(make_folder: Writer) -> None:
    root = make_folder()
    # An offset, naive (taken as UTC) and a date alone: the same instant.
    forms = ["2023-12-31T19:00:00-05:00", "2024-01-01 00:00:00", "2024-01-01"]
    for row, text in enumerate(forms, start=1):
        edit_csv(root / "merchants.csv", row, "onboarded_at", text)
    onboarded = load_dataset(root).table("merchants").column("onboarded_at")
    assert onboarded.type == pa.timestamp("us", tz="UTC")
    assert onboarded.to_pylist() == [datetime(2024, 1, 1, tzinfo=UTC)] * 3


def test_csv_money_is_exact(make_folder: Writer) -> None:
    root = make_folder()
    edit_csv(root / "orders.csv", 3, "amount", "0.1")
    edit_csv(root / "orders.csv", 4, "amount", "-0")
    amounts = load_dataset(root).table("orders").column("amount").to_pylist()
    assert amounts[2:4] == [Decimal("0.10"), Decimal("0.00")]


def _parquet_orders(root: Path, amount: pa.Array, created: pa.Array) -> None:
    orders = pq.read_table(root / "orders.parquet")
    orders = orders.set_column(4, "amount", amount).set_column(3, "created_at", created)
    pq.write_table(orders, root / "orders.parquet")


def test_parquet_types_that_convert_exactly_are_accepted(make_folder: Writer) -> None:
    root = make_folder(fmt="parquet")
    amounts = pa.array([Decimal(10 + i).quantize(Decimal("0.000001")) for i in range(40)])
    start_ns = 1_704_067_200 * 10**9  # 2024-01-01, when the merchants joined
    naive_ns = pa.array([start_ns + i * 3_600_000_000_000 for i in range(40)], pa.timestamp("ns"))
    _parquet_orders(root, amounts.cast(pa.decimal128(30, 6)), naive_ns)
    orders = load_dataset(root).table("orders")
    assert orders.column("amount").type == pa.decimal128(18, 2)
    assert orders.column("amount")[3].as_py() == Decimal("13.00")
    assert orders.column("created_at")[1].as_py() == datetime(2024, 1, 1, 1, tzinfo=UTC)


def test_parquet_integer_money_is_accepted(make_folder: Writer) -> None:
    root = make_folder(fmt="parquet")
    created = pq.read_table(root / "orders.parquet").column("created_at")
    _parquet_orders(root, pa.array(range(10, 50), pa.int32()), created)
    assert load_dataset(root).table("orders").column("amount")[0].as_py() == Decimal("10.00")


def test_parquet_float_money_is_refused_naming_the_column(make_folder: Writer) -> None:
    root = make_folder(fmt="parquet")
    created = pq.read_table(root / "orders.parquet").column("created_at")
    _parquet_orders(root, pa.array([10.5] * 40), created)
    with pytest.raises(DataContractError, match="money must not be a float") as caught:
        load_dataset(root)
    first = caught.value.violations[0]
    assert (first.file, first.row, first.column) == ("orders.parquet", None, "amount")


def test_parquet_money_with_cents_fractions_is_located(make_folder: Writer) -> None:
    root = make_folder(fmt="parquet")
    created = pq.read_table(root / "orders.parquet").column("created_at")
    amounts = [Decimal("10.000")] * 40
    amounts[6] = Decimal("10.005")
    _parquet_orders(root, pa.array(amounts, pa.decimal128(12, 3)), created)
    with pytest.raises(DataContractError, match=r"row 7, column 'amount'.*10\.005"):
        load_dataset(root)


def test_the_end_argument_overrides_the_manifest(make_folder: Writer) -> None:
    root = make_folder()
    with pytest.raises(DataContractError, match="after the data's end 2024-01-05T00:00:00Z"):
        load_dataset(root, end=datetime(2024, 1, 5, tzinfo=UTC))


def test_no_end_anywhere_is_a_config_error(make_folder: Writer) -> None:
    root = make_folder(manifest=False)
    with pytest.raises(ConfigError, match="pass the end"):
        load_dataset(root)
    assert load_dataset(root, end=END).end == END


def test_a_malformed_manifest_is_named(make_folder: Writer) -> None:
    root = make_folder()
    (root / "dataset.json").write_text('{"end": "soon"}')
    with pytest.raises(DataContractError, match=r"dataset\.json, column 'end'"):
        load_dataset(root)


def test_a_missing_folder_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError):
        load_dataset(tmp_path / "nowhere")


def test_asking_for_an_absent_table_is_not_found(make_folder: Writer) -> None:
    tables = contract_tables()
    del tables["truth"]
    dataset = load_dataset(make_folder(tables))
    with pytest.raises(NotFoundError, match="truth"):
        dataset.table("truth")


def test_loading_writes_nothing(make_folder: Writer) -> None:
    root = make_folder()
    before = sorted((p.name, p.stat().st_mtime_ns) for p in root.iterdir())
    load_dataset(root)
    assert sorted((p.name, p.stat().st_mtime_ns) for p in root.iterdir()) == before
