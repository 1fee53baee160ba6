"""``microlend export --format sql``: the saved scorecard as SQL, and its refusals.

That the SQL gives the scorecard's PDs and scores on all three engines is
``tests/scoring/test_scoring_sql_engines.py``; here the command writes that text, and DuckDB
runs it on the real features of the session's out-of-time test.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
from typer.testing import CliRunner

from microlend.cli import app
from microlend.models import load_artifact, save_model
from microlend.scoring import ScoreScale, scorecard_sql_text
from microlend.service import RatingFit

runner = CliRunner()


def test_export_writes_the_scorecard_as_sql(
    cli_model_dir: Path, small_fit: RatingFit, tmp_path: Path
) -> None:
    out = tmp_path / "scorecard.sql"
    args = ["export", "--model", str(cli_model_dir), "--format", "sql"]
    written = runner.invoke(app, [*args, "--out", str(out)])
    assert written.exit_code == 0, written.output
    card = load_artifact(cli_model_dir).challenger
    assert card is not None
    text = out.read_text(encoding="utf-8")
    assert text == scorecard_sql_text(card, model=str(cli_model_dir))
    assert f"scorecard of {len(card.bins_)} features as SQL" in written.output
    printed = runner.invoke(app, args)
    assert printed.exit_code == 0
    assert printed.stdout == text
    # The features as the rating builds them (missing values are NaN there, NULL to DuckDB).
    features = small_fit.test.features.reset_index(drop=True)
    table = pa.Table.from_pandas(features, preserve_index=False)
    connection = duckdb.connect()
    connection.register("features", table)
    got = connection.sql(f"SELECT {text} FROM features").df()
    pd_ = card.predict_pd(features)
    assert features.isna().to_numpy().any()
    assert np.abs(got["pd"].to_numpy() - pd_).max() < 1e-9
    assert got["score"].tolist() == ScoreScale().points(pd_).tolist()


def test_a_model_without_a_scorecard_is_one_clear_error(
    small_fit: RatingFit, tmp_path: Path
) -> None:
    bare = save_model(small_fit.model, tmp_path / "bare", small_fit.metadata)
    out = tmp_path / "scorecard.sql"
    result = runner.invoke(
        app, ["export", "--model", str(bare), "--format", "sql", "--out", str(out)]
    )
    assert result.exit_code == 2
    assert "holds no scorecard challenger" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_no_model_and_an_unknown_format_are_clear_errors(
    cli_model_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "scorecard.sql"
    missing = runner.invoke(
        app, ["export", "--model", str(tmp_path / "none"), "--format", "sql", "--out", str(out)]
    )
    assert missing.exit_code == 2
    assert "ArtifactError" in missing.output
    assert "missing" in missing.output
    unknown = runner.invoke(
        app, ["export", "--model", str(cli_model_dir), "--format", "pmml", "--out", str(out)]
    )
    assert unknown.exit_code == 2
    assert "unknown format 'pmml': use sql" in unknown.output
    assert not out.exists()
