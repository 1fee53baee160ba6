"""Logging in to the pages in headless Chromium: roles, a wrong key, logout, a revoked key, the
session cookie as the browser keeps it, and the pages at a phone's width."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from e2e_book import Served, log_in
from playwright.sync_api import Browser, Page, ViewportSize

from microlend.service import Role, create_api_key, revoke_api_key

PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1400, "height": 900}


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser context (no cookies) at desktop width."""
    context = browser.new_context(viewport=DESKTOP)
    yield context.new_page()
    context.close()


def _cookies(page: Page) -> dict[str, dict[str, object]]:
    return {str(c.get("name")): dict(c) for c in page.context.cookies()}


def _fits(page: Page) -> bool:
    """Whether the page needs no sideways scrolling at its viewport's width."""
    width = page.evaluate("document.documentElement.scrollWidth")
    return bool(width <= page.viewport_size["width"]) if page.viewport_size else False


def test_a_risk_officer_is_sent_to_log_in_and_back_to_the_dashboard(
    served: Served, page: Page
) -> None:
    page.goto(f"{served.url}/dashboard/performance")
    assert page.url == f"{served.url}/login?next=%2Fdashboard%2Fperformance"
    page.fill("#key", served.officer_key)
    with page.expect_navigation():
        page.click("#log-in")
    assert page.url == f"{served.url}/dashboard/performance"
    page.click("nav >> text=Overview")
    assert page.title() == "Portfolio overview"


def test_the_session_cookie_is_http_only_strict_and_holds_no_secret(
    served: Served, page: Page
) -> None:
    page.goto(f"{served.url}/login")
    login = _cookies(page)["microlend_login"]
    assert (login["httpOnly"], login["sameSite"]) == (True, "Strict")
    log_in(page, served.url, served.officer_key)
    session = _cookies(page)["microlend_session"]
    assert (session["httpOnly"], session["sameSite"], session["path"]) == (True, "Strict", "/")
    lifetime = float(str(session["expires"])) - datetime.now(UTC).timestamp()
    assert 7.9 * 3600 < lifetime <= 8 * 3600  # a persistent cookie, for the session's lifetime
    assert served.officer_key.split("_", 2)[2] not in str(session["value"])
    assert "microlend_login" not in _cookies(page)
    assert page.evaluate("document.cookie") == ""  # no script reads either


def test_a_merchant_sees_its_own_page_only(served: Served, page: Page) -> None:
    own, other = served.merchant_ids[0], served.merchant_ids[1]
    log_in(page, served.url, served.merchant_key)
    assert page.url == f"{served.url}/merchants/{own}"
    assert 350 <= int(page.locator("#score").inner_text()) <= 950
    assert page.locator("#nav a").all_inner_texts() == ["Your page"]
    theirs = page.goto(f"{served.url}/merchants/{other}")
    assert theirs is not None
    assert theirs.status == 404
    dashboard = page.goto(f"{served.url}/dashboard")
    assert dashboard is not None
    assert dashboard.status == 403
    assert page.locator("#logout").is_visible()


def test_a_wrong_key_shows_the_form_again_without_a_cookie(served: Served, page: Page) -> None:
    page.goto(f"{served.url}/login")
    page.fill("#key", served.officer_key + "x")
    with page.expect_navigation() as navigation:
        page.click("#log-in")
    assert navigation.value is not None
    assert navigation.value.status == 401
    assert page.locator("#error").inner_text() == "That key is not valid."
    assert "microlend_session" not in _cookies(page)


def test_logout_ends_the_session(served: Served, page: Page) -> None:
    log_in(page, served.url, served.officer_key)
    page.click("#logout")
    page.wait_for_url(f"{served.url}/login")
    assert "microlend_session" not in _cookies(page)
    page.goto(f"{served.url}/dashboard")
    assert page.url.startswith(f"{served.url}/login?next=")


def test_a_revoked_keys_session_is_refused_at_once(served: Served, page: Page) -> None:
    key = create_api_key(served.engine, Role.RISK_OFFICER)
    log_in(page, served.url, key)
    assert page.title() == "Portfolio overview"
    revoke_api_key(served.engine, key.split("_")[1], datetime.now(UTC))
    page.reload()
    assert page.url == f"{served.url}/login?next=%2Fdashboard"


def test_the_pages_read_at_a_phones_width(
    served: Served, browser: Browser, artefacts: Path
) -> None:
    context = browser.new_context(viewport=PHONE)
    phone = context.new_page()
    phone.goto(f"{served.url}/login")
    assert _fits(phone)
    phone.screenshot(path=str(artefacts / "login-390.png"), full_page=True)
    phone.set_viewport_size(DESKTOP)
    phone.screenshot(path=str(artefacts / "login-1400.png"), full_page=True)
    phone.set_viewport_size(PHONE)
    log_in(phone, served.url, served.officer_key)
    pages = {"overview": "/dashboard", "loans": "/dashboard/loans"}
    for name, path in (pages | {"merchant": f"/merchants/{served.merchant_ids[0]}"}).items():
        phone.goto(f"{served.url}{path}")
        assert _fits(phone), path
        phone.screenshot(path=str(artefacts / f"{name}-390.png"), full_page=True)
    context.close()
    assert (artefacts / "login-390.png").stat().st_size > 5_000
