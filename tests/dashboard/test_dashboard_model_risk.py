"""The model-risk page through FastAPI's TestClient, on a book of decisions made by the default
policy: the trade-off's figures at the policy's cut-off equal the book's own approvals, the
cut-off is marked, drift is shown per variable with catalog labels and the minimum sample, and
an empty book says so instead of drawing blank charts."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from microlend.dashboard import DashboardContext, dashboard_router
from microlend.features import Dimension
from microlend.money import Money
from microlend.policy import CreditRequest, Exposure, MinimumSample, decide, default_policy
from microlend.scoring import Rating, ScoreScale
from microlend.service import Role, create_api_key, cutoff_tradeoff
from microlend.service.portfolio._stability import Population, StabilityBaseline
from microlend.store import (
    DecisionInputs,
    DecisionRecord,
    LoanBookCommands,
    MerchantRecord,
    create_engine_for,
    in_transaction,
    migrate,
)
from microlend.types import MerchantId

DAY = date(2026, 1, 5)
POLICY = default_policy()
SCALE = ScoreScale()
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')
GOOD = {
    "tenure_days": 400.0,
    "days_since_last_sale": 1.0,
    "gmv_90d": 30_000.0,
    "gmv_growth_90d": 0.1,
    "settlement_net_90d": 27_000.0,
    "prior_defaults": 0.0,
}


def _record(index: int, pd_: float, as_of: date, gmv: float) -> DecisionRecord:
    score = int(SCALE.points(pd_))
    rating = Rating(
        f"M{index}", pd_, score, SCALE.band(score), dict.fromkeys(Dimension, score), (), ()
    )
    features: dict[str, float | None] = GOOD | {"gmv_90d": gmv}
    decision = decide(
        CreditRequest(f"app-{index}", f"M{index}"),
        rating,
        features,
        POLICY,
        exposure=Exposure(Money(Decimal(0), "USD")),
        as_of=as_of,
        model_version="test",
    )
    return DecisionRecord(
        f"dec-{index}", None, decision, rating, DecisionInputs.of(decision), features
    )


def _book(tmp_path: Path, records: list[DecisionRecord]) -> Engine:
    engine = create_engine_for(f"sqlite:///{tmp_path / 'book.db'}")
    migrate(engine)

    def unit(session: Session) -> None:
        commands = LoanBookCommands(session)
        for record in records:
            merchant = MerchantId(record.decision.merchant_id)
            joined = datetime(2024, 1, 1, tzinfo=UTC)
            commands.add_merchant(MerchantRecord(merchant, "toys", "north", joined))
            commands.add_decision(record)

    in_transaction(engine, unit)
    return engine


def _decisions() -> list[DecisionRecord]:
    """Forty decisions of PDs from 0.5 % to 40 % over Nov 2025 to Jan 2026, and five from
    half a year earlier (outside the trade-off's 90 days)."""
    pds = np.linspace(0.005, 0.4, 45)
    days = [DAY - timedelta(days=int(d)) for d in np.linspace(0, 60, 40)]
    days += [DAY - timedelta(days=200)] * 5
    return [
        _record(i, float(p), day, 30_000.0 + 1_000 * i)
        for i, (p, day) in enumerate(zip(pds, days, strict=True))
    ]


def _baseline() -> StabilityBaseline:
    rng = np.random.default_rng(1)
    features = pd.DataFrame({"gmv_90d": rng.normal(30_000, 5_000, size=2_000)})
    return StabilityBaseline(
        Population("training", rng.normal(650, 60, size=2_000), features), ("gmv_90d",)
    )


def _page(engine: Engine, context: DashboardContext, path: str = "/dashboard/model-risk") -> str:
    key = create_api_key(engine, Role.RISK_OFFICER)
    app = FastAPI()
    app.include_router(dashboard_router(context))
    with TestClient(app) as client:
        form = client.get("/login")
        found = _CSRF.search(form.text)
        assert found is not None
        client.post("/login", data={"key": key, "csrf": found[1], "next": "/dashboard"})
        page = client.get(path)
    assert page.status_code == 200, page.text
    return page.text


@pytest.fixture
def book(tmp_path: Path) -> Iterator[tuple[Engine, list[DecisionRecord]]]:
    records = _decisions()
    engine = _book(tmp_path, records)
    yield engine, records
    engine.dispose()


def _chart(page: str, name: str) -> str:
    found = re.search(rf'<svg class="chart" data-chart="{name}".*?</svg>', page, re.S)
    assert found is not None, name
    return found[0]


def test_the_figures_at_the_cut_off_are_the_book_s_own_approvals(
    book: tuple[Engine, list[DecisionRecord]],
) -> None:
    engine, records = book
    found = cutoff_tradeoff(engine, POLICY, DAY)
    recent = [r for r in records if r.decision.as_of > DAY - timedelta(days=90)]
    assert found.applications == len(recent) == 40
    at = found.at(POLICY.min_score)
    approved = [r for r in recent if r.decision.approved]
    assert 0 < at.approved == len(approved) < len(recent)
    assert at.principal == sum(r.decision.offers[0].amount.amount for r in approved)
    assert at.expected_loss > 0
    assert at.expected_profit > 0
    # lowering the cut-off below the lowest band served changes nothing: the bands lend nothing
    assert found.at(350).approved == at.approved


def test_the_page_marks_the_cut_off_and_labels_drift(
    book: tuple[Engine, list[DecisionRecord]],
) -> None:
    engine, _ = book
    context = DashboardContext(
        engine,
        "USD",
        lambda: DAY,
        baseline=_baseline(),
        minimum_sample=MinimumSample(psi_rows=10),
    )
    page = _page(engine, context)
    assert '<b id="current-cutoff">550</b>' in page
    assert '<b id="applications">40</b>' in page
    for name in ("cutoff-rates", "cutoff-money"):
        chart = _chart(page, name)
        assert '<line class="marker" data-x="550"' in chart
        assert ">current cut-off 550</text>" in chart
        ticks = re.findall(r'class="tick x"[^>]*>([^<]*)<', chart)
        assert ticks == ["400", "500", "600", "700", "800", "900"]
    assert 'data-series="expected default rate"' in _chart(page, "cutoff-rates")
    assert re.search(r'<tr class="current" data-cutoff="550"><td>550 \(current\)', page)
    # drift: catalog labels, not raw names; every variable with both distributions
    assert "gmv_90d" not in re.sub(r'data-[a-z-]+="[^"]*"', "", page)
    assert ">Sales over the last 90 days</a>" in page
    assert page.count('data-chart="distribution"') == 2
    assert page.count('data-chart="psi-months"') == 2
    months = _chart(page, "psi-months")
    # Jul 2025 (5 decisions) and Jan 2026 (4) are under the minimum of 10: left off the chart
    assert re.findall(r'class="tick x"[^>]*>([^<]*)<', months) == ["Nov 2025", "Dec 2025"]
    assert 'data-points="6"' in months  # PSI of 2 months, and 2 thresholds at both ends
    assert len(re.findall(r'<circle class="point" data-series="PSI"', months)) == 2


def test_a_month_under_the_minimum_sample_gets_no_verdict(
    book: tuple[Engine, list[DecisionRecord]],
) -> None:
    engine, _ = book
    context = DashboardContext(engine, "USD", lambda: DAY, baseline=_baseline())
    page = _page(engine, context)  # the default minimum: 300 decisions
    assert "not enough data (45)" in page
    assert ">No month with 300 decisions yet</text>" in _chart(page, "psi-months")
    assert 'class="act"' not in page


def test_an_empty_book_says_so(tmp_path: Path) -> None:
    engine = _book(tmp_path, [])
    page = _page(engine, DashboardContext(engine, "USD", lambda: DAY, baseline=_baseline()))
    for name in ("cutoff-rates", "cutoff-money"):
        assert ">No applications in the window yet</text>" in _chart(page, name)
    assert 'id="no-applications"' in page
    assert 'id="no-decisions"' in page
    engine.dispose()


def test_without_a_baseline_drift_is_not_measured(
    book: tuple[Engine, list[DecisionRecord]],
) -> None:
    engine, _ = book
    page = _page(
        engine, DashboardContext(engine, "USD", lambda: DAY), "/dashboard/model-risk?days=30"
    )
    assert 'id="no-baseline"' in page
    assert "in the last 30 days" in page
