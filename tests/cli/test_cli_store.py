"""The platform store from the command line: `microlend ingest` adds a batch, and the commands
that read records take --store instead of --data and see the same records (issue 15)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest
from cli_results import ok, one_line_error
from typer.testing import CliRunner

from microlend.cli import app
from microlend.data import batches
from microlend.models import load_artifact

runner = CliRunner()


@pytest.fixture(scope="module")
def store(small_market_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small market ingested whole as one batch."""
    path = tmp_path_factory.mktemp("store") / "platform.duckdb"

    ok(runner.invoke(app, ["ingest", "--store", str(path), "--from", str(small_market_dir)]))
    return path


def test_ingest_prints_its_receipt_and_a_replay_adds_nothing(
    store: Path, small_market_dir: Path
) -> None:

    (first,) = batches(store)
    again = ok(
        runner.invoke(
            app, ["ingest", "--store", str(store), "--from", str(small_market_dir), "--json"]
        )
    )
    receipt = json.loads(again.stdout)
    assert receipt["already"] is True
    assert receipt["batch_id"] == first.batch_id
    assert receipt["rows"]["orders"] == first.rows["orders"] > 0
    assert batches(store) == (first,)


def test_features_from_the_store_equal_those_of_the_folder(
    store: Path, small_market_dir: Path, tmp_path: Path
) -> None:

    outs = {}
    for flag, source in (("--data", small_market_dir), ("--store", store)):
        out = tmp_path / f"{flag.strip('-')}.parquet"
        args = ["features", flag, str(source), "--as-of", "2024-06-01", "--out", str(out)]
        ok(runner.invoke(app, args))
        outs[flag] = pd.read_parquet(out)
    assert len(outs["--data"]) > 0
    pd.testing.assert_frame_equal(outs["--store"], outs["--data"])


def test_check_and_train_read_the_store(store: Path, tmp_path: Path) -> None:

    checked = json.loads(ok(runner.invoke(app, ["check", "--store", str(store), "--json"])).stdout)
    assert checked["contract"] == "ok"
    model = tmp_path / "model"
    ok(runner.invoke(app, ["train", "--store", str(store), "--out", str(model)]))
    (batch,) = batches(store)
    # The model names its records by the store's batches, not by the database file's bytes.
    named = hashlib.sha256(batch.batch_id.encode()).hexdigest()
    assert load_artifact(model).metadata.data_sha256 == named


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["features", "--as-of", "2024-06-01", "--out", "x.parquet"], "one of the two"),
        (["check", "--data", "DATA", "--store", "STORE"], "one of the two"),
        (["check", "--store", "STORE", "--end", "2024-01-01"], "--end is a folder's data end"),
        (
            [
                "features",
                "--store",
                "STORE",
                "--as-of",
                "2024-06-01",
                "--out",
                "x.parquet",
                "--engine",
                "spark",
            ],
            "the spark engine reads a folder",
        ),
    ],
)
def test_a_wrong_choice_of_records_is_one_clear_error(
    store: Path, small_market_dir: Path, tmp_path: Path, args: list[str], says: str
) -> None:

    swap = {"DATA": str(small_market_dir), "STORE": str(store)}
    line = one_line_error(runner.invoke(app, [swap.get(a, a) for a in args]))
    assert says in line


def test_a_store_that_is_not_there_is_one_clear_error(tmp_path: Path) -> None:

    missing = tmp_path / "none.duckdb"
    line = one_line_error(runner.invoke(app, ["check", "--store", str(missing)]))
    assert str(missing) in line
    assert not missing.exists()
