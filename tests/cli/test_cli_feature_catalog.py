"""A model trained on merchant records remembers the feature catalog's version it learnt from,
and a model of an older version is refused, never fed features whose meaning has changed
(issue 14: the windows that know where records start changed what ``gmv_365d`` and others say).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from microlend.cli import app
from microlend.errors import ArtifactError
from microlend.features import CATALOG_VERSION
from microlend.models import load_artifact
from microlend.service import improver_of

runner = CliRunner()


def _as_of_version(model: Path, folder: Path, version: int | None) -> Path:
    """A copy of ``model`` whose model.json says it was trained on catalog ``version``
    (``None``: saved before the version was recorded)."""
    copy = shutil.copytree(model, folder)
    manifest = json.loads((copy / "model.json").read_text(encoding="utf-8"))
    manifest["metadata"].pop("feature_catalog", None)
    if version is not None:
        manifest["metadata"]["feature_catalog"] = version
    (copy / "model.json").write_text(json.dumps(manifest), encoding="utf-8")
    return copy


def test_a_records_model_records_the_catalog_version(cli_model_dir: Path) -> None:
    artifact = load_artifact(cli_model_dir)
    assert artifact.metadata.feature_catalog == CATALOG_VERSION
    improver_of(artifact)  # today's version rates


@pytest.mark.parametrize("version", [None, CATALOG_VERSION - 1, CATALOG_VERSION + 1])
def test_a_model_of_another_catalog_version_is_refused(
    cli_model_dir: Path, tmp_path: Path, version: int | None
) -> None:
    older = load_artifact(_as_of_version(cli_model_dir, tmp_path / "model", version))
    with pytest.raises(ArtifactError, match="retrain") as refused:
        improver_of(older)
    assert f"version {version or 1} of the feature catalog" in str(refused.value)


def test_scoring_with_an_older_model_is_one_clear_error(
    cli_model_dir: Path, small_market_dir: Path, tmp_path: Path
) -> None:
    older = _as_of_version(cli_model_dir, tmp_path / "model", None)
    out = tmp_path / "scores.csv"
    args = ["score", "--model", str(older), "--data", str(small_market_dir), "--out", str(out)]
    result = runner.invoke(app, [*args, "--as-of", "2024-06-01"])
    assert result.exit_code == 2, result.output
    assert "version 1 of the feature catalog" in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()


def test_serving_an_older_model_touches_no_book(
    cli_model_dir: Path, small_market_dir: Path, tmp_path: Path
) -> None:
    older = _as_of_version(cli_model_dir, tmp_path / "model", None)
    book = tmp_path / "book.sqlite"
    args = ["serve", "--model", str(older), "--data", str(small_market_dir)]
    result = runner.invoke(app, [*args, "--db", f"sqlite:///{book}", "--port", "1"])
    assert result.exit_code == 2, result.output
    assert "version 1 of the feature catalog" in result.stderr
    assert not book.exists()  # refused before the book was made or a key was issued
    assert list(tmp_path.glob("*keys*")) == []


def test_exporting_an_older_models_scorecard_is_refused(
    cli_model_dir: Path, tmp_path: Path
) -> None:
    older = _as_of_version(cli_model_dir, tmp_path / "model", None)
    out = tmp_path / "card.sql"
    args = ["export", "--model", str(older), "--format", "sql", "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "version 1 of the feature catalog" in result.stderr
    assert not out.exists()
