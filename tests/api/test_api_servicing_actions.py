"""The servicing routes: pause and resume, charge-off, write-off, goodwill credit, reversal. A
servicing key's only (a risk officer approves, it does not act); idempotent; each recorded on
the loan with who, when and why; refused where the book's rules say no. Maker-checker itself:
``test_api_maker_checker``."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from api_support import Served

from microlend.service import Role, create_api_key


def _loan(served: Served) -> tuple[str, str]:
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
        headers=served.headers("servicing", "accept-1"),
    )
    assert accept.status_code == 201, accept.text
    loan_id = accept.json()["loan_id"]
    paid = served.client.post(
        f"/v1/loans/{loan_id}/disburse", headers=served.headers("servicing", "disburse-1")
    )
    assert paid.status_code == 200, paid.text
    return loan_id, merchant_id


def _owner(served: Served, merchant_id: str) -> str:
    """A merchant key of the loan's own merchant, as ``served.keys["owner"]``."""
    served.keys["owner"] = create_api_key(served.context.engine, Role.MERCHANT, merchant_id)
    return "owner"


def _today(served: Served) -> date:
    return served.context.today()


def _post(served: Served, path: str, body: dict[str, Any], who: str, key: str) -> Any:
    return served.client.post(path, json=body, headers=served.headers(who, key))


def _loan_body(served: Served, loan_id: str, who: str = "servicing") -> dict[str, Any]:
    answer = served.client.get(f"/v1/loans/{loan_id}", headers=served.headers(who))
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


@pytest.mark.parametrize("served", ["sqlite", "postgresql"], indirect=True)
def test_a_pause_and_its_resume_are_shown_and_audited(served: Served) -> None:
    loan_id, merchant_id = _loan(served)
    starts = _today(served) + timedelta(days=2)
    body = {"starts_on": starts.isoformat(), "days": 14, "reason": "shop refit"}
    paused = _post(served, f"/v1/loans/{loan_id}/pauses", body, "servicing", "pause-1")
    assert paused.status_code == 201, paused.text
    pause_id = paused.json()["action_id"]
    again = _post(served, f"/v1/loans/{loan_id}/pauses", body, "servicing", "pause-1")
    assert again.status_code == 201
    assert again.json() == paused.json()
    loan = _loan_body(served, loan_id)
    assert loan["pauses"] == [
        {
            "pause_id": pause_id,
            "starts_on": starts.isoformat(),
            "ends_on": (starts + timedelta(days=14)).isoformat(),
            "days": 14,
        }
    ]
    [action] = loan["actions"]
    assert (action["action"], action["reason"]) == ("pause", "shop refit")
    assert action["actor"] not in ("", "book")
    assert action["recorded_at"] is not None
    resumed = _post(
        served,
        f"/v1/loans/{loan_id}/pauses/{pause_id}/resume",
        {"reason": "refit cancelled"},
        "servicing",
        "resume-1",
    )
    assert resumed.status_code == 200, resumed.text
    loan = _loan_body(served, loan_id)
    assert loan["pauses"][0]["days"] == 0
    assert [a["action"] for a in loan["actions"]] == ["pause", "resume"]
    # The merchant sees its pauses, not the staff's reasons.
    merchant = _loan_body(served, loan_id, _owner(served, merchant_id))
    assert merchant["pauses"] == loan["pauses"]
    assert merchant["actions"] == []


def test_a_merchant_or_risk_officer_key_may_not_service_a_loan(served: Served) -> None:
    loan_id, merchant_id = _loan(served)
    owner = _owner(served, merchant_id)
    today = _today(served).isoformat()
    tries = [
        (f"/v1/loans/{loan_id}/pauses", {"starts_on": today, "days": 5, "reason": "please"}),
        (f"/v1/loans/{loan_id}/charge-off", {"reason": "no"}),
        (f"/v1/loans/{loan_id}/write-off", {"reason": "no"}),
        (
            f"/v1/loans/{loan_id}/goodwill-credits",
            {"amount": "5.00", "currency": served.context.policy.currency, "reason": "gift"},
        ),
    ]
    for path, body in tries:
        for who in (owner, "merchant_a", "merchant_b", "risk"):
            answer = _post(served, path, body, who, f"{who}-{path}")
            assert answer.status_code == 403, answer.text
    assert _loan_body(served, loan_id)["actions"] == []


def test_a_different_request_under_the_same_key_is_a_409(served: Served) -> None:
    loan_id, _ = _loan(served)
    today = _today(served).isoformat()
    path = f"/v1/loans/{loan_id}/pauses"
    first = _post(served, path, {"starts_on": today, "days": 5, "reason": "a"}, "servicing", "k")
    assert first.status_code == 201
    other = _post(served, path, {"starts_on": today, "days": 6, "reason": "a"}, "servicing", "k")
    assert other.status_code == 409, other.text


