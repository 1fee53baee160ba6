"""A platform's own export, mapped onto the contract by a TOML file (issue 16, item 2).

The export holds the records of ``data_factory.contract_tables`` as a platform writes them:
other file and column names, its own status and flag codes, amounts in cents, timestamps on
Berlin's wall clock without an offset, and no currency column. Loaded, checked and ingested
with its mapping it must be the very records of the contract folder.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from data_factory import END, Writer, assert_same_records, contract_tables, edit_csv
from typer.testing import CliRunner

from microlend.cli import app
from microlend.data import (
    ExportMapping,
    ingest,
    load_dataset,
    load_mapping,
    load_store,
    write_dataset,
)
from microlend.data.contract import Column, Kind
from microlend.errors import ConfigError, DataContractError, NotFoundError

runner = CliRunner(env={"COLUMNS": "200"})

MAPPING = """\
time_zone = "Europe/Berlin"   # the export's timestamps carry no offset: Berlin's wall clock
currency = "USD"              # the orders have no currency column

[tables.merchants]
file = "sellers"
columns = { merchant_id = "SellerId", onboarded_at = "Joined" }

[tables.orders]
file = "sales_export"
amounts_in = "cents"
columns = { order_id = "OrderRef", merchant_id = "SellerId", created_at = "Created", \
amount = "TotalCents", status = "State" }

[tables.orders.values.status]
DONE = "completed"
OPEN = "pending"
VOID = "cancelled"

[tables.outcomes.values.defaulted]
Y = "true"
N = "false"
"""

_CODES = {"completed": "DONE", "pending": "OPEN", "cancelled": "VOID"}


def _wall_clock(values: pa.ChunkedArray, fmt: str) -> pa.ChunkedArray:
    """UTC instants as Berlin's wall clock, naive: text for a CSV, timestamps for Parquet."""
    local = pc.local_timestamp(values.cast(pa.timestamp("us", "Europe/Berlin")))
    return pc.strftime(local, format="%Y-%m-%d %H:%M:%S") if fmt == "csv" else local


def _export_tables(tables: Mapping[str, pa.Table], fmt: str) -> dict[str, pa.Table]:
    """The platform's own export of ``tables``: merchants, orders and outcomes its way."""
    merchants, orders, outcomes = tables["merchants"], tables["orders"], tables["outcomes"]
    cents = pc.multiply(orders.column("amount"), pa.scalar(Decimal(100))).cast(pa.int64())
    codes = [_CODES[s] for s in orders.column("status").to_pylist()]
    flags = ["Y" if d else "N" for d in outcomes.column("defaulted").to_pylist()]
    return {
        "sellers": pa.table(
            {
                "SellerId": merchants.column("merchant_id"),
                "category": merchants.column("category"),
                "region": merchants.column("region"),
                "Joined": _wall_clock(merchants.column("onboarded_at"), fmt),
                "note": merchants.column("note"),
            }
        ),
        "sales_export": pa.table(
            {
                "OrderRef": orders.column("order_id"),
                "SellerId": orders.column("merchant_id"),
                "buyer_id": orders.column("buyer_id"),
                "Created": _wall_clock(orders.column("created_at"), fmt),
                "TotalCents": cents.cast(pa.string()) if fmt == "csv" else cents,
                "State": pa.array(codes),
            }
        ),
        "outcomes": outcomes.set_column(1, "defaulted", pa.array(flags)),
    }


def write_export(root: Path, fmt: str, tables: Mapping[str, pa.Table] | None = None) -> Path:
    """Write the export of ``tables`` (default: the valid ones) to ``root``, no manifest."""
    tables = contract_tables() if tables is None else tables
    write_dataset(tables, root, fmt=fmt)  # type: ignore[arg-type]
    for name in ("merchants", "orders", "outcomes"):
        (root / f"{name}.{fmt}").unlink()
    for stem, table in _export_tables(tables, fmt).items():
        if fmt == "csv":
            pacsv.write_csv(table, root / f"{stem}.csv")
        else:
            pq.write_table(table, root / f"{stem}.parquet")
    return root


