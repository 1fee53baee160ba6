"""The builder on Spark (local mode): Parquet read by Spark, a subset of features vs DuckDB.

The full parity (every feature, every score) runs in tests/service/test_service_batch.py on one
shared Spark run; these checks stay small. Spark that cannot start fails them: never skips.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from microlend.data import Manifest, load_dataset, write_dataset
from microlend.errors import ConfigError
from microlend.features import build_features, spark_features, spark_tables
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


def test_a_date_before_any_merchant_gives_no_rows(spark: Any, tiny_market: Path) -> None:
    tables = spark_tables(spark, tiny_market)
    built = spark_features(spark, tables, date(2000, 1, 1), SUBSET)
    assert built.frame.count() == 0
    assert built.frame.columns == ["merchant_id", "as_of", *built.names]


def test_a_csv_folder_is_refused(spark: Any, tmp_path: Path) -> None:
    (tmp_path / "orders.csv").write_text("order_id\n1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="Parquet"):
        spark_tables(spark, tmp_path)
