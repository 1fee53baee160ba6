"""The served app of ``microlend serve`` and ``microlend demo --serve``: the decision api and the
dashboard on one loan book, one policy and one business-date clock.

The api and the dashboard are sibling layers that do not import each other, so they are
composed here, at the edge; the commands only load their inputs and hand them over.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd
import uvicorn
from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from sqlalchemy import Engine

from microlend.api import ApiContext, ApiSettings, create_app
from microlend.cli._app import console, errors
from microlend.cli._keyfile import DeliveredKeys
from microlend.dashboard import DashboardContext, ReplayInputs, dashboard_router
from microlend.data import Dataset
from microlend.models import ModelArtifact, load_artifact
from microlend.policy import Decision, Policy, default_policy
from microlend.service import (
    DemoBook,
    FeatureSnapshot,
    Role,
    StabilityBaseline,
    improver_of,
    lending_currency,
    model_version,
    open_demo_book,
    take_snapshot,
    underwrite,
)

__all__ = ["ServeInputs", "ServedDemo", "demo_app", "print_access", "run_server", "served_app"]

_LOOPBACK = ("127.0.0.1", "localhost", "::1")


@dataclass(frozen=True)
class ServeInputs:
    """What the served app runs on. ``baseline`` (the model's training population) gives the
    dashboard its PSI; ``snapshot`` (features as of today) saves the start-up's own."""

    artifact: ModelArtifact
    dataset: Dataset
    engine: Engine
    policy: Policy
    today: Callable[[], date]
    baseline: StabilityBaseline | None = None
    snapshot: FeatureSnapshot | None = None
    settings: ApiSettings = field(default_factory=ApiSettings)


def served_app(inputs: ServeInputs) -> FastAPI:
    """The api (``/v1``, ``/health``, ``/docs``) with the dashboard's pages on the same book."""
    context = ApiContext(
        model=inputs.artifact.model,
        model_version=model_version(inputs.artifact),
        improver=improver_of(inputs.artifact),
        policy=inputs.policy,
        data=inputs.dataset,
        engine=inputs.engine,
        today=inputs.today,
        settings=inputs.settings,
        snapshot=inputs.snapshot,
    )
    app = create_app(context)
    pages = DashboardContext(
        engine=inputs.engine,
        currency=inputs.policy.currency,
        today=inputs.today,
        baseline=inputs.baseline,
        minimum_sample=inputs.policy.minimum_sample,
        replay=ReplayInputs(context.model, context.policy, context.improver),
    )
    app.include_router(dashboard_router(pages))
    app.add_api_route("/", _to_dashboard, include_in_schema=False)
    return app


async def _to_dashboard() -> RedirectResponse:
    """``/`` is where a person lands: the dashboard (its login form when not logged in)."""
    return RedirectResponse("/dashboard", status_code=303)


@dataclass(frozen=True)
class ServedDemo:
    """The demo's served app, the book it serves (with the keys made for it) and the example
    merchant's first decision."""

    app: FastAPI
    book: DemoBook
    first_decision: Decision


def demo_app(
    out: Path,
    dataset: Dataset,
    model_dir: Path,
    *,
    merchant_id: str,
    baseline: StabilityBaseline | None,
    population: pd.DataFrame | None = None,
) -> ServedDemo:
    """The demo's outputs served: a fresh book under ``out`` (three keys: risk officer,
    servicing, ``merchant_id``; one decision for ``merchant_id``), the default policy, the
    data's end as the business date. ``population`` is every merchant's features as of that
    date when the caller has them (else they are built here)."""
    policy = default_policy()
    currency = lending_currency(dataset, policy)
    book = open_demo_book(out, dataset, merchant_id=merchant_id, currency=currency)
    artifact = load_artifact(model_dir)
    business_date = book.business_date
    snapshot = take_snapshot(
        artifact.model,
        dataset,
        business_date,
        improver=improver_of(artifact),
        rows=population,
        currency=currency,
    )
    # The merchant's page shows its latest decision: the example merchant gets one now.
    first = underwrite(
        book.engine,
        snapshot,
        policy,
        merchant_id=merchant_id,
        model_version=model_version(artifact),
    )
    inputs = ServeInputs(
        artifact=artifact,
        dataset=dataset,
        engine=book.engine,
        policy=policy,
        today=lambda: business_date,
        baseline=baseline,
        snapshot=snapshot,
    )
    return ServedDemo(served_app(inputs), book, first)


def print_access(host: str, port: int, keys: DeliveredKeys, merchant_id: str | None = None) -> None:
    """Where the app answers and how to log in: each new key is shown this one time, printed
    or (staff keys, when stdout is not a terminal) named by the file that holds it."""
    base = _base_url(host, port)
    _line(f"dashboard (risk officer): {base}/dashboard")
    if merchant_id is not None:
        _line(f"merchant page:            {base}/merchants/{merchant_id}")
    _line(f"api docs (OpenAPI):       {base}/docs")
    for role, key in keys.shown.items():
        owner = f" of merchant {merchant_id}" if role is Role.MERCHANT else ""
        _line(f"new {role.value} key{owner} (shown once): {key}")
    if keys.path is not None:
        roles = ", ".join(role.value for role in keys.filed)
        _line(f"new {roles} keys written to a file only you can read: {keys.path}")
    if keys.shown or keys.path is not None:
        _print_curl(base, keys, merchant_id)
    if host not in _LOOPBACK:
        errors.print(
            f"warning: serving on {host} over plain HTTP: API keys and login sessions cross the "
            "network unencrypted; put a TLS proxy in front",
            highlight=False,
        )


def _print_curl(base: str, keys: DeliveredKeys, merchant_id: str | None) -> None:
    shown = keys.shown
    example = shown.get(Role.MERCHANT) or next(iter(shown.values()), "KEY")
    body = f'{{"merchant_id": "{merchant_id}"}}' if merchant_id else '{"merchant_id": "ID"}'
    where = f" (KEY: one from {keys.path})" if example == "KEY" else ""
    _line(f"the api wants a key in the X-API-Key header (in /docs: Authorize), e.g.{where}")
    _line(
        f"  curl -H 'X-API-Key: {example}' -H 'Content-Type: application/json' "
        f"-d '{body}' {base}/v1/applications"
    )


def _base_url(host: str, port: int) -> str:
    """The URL to open: a wildcard address is reached on loopback; IPv6 goes in brackets."""
    shown = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "[::1]"}.get(host, host)
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    return f"http://{shown}:{port}"


def _line(text: str) -> None:
    # Never wrapped: a key or a URL broken over two lines cannot be copied.
    console.print(text, highlight=False, soft_wrap=True, markup=False)


def run_server(app: FastAPI, host: str, port: int) -> None:
    """Serve ``app`` with uvicorn until interrupted (Ctrl+C)."""
    _line("serving; stop with Ctrl+C")
    uvicorn.run(app, host=host, port=port, log_level="warning")
