"""Credit control over HTTP, as a merchant and an attacker would try it: one decision accepted
again, an older decision after a newer one, a key taken by another caller, a loan cancelled,
end of day on a date already passed."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from api_support import Served
from test_api_lending import _is_problem


def _approved(served: Served, who: str = "risk", start: int = 0) -> dict[str, Any]:
    """The first approved decision among the merchants from ``start`` on."""
    merchants = served.context.data.table("merchants").column("merchant_id").to_pylist()
    for merchant_id in merchants[start : start + 300]:
        answer = served.client.post(
            "/v1/applications", json={"merchant_id": merchant_id}, headers=served.headers(who)
        )
        assert answer.status_code == 201, answer.text
        if answer.json()["approved"]:
            body: dict[str, Any] = answer.json()
            return body
    raise AssertionError("no merchant approved")


def _accept(served: Served, decision_id: str, key: str, who: str = "servicing", n: int = 1) -> Any:
    return served.client.post(
        "/v1/offers/accept",
        json={"decision_id": decision_id, "offer_number": n},
        headers=served.headers(who, key),
    )


def test_a_decision_is_accepted_once_and_then_says_it_was_used(served: Served) -> None:
    decision = _approved(served)
    assert date.fromisoformat(decision["expires_on"]) == date.fromisoformat(
        decision["as_of"]
    ) + timedelta(days=served.context.policy.offer_valid_days)
    first = _accept(served, decision["decision_id"], "a1")
    assert first.status_code == 201, first.text
    for n, key in enumerate(("a2", "a3", "a4"), start=1):
        again = _accept(served, decision["decision_id"], key, n=n)
        body = _is_problem(again, 409)
        assert body["type"].endswith("offer-used")
        assert first.json()["loan_id"] in body["detail"]
    # The same key is the same request: the first answer again, not a refusal.
    assert _accept(served, decision["decision_id"], "a1").json() == first.json()


def test_an_older_decision_is_superseded_by_a_newer_one(served: Served) -> None:
    older = _approved(served)
    newer = served.client.post(
        "/v1/applications",
        json={"merchant_id": older["merchant_id"]},
        headers=served.headers("risk"),
    ).json()
    body = _is_problem(_accept(served, older["decision_id"], "s1"), 409)
    assert body["type"].endswith("offer-superseded")
    assert newer["decision_id"] in body["detail"]


def test_a_merchant_cannot_take_a_servicing_key_first(served: Served) -> None:
    """The finding: idempotency keys were shared by all callers, so a merchant could take
    a servicing system's key first, block it, and read what it had done."""
    # The fixture's merchant_a key belongs to the first merchant.
    merchant_id = served.context.data.table("merchants").column("merchant_id").to_pylist()[0]
    mine = served.client.post(
        "/v1/applications", json={"merchant_id": merchant_id}, headers=served.headers("merchant_a")
    ).json()
    other = _approved(served, start=2)
    taken = served.client.post(
        "/v1/offers/accept",
        json={"decision_id": mine["decision_id"], "offer_number": 1},
        headers=served.headers("merchant_a", "shared-key"),
    )
    assert taken.status_code in (201, 404, 409)  # whatever the merchant's own decision allows
    servicing = _accept(served, other["decision_id"], "shared-key")
    assert servicing.status_code == 201, servicing.text
    # Reusing a key for another request is refused without a word of the first request.
    assert len(other["offers"]) >= 2
    body = _is_problem(_accept(served, other["decision_id"], "shared-key", n=2), 409)
    assert other["decision_id"] not in body["detail"]
    assert servicing.json()["loan_id"] not in body["detail"]


def test_an_idempotency_key_over_255_characters_is_a_400_saying_so(served: Served) -> None:
    decision = _approved(served)
    answer = _accept(served, decision["decision_id"], "k" * 256)
    assert "255" in _is_problem(answer, 400)["detail"]
    assert _accept(served, decision["decision_id"], "k" * 255).status_code == 201


def test_servicing_cancels_an_accepted_loan_and_releases_it(served: Served) -> None:
    decision = _approved(served)
    loan_id = _accept(served, decision["decision_id"], "c1").json()["loan_id"]
    refused = served.client.post(
        f"/v1/loans/{loan_id}/cancel", headers=served.headers("merchant_a", "x1")
    )
    assert refused.status_code == 403
    cancelled = served.client.post(
        f"/v1/loans/{loan_id}/cancel", headers=served.headers("servicing", "x2")
    )
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    disbursed = served.client.post(
        f"/v1/loans/{loan_id}/disburse", headers=served.headers("servicing", "x3")
    )
    _is_problem(disbursed, 409)


@pytest.mark.parametrize(
    ("day", "says"),
    [("0001-01-01", "before the records begin"), ("2001-01-01", "before the records begin")],
)
def test_end_of_day_refuses_a_date_before_the_records(served: Served, day: str, says: str) -> None:
    answer = served.client.post(
        "/v1/end-of-day", json={"business_date": day}, headers=served.headers("servicing", "e1")
    )
    assert says in _is_problem(answer, 422)["detail"]


def test_end_of_day_closes_a_date_once_and_refuses_an_earlier_one(served: Served) -> None:
    today = served.context.today()
    close = {"business_date": today.isoformat()}
    first = served.client.post(
        "/v1/end-of-day", json=close, headers=served.headers("servicing", "e1")
    )
    again = served.client.post(
        "/v1/end-of-day", json=close, headers=served.headers("servicing", "e2")
    )
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    earlier = {"business_date": (today - timedelta(days=1)).isoformat()}
    answer = served.client.post(
        "/v1/end-of-day", json=earlier, headers=served.headers("servicing", "e3")
    )
    assert "last closed day" in _is_problem(answer, 422)["detail"]
