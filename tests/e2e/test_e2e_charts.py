"""The overview's charts in headless Chromium at a laptop's width (1400 px) and a phone's
(390 px): nice distinct ticks, bars centred over their labels and reaching their values,
percentages capped at 100 %, and "No data yet" on a book with nothing in it."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from datetime import date

import pytest
from e2e_book import Served, log_in, serving
from fastapi import FastAPI
from playwright.sync_api import Browser, Locator, Page

from microlend.dashboard import DashboardContext, dashboard_router
from microlend.service import Role, create_api_key
from microlend.store import create_engine_for, migrate

WIDTHS = (1400, 390)


@pytest.fixture(scope="module")
def empty_book(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """The dashboard over a book with no decision and no loan: its url and an officer's key."""
    engine = create_engine_for(f"sqlite:///{tmp_path_factory.mktemp('empty') / 'book.db'}")
    migrate(engine)
    key = create_api_key(engine, Role.RISK_OFFICER)
    app = FastAPI()
    app.include_router(dashboard_router(DashboardContext(engine, "USD", lambda: date(2026, 1, 5))))
    with serving(app) as url:
        yield url, key
    engine.dispose()


def _open(browser: Browser, width: int, url: str, key: str) -> Page:
    page = browser.new_page(viewport={"width": width, "height": 900})
    log_in(page, url, key)
    page.goto(f"{url}/dashboard")
    return page


def _centre(item: Locator) -> tuple[float, float]:
    box = item.bounding_box()
    assert box is not None
    return box["x"] + box["width"] / 2, box["y"]


@pytest.mark.parametrize("width", WIDTHS)
def test_the_score_chart_has_nice_ticks_and_bars_on_them(
    browser: Browser, served: Served, width: int
) -> None:
    page = _open(browser, width, served.url, served.officer_key)
    chart = page.locator('svg[data-chart="scores"]')
    assert chart.bounding_box()["width"] <= width  # type: ignore[index]
    ticks = chart.locator("text.tick.y")
    labels = ticks.all_text_contents()
    values = [int(label.replace(",", "")) for label in labels]  # whole counts
    assert len(set(labels)) == len(labels) >= 2
    steps = {b - a for a, b in itertools.pairwise(values)}
    assert len(steps) == 1
    assert re.fullmatch(r"[125]0*", str(steps.pop()))
    bars, names = chart.locator("rect.bar"), chart.locator("text.tick.x")
    assert bars.count() >= names.count() > 0
    for i in range(names.count()):  # each label under its own bar's centre
        label = names.nth(i).text_content() or ""
        bar = chart.locator(f'rect.bar[data-label="{label}"]')
        assert _centre(bar)[0] == pytest.approx(_centre(names.nth(i))[0], abs=1.5)
    top = max(float(bars.nth(i).get_attribute("data-value") or 0) for i in range(bars.count()))
    assert values[-1] >= top > values[-2]  # the highest tick is the first at or above the top
    rates = page.locator('svg[data-chart="approvals"] text.tick.y').all_text_contents()
    assert all(float(rate.rstrip(" %")) <= 100 for rate in rates)
    assert re.fullmatch(
        r"[A-Z][a-z]{2} \d{4}",
        page.locator('svg[data-chart="approvals"] text.tick.x').first.text_content() or "",
    )
    page.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_an_empty_book_says_no_data_yet_on_every_chart(
    browser: Browser, empty_book: tuple[str, str], width: int
) -> None:
    url, key = empty_book
    page = _open(browser, width, url, key)
    charts = page.locator("svg.chart")
    assert charts.count() == 4
    for i in range(charts.count()):
        chart = charts.nth(i)
        assert (chart.locator("text.chart-title").text_content() or "").strip()
        empty = chart.locator("text.empty")
        assert empty.text_content() == "No data yet"
        assert empty.is_visible()
        assert chart.locator("rect.bar, circle.point").count() == 0
    page.close()
