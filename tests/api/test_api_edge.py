"""The api's edge: ids, money as text, strict ints, body limits, 405s, logs, idempotency keys
and the cache of verified keys. Every bad input is a problem document, never a 500.

Cases loop inside a test rather than being parametrized: each test serves a fresh book."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from api_support import Served
from fastapi import FastAPI

from microlend.api import _routes_loans, _routes_rating
from microlend.service import list_api_keys, revoke_api_key
from microlend.store import IDEMPOTENCY_KEY_LENGTH

#: Ids as they go into a URL (percent-encoded) and into a JSON body.
URL_IDS = ["M1%00", "M1%0a", "M1%0d%0aX", "M%201", "M1%C3%A9", "a" * 65, "M1;x", "M1%09"]
BODY_IDS = ["M1\x00", "M1\n", "\r\nX", "M 1", "M1é", "M１", "a" * 65, ""]
BAD_AMOUNTS: list[Any] = [
    *(12, 12.5, True, [], {"amount": "12"}),
    *("١٢", "１２", "1_000", "1e3", " 12", "12 ", "+12", "-12", "12.", ".5", "1,5"),
    *("0", "0.00", "NaN", "Infinity", "", "12.345", "1" * 19),
]
SERVICE_CALLS = {
    _routes_loans: ("decision_merchant", "disburse", "loan_view", "loans_page", "post_payment"),
    _routes_rating: ("rate_one", "underwrite"),
}


def _is_problem(answer: Any, status: int) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = answer.json()
    assert body["status"] == status
    return body


def _fields(answer: Any) -> set[str]:
    return {e["field"] for e in _is_problem(answer, 422)["errors"]}


def _merchant(served: Served, index: int = 0) -> str:
    found: str = served.context.data.table("merchants").column("merchant_id")[index].as_py()
    return found


def _app(served: Served) -> FastAPI:
    app = served.client.app
    assert isinstance(app, FastAPI)
    return app


def _pay(served: Served, body: Any, key: str | bytes = "k", loan_id: str = "L1") -> Any:
    headers = {"X-API-Key": served.keys["servicing"], "Idempotency-Key": key}
    return served.client.post(f"/v1/loans/{loan_id}/payments", json=body, headers=headers)


@pytest.fixture
def no_service(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every service call of the routes fails loudly: a 422 comes before any of them, and so
    before any database (a NUL byte never reaches PostgreSQL)."""

    def called(*args: object, **kwargs: object) -> None:
        raise AssertionError("a route called the service with invalid input")

    for module, names in SERVICE_CALLS.items():
        for name in names:
            monkeypatch.setattr(module, name, called)


@pytest.mark.usefixtures("no_service")
def test_an_id_outside_the_pattern_is_a_422_problem_in_paths_and_queries(served: Served) -> None:
    client, servicing = served.client, served.headers("servicing", "k")
    money = {"amount": "5.00", "currency": "USD"}
    for bad in URL_IDS:
        answers = {
            "loan_id": [
                client.get(f"/v1/loans/{bad}", headers=servicing),
                client.post(f"/v1/loans/{bad}/payments", json=money, headers=servicing),
                client.post(f"/v1/loans/{bad}/disburse", headers=servicing),
            ],
            "merchant_id": [
                client.get(f"/v1/merchants/{bad}/score", headers=servicing),
                client.get(f"/v1/loans?merchant_id={bad}", headers=servicing),
            ],
            "after": [client.get(f"/v1/loans?after={bad}", headers=servicing)],
        }
        for field, found in answers.items():
            assert [_fields(answer) for answer in found] == [{field}] * len(found), bad


@pytest.mark.usefixtures("no_service")
def test_an_id_outside_the_pattern_is_a_422_problem_in_bodies(served: Served) -> None:
    for bad in BODY_IDS:
        answer = served.client.post(
            "/v1/applications", json={"merchant_id": bad}, headers=served.headers("risk")
        )
        assert _fields(answer) == {"merchant_id"}, bad
        answer = served.client.post(
            "/v1/offers/accept",
            json={"decision_id": bad, "offer_number": 1},
            headers=served.headers("servicing", "k"),
        )
        assert _fields(answer) == {"decision_id"}, bad


