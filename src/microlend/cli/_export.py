"""``microlend export``: a model's scorecard challenger in a form other systems run."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from microlend.cli._app import app, console, edge
from microlend.errors import ConfigError

__all__ = ["FORMATS", "export"]

#: What ``--format`` accepts.
FORMATS = ("sql",)


@app.command()
@edge
def export(
    model: Annotated[Path, typer.Option("--model", help="A folder written by train --data.")],
    format_: Annotated[str, typer.Option("--format", help="sql (the only format so far).")],
    out: Annotated[
        Path | None, typer.Option("--out", help="File to write; standard output if not given.")
    ] = None,
) -> None:
    """Write the model's WoE scorecard challenger as SQL: its PD and 350-950 score.

    The text is two columns, `pd` and `score`, each one expression over the feature columns
    that DuckDB, PostgreSQL and Spark SQL all run: `SELECT merchant_id, <text> FROM features`.
    A missing feature must be NULL (not NaN). They equal the scorecard's own PD (to 1e-9) and
    its score on the default scale (350-950, 50 points to double the odds). Only models
    trained on merchant records (--data) carry a scorecard.
    """
    from microlend.models import load_artifact
    from microlend.scoring import scorecard_sql_text
    from microlend.service import check_feature_catalog

    if format_ not in FORMATS:
        raise ConfigError(f"unknown format {format_!r}: use {', '.join(FORMATS)}")
    artifact = load_artifact(model)
    # The SQL runs over `microlend features` output: today's catalog must be the model's.
    check_feature_catalog(artifact)
    if artifact.challenger is None:
        raise ConfigError(
            f"{model} holds no scorecard challenger (scorecard.json): only a model trained on "
            "merchant records (train --data) has one"
        )
    text = scorecard_sql_text(artifact.challenger, model=str(model))
    if out is None:
        typer.echo(text, nl=False)
        return
    out.write_text(text, encoding="utf-8")
    features = len(artifact.challenger.bins_)
    console.print(f"scorecard of {features} features as SQL (pd, score) -> {out}")
