"""Progress of ``check``: loading and the quality report tell a listener how far they are,
say nothing by default, and ``check --json`` stays one JSON object (issue 16, item 3)."""

from __future__ import annotations

import json

from data_factory import Writer, contract_tables, with_value
from typer.testing import CliRunner

from microlend.cli import app
from microlend.data import load_dataset, quality_report

runner = CliRunner(env={"COLUMNS": "200"})


def test_loading_and_the_report_tell_each_step_up_to_done(make_folder: Writer) -> None:
    heard: list[tuple[str, float]] = []
    dataset = load_dataset(make_folder(), progress=lambda step, done: heard.append((step, done)))
    quality_report(dataset, progress=lambda step, done: heard.append((step, done)))
    steps = list(dict.fromkeys(step for step, _ in heard))
    assert steps == ["reading", "table rules", "relations", "quality report"]
    for step in steps:
        shares = [done for name, done in heard if name == step]
        assert shares == sorted(shares)
        assert shares[-1] == 1.0
        assert shares[0] == 0.0  # each step starts its bar, then fills it


def test_the_same_report_with_and_without_a_listener(make_folder: Writer) -> None:
    root = make_folder(fmt="parquet")
    heard: list[str] = []
    listened = quality_report(load_dataset(root, progress=lambda s, _: heard.append(s)))
    assert heard
    assert quality_report(load_dataset(root)) == listened


def test_check_prints_the_report_after_its_progress(make_folder: Writer) -> None:
    result = runner.invoke(app, ["check", "--data", str(make_folder(fmt="parquet"))])
    assert result.exit_code == 0, result.output
    assert "contract holds" in result.output
    assert "merchants without orders: 1 (m2)" in result.output


def test_check_json_is_exactly_one_object_with_no_progress(make_folder: Writer) -> None:
    result = runner.invoke(app, ["check", "--data", str(make_folder()), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)  # raises if anything else was printed
    assert report["contract"] == "ok"
    assert "reading" not in result.output


def test_a_broken_relation_is_still_found_through_the_shared_join(make_folder: Writer) -> None:
    tables = with_value(contract_tables(), "shipments", 4, "merchant_id", "m2")
    result = runner.invoke(app, ["check", "--data", str(make_folder(tables)), "--json"])
    assert result.exit_code == 2
    assert "shipments.csv, row 4 (line 5), column 'merchant_id'" in result.output
    assert "is not the merchant of order" in result.output
