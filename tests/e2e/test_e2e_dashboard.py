"""The dashboard and the merchant page in headless Chromium (Debian's, driven by Playwright),
logged in as a risk officer."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from e2e_book import Served, log_in
from playwright.sync_api import Browser, Page

from microlend.monitoring import BUCKET_ORDER


@pytest.fixture
def page(browser: Browser, served: Served) -> Iterator[Page]:
    opened = browser.new_page(viewport={"width": 1366, "height": 900})
    log_in(opened, served.url, served.officer_key)
    yield opened
    opened.close()


def _points(page: Page, chart: str) -> int:
    svg = page.locator(f'svg[data-chart="{chart}"]')
    assert svg.count() == 1, f"chart {chart} missing"
    declared = int(svg.get_attribute("data-points") or 0)
    marks = svg.locator("circle.point, rect.bar").count()
    assert marks == declared
    return declared


def test_the_overview_draws_its_charts_with_data(
    served: Served, page: Page, tmp_path: Path
) -> None:
    page.goto(f"{served.url}/dashboard")
    assert page.title() == "Portfolio overview"
    for chart in ("buckets", "approvals", "scores", "calibration"):
        assert _points(page, chart) > 0, chart
    bars = page.locator('svg[data-chart="scores"] rect.bar')
    assert sum(float(bars.nth(i).get_attribute("data-value") or 0) for i in range(bars.count())) > 0
    assert page.locator("#psi tr").count() > 2  # header, the score, features
    # The small book holds fewer decisions than the policy's minimum sample: no verdict.
    assert re.fullmatch(r"not enough data \(\d+\)", page.locator("#verdict").inner_text())
    page.screenshot(path=str(tmp_path / "overview.png"), full_page=True)
    assert (tmp_path / "overview.png").stat().st_size > 10_000


def test_vintages_and_roll_rates_are_shown(served: Served, page: Page) -> None:
    page.goto(f"{served.url}/dashboard/performance")
    assert _points(page, "vintages") > 0
    assert page.locator('svg[data-chart="vintages"] polyline.series').count() > 1
    shares = page.locator("#roll-rates td[data-share]")
    cells = len(BUCKET_ORDER) ** 2  # from every bucket to every bucket
    assert shares.count() == cells
    assert any(float(shares.nth(i).get_attribute("data-share") or 0) > 0 for i in range(cells))


def test_a_loan_is_followed_from_the_list_to_its_page(served: Served, page: Page) -> None:
    page.goto(f"{served.url}/dashboard/loans")
    rows = page.locator("tr.loan")
    assert rows.count() == len(served.loan_ids)
    link = rows.first.locator("a").first
    loan_id = link.inner_text()
    link.click()
    page.wait_for_url(f"**/dashboard/loans/{loan_id}")
    assert page.locator("#loan-id").inner_text() == loan_id
    assert page.locator("tr.instalment").count() > 0
    assert page.locator("tr.posting").count() >= 2  # at least the disbursement's two lines


def test_a_risk_officer_opens_a_merchants_page_from_its_loan(served: Served, page: Page) -> None:
    page.goto(f"{served.url}/dashboard/loans")
    merchant = page.locator("tr.loan").first.locator("a").nth(1)
    merchant.click()
    score = int(page.locator("#score").inner_text())
    assert 350 <= score <= 950
    assert page.locator("#sub-scores .sub-score").count() == 5  # the five dimensions
    assert page.locator("#reasons li").count() > 0
    offers = page.locator("article.offer")
    assert offers.count() > 0
    assert offers.first.locator("dd.apr").inner_text().endswith(" %")
    assert offers.first.locator("dd.cost").inner_text() != ""
    assert page.locator("button.accept").count() == 0  # a risk officer never accepts
    assert page.locator("#nav a").all_inner_texts() == ["Back to the dashboard"]


def test_an_unknown_loan_is_not_found(served: Served, page: Page) -> None:
    response = page.goto(f"{served.url}/dashboard/loans/nope")
    assert response is not None
    assert response.status == 404
