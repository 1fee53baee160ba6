"""``microlend simulate`` writes a loadable folder with a manifest and prints a summary."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from microlend.cli import app
from microlend.data import load_dataset


def test_simulate_command_writes_the_tables_and_the_manifest(tmp_path: Path):
    out = tmp_path / "data"
    args = ["simulate", "--merchants", "300", "--months", "12", "--seed", "3", "--out", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "oracle AUC" in result.output
    manifest = json.loads((out / "dataset.json").read_text())
    assert manifest["generator"]["name"] == "microlend.simulate"
    assert manifest["generator"]["seed"] == "3"
    assert manifest["end"] == "2024-01-01T00:00:00Z"
    assert load_dataset(out).table("orders").num_rows > 0


def test_simulate_command_refuses_an_unknown_format(tmp_path: Path):
    args = ["simulate", "--merchants", "50", "--out", str(tmp_path / "x"), "--format", "xlsx"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
