"""One read of a loan (``service.loan_view``): the api's loan route and the dashboard's loan page
show the same loan, schedule, postings and state."""

from __future__ import annotations

import re
from datetime import timedelta

from api_support import Served
from fastapi import FastAPI
from fastapi.testclient import TestClient
from test_api_lending import _loan

from microlend.dashboard import DashboardContext, dashboard_router
from microlend.service import end_of_day, loan_view

_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def test_the_api_and_the_loan_page_show_the_one_read_of_a_loan(served: Served) -> None:
    loan_id, merchant_id = _loan(served)
    context = served.context
    today = context.today()
    # A month on, closed: interest fell due on the instalment loan, days past due counted.
    end_of_day(context.engine, today + timedelta(days=31))
    view = loan_view(context.engine, loan_id, today)
    assert view.loan.loan_id == loan_id
    assert view.loan.merchant_id == merchant_id
    assert view.schedule
    assert view.state.as_of == today
    assert view.owed_total > 0

    body = served.client.get(f"/v1/loans/{loan_id}", headers=served.headers("risk")).json()
    assert body["loan_id"] == loan_id
    assert [row["due_on"] for row in body["schedule"]] == [
        row.due_on.isoformat() for row in view.schedule
    ]
    assert [t["id"] for t in body["transactions"]] == [t.id for t in view.transactions]
    assert body["state"]["days_past_due"] == view.state.days_past_due
    assert body["state"]["payoff"] == str(view.state.payoff)

    pages = FastAPI()
    dashboard = DashboardContext(context.engine, context.policy.currency, lambda: today)
    pages.include_router(dashboard_router(dashboard))
    with TestClient(pages, follow_redirects=False) as browser:
        form = browser.get("/login")
        csrf = _CSRF.search(form.text)
        assert csrf is not None
        key = served.keys["risk"]
        assert browser.post("/login", data={"key": key, "csrf": csrf[1]}).status_code == 303
        page = browser.get(f"/dashboard/loans/{loan_id}")
        missing = browser.get("/dashboard/loans/nope")
    assert page.status_code == 200, page.text
    assert f'<span id="loan-id">{loan_id}</span>' in page.text
    assert page.text.count('class="instalment"') == len(view.schedule)
    postings = sum(len(t.postings) for t in view.transactions)
    assert page.text.count('class="posting"') == postings
    assert missing.status_code == 404
