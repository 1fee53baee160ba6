"""The loans table and the decision log in headless Chromium at a laptop's width (1400 px) and
a phone's (390 px): sort by a header, filter with the form, page, export CSV, open a decision
with its stored inputs and its replay; no request leaves the machine.

The pages are served from the e2e book by an app of their own, which can replay (the fitted
model, the default policy) and shows ten rows a page, so the small book has pages to turn.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from e2e_book import Served, log_in, serving
from fastapi import FastAPI
from playwright.sync_api import Browser, Page, Route
from sqlalchemy import text

from microlend.dashboard import DashboardContext, ReplayInputs, dashboard_router
from microlend.policy import default_policy
from microlend.service import RatingFit

WIDTHS = (1400, 390)
ROWS = 10


@pytest.fixture(scope="module")
def tables_url(served: Served, small_fit: RatingFit) -> Iterator[str]:
    """The served book's pages, ten rows a page, replaying with the model that decided."""
    context = DashboardContext(
        engine=served.engine,
        currency=default_policy().currency,
        today=lambda: date(2026, 1, 5),  # the tables read no business date
        replay=ReplayInputs(small_fit.model, default_policy()),
        table_rows=ROWS,
    )
    app = FastAPI()
    app.include_router(dashboard_router(context))
    with serving(app) as url:
        yield url


def _open(browser: Browser, width: int, url: str, key: str) -> tuple[Page, list[str]]:
    """A logged-in page that refuses, and lists, every request not to ``url``."""
    page = browser.new_page(viewport={"width": width, "height": 900}, accept_downloads=True)
    outside: list[str] = []

    def local_only(route: Route) -> None:
        if route.request.url.startswith(url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", local_only)
    log_in(page, url, key)
    return page, outside


def _fits(page: Page, width: int) -> None:
    """The page itself never scrolls sideways (a wide table scrolls in its own box)."""
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def _amounts(page: Page, column: int) -> list[Decimal]:
    cells = page.locator(f"#loans tbody tr.loan td:nth-child({column})")
    return [Decimal(v) for v in cells.evaluate_all("cs => cs.map(c => c.dataset.amount)")]


@pytest.mark.parametrize("width", WIDTHS)
def test_the_loans_table_sorts_filters_pages_and_exports(
    browser: Browser, served: Served, tables_url: str, width: int
) -> None:
    # The book as it stands now: other browser tests on this session's book accept offers.
    with served.engine.connect() as connection:
        loan_ids = [row[0] for row in connection.execute(text("SELECT id FROM loans"))]
    page, outside = _open(browser, width, tables_url, served.officer_key)
    page.goto(f"{tables_url}/dashboard/loans")
    _fits(page, width)
    assert page.locator("tr.loan").count() == min(ROWS, len(loan_ids))
    assert int(page.locator("#count").get_attribute("data-total") or 0) == len(loan_ids)
    # Paged: the next page holds the following loans, none twice.
    first = page.locator("tr.loan").evaluate_all("rs => rs.map(r => r.dataset.loan)")
    page.click("#next")
    page.wait_for_url("**page=2")
    second = page.locator("tr.loan").evaluate_all("rs => rs.map(r => r.dataset.loan)")
    assert second
    assert not set(first) & set(second)
    assert first + second == sorted(loan_ids)[: len(first) + len(second)]
    # Sorted by a header: principal falling after two clicks (rising, then falling).
    page.click('th a[data-sort="principal"]')
    page.wait_for_url("**sort=principal&order=asc")
    page.click('th a[data-sort="principal"]')
    page.wait_for_url("**order=desc")
    falling = _amounts(page, 5)
    assert falling == sorted(falling, reverse=True)
    assert len(falling) == min(ROWS, len(loan_ids))
    # Filtered with the form, keeping the sort.
    page.select_option("#filter-status", "active")
    page.click("#apply")
    page.wait_for_url("**status=active**")
    statuses = page.locator("tr.loan td[data-status]").evaluate_all(
        "cs => cs.map(c => c.dataset.status)"
    )
    assert statuses
    assert set(statuses) == {"active"}
    assert _amounts(page, 5) == sorted(_amounts(page, 5), reverse=True)
    total = int(page.locator("#count").get_attribute("data-total") or 0)
    # The export holds every filtered row, not just this page, money as plain decimals.
    with page.expect_download() as download:
        page.click("#export")
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text("utf-8"))))
    assert len(rows) == total
    assert {row["status"] for row in rows} == {"active"}
    assert all("," not in row["principal"] and Decimal(row["principal"]) > 0 for row in rows)
    principals = [Decimal(row["principal"]) for row in rows]
    assert principals == sorted(principals, reverse=True)
    _fits(page, width)
    assert outside == []
    page.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_decision_log_leads_to_a_decisions_inputs_and_replay(
    browser: Browser, served: Served, tables_url: str, width: int
) -> None:
    page, outside = _open(browser, width, tables_url, served.officer_key)
    page.goto(f"{tables_url}/dashboard/decisions")
    _fits(page, width)
    chart = page.locator('svg[data-chart="decline-reasons"]')
    assert chart.count() == 1
    assert chart.bounding_box()["width"] <= width  # type: ignore[index]
    assert page.locator("tr.decision").count() == ROWS
    # Filtered to the declines: each row says so and gives its reasons in words.
    page.select_option("#filter-outcome", "declined")
    page.click("#apply")
    page.wait_for_url("**outcome=declined**")
    outcomes = page.locator("tr.decision td[data-outcome]").all_text_contents()
    assert outcomes
    assert set(outcomes) == {"declined"}
    reasons = page.locator("tr.decision .reason").all_text_contents()
    assert reasons
    assert all("_" not in reason for reason in reasons)
    ticks = chart.locator("text.tick.y").all_text_contents()
    assert len(set(ticks)) == len(ticks) >= 2
    # From a decision to what it was made from, and to it decided again.
    link = page.locator("tr.decision a").first
    decision_id = link.inner_text()
    link.click()
    page.wait_for_url(f"**/dashboard/decisions/{decision_id}")
    _fits(page, width)
    assert page.locator("#decision-id").inner_text() == decision_id
    assert page.locator("#features tr.feature").count() > 10
    assert page.locator("#reasons li").count() > 0
    assert page.locator("#replay").get_attribute("data-same") in ("yes", "no")
    assert page.locator("#replayed-outcome").inner_text() == page.locator("#outcome").inner_text()
    assert page.locator("#replayed-score").inner_text() == page.locator("#score").inner_text()
    assert outside == []
    page.close()


def test_a_bad_parameter_is_a_page_saying_which(
    browser: Browser, served: Served, tables_url: str
) -> None:
    page, outside = _open(browser, 390, tables_url, served.officer_key)
    response = page.goto(f"{tables_url}/dashboard/loans?sort=colour")
    assert response is not None
    assert response.status == 422
    assert "sort 'colour' is not one of" in page.locator("#message").inner_text()
    assert outside == []
    page.close()
