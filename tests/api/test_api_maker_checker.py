"""Maker-checker over HTTP: a servicing key proposes (202) what moves more than the policy's
approval threshold, a risk officer key approves or rejects it, anyone else is refused (403);
decided or stale proposals are 409 problems that say which; every decision is idempotent per
caller. (The races and the proposer's own key: ``tests/service/test_service_maker_checker``.)"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from api_support import Served
from sqlalchemy.orm import Session
from test_api_servicing_actions import _loan, _loan_body, _owner, _post

from microlend.ledger import Header, interest_accrual
from microlend.money import Money
from microlend.store import LoanBookCommands, LoanBookQueries
from microlend.types import LoanId

PROBLEM = "application/problem+json"


def _problem(answer: Any, status: int, slug: str) -> None:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith(PROBLEM)
    assert answer.json()["type"].endswith(slug), answer.json()


def test_proposals_wait_for_a_risk_officer_and_no_one_else(served: Served) -> None:
    loan_id, merchant_id = _loan(served)
    threshold = served.context.policy.approval_threshold
    currency = served.context.policy.currency
    credits = f"/v1/loans/{loan_id}/goodwill-credits"
    # Exactly the threshold applies at once; a cent more is only proposed.
    at = {"amount": f"{threshold:.2f}", "currency": currency, "reason": "late payout"}
    applied = _post(served, credits, at, "servicing", "g-at")
    assert applied.status_code == 200, applied.text
    assert len(applied.json()["transaction_ids"]) == 1
    above = dict(at, amount=f"{threshold + Decimal('0.01'):.2f}")
    held = _post(served, credits, above, "servicing", "g-above")
    assert held.status_code == 202, held.text
    assert (held.json()["status"], held.json()["transaction_ids"]) == ("proposed", [])
    # The same key again is the same proposal; under another request it is a 409.
    assert _post(served, credits, above, "servicing", "g-above").json() == held.json()
    assert _post(served, credits, at, "servicing", "g-above").status_code == 409
    proposal_id = held.json()["proposal_id"]
    before = _loan_body(served, loan_id)["state"]["outstanding"]
    approve = f"/v1/loans/{loan_id}/proposals/{proposal_id}/approve"
    for who in ("servicing", "merchant_a", _owner(served, merchant_id)):
        _problem(_post(served, approve, {}, who, f"ap-{who}"), 403, "forbidden")
    listed = served.client.get("/v1/proposals?status=proposed", headers=served.headers("risk"))
    assert listed.status_code == 200, listed.text
    [item] = listed.json()["items"]
    assert (item["proposal_id"], item["action"], item["amount"]) == (
        proposal_id,
        "goodwill_credit",
        above["amount"],
    )
    hidden = served.client.get("/v1/proposals", headers=served.headers("merchant_a"))
    _problem(hidden, 403, "forbidden")
    approved = _post(served, approve, {"reason": "checked the payout log"}, "risk", "ap-1")
    assert approved.status_code == 200, approved.text
    assert approved.json()["proposal_id"] == proposal_id
    assert len(approved.json()["transaction_ids"]) == 1
    assert _post(served, approve, {"reason": "checked the payout log"}, "risk", "ap-1").json() == (
        approved.json()
    )
    _problem(_post(served, approve, {}, "risk", "ap-2"), 409, "proposal-approved")
    after = _loan_body(served, loan_id)
    assert Decimal(after["state"]["outstanding"]) == Decimal(before) - Decimal(above["amount"])
    actions = [(a["action"], a["reason"]) for a in after["actions"]]
    assert actions == [("goodwill_credit", "late payout")] * 2
    with Session(served.context.engine) as session:
        assert LoanBookQueries(session).trial_balance() == 0


def test_a_rejected_or_stale_proposal_is_a_409_that_says_which(served: Served) -> None:
    loan_id, _ = _loan(served)
    charge = _post(served, f"/v1/loans/{loan_id}/charge-off", {"reason": "a"}, "servicing", "c")
    write = _post(served, f"/v1/loans/{loan_id}/write-off", {"reason": "b"}, "servicing", "w")
    assert (charge.status_code, write.status_code) == (202, 202), (charge.text, write.text)
    proposals = f"/v1/loans/{loan_id}/proposals"
    charge_id, write_id = charge.json()["proposal_id"], write.json()["proposal_id"]
    rejected = _post(served, f"{proposals}/{charge_id}/reject", {"reason": "no"}, "risk", "r-1")
    assert (rejected.status_code, rejected.json()["status"]) == (200, "rejected")
    no_reason = _post(served, f"{proposals}/{write_id}/reject", {}, "risk", "r-2")
    assert no_reason.status_code == 422
    _problem(_post(served, f"{proposals}/{charge_id}/approve", {}, "risk", "a-1"), 409, "rejected")
    credit = {
        "amount": f"{served.context.policy.approval_threshold + 1:.2f}",
        "currency": served.context.policy.currency,
        "reason": "f",
    }
    held = _post(served, f"/v1/loans/{loan_id}/goodwill-credits", credit, "servicing", "g")
    assert held.status_code == 202, held.text
    # No body at all: an approval's note is optional.
    written = served.client.post(
        f"{proposals}/{write_id}/approve", headers=served.headers("risk", "a-2")
    )
    assert (written.status_code, written.json()["status"]) == (200, "written_off"), written.text
    again = _post(served, f"/v1/loans/{loan_id}/write-off", {"reason": "c"}, "servicing", "w-2")
    assert again.status_code == 409
    unknown = _post(served, f"{proposals}/nope/approve", {}, "risk", "a-3")
    _problem(unknown, 404, "not-found")
    # The credit proposed while the loan was active is stale now that it is written off.
    stale = _post(served, f"{proposals}/{held.json()['proposal_id']}/approve", {}, "risk", "a-4")
    _problem(stale, 409, "proposal-stale")
    assert "written_off since" in stale.json()["detail"]
    with Session(served.context.engine) as session:
        assert LoanBookQueries(session).trial_balance() == 0


def test_goodwill_split_under_the_threshold_is_proposed_once_it_adds_up(served: Served) -> None:
    loan_id, _ = _loan(served)
    threshold = served.context.policy.approval_threshold
    credits = f"/v1/loans/{loan_id}/goodwill-credits"
    # 300 of 500: each below the threshold, the two together above it.
    part = {
        "amount": f"{threshold * Decimal('0.6'):.2f}",
        "currency": served.context.policy.currency,
        "reason": "late payout",
    }
    first = _post(served, credits, part, "servicing", "g-1")
    assert first.status_code == 200, first.text
    second = _post(served, credits, part, "servicing", "g-2")
    assert second.status_code == 202, second.text
    assert (second.json()["status"], second.json()["transaction_ids"]) == ("proposed", [])
    proposals = f"/v1/loans/{loan_id}/proposals"
    rejected = _post(
        served, f"{proposals}/{second.json()['proposal_id']}/reject", {"reason": "no"}, "risk", "r"
    )
    assert rejected.status_code == 200, rejected.text
    # Still above with the first standing; its reversal frees its share.
    third = _post(served, credits, part, "servicing", "g-3")
    assert third.status_code == 202, third.text
    reject = f"{proposals}/{third.json()['proposal_id']}/reject"
    assert _post(served, reject, {"reason": "no"}, "risk", "r-2").status_code == 200
    [credit_id] = first.json()["transaction_ids"]
    undone = _post(
        served, f"/v1/transactions/{credit_id}/reverse", {"reason": "x"}, "servicing", "v"
    )
    assert undone.status_code == 200, undone.text
    again = _post(served, credits, part, "servicing", "g-4")
    assert again.status_code == 200, again.text
    with Session(served.context.engine) as session:
        assert LoanBookQueries(session).trial_balance() == 0


def _accrue(served: Served, loan_id: str, amount: Decimal, key: str) -> str:
    """Book an interest accrual of ``amount`` on the loan today (as end of day would)."""
    currency = served.context.policy.currency
    header = Header(f"accrual-{key}", served.context.today(), key, LoanId(loan_id))
    with Session(served.context.engine) as session, session.begin():
        LoanBookCommands(session).append([interest_accrual(header, Money(amount, currency))])
    return header.transaction_id


def test_an_accrual_reversal_above_the_threshold_is_a_409_and_a_payments_is_not(
    served: Served,
) -> None:
    loan_id, merchant_id = _loan(served)
    threshold = served.context.policy.approval_threshold
    small = _accrue(served, loan_id, threshold, "a-1")
    large = _accrue(served, loan_id, threshold + Decimal("0.01"), "a-2")
    reverse = "/v1/transactions/{}/reverse"
    for who in ("merchant_a", _owner(served, merchant_id), "risk"):
        refused = _post(served, reverse.format(small), {"reason": "x"}, who, f"v-{who}")
        _problem(refused, 403, "forbidden")
    waived = _post(served, reverse.format(large), {"reason": "waive"}, "servicing", "v-1")
    _problem(waived, 409, "conflicts-with-the-loan-book")
    assert "grant a goodwill credit instead" in waived.json()["detail"]
    # Exactly the threshold is waived; after it any credit waits for a risk officer.
    done = _post(served, reverse.format(small), {"reason": "waive"}, "servicing", "v-2")
    assert done.status_code == 200, done.text
    credit = {"amount": "1.00", "currency": served.context.policy.currency, "reason": "x"}
    credits = f"/v1/loans/{loan_id}/goodwill-credits"
    assert _post(served, credits, credit, "servicing", "g-1").status_code == 202
    # A payment booked in error is reversed whatever its size: money, not a waiver.
    payment = {"amount": f"{threshold * 2:.2f}", "currency": credit["currency"]}
    paid = _post(served, f"/v1/loans/{loan_id}/payments", payment, "servicing", "p-1")
    assert paid.status_code == 200, paid.text
    [paid_id] = paid.json()["transaction_ids"]
    back = _post(served, reverse.format(paid_id), {"reason": "bounced"}, "servicing", "v-3")
    assert back.status_code == 200, back.text
    with Session(served.context.engine) as session:
        assert LoanBookQueries(session).trial_balance() == 0
