"""The api console (``/docs``) in Chromium with the network cut off: every request the page makes
must go to the server itself, and the console must still list the api's operations."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from e2e_book import serving
from playwright.sync_api import Browser, Route

from microlend.api import ApiContext, ApiSettings, create_app
from microlend.data import Dataset
from microlend.policy import default_policy
from microlend.service import RatingFit
from microlend.store import create_engine_for, migrate


@pytest.fixture(scope="module")
def api_url(
    small_market: Dataset, small_fit: RatingFit, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The decision api alone, served by uvicorn in a thread on an empty SQLite book."""
    engine = create_engine_for(f"sqlite:///{tmp_path_factory.mktemp('console') / 'book.db'}")
    migrate(engine)
    today: date = small_market.end.date()
    context = ApiContext(
        model=small_fit.model,
        model_version="console-test",
        policy=default_policy(),
        data=small_market,
        engine=engine,
        today=lambda: today,
        improver=None,
        settings=ApiSettings(freeze_heap=False),
    )
    with serving(create_app(context)) as url:
        yield url
    engine.dispose()


@pytest.mark.parametrize("width", [1400, 390])
def test_console_works_offline(browser: Browser, api_url: str, width: int, artefacts: Path) -> None:
    page = browser.new_page(viewport={"width": width, "height": 900})
    outside: list[str] = []

    def local_only(route: Route) -> None:
        if route.request.url.startswith(api_url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", local_only)
    page.goto(f"{api_url}/docs")
    # Swagger UI draws one block per operation once it has read /openapi.json.
    page.wait_for_selector(".opblock", timeout=20_000)
    page.screenshot(path=str(artefacts / f"console-{width}.png"), full_page=False)
    operations = page.locator(".opblock-summary-path").all_inner_texts()
    page.close()
    assert outside == [], f"the console asked for {outside}"
    assert any(path.endswith("/v1/applications") for path in operations), operations
    assert len(operations) >= 5
