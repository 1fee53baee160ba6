"""A repaid loan's realised APR, in the api's loan and on the officer's loan page."""

from __future__ import annotations

import re
from datetime import timedelta

from api_support import Served
from fastapi import FastAPI
from fastapi.testclient import TestClient
from test_api_lending import _loan

from microlend.dashboard import DashboardContext, dashboard_router
from microlend.money import Money
from microlend.service import loan_view, post_payment

_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def test_the_api_and_the_loan_page_show_the_realised_apr(served: Served) -> None:
    loan_id, _ = _loan(served)
    context = served.context
    today, currency = context.today(), context.policy.currency
    running = served.client.get(f"/v1/loans/{loan_id}", headers=served.headers("risk")).json()
    assert running["realised_apr"] is None

    # Repaid in full 40 days on (the payoff quote: interest up to that day, the fee).
    later = today + timedelta(days=40)
    payoff = loan_view(context.engine, loan_id, later).state.payoff
    post_payment(context.engine, loan_id, Money(payoff, currency), later, "payoff")
    loan = loan_view(context.engine, loan_id, later).loan
    assert loan.realised_apr is not None
    assert loan.realised_apr > 0

    body = served.client.get(f"/v1/loans/{loan_id}", headers=served.headers("risk")).json()
    assert body["status"] == "repaid"
    assert body["realised_apr"] == loan.realised_apr

    pages = FastAPI()
    pages.include_router(
        dashboard_router(DashboardContext(context.engine, currency, lambda: later))
    )
    with TestClient(pages, follow_redirects=False) as browser:
        csrf = _CSRF.search(browser.get("/login").text)
        assert csrf is not None
        login = {"key": served.keys["risk"], "csrf": csrf[1]}
        assert browser.post("/login", data=login).status_code == 303
        page = browser.get(f"/dashboard/loans/{loan_id}")
    assert page.status_code == 200, page.text
    assert f"Realised APR: {100 * loan.realised_apr:.2f} % a year" in page.text
