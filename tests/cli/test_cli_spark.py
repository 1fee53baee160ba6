"""``features`` and ``score`` with ``--engine spark``, end to end through the CLI, vs DuckDB.

Both engines run on the Spark tests' market (``spark_market_dir``); the Spark commands reuse the
test session's Spark (``getOrCreate``), so the suite starts one JVM. Their Parquet folders must
hold the rows the DuckDB commands write: floats within 1e-9 relative, NaN equal to NaN, text
exactly.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from typer.testing import CliRunner

from microlend.cli import app

AS_OF = date(2024, 2, 1).isoformat()
# The test session's master: getOrCreate then hands the CLI the session already started.
ON_SPARK = ("--engine", "spark", "--spark-master", "local[2]")
runner = CliRunner()


def _invoke(*args: str) -> None:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output


def _by_merchant(path: Path) -> pd.DataFrame:
    """A Parquet file or folder of part files, in merchant order."""
    frame = pq.read_table(path).to_pandas()
    return frame.sort_values("merchant_id").reset_index(drop=True)


def assert_same_rows(duck: pd.DataFrame, spark: pd.DataFrame) -> None:
    assert list(spark.columns) == list(duck.columns)
    assert spark["merchant_id"].tolist() == duck["merchant_id"].tolist()
    for column in duck.columns:
        left, right = duck[column], spark[column]
        if pd.api.types.is_float_dtype(left):
            np.testing.assert_allclose(right, left, rtol=1e-9, atol=0, err_msg=column)
        else:
            assert (
                right.astype(object).where(right.notna(), None).tolist()
                == left.astype(object).where(left.notna(), None).tolist()
            ), column


def test_score_on_spark_writes_the_duckdb_scores(
    spark: Any, spark_market_dir: Path, cli_model_dir: Path, tmp_path: Path
) -> None:
    # Any saved model will do (train --data is tested elsewhere): parity is under test.
    common = ("score", "--model", str(cli_model_dir), "--data", str(spark_market_dir))
    duck_out, spark_out = tmp_path / "duck.parquet", tmp_path / "spark.parquet"
    _invoke(*common, "--as-of", AS_OF, "--out", str(duck_out))
    result = runner.invoke(app, [*common, "--as-of", AS_OF, "--out", str(spark_out), *ON_SPARK])
    assert result.exit_code == 0, result.output
    assert any(spark_out.glob("part-*.parquet"))  # a folder of part files
    duck, scored = _by_merchant(duck_out), _by_merchant(spark_out)
    assert len(duck) > 250
    assert_same_rows(duck, scored)
    assert f"{len(duck):,} merchants scored as of {AS_OF} on spark" in result.output


def test_features_on_spark_writes_the_duckdb_features(
    spark: Any, spark_market_dir: Path, tmp_path: Path
) -> None:
    """Spark reads and writes ``file://`` URIs (as it would ``s3a://`` ones); the duckdb engine
    takes a ``file://`` URI as its local path."""
    duck_out, spark_out = tmp_path / "duck.parquet", tmp_path / "spark.parquet"
    data = spark_market_dir.as_uri()
    _invoke("features", "--data", data, "--as-of", AS_OF, "--out", duck_out.as_uri())
    result = runner.invoke(
        app,
        ["features", "--data", data, "--as-of", AS_OF, "--out", spark_out.as_uri(), *ON_SPARK],
    )
    assert result.exit_code == 0, result.output
    # the console wraps long lines
    assert f"features on spark -> {spark_out.as_uri()}" in result.output.replace("\n", "")
    assert any(spark_out.glob("part-*.parquet"))  # a folder of part files
    duck, built = _by_merchant(duck_out), _by_merchant(spark_out)
    assert duck["gmv_90d"].gt(0).any()
    assert_same_rows(duck, built)


def test_a_uri_spark_cannot_read_exits_2_with_one_line(spark: Any, tmp_path: Path) -> None:
    out = (tmp_path / "features.parquet").as_uri()
    for data, says in (
        ((tmp_path / "absent").as_uri(), "NotFoundError: no data folder at file:///"),
        ("nofs://bucket/records", 'Spark cannot read it: No FileSystem for scheme "nofs"'),
    ):
        args = ["features", "--data", data, "--as-of", AS_OF, "--out", out, *ON_SPARK]
        result = runner.invoke(app, args)
        assert result.exit_code == 2
        assert says in result.output
        assert len(result.output.strip().splitlines()) == 1, result.output
    assert not (tmp_path / "features.parquet").exists()


def test_the_duckdb_engine_refuses_a_uri_only_spark_reads(tmp_path: Path) -> None:
    out = str(tmp_path / "features.parquet")
    result = runner.invoke(
        app, ["features", "--data", "s3a://bucket/records", "--as-of", AS_OF, "--out", out]
    )
    assert result.exit_code == 2
    assert "--data s3a://bucket/records: the duckdb engine reads and writes the local disk" in (
        result.output
    )
    assert "--engine spark" in result.output


def test_a_bad_column_type_is_a_short_error_naming_file_and_column(
    spark: Any, spark_market_dir: Path, tmp_path: Path
) -> None:
    root = tmp_path / "data"
    shutil.copytree(spark_market_dir, root)
    orders = pq.read_table(root / "orders.parquet")
    amount = orders.schema.get_field_index("amount")
    pq.write_table(
        orders.set_column(amount, "amount", orders["amount"].cast(pa.string())),
        root / "orders.parquet",
    )
    out = tmp_path / "features.parquet"
    args = ("features", "--data", str(root), "--as-of", AS_OF, "--out", str(out))
    result = runner.invoke(app, [*args, *ON_SPARK])
    assert result.exit_code == 2
    assert "DataContractError" in result.output
    assert "orders.parquet, column 'amount': expected decimal or integer amounts" in result.output
    assert not out.exists()
