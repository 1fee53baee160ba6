"""``microlend serve`` (the decision api on 127.0.0.1), ``keys`` and ``replay``."""

from __future__ import annotations

import json
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated

import typer

from microlend.cli._app import app, console, edge, errors
from microlend.policy import Policy

_DB = "sqlite:///microlend.db"


def _policy(path: Path | None) -> Policy:
    from microlend.policy import default_policy, load_policy

    return default_policy() if path is None else load_policy(path)


@app.command()
@edge
def serve(
    model: Annotated[Path, typer.Option("--model", help="Model folder (microlend train).")],
    data: Annotated[Path, typer.Option("--data", help="Folder of contract tables.")],
    db: Annotated[str, typer.Option("--db", help="Loan book database URL.")] = _DB,
    port: Annotated[int, typer.Option("--port", help="Port on 127.0.0.1.")] = 8000,
    policy: Annotated[Path | None, typer.Option("--policy", help="Policy TOML file.")] = None,
    business_date: Annotated[
        str | None,
        typer.Option("--business-date", help="Fix the business date (default: today, UTC)."),
    ] = None,
) -> None:
    """Serve the decision api and the dashboard on 127.0.0.1.

    The api is under /v1 (OpenAPI at /docs), the risk officer's dashboard at /dashboard and a
    merchant's page at /merchants/ID. On first start it prints a risk officer and a servicing key.
    """
    import uvicorn

    from microlend.api import ApiContext, create_app
    from microlend.dashboard import DashboardContext, dashboard_router
    from microlend.data import load_dataset
    from microlend.models import load_artifact
    from microlend.service import (
        baseline_on_records,
        ensure_staff_keys,
        model_version,
        sync_merchants,
    )
    from microlend.store import create_engine_for, migrate

    artifact = load_artifact(model)
    engine = create_engine_for(db)
    migrate(engine)
    dataset = load_dataset(data)
    sync_merchants(engine, dataset)
    for role, key in ensure_staff_keys(engine).items():
        console.print(f"new {role} key (shown once): {key}", highlight=False)
    fixed = None if business_date is None else date.fromisoformat(business_date)
    today = (lambda: fixed) if fixed is not None else (lambda: datetime.now(UTC).date())
    chosen = _policy(policy)
    context = ApiContext(
        model=artifact.model,
        model_version=model_version(artifact),
        policy=chosen,
        data=dataset,
        engine=engine,
        today=today,
    )
    api = create_app(context)
    pages = DashboardContext(
        engine=engine,
        currency=chosen.currency,
        today=today,
        baseline=baseline_on_records(artifact, dataset),
    )
    api.include_router(dashboard_router(pages))
    console.print(f"api http://127.0.0.1:{port}/docs   dashboard http://127.0.0.1:{port}/dashboard")
    uvicorn.run(api, host="127.0.0.1", port=port, log_level="warning")


@app.command("keys")
@edge
def keys(
    role: Annotated[str, typer.Option("--role", help="risk_officer, servicing or merchant.")],
    db: Annotated[str, typer.Option("--db", help="Loan book database URL.")] = _DB,
    merchant: Annotated[
        str | None, typer.Option("--merchant", help="The merchant of a merchant key.")
    ] = None,
) -> None:
    """Create an API key (only its salted hash is stored: this is the one time it is shown)."""
    from microlend.errors import ConfigError
    from microlend.service import Role, create_api_key
    from microlend.store import create_engine_for, migrate

    try:
        chosen = Role(role)
    except ValueError:
        raise ConfigError(f"--role must be one of {', '.join(Role)}, not {role!r}") from None
    engine = create_engine_for(db)
    migrate(engine)
    console.print(create_api_key(engine, chosen, merchant), highlight=False)


@app.command()
@edge
def replay(
    decision_id: Annotated[str, typer.Argument(help="The stored decision's id.")],
    model: Annotated[Path, typer.Option("--model", help="Model folder.")],
    db: Annotated[str, typer.Option("--db", help="Loan book database URL.")] = _DB,
    policy: Annotated[Path | None, typer.Option("--policy", help="Policy TOML file.")] = None,
) -> None:
    """Recompute a stored decision from its stored inputs; exit 1 if the answer differs."""
    from microlend.models import load_artifact
    from microlend.service import model_version, replay_decision
    from microlend.store import create_engine_for

    artifact = load_artifact(model)
    engine = create_engine_for(db)
    result = replay_decision(
        engine,
        decision_id,
        artifact.model,
        _policy(policy),
        model_version=model_version(artifact),
    )
    sys.stdout.write(json.dumps({"stored": result.stored, "replayed": result.replayed}) + "\n")
    if not result.same:
        errors.print("[bold red]the replayed decision differs from the stored one[/]")
        raise typer.Exit(1)
    errors.print("same decision", style="green")