@pytest.fixture
def mapping_file(tmp_path: Path) -> Path:
    path = tmp_path / "mapping.toml"
    path.write_text(MAPPING, encoding="utf-8")
    return path


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_the_mapped_export_loads_as_the_contract_records(
    fmt: str, make_folder: Writer, mapping_file: Path, tmp_path: Path
) -> None:
    expected = load_dataset(make_folder(fmt=fmt))
    export = write_export(tmp_path / "export", fmt)
    got = load_dataset(export, end=END, mapping=load_mapping(mapping_file))
    assert_same_records(expected, got)
    assert got.files["orders"].name == f"sales_export.{fmt}"
    assert got.currency() == "USD"
    # Berlin is an hour ahead of UTC in January: the export's 01:00 is midnight UTC.
    assert got.table("merchants").column("onboarded_at")[0].as_py() == datetime(
        2024, 1, 1, tzinfo=UTC
    )


def test_without_the_mapping_the_export_is_refused(tmp_path: Path) -> None:
    export = write_export(tmp_path / "export", "csv")
    with pytest.raises(DataContractError, match="required table 'orders' is missing"):
        load_dataset(export, end=END)


def _error(export: Path, mapping: Path) -> str:
    with pytest.raises(DataContractError) as caught:
        load_dataset(export, end=END, mapping=load_mapping(mapping))
    return str(caught.value)


def test_a_bad_amount_names_the_source_file_row_and_column(
    mapping_file: Path, tmp_path: Path
) -> None:
    export = write_export(tmp_path / "export", "csv")
    edit_csv(export / "sales_export.csv", 12, "TotalCents", "12.50")
    message = _error(export, mapping_file)
    assert (
        "sales_export.csv, row 12 (line 13), column 'TotalCents': expected a whole number of "
        "cents (the mapping's amounts_in = \"cents\"), got '12.50' (contract column orders.amount)"
    ) in message


def test_an_unmapped_code_and_an_unparsable_time_name_the_source_columns(
    mapping_file: Path, tmp_path: Path
) -> None:
    export = write_export(tmp_path / "export", "csv")
    edit_csv(export / "sales_export.csv", 3, "State", "LOST")
    edit_csv(export / "sellers.csv", 2, "Joined", "yesterday")
    message = _error(export, mapping_file)
    assert (
        "sellers.csv, row 2 (line 3), column 'Joined': expected an ISO 8601 timestamp or date, "
        "got 'yesterday' (contract column merchants.onboarded_at)"
    ) in message
    # A code the mapping does not translate reaches the contract's rule as it is.
    edit_csv(export / "sellers.csv", 2, "Joined", "2024-01-01 01:00:00")
    assert (
        "sales_export.csv, row 3 (line 4), column 'State': expected one of pending, completed, "
        "cancelled, got 'LOST' (contract column orders.status)"
    ) in _error(export, mapping_file)


def test_a_missing_source_column_is_named(mapping_file: Path, tmp_path: Path) -> None:
    export = write_export(tmp_path / "export", "parquet")
    orders = pq.read_table(export / "sales_export.parquet").drop_columns(["OrderRef"])
    pq.write_table(orders, export / "sales_export.parquet")
    assert (
        "sales_export.parquet, column 'OrderRef': required column is missing "
        "(contract column orders.order_id)"
    ) in _error(export, mapping_file)


def test_cents_in_a_float_column_are_refused(mapping_file: Path, tmp_path: Path) -> None:
    export = write_export(tmp_path / "export", "parquet")
    orders = pq.read_table(export / "sales_export.parquet")
    index = orders.column_names.index("TotalCents")
    floats = orders.column("TotalCents").cast(pa.float64())
    pq.write_table(orders.set_column(index, "TotalCents", floats), export / "sales_export.parquet")
    assert (
        "column 'TotalCents': expected whole numbers of cents (the mapping's amounts_in = "
        '"cents"), got values of type double'
    ) in _error(export, mapping_file)


