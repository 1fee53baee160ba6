"""write_dataset: round trip, byte-identical output, all-or-nothing."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest
from data_factory import END, contract_tables

from microlend.data import Manifest, load_dataset, write_dataset
from microlend.errors import ConfigError

MANIFEST = Manifest(END, "USD", {"seed": "7", "tool": "tests"})


def _files(root: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(root.iterdir())}


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_round_trip_gives_the_same_tables(tmp_path: Path, fmt: str) -> None:
    tables = contract_tables()
    write_dataset(tables, tmp_path / "out", fmt=fmt, manifest=MANIFEST)  # type: ignore[arg-type]
    dataset = load_dataset(tmp_path / "out")
    assert dataset.manifest == MANIFEST
    for name, table in tables.items():
        assert dataset.table(name).equals(table), name


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_the_same_tables_give_byte_identical_files(tmp_path: Path, fmt: str) -> None:
    write_dataset(contract_tables(), tmp_path / "a", fmt=fmt, manifest=MANIFEST)  # type: ignore[arg-type]
    write_dataset(contract_tables(), tmp_path / "b", fmt=fmt, manifest=MANIFEST)  # type: ignore[arg-type]
    first, second = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert first == second
    assert f"orders.{fmt}" in first


def test_csv_has_plain_decimals_and_utc_timestamps(tmp_path: Path) -> None:
    write_dataset(contract_tables(), tmp_path / "out", fmt="csv")
    line = (tmp_path / "out" / "orders.csv").read_text().splitlines()[2]
    assert line == '"o1","m1","b1","2024-01-01T12:00:00Z",11.00,"USD","completed"'


def test_a_failure_midway_leaves_nothing(tmp_path: Path) -> None:
    tables = contract_tables()
    # The CSV writer cannot write a list column: it fails after earlier tables were written.
    tables["truth"] = tables["truth"].append_column("traits", pa.array([[1], [2]]))
    with pytest.raises(pa.ArrowException):
        write_dataset(tables, tmp_path / "out", fmt="csv", manifest=MANIFEST)
    assert list(tmp_path.iterdir()) == []


def test_a_non_empty_folder_is_kept_unless_overwritten(tmp_path: Path) -> None:
    root = tmp_path / "out"
    write_dataset({"merchants": contract_tables()["merchants"]}, root)
    with pytest.raises(ConfigError, match="not empty"):
        write_dataset(contract_tables(), root)
    assert sorted(p.name for p in root.iterdir()) == ["merchants.parquet"]
    write_dataset({"orders": contract_tables()["orders"]}, root, overwrite=True)
    assert sorted(p.name for p in root.iterdir()) == ["orders.parquet"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_failed_overwrite_keeps_the_old_folder(tmp_path: Path) -> None:
    root = tmp_path / "out"
    write_dataset(contract_tables(), root, fmt="csv")
    before = _files(root)
    bad = {"truth": contract_tables()["truth"].append_column("x", pa.array([[1], [2]]))}
    with pytest.raises(pa.ArrowException):
        write_dataset(bad, root, fmt="csv", overwrite=True)
    assert _files(root) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_an_empty_folder_may_be_written_into(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    write_dataset(contract_tables(), tmp_path / "out", manifest=MANIFEST)
    assert (tmp_path / "out" / "dataset.json").is_file()


def test_a_table_name_must_be_a_safe_file_name(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot name a table file"):
        write_dataset({"../evil": contract_tables()["merchants"]}, tmp_path / "out")
    assert list(tmp_path.iterdir()) == []
