"""The builder on Spark (local mode): Parquet read by Spark, a subset of features vs DuckDB.

The full parity (every feature, every score) runs in tests/service/test_service_batch.py on one
shared Spark run; these checks stay small. Spark that cannot start fails them: never skips.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from features_data import HISTORY_AS_OF, history_tables

from microlend.data import CONTRACT, Manifest, load_dataset, write_dataset
from microlend.errors import ConfigError, DataContractError, NotFoundError, Violation
from microlend.features import build_features, feature_names, spark_features, spark_tables
from microlend.features._spark_contract import read_contract_tables
from microlend.features._spark_storage import child
from microlend.simulate import SimulationConfig, simulate

AS_OF = date(2023, 10, 1)
SUBSET = ["gmv_90d", "orders_90d", "refund_rate_90d", "rating_mean_180d", "gmv_growth_90d"]


@pytest.fixture(scope="module")
def tiny_market(tmp_path_factory: pytest.TempPathFactory) -> Path:
    sim = simulate(SimulationConfig(merchants=80, months=13, seed=11))
    root = tmp_path_factory.mktemp("spark_features") / "data"
    manifest = Manifest(end=sim.end, currency=sim.config.currency, generator=sim.generator)
    write_dataset(sim.tables, root, manifest=manifest)
    return root


def test_spark_reads_the_contract_tables_from_parquet(spark: Any, tiny_market: Path) -> None:
    tables = spark_tables(spark, tiny_market)
    assert {"merchants", "orders", "refunds", "reviews"} <= tables.keys()
    assert spark.conf.get("spark.sql.session.timeZone") == "UTC"


def test_a_feature_subset_on_spark_equals_duckdb(spark: Any, tiny_market: Path) -> None:
    tables = spark_tables(spark, tiny_market)
    built = spark_features(spark, tables, AS_OF, SUBSET)
    spark = built.frame.toPandas()
    duck = build_features(load_dataset(tiny_market), as_of=AS_OF, features=SUBSET).to_pandas()
    assert sorted(built.names) == sorted(SUBSET)  # in catalog order, as build_features
    assert list(spark.columns) == list(duck.columns) == ["merchant_id", "as_of", *built.names]
    assert spark["merchant_id"].tolist() == duck["merchant_id"].tolist()  # spine order kept
    for name in SUBSET:
        np.testing.assert_allclose(spark[name], duck[name], rtol=1e-9, atol=0, err_msg=name)
    assert duck["gmv_90d"].gt(0).any()


def test_windows_cut_where_the_records_start_are_the_same_bits_on_spark(
    spark: Any, tmp_path: Path
) -> None:
    """A seller that joined before the records and one 30 days old (``history_tables``):
    every feature, scaled levels and rates per day on record included, bit for bit."""
    root = tmp_path / "history"
    end = datetime(2024, 5, 1, tzinfo=UTC)
    write_dataset(history_tables(), root, manifest=Manifest(end=end, currency="EUR"))
    built = spark_features(spark, spark_tables(spark, root), HISTORY_AS_OF).frame.toPandas()
    duck = build_features(load_dataset(root), as_of=HISTORY_AS_OF).to_pandas()
    assert built["merchant_id"].tolist() == duck["merchant_id"].tolist()
    assert set(duck["merchant_id"]) == {"old", "new"}
    for name in feature_names():
        np.testing.assert_array_equal(built[name], duck[name], err_msg=name)
    assert duck["history_days"].tolist() != duck["tenure_days"].tolist()  # old's is cut


def test_a_date_before_any_merchant_gives_no_rows(spark: Any, tiny_market: Path) -> None:
    tables = spark_tables(spark, tiny_market)
    built = spark_features(spark, tables, date(2000, 1, 1), SUBSET)
    assert built.frame.count() == 0
    assert built.frame.columns == ["merchant_id", "as_of", *built.names]


def test_a_csv_folder_is_refused(spark: Any, tmp_path: Path) -> None:
    (tmp_path / "orders.csv").write_text("order_id\n1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="Parquet"):
        spark_tables(spark, tmp_path)


def _with_orders(market: Path, root: Path, change: Callable[[pa.Table], pa.Table]) -> Path:
    """A copy of ``market`` whose orders file is rewritten by ``change``."""
    shutil.copytree(market, root)
    orders = pq.read_table(root / "orders.parquet")
    pq.write_table(change(orders), root / "orders.parquet")
    return root


def _violations(spark: Any, root: Path) -> list[Violation]:
    with pytest.raises(DataContractError) as caught:
        spark_tables(spark, root)
    return list(caught.value.violations)


def _replace(table: pa.Table, name: str, values: pa.Array | pa.ChunkedArray) -> pa.Table:
    return table.set_column(table.schema.get_field_index(name), name, values)


def test_text_amounts_are_refused_naming_file_and_column(
    spark: Any, tiny_market: Path, tmp_path: Path
) -> None:
    root = _with_orders(
        tiny_market,
        tmp_path / "data",
        lambda t: _replace(t, "amount", t["amount"].cast(pa.string())),
    )
    found = _violations(spark, root)
    assert [(v.file, v.row, v.column) for v in found] == [("orders.parquet", None, "amount")]
    assert "expected decimal or integer amounts, got values of type string" in found[0].message
    assert "orders.parquet, column 'amount'" in str(found[0])


def test_float_amounts_are_refused_as_the_loader_does(
    spark: Any, tiny_market: Path, tmp_path: Path
) -> None:
    root = _with_orders(
        tiny_market,
        tmp_path / "data",
        lambda t: _replace(t, "amount", t["amount"].cast(pa.float64())),
    )
    (violation,) = _violations(spark, root)
    assert violation.column == "amount"
    assert violation.message.startswith("money must not be a float (double)")


def test_every_missing_column_and_wrong_type_is_named(
    spark: Any, tiny_market: Path, tmp_path: Path
) -> None:
    def break_orders(table: pa.Table) -> pa.Table:
        numbered = _replace(table, "order_id", pa.array(range(table.num_rows), pa.int64()))
        return numbered.drop_columns(["buyer_id", "status"])

    root = _with_orders(tiny_market, tmp_path / "data", break_orders)
    found = {(v.column, v.message.split(",")[0]) for v in _violations(spark, root)}
    assert found == {
        ("order_id", "expected text ids"),
        ("buyer_id", "required column is missing"),
        ("status", "required column is missing"),
    }


def test_a_missing_required_table_is_named(spark: Any, tiny_market: Path, tmp_path: Path) -> None:
    root = tmp_path / "data"
    shutil.copytree(tiny_market, root)
    (root / "refunds.parquet").unlink()
    (violation,) = _violations(spark, root)
    assert (violation.file, violation.column) == ("refunds.parquet", None)
    assert "required table 'refunds' is missing" in violation.message


def test_a_file_that_is_not_parquet_is_named(spark: Any, tiny_market: Path, tmp_path: Path) -> None:
    root = tmp_path / "data"
    shutil.copytree(tiny_market, root)
    (root / "reviews.parquet").write_text("order_id,rating\n", encoding="utf-8")
    (violation,) = _violations(spark, root)
    assert (violation.file, violation.column) == ("reviews.parquet", None)
    assert violation.message.startswith("cannot be read as Parquet:")
    assert "is not a Parquet file" in violation.message  # Spark's own reason, not a stack


def test_values_are_left_to_check(spark: Any, tiny_market: Path, tmp_path: Path) -> None:
    """Only the schema is checked on Spark: a negative amount is ``microlend check``'s finding."""

    def negative(table: pa.Table) -> pa.Table:
        money = table.schema.field("amount").type
        return _replace(table, "amount", pa.array([Decimal(-1)] * table.num_rows, money))

    root = _with_orders(tiny_market, tmp_path / "data", negative)
    assert "orders" in spark_tables(spark, root)


