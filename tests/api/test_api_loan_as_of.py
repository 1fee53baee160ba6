"""``GET /v1/loans/{id}?as_of=YYYY-MM-DD``: the loan as the api answered on that business date,
for whoever may read it today, and one clear problem for any other date."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from typing import Any

import pytest
from api_support import Served
from fastapi.testclient import TestClient
from test_api_lending import _is_problem, _loan

from microlend.api import create_app


def _as_of(served: Served, loan_id: str, as_of: str, who: str = "risk") -> Any:
    return served.client.get(
        f"/v1/loans/{loan_id}", params={"as_of": as_of}, headers=served.headers(who)
    )


@pytest.mark.parametrize("served", ["sqlite", "postgresql"], indirect=True)
def test_a_loan_read_as_of_each_day_is_what_the_api_answered_that_day(served: Served) -> None:
    loan_id, _ = _loan(served)
    start = served.context.today()
    clock = [start]
    # The same book served on a business date that moves on, as the cli's serve does each day.
    moving = dataclasses.replace(served.context, today=lambda: clock[0])
    seen: dict[date, Any] = {}
    with TestClient(create_app(moving), raise_server_exceptions=False) as api:
        for offset in (0, 12, 33, 47, 75, 101):
            clock[0] = start + timedelta(days=offset)
            if offset == 12:  # paid in part
                paid = api.post(
                    f"/v1/loans/{loan_id}/payments",
                    json={"amount": "150.00", "currency": served.context.policy.currency},
                    headers=served.headers("servicing", f"pay-{offset}"),
                )
                assert paid.status_code == 200, paid.text
            closed = api.post(
                "/v1/end-of-day", json={}, headers=served.headers("servicing", f"eod-{offset}")
            )
            assert closed.status_code == 200, closed.text
            answer = api.get(f"/v1/loans/{loan_id}", headers=served.headers("risk"))
            seen[clock[0]] = answer.json()
        later = {
            day: api.get(
                f"/v1/loans/{loan_id}",
                params={"as_of": day.isoformat()},
                headers=served.headers("risk"),
            ).json()
            for day in seen
        }
    assert later == seen
    ages = [body["state"]["days_past_due"] for body in seen.values()]
    assert ages[0] == 0, ages
    assert ages[-1] > 0, ages
    assert len({body["state"]["outstanding"] for body in seen.values()}) > 1  # paid in part


def test_another_merchants_loan_is_not_found_whatever_the_date(served: Served) -> None:
    loan_id, merchant_id = _loan(served)
    merchants = served.context.data.table("merchants").column("merchant_id").to_pylist()
    stranger = "merchant_a" if merchant_id != merchants[0] else "merchant_b"
    today = served.context.today().isoformat()
    plain = served.client.get(f"/v1/loans/{loan_id}", headers=served.headers(stranger))
    expected = _is_problem(plain, 404)
    for as_of in (today, "1900-01-01", "9999-12-31"):
        body = _is_problem(_as_of(served, loan_id, as_of, stranger), 404)
        assert body["detail"] == expected["detail"]


def test_a_date_outside_the_loans_life_is_one_clear_problem(served: Served) -> None:
    loan_id, _ = _loan(served)
    today = served.context.today()
    for as_of, words in (
        ("1900-01-01", "before loan"),
        ((today - timedelta(days=1)).isoformat(), "before loan"),
        ((today + timedelta(days=1)).isoformat(), "after today's business date"),
        ("9999-12-31", "after today's business date"),
    ):
        body = _is_problem(_as_of(served, loan_id, as_of), 422)
        assert words in body["detail"], body
    for malformed in (
        "2024-02-30",
        "",
        "yesterday",
        "2024-1-5",
        "0000-01-01",
        "2024-01-01T00:00",
        "1735689600",
    ):
        body = _is_problem(_as_of(served, loan_id, malformed), 422)
        assert body["errors"][0]["field"] == "as_of", body
    assert _as_of(served, loan_id, today.isoformat()).json() == (
        served.client.get(f"/v1/loans/{loan_id}", headers=served.headers("risk")).json()
    )
