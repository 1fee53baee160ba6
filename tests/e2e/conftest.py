"""The dashboard served on 127.0.0.1 by uvicorn in a thread, over the small book of e2e_book,
with a risk officer's and a merchant's key to log in with."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from e2e_book import Served, fill_book, serving
from fastapi import FastAPI
from playwright.sync_api import Browser, sync_playwright

from microlend.dashboard import DashboardContext, dashboard_router
from microlend.data import Dataset
from microlend.policy import default_policy
from microlend.service import RatingFit, Role, create_api_key

#: Debian's Chromium (``make test`` installs it with apt), or the one ``MICROLEND_CHROMIUM`` names.
CHROMIUM = Path(os.environ.get("MICROLEND_CHROMIUM", "/usr/bin/chromium"))
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def artefacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the browser tests keep their screenshots: ``$MICROLEND_E2E_ARTEFACTS`` when set
    (a CI job's upload folder), else ``e2e-artefacts`` under pytest's base temporary folder
    (``--basetemp``, or ``/tmp/pytest-of-$USER/pytest-N``; pytest keeps the last three)."""
    configured = os.environ.get("MICROLEND_E2E_ARTEFACTS")
    folder = Path(configured) if configured else tmp_path_factory.getbasetemp() / "e2e-artefacts"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: run `make test` (installs Debian's chromium) or point "
            "MICROLEND_CHROMIUM at a Chromium"
        )
    with sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        except Exception as error:
            pytest.fail(f"Chromium at {CHROMIUM} cannot start: {error}", pytrace=False)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def served(
    small_market: Dataset, small_fit: RatingFit, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    """The dashboard router in a bare FastAPI app, served by uvicorn in a thread."""
    book = tmp_path_factory.mktemp("e2e")
    filled = fill_book(small_market, small_fit, book)
    engine, today = filled.engine, filled.today
    context = DashboardContext(
        engine=engine,
        currency=default_policy().currency,
        today=lambda: today,
        baseline=filled.baseline,
    )
    app = FastAPI()
    app.include_router(dashboard_router(context))
    officer = create_api_key(engine, Role.RISK_OFFICER)
    merchants = filled.merchant_ids
    merchant = create_api_key(engine, Role.MERCHANT, merchants[0])
    offers = tuple((m, create_api_key(engine, Role.MERCHANT, m)) for m in filled.open_offers)
    with serving(app) as url:
        yield Served(
            url, engine, tuple(filled.loan_ids), tuple(merchants), officer, merchant, offers
        )
    engine.dispose()
