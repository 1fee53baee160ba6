"""The book driven through HTTP by a hypothesis state machine (the smaller twin of
tests/service/test_service_book_machine.py): applications by the risk officer and by a merchant,
accepts by servicing and by merchants (their own decisions and others'), cancels, disbursements,
collections, payment pauses and charge-offs (by servicing, approved by a risk officer above the
approval threshold, and refused to merchants and risk officers), end of day and
retried requests. After every step: no 5xx, a zero trial balance,
cash never below zero, and loans only along legal states; each accept answers as the model of
decisions (used, superseded, someone else's) says."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, ExitStack
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from api_support import Served
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from sqlalchemy.orm import Session

from microlend.ledger import Account
from microlend.store import LoanBookQueries, LoanStatus

MERCHANTS = 6
WHO_ACCEPTS = ["servicing", "merchant_a", "merchant_b"]
LEGAL = {
    "accepted": {"accepted", "active", "cancelled"},
    "active": {"active", "repaid", "written_off", "charged_off"},
    "repaid": {"repaid", "active"},
    "written_off": {"written_off", "active"},
    "charged_off": {"charged_off", "active"},
    "cancelled": {"cancelled"},
}
amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal(3000), places=2)


@dataclass
class Sent:
    """A request that was answered 2xx: sent again with its key, it must answer the same."""

    path: str
    body: dict[str, Any] | None
    who: str
    key: str
    answer: dict[str, Any]


class HttpBookMachine(RuleBasedStateMachine):
    def __init__(self, served: Served) -> None:
        super().__init__()
        self.served = served
        self.merchants = served.context.data.table("merchants").column("merchant_id").to_pylist()
        self.owner = {"merchant_a": self.merchants[0], "merchant_b": self.merchants[1]}
        self.decisions: dict[str, dict[str, Any]] = {}
        self.latest: dict[str, str] = {}
        self.used: set[str] = set()
        self.loans: dict[str, str] = {}
        self.sent: list[Sent] = []
        self.serial = 0

    def _post(self, path: str, body: dict[str, Any] | None, who: str) -> Any:
        self.serial += 1
        key = f"k{self.serial}"
        answer = self.served.client.post(path, json=body, headers=self.served.headers(who, key))
        assert answer.status_code < 500, answer.text
        if answer.status_code < 300:
            self.sent.append(Sent(path, body, who, key, answer.json()))
        return answer

    @rule(index=st.integers(0, MERCHANTS - 1), as_merchant=st.booleans())
    def apply(self, index: int, as_merchant: bool) -> None:
        who, merchant = ("merchant_a", self.merchants[0]) if as_merchant else ("risk", None)
        merchant = merchant or self.merchants[index]
        answer = self.served.client.post(
            "/v1/applications", json={"merchant_id": merchant}, headers=self.served.headers(who)
        )
        assert answer.status_code == 201, answer.text
        decision = answer.json()
        self.decisions[decision["decision_id"]] = decision
        self.latest[merchant] = decision["decision_id"]

    @rule(data=st.data(), number=st.integers(1, 6), who=st.sampled_from(WHO_ACCEPTS))
    def accept(self, data: st.DataObject, number: int, who: str) -> None:
        if not self.decisions:
            return
        decision = self.decisions[data.draw(st.sampled_from(sorted(self.decisions)))]
        body = {"decision_id": decision["decision_id"], "offer_number": number}
        answer = self._post("/v1/offers/accept", body, who)
        expected = self._expected(decision, number, who)
        if expected == "limit":
            assert answer.status_code in (201, 409), answer.text
            if answer.status_code == 409:
                assert answer.json()["type"].endswith("limit-exceeded"), answer.text
        elif expected == "accepted":
            assert answer.status_code == 201, answer.text
        elif expected in ("not found", "no such offer"):
            assert answer.status_code == 404, answer.text
        else:
            assert answer.status_code == 409, answer.text
            assert answer.json()["type"].endswith(f"offer-{expected}"), answer.text
        if answer.status_code == 201:
            self.used.add(decision["decision_id"])
            self.loans[answer.json()["loan_id"]] = "accepted"

    def _expected(self, decision: dict[str, Any], number: int, who: str) -> str:
        merchant = decision["merchant_id"]
        if who in self.owner and self.owner[who] != merchant:
            return "not found"
        if not 1 <= number <= len(decision["offers"]):
            return "no such offer"
        if decision["decision_id"] in self.used:
            return "used"
        if self.latest[merchant] != decision["decision_id"]:
            return "superseded"
        # Accepted unless the merchant's commitments since the decision leave too little room.
        return "accepted" if decision["limit"] is not None and not self._owes(merchant) else "limit"

    def _owes(self, merchant: str) -> bool:
        with Session(self.served.context.engine) as session:
            return bool(LoanBookQueries(session).committed_loans(merchant))

    @rule(data=st.data(), action=st.sampled_from(["disburse", "cancel"]))
    def disburse_or_cancel(self, data: st.DataObject, action: str) -> None:
        accepted = sorted(loan for loan, status in self.loans.items() if status == "accepted")
        if accepted:
            loan_id = data.draw(st.sampled_from(accepted))
            answer = self._post(f"/v1/loans/{loan_id}/{action}", None, "servicing")
            assert answer.status_code in (200, 409), answer.text

    @rule(data=st.data(), amount=amounts, kind=st.sampled_from(["payments", "settlements"]))
    def collect(self, data: st.DataObject, amount: Decimal, kind: str) -> None:
        active = sorted(loan for loan, status in self.loans.items() if status == "active")
        if active:
            loan_id = data.draw(st.sampled_from(active))
            body = {"amount": str(amount), "currency": self.served.context.policy.currency}
            answer = self._post(f"/v1/loans/{loan_id}/{kind}", body, "servicing")
            assert answer.status_code in (200, 409), answer.text

    @rule(
        data=st.data(),
        who=st.sampled_from(["servicing", "risk", "merchant_a"]),
        action=st.sampled_from(["pauses", "charge-off"]),
        offset=st.integers(0, 30),
        days=st.integers(1, 30),
    )
    def service(self, data: st.DataObject, who: str, action: str, offset: int, days: int) -> None:
        open_ = sorted(
            loan for loan, status in self.loans.items() if status in ("active", "charged_off")
        )
        if not open_:
            return
        loan_id = data.draw(st.sampled_from(open_))
        body: dict[str, Any] = {"reason": "state machine"}
        if action == "pauses":
            starts = self.served.context.today() + timedelta(days=offset)
            body |= {"starts_on": starts.isoformat(), "days": days}
        answer = self._post(f"/v1/loans/{loan_id}/{action}", body, who)
        if who != "servicing":
            # A merchant never services a loan; a risk officer approves, it does not act.
            assert answer.status_code == 403, answer.text
            return
        # 202: a charge-off above the approval threshold, proposed; 409: overlapping, or not
        # active; 422: a day already closed.
        assert answer.status_code in (200, 201, 202, 409, 422), answer.text
        if answer.status_code == 202:
            proposal = answer.json()["proposal_id"]
            path = f"/v1/loans/{loan_id}/proposals/{proposal}/approve"
            approved = self._post(path, {}, "risk")
            assert approved.status_code == 200, approved.text
            assert approved.json()["status"] == "charged_off"

    @rule()
    def close_the_day(self) -> None:
        assert self._post("/v1/end-of-day", {}, "servicing").status_code == 200

    @rule(data=st.data())
    def retry(self, data: st.DataObject) -> None:
        if self.sent:
            sent = data.draw(st.sampled_from(self.sent))
            again = self.served.client.post(
                sent.path, json=sent.body, headers=self.served.headers(sent.who, sent.key)
            )
            assert again.status_code < 300, again.text
            assert again.json() == sent.answer

    @invariant()
    def book_is_sound(self) -> None:
        with Session(self.served.context.engine) as session:
            queries = LoanBookQueries(session)
            assert queries.trial_balance() == 0
            assert queries.balances(self.served.context.policy.currency)[Account.CASH] >= 0
            for loan_id, before in self.loans.items():
                now = queries.loan(loan_id).status
                assert now.value in LEGAL[before], (loan_id, before, now)
                self.loans[loan_id] = LoanStatus(now).value


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_no_sequence_of_requests_breaks_the_book(
    backend: str, serve: Callable[[str], AbstractContextManager[Served]]
) -> None:
    with ExitStack() as books:
        run_state_machine_as_test(
            lambda: HttpBookMachine(books.enter_context(serve(backend))),
            settings=settings(
                max_examples=5,
                stateful_step_count=20,
                deadline=None,
                suppress_health_check=list(HealthCheck),
            ),
        )
