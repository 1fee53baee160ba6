"""GET /v1/decisions/{id}/notice: the notice stored with a decline or a counter-offer, read by
its merchant and by staff; another merchant, an unknown id and an id of odd bytes learn
nothing."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from api_support import Served

from decision_support import made_decision
from microlend.api import _routes_notice
from microlend.service import decision_notice
from microlend.store import LoanBookCommands, in_transaction

#: Ids as they go into a URL (percent-encoded): none is a decision's.
ODD_IDS = ["dec%00x", "dec%0a", "dec%0d%0aX", "dec%201", "d%C3%A9c", "a" * 65, "dec;x", "dec%09"]


def _merchant(served: Served, index: int) -> str:
    found: str = served.context.data.table("merchants").column("merchant_id")[index].as_py()
    return found


def _apply(served: Served, merchant_id: str, amount: str | None, who: str) -> dict[str, Any]:
    body: dict[str, Any] = {"merchant_id": merchant_id}
    if amount is not None:
        body["requested_amount"] = amount
    answer = served.client.post("/v1/applications", json=body, headers=served.headers(who))
    assert answer.status_code == 201, answer.text
    decision: dict[str, Any] = answer.json()
    return decision


def _notice(served: Served, decision_id: str, who: str) -> Any:
    return served.client.get(f"/v1/decisions/{decision_id}/notice", headers=served.headers(who))


def test_a_merchant_reads_the_notice_of_its_decline_or_counter_offer(served: Served) -> None:
    merchant = _merchant(served, 0)
    decision = _apply(served, merchant, "90000.00", "merchant_a")
    asked_more = not decision["approved"] or all(
        o["amount"] != "90000.00" for o in decision["offers"]
    )
    assert asked_more, "the merchant got all of 90,000: pick an amount it cannot get"
    answer = _notice(served, decision["decision_id"], "merchant_a")
    assert answer.status_code == 200, answer.text
    notice = answer.json()
    policy = served.context.policy
    assert notice["decision_id"] == decision["decision_id"]
    assert notice["latest"] is True
    assert notice["kind"] == ("counter_offer" if decision["approved"] else "decline")
    assert notice["lender"] == policy.notice.lender
    assert notice["date"] == served.context.today().isoformat()
    assert notice["merchant_id"] == merchant
    assert notice["score"] == decision["score"]
    assert policy.notice.contact in notice["right"]
    assert len(notice["reasons"]) <= 4
    if decision["approved"]:
        assert notice["counter_offer"].startswith("you asked for 90,000.00 USD; ")
    else:
        assert [r["code"] for r in notice["reasons"]] == [r["code"] for r in decision["reasons"]]
    stored = decision_notice(served.context.engine, decision["decision_id"])
    assert stored.notice is not None
    assert notice == {"decision_id": stored.decision_id, "latest": True} | stored.notice.to_dict()
    # The suggestions are the ones the score shows for the same day.
    score = served.client.get(f"/v1/merchants/{merchant}/score", headers=served.headers("risk"))
    assert [s["text"] for s in notice["suggestions"]] == [
        i["text"] for i in score.json()["improvements"]
    ]
    # Staff read it too, the same.
    for who in ("risk", "servicing"):
        assert _notice(served, decision["decision_id"], who).json() == notice


def test_another_merchant_gets_the_same_404_as_for_no_decision(served: Served) -> None:
    decision = _apply(served, _merchant(served, 0), "90000.00", "merchant_a")
    theirs = _notice(served, decision["decision_id"], "merchant_b")
    unknown_id = "dec_" + "0" * 32
    unknown = _notice(served, unknown_id, "merchant_b")
    for answer in (theirs, unknown):
        assert answer.status_code == 404
        assert answer.headers["content-type"].startswith("application/problem+json")
    mine, none = theirs.json(), unknown.json()
    assert mine["detail"] == f"no decision {decision['decision_id']!r} in the book"
    assert none["detail"] == f"no decision {unknown_id!r} in the book"
    assert {k: v for k, v in mine.items() if k != "detail"} == {
        k: v for k, v in none.items() if k != "detail"
    }
    assert "merchant" not in mine["detail"]


def test_a_full_approval_and_an_older_decision_without_a_notice_say_so(served: Served) -> None:
    merchants = served.context.data.table("merchants").column("merchant_id").to_pylist()
    approved = next(
        d for d in (_apply(served, m, "500.00", "risk") for m in merchants[2:200]) if d["approved"]
    )
    answer = _notice(served, approved["decision_id"], "risk")
    assert answer.status_code == 404
    assert "offered what was asked for" in answer.json()["detail"]
    # A decline stored before notices were kept has none to show.
    old = made_decision("dec_before_notices", _merchant(served, 1), as_of=date(2024, 1, 2))
    in_transaction(served.context.engine, lambda s: LoanBookCommands(s).add_decision(old))
    answer = _notice(served, "dec_before_notices", "merchant_b")
    assert answer.status_code == 404
    assert "stored before notices were kept" in answer.json()["detail"]


def test_a_superseded_decision_keeps_its_notice(served: Served) -> None:
    merchant = _merchant(served, 0)
    first = _apply(served, merchant, "90000.00", "merchant_a")
    _apply(served, merchant, "90000.00", "merchant_a")
    answer = _notice(served, first["decision_id"], "merchant_a")
    assert answer.status_code == 200
    assert answer.json()["latest"] is False
    assert answer.json()["decision_id"] == first["decision_id"]


def test_odd_bytes_in_the_id_are_a_422_and_no_key_a_401(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    def called(*args: object) -> None:
        raise AssertionError("an id outside the pattern reached the book")

    # A guard, not a stand-in: the route must refuse before it reads the book at all.
    monkeypatch.setattr(_routes_notice, "decision_notice", called)
    for odd in ODD_IDS:
        answer = served.client.get(
            f"/v1/decisions/{odd}/notice", headers=served.headers("merchant_a")
        )
        assert answer.status_code == 422, (odd, answer.text)
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert [e["field"] for e in answer.json()["errors"]] == ["decision_id"]
    assert served.client.get("/v1/decisions/dec_1/notice").status_code == 401
    bad_key = {"X-API-Key": "ml_nope_nope"}
    assert served.client.get("/v1/decisions/dec_1/notice", headers=bad_key).status_code == 401
