"""The pages behind a login, through FastAPI's TestClient: redirects, roles, CSRF, expiry.

The book is empty but for two merchants and a few keys; the clock is a variable, so a session
expires without waiting.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from microlend.dashboard import DashboardContext, dashboard_router
from microlend.service import Role, create_api_key, revoke_api_key
from microlend.store import (
    LoanBookCommands,
    MerchantRecord,
    create_engine_for,
    in_transaction,
    migrate,
)
from microlend.types import MerchantId

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
LIFETIME = timedelta(hours=8)
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass
class Clock:
    at: datetime = START

    def now(self) -> datetime:
        return self.at


@dataclass(frozen=True)
class Book:
    engine: Engine
    clock: Clock
    keys: dict[str, str]
    app: FastAPI


@pytest.fixture
def book(tmp_path: Path) -> Iterator[Book]:
    engine = create_engine_for(f"sqlite:///{tmp_path / 'book.db'}")
    migrate(engine)
    records = [MerchantRecord(MerchantId(m), "toys", "north", START) for m in ("M1", "M2")]
    in_transaction(engine, lambda session: LoanBookCommands(session).add_merchants(records))
    keys = {
        "officer": create_api_key(engine, Role.RISK_OFFICER),
        "servicing": create_api_key(engine, Role.SERVICING),
        "M1": create_api_key(engine, Role.MERCHANT, "M1"),
    }
    clock = Clock()
    context = DashboardContext(
        engine=engine,
        currency="EUR",
        today=lambda: date(2026, 1, 5),
        session_lifetime=LIFETIME,
        now=clock.now,
    )
    app = FastAPI()
    app.include_router(dashboard_router(context))
    yield Book(engine, clock, keys, app)
    engine.dispose()


@pytest.fixture
def client(book: Book) -> Iterator[TestClient]:
    with TestClient(book.app, follow_redirects=False) as opened:
        yield opened


def _token(page: httpx.Response) -> str:
    found = _CSRF.search(page.text)
    assert found is not None, page.text
    return found[1]


def log_in(client: TestClient, key: str, target: str = "") -> httpx.Response:
    form = client.get("/login", params={"next": target} if target else None)
    assert form.status_code == 200
    data = {"key": key, "csrf": _token(form), "next": target}
    answer: httpx.Response = client.post("/login", data=data)
    return answer


def test_a_page_without_a_session_sends_to_the_login_form_and_back(
    book: Book, client: TestClient
) -> None:
    for path in ("/dashboard", "/dashboard/performance", "/dashboard/loans/L1", "/merchants/M1"):
        answer = client.get(path)
        assert answer.status_code == 303, path
        assert answer.headers["location"] == f"/login?next={path.replace('/', '%2F')}"
    answer = client.get("/dashboard/loans?after=L9")
    assert answer.headers["location"] == "/login?next=%2Fdashboard%2Floans%3Fafter%3DL9"
    logged = log_in(client, book.keys["officer"], "/dashboard/loans?after=L9")
    assert logged.headers["location"] == "/dashboard/loans?after=L9"


def test_a_login_sets_a_signed_strict_http_only_cookie_without_the_secret(
    book: Book, client: TestClient
) -> None:
    logged = log_in(client, book.keys["officer"])
    assert logged.status_code == 303
    assert logged.headers["location"] == "/dashboard"
    session = next(c for c in logged.headers.get_list("set-cookie") if "microlend_session" in c)
    flags = {part.strip().lower() for part in session.split(";")}
    assert {"httponly", "samesite=strict", "path=/", "max-age=28800"} <= flags
    assert book.keys["officer"].split("_", 2)[2] not in session
    page = client.get("/dashboard/loans")
    assert page.status_code == 200
    assert 'action="/logout"' in page.text
    assert 'href="/dashboard/performance"' in page.text  # the risk officer's nav


def test_a_merchant_lands_on_its_page_and_sees_nothing_else(book: Book, client: TestClient) -> None:
    logged = log_in(client, book.keys["M1"])
    assert logged.headers["location"] == "/merchants/M1"
    refused = client.get("/dashboard")
    assert refused.status_code == 403
    assert 'href="/dashboard/performance"' not in refused.text
    other, unknown = client.get("/merchants/M2"), client.get("/merchants/M3")
    assert other.status_code == unknown.status_code == 404
    assert other.text.replace("M2", "M3") == unknown.text  # it tells nothing of M2


def test_a_servicing_key_reads_a_merchants_page_as_the_api_lets_it_but_no_dashboard(
    book: Book, client: TestClient
) -> None:
    log_in(client, book.keys["servicing"])
    assert client.get("/dashboard").status_code == 403
    # Let in, as GET /v1/merchants/M1/score: this book has no decision of M1 to show.
    page = client.get("/merchants/M1")
    assert page.status_code == 404
    assert "Not for this key" not in page.text
    assert "No merchant &#39;M1&#39; visible to this key." in page.text


def test_a_wrong_key_gets_the_form_again_and_no_cookie(book: Book, client: TestClient) -> None:
    for key in ("ml_nope_nope", book.keys["officer"] + "x", ""):
        answer = log_in(client, key)
        assert answer.status_code == 401
        assert "That key is not valid." in answer.text
        assert "microlend_session" not in answer.headers.get("set-cookie", "")
        assert client.get("/dashboard").status_code == 303


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example",
        "/\t/evil.example",
        "javascript:alert(1)",
        "dashboard",
    ],
)
def test_a_login_never_sends_elsewhere(book: Book, client: TestClient, target: str) -> None:
    form = client.get("/login", params={"next": target})
    assert 'name="next" value=""' in form.text
    data = {"key": book.keys["officer"], "csrf": _token(form), "next": target}
    assert client.post("/login", data=data).headers["location"] == "/dashboard"


def test_a_login_without_its_csrf_token_is_refused(book: Book, client: TestClient) -> None:
    key = book.keys["officer"]
    assert client.post("/login", data={"key": key}).status_code == 403  # no token, no cookie
    token = _token(client.get("/login"))
    assert client.post("/login", data={"key": key, "csrf": token + "0"}).status_code == 403
    with TestClient(book.app, follow_redirects=False) as other:
        # Another browser's token, without that browser's cookie.
        answer = other.post("/login", data={"key": key, "csrf": token})
        assert answer.status_code == 403
        assert "microlend_session" not in answer.headers.get("set-cookie", "")


def test_logout_needs_the_session_token_then_ends_the_session(
    book: Book, client: TestClient
) -> None:
    log_in(client, book.keys["officer"])
    page = client.get("/dashboard/loans")
    assert client.post("/logout").status_code == 403
    assert client.post("/logout", data={"csrf": "0" * 64}).status_code == 403
    assert client.get("/dashboard/loans").status_code == 200
    out = client.post("/logout", data={"csrf": _token(page)})
    assert (out.status_code, out.headers["location"]) == (303, "/login")
    assert client.get("/dashboard/loans").status_code == 303


def test_a_session_expires_on_the_servers_clock(book: Book, client: TestClient) -> None:
    log_in(client, book.keys["officer"])
    book.clock.at = START + LIFETIME - timedelta(seconds=1)
    assert client.get("/dashboard/loans").status_code == 200
    book.clock.at = START + LIFETIME
    answer = client.get("/dashboard/loans")
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/login?next=")


def test_a_forged_or_stretched_cookie_is_refused(book: Book, client: TestClient) -> None:
    log_in(client, book.keys["officer"])
    value = client.cookies["microlend_session"]
    key_id, expires, signature = value.split(".")
    for forged in (f"{key_id}.{int(expires) + 3600}.{signature}", f"{key_id}.{expires}.{'0' * 64}"):
        client.cookies.set("microlend_session", forged)
        assert client.get("/dashboard/loans").status_code == 303


def test_a_revoked_keys_session_is_refused_at_once(book: Book, client: TestClient) -> None:
    log_in(client, book.keys["M1"])
    assert client.get("/merchants/M1").status_code != 303
    key_id = book.keys["M1"].split("_")[1]
    revoke_api_key(book.engine, key_id, START)
    assert client.get("/merchants/M1").status_code == 303
