"""The notice page, /merchants/{id}/notice: the merchant's latest notice as stored with its
decision (a decline, or offers below the amount asked for), for the merchant and a risk officer;
another merchant, an unknown one and odd bytes learn nothing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from markupsafe import escape

from microlend.dashboard import DashboardContext, dashboard_router
from microlend.features import Dimension
from microlend.money import Money
from microlend.policy import CreditRequest, Exposure, decide, default_policy, notice_for
from microlend.scoring import Change, Improvement, Rating, Reason, ScoreScale
from microlend.service import Role, create_api_key, record_decision
from microlend.service.decisions import Application
from microlend.service.decisions._decide import decision_record
from microlend.store import (
    DecisionRecord,
    LoanBookCommands,
    MerchantRecord,
    create_engine_for,
    in_transaction,
    migrate,
)
from microlend.types import MerchantId

DAY = date(2025, 3, 3)
POLICY = default_policy()
SCALE = ScoreScale()
HEALTHY = {
    "tenure_days": 400.0,
    "days_since_last_sale": 1.0,
    "gmv_90d": 30_000.0,
    "gmv_growth_90d": 0.1,
    "prior_defaults": 0.0,
}
REASON = Reason("refund_rate_90d", 0.4, 0.12, "12.0 % of your orders were refunded")
SUGGESTION = "lower your refunds per order from 12.0 % to 4.0 %"
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def _rating(merchant: str, pd: float = 0.02) -> Rating:
    score = int(SCALE.points(pd))
    change = Change("refund_rate_90d", 0.12, 0.04, SUGGESTION)
    return Rating(
        merchant,
        pd,
        score,
        SCALE.band(score),
        dict.fromkeys(Dimension, score),
        (REASON,),
        (Improvement((change,), 0.01, 760, "excellent", 0.2),),
    )


def _record(decision_id: str, merchant: str, asked: str, **features: float) -> DecisionRecord:
    request = CreditRequest(decision_id, merchant, Money(Decimal(asked), "USD"))
    application = Application(
        request, DAY, HEALTHY | features, _rating(merchant), from_records=False
    )
    decision = decide(
        request,
        application.rating,
        application.features,
        POLICY,
        exposure=Exposure.none("USD"),
        as_of=DAY,
        model_version="test",
    )
    return decision_record(decision, application, notice_for(decision, application.rating, POLICY))


@dataclass(frozen=True)
class Book:
    client: TestClient
    keys: dict[str, str]


@pytest.fixture
def book(tmp_path: Path) -> Iterator[Book]:
    engine = create_engine_for(f"sqlite:///{tmp_path / 'book.db'}")
    migrate(engine)
    onboarded = datetime(2024, 1, 1, tzinfo=UTC)
    records = [
        MerchantRecord(MerchantId(m), "toys", "north", onboarded) for m in ("M1", "M2", "M3")
    ]
    in_transaction(engine, lambda session: LoanBookCommands(session).add_merchants(records))
    # M1 declined (it joined too recently), M2 offered less than it asked for, M3 all it asked.
    for record in (
        _record("dec_m1", "M1", "5000", tenure_days=30.0),
        _record("dec_m2", "M2", "90000"),
        _record("dec_m3", "M3", "2000"),
    ):
        record_decision(engine, record)
    keys = {
        "officer": create_api_key(engine, Role.RISK_OFFICER),
        "servicing": create_api_key(engine, Role.SERVICING),
        **{m: create_api_key(engine, Role.MERCHANT, m) for m in ("M1", "M2", "M3")},
    }
    app = FastAPI()
    app.include_router(dashboard_router(DashboardContext(engine, "USD", lambda: DAY)))
    with TestClient(app, follow_redirects=False) as client:
        yield Book(client, keys)
    engine.dispose()


def _log_in(client: TestClient, key: str) -> None:
    form = client.get("/login")
    token = _CSRF.search(form.text)
    assert token is not None
    answer = client.post("/login", data={"key": key, "csrf": token[1], "next": ""})
    assert answer.status_code == 303


def _shown(text: str) -> str:
    return str(escape(text))


def test_a_declined_merchant_reads_its_notice(book: Book) -> None:
    _log_in(book.client, book.keys["M1"])
    page = book.client.get("/merchants/M1/notice")
    assert page.status_code == 200
    text = page.text
    assert 'data-kind="decline"' in text
    assert f'<b id="lender">{_shown(POLICY.notice.lender)}</b>' in text
    assert _shown(POLICY.notice.contact) in text
    assert '<time id="date" datetime="2025-03-03">2025-03-03</time>' in text
    assert "We cannot offer you credit now." in text
    assert '<li data-code="short_tenure">you joined the platform less than 90 days ago</li>' in text
    assert (
        f"{_shown(SUGGESTION)}, if nothing else changes: your score would be about "
        "<b>760</b> (excellent)."
    ) in text
    assert _shown(POLICY.notice.right("2025-03-03")) in text
    assert 'id="superseded"' not in text
    assert 'href="/dashboard' not in text


def test_a_counter_offer_says_why_it_is_lower(book: Book) -> None:
    _log_in(book.client, book.keys["M2"])
    text = book.client.get("/merchants/M2/notice").text
    assert 'data-kind="counter_offer"' in text
    assert "We can offer you credit, but less than you asked for." in text
    assert 'id="counter-offer">Why: you asked for 90,000.00 USD; ' in text
    assert 'id="reasons"' not in text


def test_a_merchant_offered_all_it_asked_has_no_notice(book: Book) -> None:
    _log_in(book.client, book.keys["M3"])
    page = book.client.get("/merchants/M3/notice")
    assert page.status_code == 200
    assert 'id="no-notice"' in page.text
    assert 'id="notice"' not in page.text


def test_a_risk_officer_and_servicing_read_it_as_the_api_lets_them(book: Book) -> None:
    _log_in(book.client, book.keys["officer"])
    page = book.client.get("/merchants/M1/notice")
    assert page.status_code == 200
    assert 'data-decision="dec_m1"' in page.text
    assert 'href="/dashboard">Back to the dashboard' in page.text
    book.client.cookies.clear()
    _log_in(book.client, book.keys["servicing"])
    # GET /v1/decisions/{id}/notice answers a servicing key: so does the page.
    page = book.client.get("/merchants/M1/notice")
    assert page.status_code == 200
    assert 'data-decision="dec_m1"' in page.text


def test_another_merchant_and_an_unknown_one_get_the_same_404(book: Book) -> None:
    _log_in(book.client, book.keys["M2"])
    theirs = book.client.get("/merchants/M1/notice")
    unknown = book.client.get("/merchants/M9/notice")
    assert theirs.status_code == unknown.status_code == 404
    assert theirs.text.replace("M1", "M9") == unknown.text
    assert "short_tenure" not in theirs.text
    for odd in ("M1%00", "M1%0a", "M%C3%A9", "M1;x", "a" * 300):
        answer = book.client.get(f"/merchants/{odd}/notice")
        assert answer.status_code == 404, odd
        assert "<h1>Not found</h1>" in answer.text


def test_without_a_login_it_asks_for_one(book: Book) -> None:
    answer = book.client.get("/merchants/M1/notice")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=%2Fmerchants%2FM1%2Fnotice"


def test_a_newer_decision_without_a_notice_leaves_the_old_one_readable(
    book: Book, tmp_path: Path
) -> None:
    _log_in(book.client, book.keys["M2"])
    # M2 asks again for what it can get: a full approval, no notice; the older one stays.
    engine = create_engine_for(f"sqlite:///{tmp_path / 'book.db'}")
    record_decision(engine, _record("dec_m2_again", "M2", "1000"))
    engine.dispose()
    text = book.client.get("/merchants/M2/notice").text
    assert 'data-decision="dec_m2"' in text
    assert 'id="superseded"' in text