def test_naive_timestamps_are_read_as_utc(spark: Any, tiny_market: Path, tmp_path: Path) -> None:
    def naive(table: pa.Table) -> pa.Table:
        return _replace(table, "created_at", table["created_at"].cast(pa.timestamp("us")))

    root = _with_orders(tiny_market, tmp_path / "data", naive)
    assert (
        spark.read.parquet(str(root / "orders.parquet")).schema["created_at"].dataType.typeName()
        == "timestamp_ntz"
    )
    built = spark_features(spark, spark_tables(spark, root), AS_OF, SUBSET).frame.toPandas()
    duck = build_features(load_dataset(tiny_market), as_of=AS_OF, features=SUBSET).to_pandas()
    for name in SUBSET:
        np.testing.assert_allclose(built[name], duck[name], rtol=1e-9, atol=0, err_msg=name)


def test_a_missing_folder_is_not_found(spark: Any, tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="no data folder"):
        spark_tables(spark, tmp_path / "absent")


def _no_local_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any look at the driver's own disk fails the test: on a cluster it may not hold the data."""

    def looked(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"the local disk was looked at: {args}")

    for name in ("stat", "iterdir", "glob", "is_dir", "is_file", "exists"):
        monkeypatch.setattr(Path, name, looked)
    for name in ("exists", "isdir", "isfile"):
        monkeypatch.setattr(os.path, name, looked)
    for name in ("listdir", "scandir"):
        monkeypatch.setattr(os, name, looked)


