"""``microlend serve`` (the decision api and the dashboard), ``keys`` and ``replay``."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
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
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on (the pages take no key).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    policy: Annotated[Path | None, typer.Option("--policy", help="Policy TOML file.")] = None,
    business_date: Annotated[
        str | None,
        typer.Option("--business-date", help="Fix the business date (default: today, UTC)."),
    ] = None,
    threads: Annotated[
        int | None,
        typer.Option("--threads", min=1, help="Threads for the model and book calls (default: 4)."),
    ] = None,
) -> None:
    """Serve the decision api and the dashboard (on 127.0.0.1 unless --host says otherwise).

    The api is under /v1 (OpenAPI at /docs), the risk officer's dashboard at /dashboard and a
    merchant's page at /merchants/ID. When the book holds no key yet it prints a risk officer
    and a servicing key, once; more keys with `microlend keys`.
    """
    from microlend.api import ApiSettings
    from microlend.cli._served import ServeInputs, print_access, run_server, served_app
    from microlend.data import load_dataset
    from microlend.dates import parse_date
    from microlend.models import load_artifact
    from microlend.service import baseline_on_records, ensure_staff_keys, sync_merchants
    from microlend.store import create_engine_for, migrate

    fixed = None if business_date is None else parse_date(business_date)
    today = (lambda: fixed) if fixed is not None else (lambda: datetime.now(UTC).date())
    chosen = _policy(policy)
    artifact = load_artifact(model)
    engine = create_engine_for(db)
    migrate(engine)
    dataset = load_dataset(data)
    sync_merchants(engine, dataset)
    new_keys = ensure_staff_keys(engine)
    inputs = ServeInputs(
        artifact=artifact,
        dataset=dataset,
        engine=engine,
        policy=chosen,
        today=today,
        baseline=baseline_on_records(artifact, dataset),
        settings=ApiSettings() if threads is None else ApiSettings(model_threads=threads),
    )
    api = served_app(inputs)
    print_access(host, port, new_keys)
    run_server(api, host, port)


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
