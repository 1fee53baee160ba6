"""What every page shares: the context the pages read, and the templates they render."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy import Engine

from microlend.dashboard._labels import feature_label, reason_label
from microlend.money import format_money
from microlend.monitoring import verdict_label
from microlend.policy import MinimumSample, Policy, percent
from microlend.scoring import Improver, RiskModel, ScoreScale
from microlend.service import StabilityBaseline

__all__ = ["DashboardContext", "ReplayInputs", "render"]

_ENV = Environment(
    loader=PackageLoader("microlend.dashboard", "templates"),
    autoescape=select_autoescape(["html"]),
)
#: ``{{ amount | money(currency) }}``: every amount a page shows, with its currency's places,
#: thousands separated and the code after (``code=False`` in a table that names the currency).
_ENV.filters["money"] = format_money
#: ``{{ rate | percent }}``: a rate as the disclosures word it (``0.0825`` is ``8.25 %``), so a
#: card never shows it rounded one way and its title another.
_ENV.filters["percent"] = percent
#: ``{{ s.verdict | verdict(s.n) }}``: a monitoring verdict, or "not enough data (n)".
_ENV.filters["verdict"] = verdict_label
#: ``{{ name | feature_label }}``, ``{{ code | reason_label }}``: the catalog's words for a
#: feature, a rule's for a decline reason, never the code's names.
_ENV.filters["feature_label"] = feature_label
_ENV.filters["reason_label"] = reason_label


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class ReplayInputs:
    """What a decision is replayed with on its page (``decisions.replay_decision``): the served
    model, named ``model_version`` (``None``: each decision's own), the improver saved with it,
    and the policy decisions are served under (one made under another is refused)."""

    model: RiskModel
    policy: Policy
    improver: Improver | None = None
    model_version: str | None = None


@dataclass(frozen=True)
class DashboardContext:
    """What the pages read: the book, its currency, today's business date (a function, so
    the clock stays at the edge), and optionally the model's training baseline for PSI, with
    the policy's ``minimum_sample`` of a verdict.

    Login sessions are signed with ``session_secret`` (random per process unless given: a
    restart logs everyone out) and last ``session_lifetime``; ``now`` is the wall clock they
    are checked against (a function, so tests move time without sleeping). ``replay``: the
    model and policy a decision's page replays it with (none: the page says replay is not
    available on this server). ``table_rows``: the rows a page of a table shows."""

    engine: Engine
    currency: str
    today: Callable[[], date]
    baseline: StabilityBaseline | None = None
    minimum_sample: MinimumSample = field(default_factory=MinimumSample)
    scale: ScoreScale = field(default_factory=ScoreScale)
    session_secret: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False)
    session_lifetime: timedelta = timedelta(hours=8)
    now: Callable[[], datetime] = _utc_now
    replay: ReplayInputs | None = None
    table_rows: int = 50


def render(template: str, status_code: int = 200, **values: Any) -> HTMLResponse:
    """``template`` rendered with ``values``, answered with ``status_code``."""
    return HTMLResponse(_ENV.get_template(template).render(**values), status_code=status_code)