def test_attacks_on_the_pause_rules_are_refused(served: Served) -> None:
    loan_id, _ = _loan(served)
    today = _today(served)
    path = f"/v1/loans/{loan_id}/pauses"
    past = {"starts_on": (today - timedelta(days=1)).isoformat(), "days": 5, "reason": "x"}
    assert _post(served, path, past, "servicing", "p-past").status_code == 422
    no_reason = {"starts_on": today.isoformat(), "days": 5, "reason": "   "}
    assert _post(served, path, no_reason, "servicing", "p-blank").status_code == 422
    too_long = {"starts_on": today.isoformat(), "days": 5000, "reason": "x"}
    assert _post(served, path, too_long, "servicing", "p-long").status_code == 422
    first = {"starts_on": today.isoformat(), "days": 10, "reason": "x"}
    assert _post(served, path, first, "servicing", "p-1").status_code == 201
    overlap = {"starts_on": (today + timedelta(days=5)).isoformat(), "days": 10, "reason": "y"}
    assert _post(served, path, overlap, "servicing", "p-2").status_code == 409
    stale = _post(served, "/v1/loans/no-such-loan/pauses", first, "servicing", "p-3")
    assert stale.status_code == 404
    resume_unknown = _post(
        served, f"/v1/loans/{loan_id}/pauses/nope/resume", {"reason": "x"}, "servicing", "r-1"
    )
    assert resume_unknown.status_code == 404


def test_a_charge_off_then_collections_are_recoveries_and_it_reverses(served: Served) -> None:
    loan_id, _ = _loan(served)
    currency = served.context.policy.currency
    path = f"/v1/loans/{loan_id}/charge-off"
    # The whole balance is above the policy's approval threshold: proposed, then approved.
    proposed = _post(served, path, {"reason": "fraud"}, "servicing", "co-1")
    assert proposed.status_code == 202, proposed.text
    proposal_id = proposed.json()["proposal_id"]
    approve = f"/v1/loans/{loan_id}/proposals/{proposal_id}/approve"
    charged = _post(served, approve, {}, "risk", "ap-1")
    assert charged.status_code == 200, charged.text
    assert charged.json()["status"] == "charged_off"
    assert _post(served, approve, {}, "risk", "ap-1").json() == charged.json()
    twice = _post(served, path, {"reason": "fraud"}, "servicing", "co-2")
    assert twice.status_code == 409
    stale = _post(served, "/v1/loans/no-such-loan/charge-off", {"reason": "x"}, "servicing", "co-3")
    assert stale.status_code == 404
    loan = _loan_body(served, loan_id)
    assert loan["status"] == "charged_off"
    assert loan["state"]["charged_off"] is True
    assert loan["state"]["outstanding"] in ("0.00", "0")
    paid = _post(
        served,
        f"/v1/loans/{loan_id}/payments",
        {"amount": "20.00", "currency": currency},
        "servicing",
        "pay-1",
    )
    assert paid.status_code == 200, paid.text
    kinds = [t["kind"] for t in _loan_body(served, loan_id)["transactions"]]
    assert kinds[-1] == "recovery"
    # Reversing the charge-off while a recovery stands is refused; the recovery first.
    charge_off_id = charged.json()["transaction_ids"][0]
    reverse = f"/v1/transactions/{charge_off_id}/reverse"
    assert _post(served, reverse, {"reason": "oops"}, "servicing", "rev-1").status_code == 409
    recovery_id = paid.json()["transaction_ids"][0]
    undo = _post(
        served,
        f"/v1/transactions/{recovery_id}/reverse",
        {"reason": "bounced"},
        "servicing",
        "rev-2",
    )
    assert undo.status_code == 200, undo.text
    back = _post(served, reverse, {"reason": "not fraud after all"}, "servicing", "rev-3")
    assert back.status_code == 200, back.text
    assert back.json()["status"] == "active"
    loan = _loan_body(served, loan_id)
    assert loan["status"] == "active"
    assert [a["action"] for a in loan["actions"]] == ["charge_off", "reversal", "reversal"]
    merchant = _post(served, reverse, {"reason": "x"}, "merchant_a", "rev-4")
    assert merchant.status_code == 403


def test_a_goodwill_credit_lowers_what_is_owed(served: Served) -> None:
    loan_id, _ = _loan(served)
    currency = served.context.policy.currency
    before = _loan_body(served, loan_id)["state"]["outstanding"]
    body = {"amount": "10.00", "currency": currency, "reason": "delayed payout"}
    credited = _post(served, f"/v1/loans/{loan_id}/goodwill-credits", body, "servicing", "g-1")
    assert credited.status_code == 200, credited.text
    after = _loan_body(served, loan_id)
    assert Decimal(after["state"]["outstanding"]) == Decimal(before) - 10
    assert after["actions"][0]["action"] == "goodwill_credit"
    assert after["actions"][0]["refers_to"] == credited.json()["transaction_ids"][0]
