"""``microlend features`` writes one row per merchant, atomically, as Parquet or CSV."""

from __future__ import annotations

from pathlib import Path

import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest
from features_data import tables, ts
from typer.testing import CliRunner

from microlend.cli import app
from microlend.data import Manifest, write_dataset
from microlend.features import feature_names


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("market") / "data"
    records = {k: v for k, v in tables().items() if k not in ("loans", "outcomes")}
    write_dataset(records, root, manifest=Manifest(end=ts("2024-08-01"), currency="EUR"))
    return root


def _run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, ["features", *args])


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_writes_one_row_per_merchant(data_dir: Path, tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"features{suffix}"
    result = _run("--data", str(data_dir), "--as-of", "2024-07-01", "--out", str(out))
    assert result.exit_code == 0, result.output
    table = pq.read_table(out) if suffix == ".parquet" else pa_csv.read_csv(out)
    assert sorted(table["merchant_id"].to_pylist()) == ["m1", "m2", "m3"]
    assert table.column_names[2:] == list(feature_names())
    assert [p.name for p in tmp_path.iterdir()] == [out.name]  # no temporary file left


def test_spark_engine_refuses_csv_output_before_starting(data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "f.csv"
    args = ("--data", str(data_dir), "--as-of", "2024-07-01", "--out", str(out))
    result = _run(*args, "--engine", "spark")
    assert result.exit_code == 2
    assert "writes Parquet" in result.output
    assert not out.exists()


def test_a_bad_date_is_a_short_error(data_dir: Path, tmp_path: Path) -> None:
    result = _run("--data", str(data_dir), "--as-of", "July", "--out", str(tmp_path / "f.csv"))
    assert result.exit_code == 2
    assert "not a date" in result.output
