"""Auth roles, idempotency, problem documents, size limits over the money-moving endpoints."""

from __future__ import annotations

from typing import Any

from api_support import Served


def _loan(served: Served, who: str = "servicing") -> tuple[str, str]:
    """An approved merchant's accepted and disbursed loan: (loan id, merchant id)."""
    merchants = served.context.data.table("merchants").column("merchant_id").to_pylist()
    for merchant_id in merchants[:300]:
        answer = served.client.post(
            "/v1/applications", json={"merchant_id": merchant_id}, headers=served.headers("risk")
        )
        if answer.json()["approved"]:
            break
    decision = answer.json()
    accept = served.client.post(
        "/v1/offers/accept",
        json={"decision_id": decision["decision_id"], "offer_number": 1},
        headers=served.headers(who, "accept-1"),
    )
    assert accept.status_code == 201, accept.text
    loan_id = accept.json()["loan_id"]
    paid = served.client.post(
        f"/v1/loans/{loan_id}/disburse", headers=served.headers("servicing", "disburse-1")
    )
    assert paid.status_code == 200, paid.text
    return loan_id, merchant_id


def _is_problem(answer: Any, status: int) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = answer.json()
    assert {"type", "title", "status", "detail"} <= body.keys()
    assert body["status"] == status
    return body


def test_the_same_idempotency_key_moves_money_once(served: Served) -> None:
    loan_id, _ = _loan(served)
    body = {"amount": "50.00", "currency": served.context.policy.currency}
    first = served.client.post(
        f"/v1/loans/{loan_id}/payments", json=body, headers=served.headers("servicing", "pay-1")
    )
    again = served.client.post(
        f"/v1/loans/{loan_id}/payments", json=body, headers=served.headers("servicing", "pay-1")
    )
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    loan = served.client.get(f"/v1/loans/{loan_id}", headers=served.headers("servicing")).json()
    repayments = [t for t in loan["transactions"] if t["kind"] == "repayment"]
    assert len(repayments) == 1
    assert loan["state"]["payoff"]


def test_a_money_movement_without_a_key_is_a_400_problem(served: Served) -> None:
    loan_id, _ = _loan(served)
    body = {"amount": "50.00", "currency": served.context.policy.currency}
    answer = served.client.post(
        f"/v1/loans/{loan_id}/payments", json=body, headers=served.headers("servicing")
    )
    assert "Idempotency-Key" in _is_problem(answer, 400)["detail"]


def test_a_malformed_body_is_a_422_problem_naming_the_field(served: Served) -> None:
    answer = served.client.post(
        "/v1/loans/any/payments",
        json={"amount": "-3", "currency": "euros"},
        headers=served.headers("servicing", "k"),
    )
    fields = {e["field"] for e in _is_problem(answer, 422)["errors"]}
    assert fields == {"amount", "currency"}


def test_a_merchant_key_cannot_read_another_merchants_loan(served: Served) -> None:
    loan_id, merchant_id = _loan(served)
    owner_key = (
        "merchant_a"
        if merchant_id == served.context.data.table("merchants").column("merchant_id")[0].as_py()
        else None
    )
    other = "merchant_b" if owner_key == "merchant_a" else "merchant_a"
    _is_problem(served.client.get(f"/v1/loans/{loan_id}", headers=served.headers(other)), 404)
    listed = served.client.get("/v1/loans", headers=served.headers(other)).json()
    assert all(item["loan_id"] != loan_id for item in listed["items"])
    assert served.client.get(f"/v1/loans/{loan_id}", headers=served.headers("risk")).is_success


def test_roles_guard_money_and_keys_are_required(served: Served) -> None:
    loan_id, _ = _loan(served)
    body = {"amount": "5.00", "currency": served.context.policy.currency}
    for who in ("risk", "merchant_a"):
        answer = served.client.post(
            f"/v1/loans/{loan_id}/payments", json=body, headers=served.headers(who, f"r-{who}")
        )
        _is_problem(answer, 403)
    _is_problem(served.client.get(f"/v1/loans/{loan_id}"), 401)
    bad = {"X-API-Key": "ml_0000_nope"}
    _is_problem(served.client.get(f"/v1/loans/{loan_id}", headers=bad), 401)
    other = served.context.data.table("merchants").column("merchant_id")[1].as_py()
    _is_problem(
        served.client.get(f"/v1/merchants/{other}/score", headers=served.headers("merchant_a")),
        404,
    )


def test_a_body_over_the_limit_is_a_413_problem(served: Served) -> None:
    huge = {"merchant_id": "x" * (served.context.settings.max_body_bytes + 1)}
    answer = served.client.post("/v1/applications", json=huge, headers=served.headers("risk"))
    _is_problem(answer, 413)


def test_end_of_day_and_health(served: Served) -> None:
    _loan(served)
    answer = served.client.post("/v1/end-of-day", json={}, headers=served.headers("servicing", "e"))
    assert answer.status_code == 200, answer.text
    assert answer.json()["loans_aged"] == 1
    assert served.client.get("/health").json()["status"] == "ok"