def test_an_id_of_64_allowed_characters_passes(served: Served) -> None:
    loan_id = "Az09_.:-" * 8
    answer = served.client.get(f"/v1/loans/{loan_id}", headers=served.headers("servicing"))
    _is_problem(answer, 404)


def test_a_malformed_api_key_is_refused_without_reading_the_book(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    def called(*args: object, **kwargs: object) -> None:
        raise AssertionError("a malformed key reached the book")

    monkeypatch.setattr("microlend.api._context.authenticate", called)
    for key in ("ml_ab\x00cd_secret", "ml_ab_sec\nret", "ml_ab_sec ret", "ml_" + "a" * 300):
        _is_problem(served.client.get("/v1/loans", headers={"X-API-Key": key}), 401)


@pytest.mark.usefixtures("no_service")
def test_money_is_only_an_ascii_decimal_string(served: Served) -> None:
    for amount in [*BAD_AMOUNTS, None]:
        assert _fields(_pay(served, {"amount": amount, "currency": "USD"})) == {"amount"}, amount
    for amount in BAD_AMOUNTS:
        body = {"merchant_id": _merchant(served), "requested_amount": amount}
        answer = served.client.post("/v1/applications", json=body, headers=served.headers("risk"))
        assert _fields(answer) == {"requested_amount"}, amount


def test_money_has_at_most_the_currencys_decimal_places(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[Any] = []

    def post_payment(*args: Any, **kwargs: Any) -> None:
        seen.append(args[2])
        raise AssertionError("stop here")

    monkeypatch.setattr(_routes_loans, "post_payment", post_payment)
    for amount, currency in [("12", "JPY"), ("12.50", "USD"), ("12.505", "KWD"), ("1.0001", "CLF")]:
        _pay(served, {"amount": amount, "currency": currency})
        assert [str(money.amount) for money in seen] == [amount]
        seen.clear()
    for amount, currency in [
        ("12.5", "JPY"),
        ("12.0", "JPY"),
        ("12.505", "USD"),
        ("1.5055", "KWD"),
    ]:
        assert _fields(_pay(served, {"amount": amount, "currency": currency})) == {"amount"}
        assert seen == []
    assert _fields(_pay(served, {"amount": "12.00", "currency": "XYZ"})) == {"currency"}


def test_a_requested_amount_has_at_most_the_policys_decimal_places(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert served.context.policy.currency == "USD"
    body = {"merchant_id": _merchant(served), "requested_amount": "100.005"}
    answer = served.client.post("/v1/applications", json=body, headers=served.headers("risk"))
    assert _fields(answer) == {"requested_amount"}
    seen: list[Any] = []

    def underwrite(*args: object, **kwargs: Any) -> None:
        seen.append(kwargs["requested_amount"])
        raise AssertionError("stop here")

    monkeypatch.setattr(_routes_rating, "underwrite", underwrite)
    body["requested_amount"] = "100.50"
    served.client.post("/v1/applications", json=body, headers=served.headers("risk"))
    assert [str(amount) for amount in seen] == ["100.50"]


@pytest.mark.usefixtures("no_service")
def test_an_offer_number_is_a_json_integer(served: Served) -> None:
    for number in (True, False, "1", 1.0, 1.5, None):
        answer = served.client.post(
            "/v1/offers/accept",
            json={"decision_id": "dec_1", "offer_number": number},
            headers=served.headers("servicing", "k"),
        )
        assert _fields(answer) == {"offer_number"}, number


def _chunks(total: int, size: int = 64 * 1024) -> Iterator[bytes]:
    while total > 0:
        yield b" " * min(size, total)
        total -= size


def test_a_chunked_body_over_the_limit_is_a_413_problem(served: Served) -> None:
    headers = {**served.headers("servicing", "k"), "Content-Type": "application/json"}
    for total in (served.context.settings.max_body_bytes + 1, 10 * 1024 * 1024):
        answer = served.client.post(
            "/v1/loans/L1/payments", content=_chunks(total), headers=headers
        )
        assert "content-length" not in answer.request.headers
        _is_problem(answer, 413)


def test_a_chunked_body_within_the_limit_reaches_the_route(served: Served) -> None:
    text = b'{"amount": "5.00", "currency": "USD"}'
    answer = served.client.post(
        "/v1/loans/L1/payments",
        content=iter([text[:10], text[10:]]),
        headers={**served.headers("servicing", "k"), "Content-Type": "application/json"},
    )
    assert "content-length" not in answer.request.headers
    assert "L1" in _is_problem(answer, 404)["detail"]


def test_a_405_says_which_methods_are_allowed(served: Served) -> None:
    answer = served.client.delete("/v1/loans/L1", headers=served.headers("risk"))
    _is_problem(answer, 405)
    assert "GET" in answer.headers["allow"]
    answer = served.client.get("/v1/applications", headers=served.headers("risk"))
    _is_problem(answer, 405)
    assert answer.headers["allow"] == "POST"


def test_a_logged_path_cannot_forge_a_log_line(
    served: Served, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(rest: str) -> None:
        raise RuntimeError("broken")

    _app(served).add_api_route("/broken/{rest}", broken)
    with caplog.at_level(logging.ERROR, logger="microlend.api"):
        answer = served.client.get("/broken/x%0a2030-01-01 INFO forged%0d%00%1b[31m")
    _is_problem(answer, 500)
    [record] = [r for r in caplog.records if "unexpected error" in r.getMessage()]
    message = record.getMessage()
    assert not any(char in message for char in "\n\r\x00\x1b")
    assert "/broken/x\\n2030-01-01 INFO forged\\r\\x00\\x1b[31m" in message


def test_an_idempotency_key_of_255_characters_is_accepted(served: Served) -> None:
    assert IDEMPOTENCY_KEY_LENGTH == 255
    key = "k" * IDEMPOTENCY_KEY_LENGTH
    _is_problem(_pay(served, {"amount": "5.00", "currency": "USD"}, key), 404)


@pytest.mark.usefixtures("no_service")
def test_a_longer_idempotency_key_is_a_400_saying_so(served: Served) -> None:
    body = {"amount": "5.00", "currency": "USD"}
    detail = _is_problem(_pay(served, body, "k" * (IDEMPOTENCY_KEY_LENGTH + 1)), 400)["detail"]
    assert "too long (at most 255 characters)" in detail
    for headers in (served.headers("servicing"), served.headers("servicing", "")):
        answer = served.client.post("/v1/loans/L1/payments", json=body, headers=headers)
        assert "send an Idempotency-Key" in _is_problem(answer, 400)["detail"]


@pytest.mark.usefixtures("no_service")
def test_an_idempotency_key_is_visible_ascii(served: Served) -> None:
    body = {"amount": "5.00", "currency": "USD"}
    for key in (b"k\x00", b"k\n", "k é".encode("latin-1"), b"k\x7f", b"k\t"):
        detail = _is_problem(_pay(served, body, key), 400)["detail"]
        assert "visible ASCII" in detail, key


def test_a_revoked_key_is_refused_once_its_cache_entry_expires(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime = _app(served).state.runtime
    assert served.context.settings.key_cache_seconds == 1.0
    clock = [1000.0]
    monkeypatch.setattr(runtime, "clock", lambda: clock[0])
    engine, key = served.context.engine, served.keys["merchant_a"]
    url, headers = f"/v1/merchants/{_merchant(served)}/score", {"X-API-Key": key}
    assert served.client.get(url, headers=headers).status_code == 200
    key_id = key.split("_")[1]
    [record] = [k for k in list_api_keys(engine) if k.key_id == key_id]
    assert record.last_used_at is not None
    revoke_api_key(engine, key_id, datetime.now(UTC))
    clock[0] += 0.9  # within the cache's second: the book is not read again
    assert served.client.get(url, headers=headers).status_code == 200
    clock[0] += 0.2
    _is_problem(served.client.get(url, headers=headers), 401)


def test_concurrent_requests_with_one_key_check_it_once(served: Served) -> None:
    """Under load, the requests queued when a cache entry expires wait for one check of the
    key instead of each reading (and queueing on) the book."""
    runtime = served.client.app.state.runtime  # type: ignore[attr-defined]
    checks = 0
    run = runtime.run

    async def counted(func: Any) -> Any:
        nonlocal checks
        checks += 1
        return await run(func)

    async def twenty() -> list[Any]:
        runtime._principals.clear()
        runtime.run = counted
        try:
            return await asyncio.gather(
                *(runtime.principal(served.keys["servicing"]) for _ in range(20))
            )
        finally:
            runtime.run = run

    principals = asyncio.run(twenty())
    assert checks == 1
    assert len({p.key_id for p in principals}) == 1