def test_file_uris_read_through_hadoop_give_the_plain_paths_features(
    spark: Any, tiny_market: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A ``file://`` URI is no local path (``Path`` would fold its ``//``), and nothing on the way
    may look at the local disk: only Hadoop finds the folder and its tables."""
    plain = spark_features(spark, spark_tables(spark, tiny_market), AS_OF, SUBSET)
    expected = plain.frame.toPandas()
    with monkeypatch.context() as tripwire:
        _no_local_disk(tripwire)
        tables = spark_tables(spark, tiny_market.as_uri())
        built = spark_features(spark, tables, AS_OF, SUBSET).frame.toPandas()
    assert built["merchant_id"].tolist() == expected["merchant_id"].tolist()
    for name in SUBSET:
        np.testing.assert_array_equal(built[name], expected[name], err_msg=name)
    assert len(built) > 50


def test_a_uri_with_nothing_there_or_no_file_system_is_one_clear_error(
    spark: Any, tmp_path: Path
) -> None:
    absent = (tmp_path / "absent").as_uri()
    with pytest.raises(NotFoundError, match=f"^no data folder at {re.escape(absent)}$"):
        spark_tables(spark, absent)
    with pytest.raises(ConfigError) as caught:
        spark_tables(spark, "nofs://bucket/records")
    message = str(caught.value)
    assert message.startswith("nofs://bucket/records: Spark cannot read it: ")
    assert 'No FileSystem for scheme "nofs"' in message
    assert "\n" not in message  # one line: no Java stack


def test_without_a_listing_a_missing_table_is_named_from_the_reads(
    spark: Any, tiny_market: Path, tmp_path: Path
) -> None:
    """Spark Connect lists no folder: every table is read, and a location with nothing there
    is a table not given (optional, or a missing required one), never an unreadable file."""
    root = tmp_path / "data"
    shutil.copytree(tiny_market, root)
    (root / "truth.parquet").unlink()  # optional
    files = {name: child(root.as_uri(), f"{name}.parquet") for name in CONTRACT}
    assert read_contract_tables(spark, files, absent_ok=True).keys() == CONTRACT.keys() - {"truth"}
    (root / "refunds.parquet").unlink()  # required
    with pytest.raises(DataContractError) as caught:
        read_contract_tables(spark, files, absent_ok=True)
    (violation,) = caught.value.violations
    assert "required table 'refunds' is missing" in violation.message
    with pytest.raises(DataContractError, match=r"refunds\.parquet: cannot be read as Parquet"):
        read_contract_tables(spark, files)  # after a listing, a location named must be read