def test_an_own_column_named_as_a_mapped_contract_column_is_refused(
    mapping_file: Path, tmp_path: Path
) -> None:
    export = write_export(tmp_path / "export", "csv")
    orders = pacsv.read_csv(export / "sales_export.csv")
    orders = orders.append_column("amount", pa.array(["x"] * orders.num_rows))
    pacsv.write_csv(orders, export / "sales_export.csv")
    assert "the export's own column 'amount' clashes with 'TotalCents'" in _error(
        export, mapping_file
    )


def test_cents_convert_exactly_by_the_currency_exponent(tmp_path: Path) -> None:
    """JPY has no minor unit and KWD three: 1999 is 1999 yen, 1.999 dinars (a third decimal
    the contract's money cannot hold: refused, never rounded)."""
    tables = contract_tables()
    for currency, amount in (("JPY", Decimal("1999")), ("KWD", None)):
        orders = tables["orders"].set_column(
            5, "currency", pa.array([currency] * tables["orders"].num_rows)
        )
        export = write_export(tmp_path / currency, "csv", {**tables, "orders": orders})
        edit_csv(export / "sales_export.csv", 1, "TotalCents", "1999")
        mapping = tmp_path / f"{currency}.toml"
        mapping.write_text(MAPPING.replace('"USD"', f'"{currency}"'), encoding="utf-8")
        if amount is None:
            assert "sales_export.csv, row 1 (line 2), column 'TotalCents'" in _error(
                export, mapping
            )
        else:
            got = load_dataset(export, end=END, mapping=load_mapping(mapping))
            assert got.table("orders").column("amount")[0].as_py() == amount


def test_time_zone_offsets_dates_and_summer_time(tmp_path: Path) -> None:
    """Naive text is Berlin's wall clock (summer: UTC+2), a date its midnight; a stated
    offset is kept as it is."""
    from microlend.data._convert import convert

    column = Column("t", Kind.TIMESTAMP, "")
    text = pa.chunked_array([["2024-07-01 10:00:00", "2024-07-01T10:00:00Z", "2024-01-15"]])
    got = convert(text, column, zone="Europe/Berlin").values.to_pylist()
    assert got == [
        datetime(2024, 7, 1, 8, tzinfo=UTC),
        datetime(2024, 7, 1, 10, tzinfo=UTC),
        datetime(2024, 1, 14, 23, tzinfo=UTC),
    ]
    naive = pa.chunked_array([pa.array([datetime(2024, 7, 1, 10)], pa.timestamp("ms"))])
    assert convert(naive, column, zone="Europe/Berlin").values.to_pylist() == [got[0]]
    aware = naive.cast(pa.timestamp("ms", "UTC"))
    assert convert(aware, column, zone="Europe/Berlin").values.to_pylist() == [got[1]]


def test_clock_changes_skipped_times_move_forward_repeated_ones_are_the_later() -> None:
    """02:30 on 2024-03-31 never happened in Berlin (03:30 CEST, the gap's length on); 02:30
    on 2024-10-27 happened twice (the later is CET, 01:30 UTC): text and Parquet alike."""
    from microlend.data._convert import convert

    column = Column("t", Kind.TIMESTAMP, "")
    expected = [datetime(2024, 3, 31, 1, 30, tzinfo=UTC), datetime(2024, 10, 27, 1, 30, tzinfo=UTC)]
    text = pa.chunked_array([["2024-03-31 02:30:00", "2024-10-27 02:30:00"]])
    assert convert(text, column, zone="Europe/Berlin").values.to_pylist() == expected
    wall = [datetime(2024, 3, 31, 2, 30), datetime(2024, 10, 27, 2, 30)]
    naive = pa.chunked_array([pa.array(wall, pa.timestamp("us"))])
    assert convert(naive, column, zone="Europe/Berlin").values.to_pylist() == expected


