"""``microlend check``: exit 0 and a report on valid data; exit 2 and a located error otherwise."""

from __future__ import annotations

import json

from data_factory import Writer, contract_tables, edit_csv
from typer.testing import CliRunner

from microlend.cli import app

runner = CliRunner(env={"COLUMNS": "200"})


def test_a_bad_rating_on_row_1234_exits_2_naming_file_row_and_column(make_folder: Writer) -> None:
    root = make_folder(contract_tables(orders=1300))
    edit_csv(root / "reviews.csv", 1234, "rating", "7")
    result = runner.invoke(app, ["check", "--data", str(root)])
    assert result.exit_code == 2
    assert "reviews.csv, row 1234 (line 1235), column 'rating'" in result.output
    assert "expected an integer from 1 to 5, got 7" in result.output
    assert "Traceback" not in result.output


def test_a_valid_folder_exits_0_and_prints_the_report(make_folder: Writer) -> None:
    result = runner.invoke(app, ["check", "--data", str(make_folder())])
    assert result.exit_code == 0, result.output
    assert "contract holds" in result.output
    assert "orders.csv" in result.output
    assert "merchants without orders: 1 (m2)" in result.output


def test_json_prints_one_object(make_folder: Writer) -> None:
    result = runner.invoke(app, ["check", "--data", str(make_folder(fmt="parquet")), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["contract"] == "ok"
    assert {t["name"] for t in report["tables"]} >= {"orders", "reviews"}


def test_an_earlier_end_makes_later_records_an_error(make_folder: Writer) -> None:
    root = make_folder()
    result = runner.invoke(app, ["check", "--data", str(root), "--end", "2024-01-10"])
    assert result.exit_code == 2
    assert "after the data's end 2024-01-10T00:00:00Z" in result.output


def test_without_a_manifest_the_clock_is_the_end(make_folder: Writer) -> None:
    result = runner.invoke(app, ["check", "--data", str(make_folder(manifest=False))])
    assert result.exit_code == 0, result.output


def test_a_missing_folder_exits_2(make_folder: Writer) -> None:
    result = runner.invoke(app, ["check", "--data", str(make_folder().parent / "nowhere")])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
