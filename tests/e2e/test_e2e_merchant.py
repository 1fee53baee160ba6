"""The merchant's page in headless Chromium, at a laptop's width and a phone's: a merchant logs
in, reads why it got its score and what would raise it, compares its offers, accepts one and
finds the loan on its page; nothing needs sideways scrolling at 390 px. Screenshots of every
step are kept in the ``artefacts`` folder (see ``conftest``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from e2e_book import Served, log_in
from playwright.sync_api import Browser, Page, ViewportSize
from sqlalchemy.orm import Session

from microlend.policy import default_policy
from microlend.service import Role, create_api_key
from microlend.store import LoanBookQueries

PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1400, "height": 900}
VIEWPORTS = {"1400": DESKTOP, "390": PHONE}


def _fits(page: Page) -> bool:
    """Whether the page needs no sideways scrolling at its viewport's width."""
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def _shot(page: Page, artefacts: Path, name: str) -> None:
    path = artefacts / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 5_000


@pytest.mark.parametrize("width", list(VIEWPORTS))
def test_a_merchant_reads_why_accepts_an_offer_and_sees_its_loan(
    served: Served, browser: Browser, artefacts: Path, width: str
) -> None:
    # Each width accepts on a merchant of its own: an accepted decision offers nothing more.
    merchant_id, key = served.offers[list(VIEWPORTS).index(width)]
    context = browser.new_context(viewport=VIEWPORTS[width])
    page = context.new_page()
    log_in(page, served.url, key)
    assert page.url == f"{served.url}/merchants/{merchant_id}"
    assert page.locator("#nav a").all_inner_texts() == ["Your page"]
    reasons = page.locator("#reasons li").all_inner_texts()
    assert reasons
    assert "Nothing stood out." not in reasons
    suggestion = page.locator("#improvements li.suggestion").first.inner_text()
    assert "your score would be about" in suggestion
    assert page.locator("#sub-scores .sub-score").count() == 5
    assert page.locator('svg[data-chart="score-history"] circle.point').count() == 2
    assert _fits(page)
    _shot(page, artefacts, f"merchant-offers-{width}")

    offer = page.locator("article.offer").first
    amount = offer.locator("dd.amount").inner_text()
    assert offer.locator("dd.apr").inner_text().endswith("%")
    button = offer.locator("button.accept")
    box = button.bounding_box()
    assert box is not None
    assert box["height"] >= 44  # a thumb's size
    with page.expect_navigation():
        button.click()
    assert f"/merchants/{merchant_id}?accepted=" in page.url
    loan_id = page.url.split("accepted=")[1].split("#")[0]
    assert loan_id in page.locator("#accepted").inner_text()
    loan = page.locator(f"#loan-{loan_id}")
    assert loan.get_attribute("data-status") == "accepted"
    assert amount in loan.locator("h3").inner_text()
    assert page.locator("button.accept").count() == 0  # its offers are used now
    assert _fits(page)
    _shot(page, artefacts, f"merchant-accepted-{width}")
    context.close()


def test_a_merchant_with_a_loan_follows_its_balance_and_payments_on_a_phone(
    served: Served, browser: Browser, artefacts: Path
) -> None:
    loan_id = served.loan_ids[0]  # repaid a little every month
    with Session(served.engine) as session:
        merchant_id = LoanBookQueries(session).loan(loan_id).merchant_id
    key = create_api_key(served.engine, Role.MERCHANT, merchant_id)
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    log_in(page, served.url, key)
    loan = page.locator(f"#loan-{loan_id}")
    currency = default_policy().currency
    assert loan.locator("dd.balance").inner_text().endswith(f" {currency}")
    assert loan.locator("dd.payoff").inner_text().endswith(f" {currency}")
    loan.locator("details.history summary").click()
    moved = loan.locator("tr.movement").all_inner_texts()
    assert "paid out to you" in moved[0]
    assert any("your payment" in line for line in moved[1:])
    assert _fits(page)
    _shot(page, artefacts, "merchant-loan-390")
    context.close()
