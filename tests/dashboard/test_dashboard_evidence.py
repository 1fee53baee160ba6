"""The overview on a book of one decision, through FastAPI's TestClient: no stability or
calibration verdict without the policy's minimum sample, and charts that say "No data yet"
where there is none."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from decision_support import made_decision
from microlend.dashboard import DashboardContext, dashboard_router
from microlend.policy import MinimumSample
from microlend.service import Role, create_api_key
from microlend.service.portfolio._stability import Population, StabilityBaseline
from microlend.store import (
    LoanBookCommands,
    MerchantRecord,
    create_engine_for,
    in_transaction,
    migrate,
)
from microlend.types import MerchantId

DAY = date(2026, 1, 5)
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def _baseline() -> StabilityBaseline:
    rng = np.random.default_rng(1)
    features = pd.DataFrame({"gmv_90d": rng.normal(5_000, 500, size=2_000)})
    return StabilityBaseline(
        Population("training", rng.normal(650, 60, size=2_000), features), ("gmv_90d",)
    )


def _overview(tmp_path: Path, minimum: MinimumSample) -> str:
    engine = create_engine_for(f"sqlite:///{tmp_path / 'book.db'}")
    migrate(engine)

    def unit(session: Session) -> None:
        commands = LoanBookCommands(session)
        commands.add_merchant(
            MerchantRecord(MerchantId("M1"), "toys", "north", datetime(2025, 1, 1, tzinfo=UTC))
        )
        commands.add_decision(
            made_decision("dec-1", as_of=DAY, score=420, features={"gmv_90d": 90.0})
        )

    in_transaction(engine, unit)
    key = create_api_key(engine, Role.RISK_OFFICER)
    context = DashboardContext(
        engine, "USD", lambda: DAY, baseline=_baseline(), minimum_sample=minimum
    )
    app = FastAPI()
    app.include_router(dashboard_router(context))
    with TestClient(app) as client:
        form = client.get("/login")
        found = _CSRF.search(form.text)
        assert found is not None
        client.post("/login", data={"key": key, "csrf": found[1], "next": "/dashboard"})
        page = client.get("/dashboard")
    engine.dispose()
    assert page.status_code == 200
    return page.text


def test_one_decision_gives_no_verdict_but_not_enough_data(tmp_path: Path) -> None:
    page = _overview(tmp_path, MinimumSample())
    assert '<span class="insufficient" id="verdict">not enough data (1)</span>' in page
    assert 'class="act"' not in page  # nothing red on one decision
    rows = re.findall(
        r"<tr><td>(\w+)</td><td>([^<]*)</td><td class=\"(\w+)\">([^<]*)</td></tr>", page
    )
    assert rows == [
        ("score", "—", "insufficient", "not enough data (1)"),
        ("gmv_90d", "—", "insufficient", "not enough data (1)"),
    ]
    assert "a verdict needs 300 scored rows" in page
    assert 'id="calibration-verdict">not enough data (0)</span>' in page


def test_a_policy_asking_for_less_evidence_gives_the_verdict(tmp_path: Path) -> None:
    page = _overview(tmp_path, MinimumSample(psi_rows=1, calibration_bads=0))
    assert '<span class="act" id="verdict">act</span>' in page
    assert "not enough data" not in page


def _chart(page: str, name: str) -> str:
    found = re.search(rf'<svg class="chart" data-chart="{name}".*?</svg>', page, re.S)
    assert found is not None, name
    return found[0]


def test_charts_of_a_book_without_loans_say_no_data_yet(tmp_path: Path) -> None:
    page = _overview(tmp_path, MinimumSample())
    for name in ("buckets", "calibration"):  # no loan yet: nothing to count or calibrate
        assert ">No data yet</text>" in _chart(page, name), name
    approvals = _chart(page, "approvals")
    assert 'data-points="1"' in approvals
    assert re.findall(r'class="tick x"[^>]*>([^<]*)<', approvals) == ["Jan 2026"]
    assert "No data yet" not in approvals
    scores = _chart(page, "scores")
    assert re.findall(r'class="tick y"[^>]*>([^<]*)<', scores) == ["0", "1"]
    titles = re.findall(r'class="chart-title"[^>]*>([^<]*)<', page)
    assert len(titles) == 4
    assert all(title.strip() and "()" not in title for title in titles)
