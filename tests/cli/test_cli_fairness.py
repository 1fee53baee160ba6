"""``microlend fairness``: the screen by a merchants column, in a pipe and as JSON, and its bad
input refused in one line with exit status 2."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from microlend.cli import app

runner = CliRunner()


def _fairness(data: Path, model: Path, *extra: str) -> tuple[int, str, str]:
    args = ["fairness", "--data", str(data), "--model", str(model), *extra]
    result = runner.invoke(app, args)
    return result.exit_code, result.stdout, result.stderr


def test_an_unknown_column_is_one_line_naming_the_columns(
    small_market_dir: Path, cli_model_dir: Path
) -> None:
    code, out, err = _fairness(small_market_dir, cli_model_dir, "--attribute", "owner_race")
    assert code == 2
    assert not out.strip()  # the error goes to stderr alone
    assert err.count("\n") == 1
    assert "no column 'owner_race'" in err
    assert "category, region" in err


def test_groups_under_the_minimum_sample_are_refused(
    small_market_dir: Path, cli_model_dir: Path
) -> None:
    code, _, err = _fairness(
        small_market_dir, cli_model_dir, "--attribute", "region", "--min-group", "1000000"
    )
    assert code == 2
    assert err.count("\n") == 1
    assert "with at least 1000000 applications" in err
    assert "(the minimum sample; lower it with --min-group" in err


@pytest.fixture(scope="module")
def grouped(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The session market's seed and dates at a quarter of its size, with an owner group
    linked to risk and one not: the session's model (``cli_model_dir``) screens both."""
    root = tmp_path_factory.mktemp("grouped")
    folders = {}
    for kind in ("linked", "unlinked"):
        folder = root / kind
        args = ["simulate", "--out", str(folder), "--merchants", "600", "--seed", "3"]
        result = runner.invoke(app, [*args, "--group-attribute", kind])
        assert result.exit_code == 0, result.output
        folders[kind] = folder
    return folders


def _screen(data: Path, model: Path) -> dict[str, Any]:
    code, out, err = _fairness(data, model, "--attribute", "owner_group", "--json")
    assert code == 0, err
    body: dict[str, Any] = json.loads(out)
    return body


def test_the_screen_tells_a_group_linked_to_risk_from_one_that_is_not(
    grouped: dict[str, Path], cli_model_dir: Path
) -> None:
    linked = _screen(grouped["linked"], cli_model_dir)
    b = {g["group"]: g for g in linked["groups"]}["B"]
    assert b["adverse_impact"] is True
    assert b["truth_ratio"] < 0.8
    assert b["miscalibrated_against_truth"] is True
    assert linked["proxy"]["flagged"] is True
    assert linked["proxy"]["auc"] >= 0.7
    kinds = {flag.split(":")[0] for flag in linked["flags"]}
    assert {"approval", "calibration against the truth", "proxy"} <= kinds

    # Unlinked, in a pipe: the plain table, and no flag.
    code, out, err = _fairness(grouped["unlinked"], cli_model_dir, "--attribute", "owner_group")
    assert code == 0, err
    lines = out.splitlines()
    # The progress bar's last state may come first; the table follows as plain lines.
    title = lines.index("Fairness screen by owner_group (test window applications)")
    header = lines[title + 1].split("\t")
    assert header[:4] == ["group", "applications", "approved", "impact ratio"]
    assert header[-2:] == ["true PD", "truth ratio"]
    rows = {line.split("\t")[0]: line.split("\t") for line in lines[title + 2 : title + 4]}
    assert set(rows) == {"A", "B"}
    for row in rows.values():
        assert len(row) == len(header)
        assert float(row[header.index("impact ratio")]) >= 0.8
        assert 0.8 <= float(row[header.index("truth ratio")]) <= 1.25
    assert "nan" not in out
    proxy = next(line for line in lines if line.startswith("proxy check: "))
    auc = float(proxy.split("cross-validated AUC ")[1].split(",")[0])
    assert auc < 0.6
    assert "flag: none: no group crosses a threshold" in lines
    assert "not a legal verdict" in out


def test_simulate_refuses_an_unknown_kind_of_group(tmp_path: Path) -> None:
    args = ["simulate", "--out", str(tmp_path / "d"), "--merchants", "10"]
    result = runner.invoke(app, [*args, "--group-attribute", "maybe"])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "group_attribute: expected linked or unlinked, got 'maybe'" in result.stderr
    assert not (tmp_path / "d").exists()
