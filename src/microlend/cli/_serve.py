"""``microlend serve`` (the decision api and the dashboard) and ``replay``."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from microlend.cli._app import app, edge, errors
from microlend.cli._options import DEFAULT_DB, BookUrl, DataFolder, MappingFile, StoreFile
from microlend.cli._source import records

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from microlend.cli._keyfile import DeliveredKeys
    from microlend.policy import Policy
    from microlend.store import DecisionRecord


def _policy(path: Path | None) -> Policy:
    from microlend.policy import default_policy, load_policy

    return default_policy() if path is None else load_policy(path)


@app.command()
@edge
def serve(
    model: Annotated[Path, typer.Option("--model", help="Model folder (microlend train).")],
    data: DataFolder = None,
    store: StoreFile = None,
    mapping: MappingFile = None,
    db: BookUrl = DEFAULT_DB,
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on (plain HTTP).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    policy: Annotated[Path | None, typer.Option("--policy", help="Policy TOML file.")] = None,
    business_date: Annotated[
        str | None,
        typer.Option(
            "--business-date",
            help="Fix the business date (default: today, UTC, or the data's end when today is "
            "after it).",
        ),
    ] = None,
    threads: Annotated[
        int | None,
        typer.Option("--threads", min=1, help="Threads for the model and book calls (default: 4)."),
    ] = None,
    key_file: Annotated[
        Path | None,
        typer.Option(
            "--key-file",
            help="Where the first start's staff keys go when stdout is not a terminal: a new "
            "file only you can read (default: BOOK-keys.txt beside a SQLite book).",
        ),
    ] = None,
) -> None:
    """Serve the decision api and the dashboard (on 127.0.0.1 unless --host says otherwise).

    The api is under /v1 (OpenAPI at /docs), the risk officer's dashboard at /dashboard and a
    merchant's page at /merchants/ID. When the book holds no key yet it makes a risk officer
    and a servicing key, shown once: printed to a terminal, else written to a new file only you
    can read (--key-file) whose path is printed; more keys with `microlend keys`.

    Without --business-date the business date is today (UTC); when today is after the data's
    end, it is the data's end, said on stderr.
    """
    from microlend.api import ApiSettings
    from microlend.cli._book import migrated_book
    from microlend.cli._served import ServeInputs, print_access, run_server, served_app
    from microlend.dates import parse_date
    from microlend.models import load_artifact
    from microlend.service import (
        baseline_on_records,
        check_feature_catalog,
        lending_currency,
        sync_merchants,
    )

    fixed = None if business_date is None else parse_date(business_date)
    chosen = _policy(policy)
    artifact = load_artifact(model)
    check_feature_catalog(artifact)  # refused before the book is opened or a key is made
    dataset = records(data, store, mapping=mapping)
    lending_currency(dataset, chosen)  # likewise
    engine = migrated_book(db)
    sync_merchants(engine, dataset)
    new_keys = _staff_keys(engine, db, key_file)
    inputs = ServeInputs(
        artifact=artifact,
        dataset=dataset,
        engine=engine,
        policy=chosen,
        today=_business_clock(fixed, dataset.end.date()),
        baseline=baseline_on_records(artifact, dataset),
        settings=ApiSettings() if threads is None else ApiSettings(model_threads=threads),
    )
    api = served_app(inputs)
    print_access(host, port, new_keys)
    run_server(api, host, port)


def _business_clock(fixed: date | None, data_end: date) -> Callable[[], date]:
    """The served business date: ``fixed``, else today (UTC) while the data reach it. Past the
    data's end the records know nothing of today, so decisions are made as of their end."""
    if fixed is not None:
        return lambda: fixed
    today = datetime.now(UTC).date()
    if today > data_end:
        errors.print(
            f"business date {data_end}: the data's end (today, {today}, is after it; "
            "--business-date sets another)",
            highlight=False,
            soft_wrap=True,
        )
        return lambda: data_end
    return lambda: datetime.now(UTC).date()


def _staff_keys(engine: Engine, db: str, key_file: Path | None) -> DeliveredKeys:
    """A risk officer and a servicing key on the book's first start, delivered (printed or
    filed); none later. The file is reserved only when keys will be made."""
    from microlend.cli._keyfile import default_key_file, staff_key_sink
    from microlend.service import ensure_staff_keys, list_api_keys

    first_start = not list_api_keys(engine)
    path = key_file or default_key_file(db, "keys")
    with staff_key_sink(path, numbered=key_file is None, wanted=first_start) as sink:
        return sink.deliver(ensure_staff_keys(engine))


@app.command()
@edge
def replay(
    decision_id: Annotated[str, typer.Argument(help="The stored decision's id.")],
    model: Annotated[Path, typer.Option("--model", help="Model folder.")],
    db: BookUrl = DEFAULT_DB,
    policy: Annotated[Path | None, typer.Option("--policy", help="Policy TOML file.")] = None,
) -> None:
    """Recompute a stored decision from its stored inputs with the model and policy given.

    The policy must be the one the decision was made under (its version and digest). Prints
    both decisions as one JSON object, each with what would raise the score and its notice.
    Exit status 0 when they are the same, 1 when they differ (another model, or a record that no
    longer gives its decision, its suggestions or its notice), 2 on an error (another policy, a
    missing book or decision among them: it never makes a book).
    """
    from microlend.cli._book import existing_book
    from microlend.models import load_artifact
    from microlend.service import improver_of, model_version, replay_decision

    engine = existing_book(db)
    artifact = load_artifact(model)
    result = replay_decision(
        engine,
        decision_id,
        artifact.model,
        _policy(policy),
        improver=improver_of(artifact),
        model_version=model_version(artifact),
    )
    body = {"stored": _body(result.stored_record), "replayed": _body(result.replayed_record)}
    sys.stdout.write(json.dumps(body) + "\n")
    if not result.same:
        errors.print("[bold red]the replayed decision differs from the stored one[/]")
        raise typer.Exit(1)
    errors.print("same decision", style="green")


def _body(record: DecisionRecord) -> dict[str, Any]:
    """A decision's body, with what would raise the score and its notice (``null``: none)."""
    notice = None if record.notice is None else record.notice.to_dict()
    improvements = record.rating.to_dict()["improvements"]
    return record.decision.to_dict() | {"improvements": improvements, "notice": notice}