def test_a_mapping_file_reads_back_as_written(mapping_file: Path) -> None:
    mapping = load_mapping(mapping_file)
    assert isinstance(mapping, ExportMapping)
    assert (mapping.time_zone, mapping.currency) == ("Europe/Berlin", "USD")
    orders = mapping.table("orders")
    assert orders.file_names() == ("sales_export.csv", "sales_export.parquet")
    assert orders.columns["amount"] == "TotalCents"
    assert orders.values["status"]["DONE"] == "completed"
    assert mapping.table("refunds").file_names() == ("refunds.csv", "refunds.parquet")


@pytest.mark.parametrize(
    ("text", "key", "words"),
    [
        ('zone = "UTC"', "zone", "unknown key"),
        ('time_zone = "Mars/Olympus"', "time_zone", "unknown time zone 'Mars/Olympus'"),
        # Python may know "localtime" (a file of the system's), DuckDB, which reads the times, not.
        ('time_zone = "localtime"', "time_zone", "unknown time zone 'localtime'"),
        ('currency = "XYZ"', "currency", "expected an ISO 4217 code"),
        ("[tables.sales]", "tables.sales", "no contract table 'sales'"),
        ("[tables.orders]\nfiles = 'x'", "tables.orders.files", "unknown key"),
        ("[tables.orders.columns]\ntotal = 'Total'", "tables.orders.columns.total", "no contract"),
        ("[tables.orders.columns]\namount = 3", "tables.orders.columns.amount", "expected a non"),
        (
            "[tables.orders.columns]\norder_id = 'Ref'\nbuyer_id = 'Ref'",
            "tables.orders.columns.buyer_id",
            "'Ref' is already mapped to order_id",
        ),
        ("[tables.orders.values.state]\nA = 'completed'", "tables.orders.values.state", "no"),
        ("[tables.orders.values.status]\nA = 1", "tables.orders.values.status.A", "expected"),
        ("[tables.orders]\namounts_in = 'pennies'", "tables.orders.amounts_in", '"cents"'),
        ("[tables.orders]\namounts_in = 'cents'", "tables.orders.amounts_in", "needs the"),
        ("[tables.orders]\nfile = 'a/b'", "tables.orders.file", "not a path"),
        ("[tables.orders]\nfile = 'refunds'", "tables.refunds.file", "already the file of"),
        ("tables = 3", "tables", "expected a table"),
    ],
)
def test_a_bad_mapping_file_names_its_key(text: str, key: str, words: str, tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_mapping(path)
    assert str(caught.value).startswith(f"{path}: {key}: ")
    assert words in str(caught.value)


def test_a_mapping_that_is_no_toml_or_no_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("[tables.orders\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not a TOML file"):
        load_mapping(path)
    with pytest.raises(NotFoundError, match="no mapping file"):
        load_mapping(tmp_path / "none.toml")


def test_a_mapping_currency_other_than_the_manifest_is_refused(
    make_folder: Writer, tmp_path: Path
) -> None:
    path = tmp_path / "eur.toml"
    path.write_text('currency = "EUR"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="currency: EUR is not USD"):
        load_dataset(make_folder(), mapping=load_mapping(path))


def _yen_export(root: Path, row_currencies: list[str]) -> tuple[Path, Path]:
    """An export whose orders name their currency (column 'Ccy'), in cents, under a mapping
    that says they are euro cents."""
    export = write_export(root / "export", "csv")
    orders = pacsv.read_csv(export / "sales_export.csv")
    ccy = pa.array(row_currencies + ["EUR"] * (orders.num_rows - len(row_currencies)))
    pacsv.write_csv(orders.append_column("Ccy", ccy), export / "sales_export.csv")
    edit_csv(export / "sales_export.csv", 1, "TotalCents", "1234")
    mapping = root / "eur.toml"
    text = MAPPING.replace('"USD"', '"EUR"').replace(
        'status = "State" }', 'status = "State", currency = "Ccy" }'
    )
    mapping.write_text(text, encoding="utf-8")
    return export, mapping


def test_cents_in_another_currency_than_the_mappings_are_refused(tmp_path: Path) -> None:
    """1234 yen are no 12.34 euros: a row whose currency is not the one that sizes the
    mapping's cents is a violation naming its file, row and column, never rescaled."""
    export, mapping = _yen_export(tmp_path, ["JPY"])
    assert (
        "sales_export.csv, row 1 (line 2), column 'Ccy': 'JPY' is not the mapping's currency "
        'EUR, which sizes its cents (amounts_in = "cents") (contract column orders.currency)'
    ) in _error(export, mapping)


def test_ingest_refuses_cents_in_another_currency_than_the_mappings(tmp_path: Path) -> None:
    """Every order in yen: without the check the store took JPY as its currency and each
    amount a hundredth of what it is."""
    export, mapping = _yen_export(tmp_path, ["JPY"] * 40)
    store = tmp_path / "platform.duckdb"
    with pytest.raises(DataContractError) as caught:
        ingest(store, export, at=END, mapping=load_mapping(mapping))
    assert "sales_export.csv, row 1 (line 2), column 'Ccy': 'JPY' is not the mapping's" in str(
        caught.value
    )


def test_ingest_refuses_a_mapping_currency_other_than_the_manifest_or_the_store(
    make_folder: Writer, mapping_file: Path, tmp_path: Path
) -> None:
    eur = tmp_path / "eur.toml"
    eur.write_text('currency = "EUR"\n', encoding="utf-8")
    folder = make_folder()  # its dataset.json says USD
    store = tmp_path / "platform.duckdb"
    with pytest.raises(ConfigError) as caught:
        ingest(store, folder, at=END, mapping=load_mapping(eur))
    assert (
        str(caught.value)
        == f"{eur}: currency: EUR is not USD, the currency of {folder / 'dataset.json'}"
    )
    # The store's currency, once set, is what a later batch's mapping must name.
    ingest(
        store, write_export(tmp_path / "first", "csv"), at=END, mapping=load_mapping(mapping_file)
    )
    second = tmp_path / "second.toml"
    second.write_text(MAPPING.replace('"USD"', '"EUR"'), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        ingest(store, write_export(tmp_path / "later", "csv"), at=END, mapping=load_mapping(second))
    assert str(caught.value) == f"{second}: currency: EUR is not USD, the currency of the store"


def test_check_with_a_mapping_exits_0_and_a_bad_export_exits_2(
    mapping_file: Path, tmp_path: Path
) -> None:
    export = write_export(tmp_path / "export", "csv")
    args = ["check", "--data", str(export), "--mapping", str(mapping_file), "--end", "2026-01-01"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "contract holds" in result.output
    assert "sales_export.csv" in result.output
    edit_csv(export / "sales_export.csv", 5, "TotalCents", "abc")
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "sales_export.csv, row 5 (line 6), column 'TotalCents'" in result.output
    assert "Traceback" not in result.output


def test_check_with_a_bad_mapping_or_a_store_exits_2(mapping_file: Path, tmp_path: Path) -> None:
    export = write_export(tmp_path / "export", "csv")
    bad = tmp_path / "bad.toml"
    bad.write_text('currency = "ZZZ"\n', encoding="utf-8")
    result = runner.invoke(app, ["check", "--data", str(export), "--mapping", str(bad)])
    assert result.exit_code == 2
    assert "currency: expected an ISO 4217 code" in result.output
    store = tmp_path / "s.duckdb"
    result = runner.invoke(app, ["check", "--store", str(store), "--mapping", str(mapping_file)])
    assert result.exit_code == 2
    assert "--mapping" in result.output


def test_the_spark_engine_refuses_a_mapping(mapping_file: Path, tmp_path: Path) -> None:
    export = write_export(tmp_path / "export", "parquet")
    args = ["features", "--data", str(export), "--mapping", str(mapping_file)]
    out = ["--as-of", "2024-02-01", "--out", str(tmp_path / "f.parquet"), "--engine", "spark"]
    result = runner.invoke(app, [*args, *out])
    assert result.exit_code == 2
    assert "--mapping" in result.output
    assert "spark" in result.output


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_ingest_with_a_mapping_stores_the_contract_records(
    fmt: str, make_folder: Writer, mapping_file: Path, tmp_path: Path
) -> None:
    expected = load_dataset(make_folder(fmt=fmt))
    export = write_export(tmp_path / "export", fmt)
    store = tmp_path / "platform.duckdb"
    mapping = load_mapping(mapping_file)
    receipt = ingest(store, export, at=END, mapping=mapping)
    assert receipt.rows["orders"] == expected.table("orders").num_rows
    assert_same_records(expected, load_store(store))
    assert ingest(store, export, at=END, mapping=mapping).already


def test_ingest_command_with_a_mapping(mapping_file: Path, tmp_path: Path) -> None:
    export = write_export(tmp_path / "export", "csv")
    store = tmp_path / "platform.duckdb"
    base = ["ingest", "--store", str(store), "--from", str(export), "--end", "2026-01-01"]
    result = runner.invoke(app, [*base, "--mapping", str(mapping_file), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["rows"]["orders"] == 40
    # Without its mapping the export's codes are no contract values: refused, nothing stored.
    result = runner.invoke(app, base)
    assert result.exit_code == 2
    assert "outcomes.csv, row 1 (line 2), column 'defaulted': expected true or false, got 'N'" in (
        result.output
    )
    # The mapping is part of what a batch is: the same files under another mapping are another
    # batch, not a repeat of the first, and their keys are refused as already stored.
    other = tmp_path / "other.toml"
    other.write_text(MAPPING + "# edited\n", encoding="utf-8")
    result = runner.invoke(app, [*base, "--mapping", str(other)])
    assert result.exit_code == 2
    assert "is already stored" in result.output
    assert load_store(store).table("orders").num_rows == 40


def test_every_command_that_takes_data_takes_a_mapping() -> None:
    from typer.core import TyperGroup
    from typer.main import get_command

    group = get_command(app)
    assert isinstance(group, TyperGroup)
    taking_data = {
        name
        for name, command in group.commands.items()
        if any("--data" in param.opts for param in command.params)
    }
    assert taking_data >= {"check", "features", "train", "evaluate", "score", "backtest"}
    assert {"serve", "monitor"} <= taking_data
    for name in sorted(taking_data | {"ingest"}):
        params = group.commands[name].params
        assert any("--mapping" in param.opts for param in params), name


def test_features_of_the_mapped_export_are_those_of_the_contract_folder(
    make_folder: Writer, mapping_file: Path, tmp_path: Path
) -> None:
    export = write_export(tmp_path / "export", "parquet")
    mine, theirs = tmp_path / "mine.csv", tmp_path / "theirs.csv"
    days = ["--as-of", "2024-01-25"]
    result = runner.invoke(
        app,
        [
            "features",
            "--data",
            str(export),
            "--mapping",
            str(mapping_file),
            *days,
            "--out",
            str(mine),
        ],
    )
    assert result.exit_code == 2  # the export has no dataset.json: its end must come from --end
    assert "pass the end explicitly" in result.output
    (export / "dataset.json").write_text(
        json.dumps({"end": "2026-01-01T00:00:00Z", "currency": "USD"}), encoding="utf-8"
    )
    result = runner.invoke(
        app,
        [
            "features",
            "--data",
            str(export),
            "--mapping",
            str(mapping_file),
            *days,
            "--out",
            str(mine),
        ],
    )
    assert result.exit_code == 0, result.output
    folder = make_folder(fmt="parquet")
    result = runner.invoke(app, ["features", "--data", str(folder), *days, "--out", str(theirs)])
    assert result.exit_code == 0, result.output
    assert mine.read_text() == theirs.read_text()
