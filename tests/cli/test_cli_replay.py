"""``microlend replay``: exit 0 when the stored decision replays the same, 1 when it differs,
2 on an error; it reads a book and never makes one."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from microlend.cli import app
from microlend.data import Dataset
from microlend.models import load_artifact
from microlend.policy import default_policy
from microlend.service import (
    improver_of,
    model_version,
    sync_merchants,
    take_snapshot,
    underwrite,
)
from microlend.store import create_engine_for, migrate

runner = CliRunner()


@pytest.fixture(scope="module")
def decided(
    small_market: Dataset, cli_model_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, str]:
    """A book holding one decision made with the saved model: its URL and the decision's id."""
    url = f"sqlite:///{tmp_path_factory.mktemp('replay') / 'book.sqlite'}"
    engine = create_engine_for(url)
    migrate(engine)
    sync_merchants(engine, small_market)
    artifact = load_artifact(cli_model_dir)
    on = small_market.end.date()
    snapshot = take_snapshot(artifact.model, small_market, on, improver=improver_of(artifact))
    merchant = next(iter(snapshot.ratings))
    decision = underwrite(
        engine,
        snapshot,
        default_policy(),
        merchant_id=merchant,
        model_version=model_version(artifact),
    )
    engine.dispose()
    return url, decision.application_id


def test_replay_of_an_unchanged_decision_exits_0(
    decided: tuple[str, str], cli_model_dir: Path
) -> None:
    url, decision_id = decided
    result = runner.invoke(app, ["replay", decision_id, "--model", str(cli_model_dir), "--db", url])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["stored"] == body["replayed"]
    assert "same decision" in result.stderr


def test_replay_of_a_decision_that_no_longer_gives_its_answer_exits_1(
    decided: tuple[str, str], cli_model_dir: Path, tmp_path: Path
) -> None:
    """A record whose stored features now rate differently (edited here in its book) replays to
    another decision: the difference is shown, exit 1."""
    url, decision_id = decided
    copy = tmp_path / "book.sqlite"
    shutil.copyfile(url.removeprefix("sqlite:///"), copy)
    with sqlite3.connect(copy) as connection:
        (text,) = connection.execute(
            "SELECT feature_values FROM decisions WHERE id = ?", (decision_id,)
        ).fetchone()
        values = dict.fromkeys(json.loads(text))
        connection.execute(
            "UPDATE decisions SET feature_values = ? WHERE id = ?",
            (json.dumps(values), decision_id),
        )
    args = ["replay", decision_id, "--model", str(cli_model_dir), "--db", f"sqlite:///{copy}"]
    result = runner.invoke(app, args)
    assert result.exit_code == 1, result.output
    body = json.loads(result.stdout)
    assert body["stored"]["rating"] != body["replayed"]["rating"]
    assert "differs" in result.stderr


def test_replay_under_another_policy_is_refused_exits_2(
    decided: tuple[str, str], cli_model_dir: Path, tmp_path: Path
) -> None:
    """Under another policy a difference would say nothing about the record."""
    url, decision_id = decided
    text = Path(__file__).parents[2].joinpath("src/microlend/policy/default.toml").read_text()
    other = tmp_path / "other.toml"
    other.write_text(text.replace(f'version = "{default_policy().version}"', 'version = "other"'))
    args = [
        "replay",
        decision_id,
        "--model",
        str(cli_model_dir),
        "--db",
        url,
        "--policy",
        str(other),
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert f"decision {decision_id} was made under policy" in result.stderr
    assert "'other'" in result.stderr


def test_replay_of_a_missing_decision_exits_2(
    decided: tuple[str, str], cli_model_dir: Path
) -> None:
    url, _ = decided
    result = runner.invoke(app, ["replay", "dec_nope", "--model", str(cli_model_dir), "--db", url])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.strip() == "error: NotFoundError: no decision 'dec_nope' in the book"


def test_replay_never_makes_a_book(tmp_path: Path) -> None:
    path = tmp_path / "absent.sqlite"
    model = tmp_path / "model"  # never read: the book is looked for first
    result = runner.invoke(
        app, ["replay", "d1", "--model", str(model), "--db", f"sqlite:///{path}"]
    )
    assert result.exit_code == 2
    assert "no loan book at" in result.stderr
    assert not path.exists()
    empty = tmp_path / "empty.sqlite"
    empty.touch()
    result = runner.invoke(
        app, ["replay", "d1", "--model", str(model), "--db", f"sqlite:///{empty}"]
    )
    assert result.exit_code == 2
    assert "holds no loan book" in result.stderr


def test_monitor_never_makes_a_book(tmp_path: Path) -> None:
    path = tmp_path / "absent.sqlite"
    args = ["monitor", "--model", str(tmp_path / "m"), "--data", str(tmp_path / "d")]
    result = runner.invoke(app, [*args, "--db", f"sqlite:///{path}"])
    assert result.exit_code == 2
    assert "no loan book at" in result.stderr
    assert not path.exists()
