"""The performance page's estimate before loans mature: an empty book shows the empty state
through the served page; a book with a young and a matured vintage shows both rows, the gaps,
the verdicts and how far past estimates were from what happened."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from microlend.dashboard import DashboardContext, dashboard_router
from microlend.dashboard._context import _ENV
from microlend.monitoring import estimated_performance
from microlend.service import Role, create_api_key
from microlend.store import (
    LoanBookCommands,
    MerchantRecord,
    create_engine_for,
    in_transaction,
    migrate,
)
from microlend.types import MerchantId

_CSRF = re.compile(r'name="csrf" value="([^"]+)"')
YEAR = timedelta(days=365)


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    engine = create_engine_for(f"sqlite:///{tmp_path / 'book.db'}")
    migrate(engine)
    merchant = MerchantRecord(MerchantId("M1"), "toys", "north", datetime(2025, 1, 1, tzinfo=UTC))
    in_transaction(engine, lambda session: LoanBookCommands(session).add_merchant(merchant))
    key = create_api_key(engine, Role.RISK_OFFICER)
    app = FastAPI()
    app.include_router(dashboard_router(DashboardContext(engine, "USD", lambda: date(2026, 1, 5))))
    with TestClient(app, follow_redirects=False) as opened:
        form = opened.get("/login")
        token = _CSRF.search(form.text)
        assert token is not None
        logged = opened.post("/login", data={"key": key, "csrf": token[1], "next": ""})
        assert logged.status_code == 303
        yield opened
    engine.dispose()


def test_an_empty_book_shows_the_empty_state_on_the_performance_page(client: TestClient) -> None:
    page = client.get("/dashboard/performance")
    assert page.status_code == 200
    assert "Performance estimated before loans mature" in page.text
    assert 'id="estimated-empty"' in page.text
    assert 'id="estimated"' not in page.text


def _vintage(month: date, n: int, pd_value: float, bads: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    p = np.clip(rng.normal(pd_value, pd_value / 3, n), 0.001, 0.9)
    disbursed = [month + timedelta(days=int(d)) for d in rng.integers(0, 28, n)]
    worst = set(np.argsort(-p)[:bads].tolist())
    defaulted = [d + timedelta(days=90) if i in worst else None for i, d in enumerate(disbursed)]
    return pd.DataFrame({"disbursed_on": disbursed, "pd": p, "defaulted_on": defaulted})


def test_a_young_and_a_matured_vintage_show_estimates_gaps_and_verdicts() -> None:
    loans = pd.concat(
        [
            _vintage(date(2024, 1, 1), 500, 0.06, 30, seed=1),
            _vintage(date(2025, 2, 1), 300, 0.08, 0, seed=2),
        ],
        ignore_index=True,
    )
    found = estimated_performance(loans, date(2025, 3, 31), horizon=YEAR, min_bads=30)
    html = _ENV.get_template("_estimated.html").render(estimated=found)
    old, young = found.vintages.iloc[0], found.vintages.iloc[1]
    assert 'data-vintage="2024-01"' in html
    assert 'data-vintage="2025-02"' in html
    assert "young (0 defaults so far)" in html
    assert f"{100 * old['realised_default_rate']:.1f}%" in html
    assert f"{100 * young['estimated_default_rate']:.1f}%" in html
    summary = re.search(r'<p id="estimated-summary">(.*?)</p>', html, re.S)
    assert summary is not None
    assert "over 1 matured vintage:" in summary[1]
    assert f"mean absolute error {100 * found.mae_default_rate:.2f} points" in summary[1]
    assert found.verdict.value in html


def test_a_matured_vintage_below_the_minimum_of_defaults_shows_not_enough_data() -> None:
    loans = _vintage(date(2024, 1, 1), 100, 0.05, 4, seed=3)
    found = estimated_performance(loans, date(2025, 3, 31), horizon=YEAR, min_bads=30)
    html = _ENV.get_template("_estimated.html").render(estimated=found)
    assert "not enough data (4)" in html
