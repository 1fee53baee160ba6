"""The portfolio overview (and its dashboard page) on SQLite and PostgreSQL counts a charged-off
loan as a loss and in the ``charged_off`` bucket, beside a written-off one, and shows what was
recovered since."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

from credit_support import DAY, FIXED, open_loan
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from microlend.dashboard import DashboardContext, dashboard_router
from microlend.ledger import Account, Bucket
from microlend.money import Money
from microlend.service import (
    Role,
    charge_off_loan,
    create_api_key,
    end_of_day,
    portfolio_overview,
    portfolio_performance,
    post_payment,
)
from microlend.store import LoanBookQueries, LoanStatus

D = Decimal
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def _book(engine: Engine) -> None:
    """Two loans of 1000.00: one written off by end of day 90 days late, one charged off the
    day it was paid out and 300.00 recovered on it since."""
    written, charged = open_loan(engine, FIXED, key="w"), open_loan(engine, FIXED, key="c")
    taken = charge_off_loan(engine, charged, DAY, "co-1", reason="merchant vanished")
    assert taken.amount == D("1000.00")  # the principal: no fee on these terms, nothing accrued
    end_of_day(engine, DAY + timedelta(days=31 + 90))
    post_payment(engine, charged, Money(D("300"), "USD"), DAY + timedelta(days=130), "pay-1")
    with Session(engine) as session:
        own = LoanBookQueries(session).balances("USD", loan_id=written)
    assert own[Account.WRITE_OFF_EXPENSE] == D("1000.00")


def test_charge_offs_are_losses_in_their_own_bucket_beside_write_offs(engine: Engine) -> None:
    _book(engine)

    book = portfolio_overview(engine, "USD")

    assert book.losses == D("2000.00")  # both principals
    assert book.recoveries == D("300.00")
    assert book.loans_by_status[LoanStatus.WRITTEN_OFF] == 1
    assert book.loans_by_status[LoanStatus.CHARGED_OFF] == 1
    loans = {line.bucket: line.loans for line in book.buckets}
    assert loans[Bucket.CHARGED_OFF] == 1
    assert loans[Bucket.WRITTEN_OFF] == 1
    assert sum(loans.values()) == 2
    assert book.funded == D("2000.00")


def test_the_dashboard_overview_shows_both_losses_and_the_recoveries(engine: Engine) -> None:
    _book(engine)
    key = create_api_key(engine, Role.RISK_OFFICER)
    app = FastAPI()
    app.include_router(dashboard_router(DashboardContext(engine, "USD", lambda: DAY)))
    with TestClient(app) as client:
        found = _CSRF.search(client.get("/login").text)
        assert found is not None
        client.post("/login", data={"key": key, "csrf": found[1], "next": "/dashboard"})
        page = client.get("/dashboard")
    assert page.status_code == 200
    kpis = dict(re.findall(r'<div class="kpi" id="(\w+)">[^<]*<b>([^<]*)</b>', page.text))
    assert "2,000.00" in kpis["losses"]
    assert "300.00" in kpis["recoveries"]
    assert "<tr><td>charged_off</td><td>1</td>" in page.text


def test_a_charged_off_loan_counts_as_defaulted_in_its_vintage(engine: Engine) -> None:
    _book(engine)
    vintages = portfolio_performance(engine, DAY + timedelta(days=130)).vintages
    first = vintages[vintages["months_on_book"] == 0]["default_rate"].iloc[0]
    last = vintages[vintages["months_on_book"] == vintages["months_on_book"].max()]
    assert first == 0.5  # charged off the day it was paid out; the other not yet late
    assert last["default_rate"].iloc[0] == 1.0  # and the other written off since
