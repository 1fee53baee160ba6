"""The loan book under random sequences of every command, on SQLite and on PostgreSQL.

A hypothesis state machine applies, accepts (any offer of any decision: stale, used, superseded
and expired ones too), cancels, disburses, settles, pays, closes days (far enough ahead that
unpaid loans are written off), pauses payments and resumes them, charges loans off, grants
goodwill credits, collects recoveries after a charge-off or a write-off, reverses collections,
credits and charge-offs, and retries earlier requests with their keys. It keeps its own model
of what must happen and checks the book after every step:

- the trial balance is zero and the book's cash never below zero;
- loans move only along legal states;
- each idempotency key moved money at most once (the book holds exactly one transaction set
  per successful request, however often it was retried);
- a pause is refused exactly when the model says it overlaps another or its loan is not
  active, a resume exactly when its pause is over or was resumed; an active loan in a pause
  shows it, and has nothing falling due before the pause ends;
- an accept is refused exactly when the model says the decision is used, superseded, expired
  or made no such offer; every loan, when accepted and when disbursed, kept its merchant's
  owed-or-committed total (measured here from the loans' ledger states, not by the code under
  test) within the limit its decision granted.

Interest, fees and reversals may raise what is owed after a loan was granted, as on any real
book: the limit binds each new commitment, which is where the rule is checked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from credit_support import DAY, open_book
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from microlend.errors import (
    ConfigError,
    LedgerError,
    LimitExceededError,
    NotFoundError,
    OfferUnavailableError,
)
from microlend.ledger import Account
from microlend.money import Money
from microlend.policy import CreditRequest, default_policy
from microlend.scoring import Rating
from microlend.service import (
    Receipt,
    accept_decision_offer,
    cancel_loan,
    charge_off_loan,
    disburse,
    end_of_day,
    grant_goodwill_credit,
    loan_view,
    pause_loan,
    post_payment,
    post_settlement,
    resume_pause,
    reverse_transaction,
)
from microlend.service.decisions import Application, decide_and_store
from microlend.store import Base, LoanBookQueries, LoanStatus

#: Examples x steps a run on each database; the test checks that at least MINIMUM_STEPS ran.
EXAMPLES, STEPS, MINIMUM_STEPS = 30, 90, 2000
POLICY = default_policy()
BANDS = {"excellent": 820, "good": 720, "fair": 640, "weak": 570}
LEGAL = {
    LoanStatus.ACCEPTED: {LoanStatus.ACCEPTED, LoanStatus.ACTIVE, LoanStatus.CANCELLED},
    LoanStatus.ACTIVE: {
        LoanStatus.ACTIVE,
        LoanStatus.REPAID,
        LoanStatus.WRITTEN_OFF,
        LoanStatus.CHARGED_OFF,
    },
    # A reversed payment, write-off or charge-off makes a loan active again.
    LoanStatus.REPAID: {LoanStatus.REPAID, LoanStatus.ACTIVE},
    LoanStatus.WRITTEN_OFF: {LoanStatus.WRITTEN_OFF, LoanStatus.ACTIVE},
    LoanStatus.CHARGED_OFF: {LoanStatus.CHARGED_OFF, LoanStatus.ACTIVE},
    LoanStatus.CANCELLED: {LoanStatus.CANCELLED},
}
amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal(4000), places=2)
_LOANS = Base.metadata.tables["loans"]
_TRANSACTIONS = Base.metadata.tables["transactions"]


@dataclass
class Decided:
    merchant: str
    granted: Decimal
    offers: int
    expires_on: date | None
    used: bool = False


@dataclass(frozen=True)
class Request:
    """A money movement that succeeded: the call that made it, to be retried by its key."""

    call: Callable[[], Receipt]
    receipt: Receipt


class BookMachine(RuleBasedStateMachine):
    #: Steps run since the test began (invariants run once after each step).
    steps = 0

    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self.engine = engine
        self.merchants = ["M0", "M1", "M2"]
        open_book(engine, merchants=tuple(self.merchants))
        self.today = DAY
        #: Whether today's end of day has run (every day up to today is then closed).
        self.today_closed = False
        self.decisions: dict[str, Decided] = {}
        self.latest: dict[str, str] = {}
        self.loans: dict[str, LoanStatus] = {}
        self.requests: list[Request] = []
        self.collections: list[str] = []
        #: Each loan's pauses by id, as the model expects them (first day, first day after).
        self.pauses: dict[str, dict[str, tuple[date, date]]] = {}
        self.serial = 0

    def _key(self) -> str:
        self.serial += 1
        return f"key-{self.serial}"

    def _moved(self, call: Callable[[], Receipt]) -> Receipt:
        receipt = call()
        self.requests.append(Request(call, receipt))
        return receipt

    # -- rules ---------------------------------------------------------------------------------

    @rule(merchant=st.integers(0, 2), band=st.sampled_from(sorted(BANDS)), sales=amounts)
    def apply(self, merchant: int, band: str, sales: Decimal) -> None:
        merchant_id = self.merchants[merchant]
        features = {
            "tenure_days": 400.0,
            "days_since_last_sale": 1.0,
            "gmv_90d": float(sales * 10),
            "gmv_growth_90d": 0.0,
            # Payouts to estimate a share-of-sales offer from (without, none is made).
            "settlement_net_90d": float(sales * 9),
            "prior_defaults": 0.0,
        }
        rating = Rating(merchant_id, 0.02, BANDS[band], band, {}, (), ())
        request = CreditRequest(f"dec-{self._key()}", merchant_id)
        application = Application(request, self.today, features, rating, from_records=False)
        decision = decide_and_store(self.engine, application, POLICY, model_version="test")
        limit = decision.limit
        granted = Decimal(0) if limit is None else limit.exposure + limit.amount
        self.decisions[request.application_id] = Decided(
            merchant_id, granted, len(decision.offers), decision.expires_on
        )
        self.latest[merchant_id] = request.application_id

    @rule(data=st.data(), number=st.integers(1, 8))
    def accept(self, data: st.DataObject, number: int) -> None:
        if not self.decisions:
            return
        decision_id = data.draw(st.sampled_from(sorted(self.decisions)))
        decided = self.decisions[decision_id]
        expected = self._expected_refusal(decision_id, number)
        key, today = self._key(), self.today
        try:
            receipt = self._moved(
                lambda: accept_decision_offer(
                    self.engine,
                    decision_id=decision_id,
                    offer_number=number,
                    business_date=today,
                    idempotency_key=key,
                )
            )
        except OfferUnavailableError as refused:
            reason: str | None = refused.reason
            assert reason == expected, (reason, expected)
            return
        except NotFoundError:
            assert expected == "no such offer"
            return
        except LimitExceededError:
            assert expected is None
            assert self._owed(decided.merchant) + self._principal_of_offer(decision_id, number) > (
                decided.granted
            )
            return
        assert expected is None, expected
        assert receipt.loan_id is not None
        decided.used = True
        self.loans[receipt.loan_id] = LoanStatus.ACCEPTED
        assert self._owed(decided.merchant) <= decided.granted

    @rule(data=st.data())
    def disburse_one(self, data: st.DataObject) -> None:
        loan_id = self._loan(data, LoanStatus.ACCEPTED)
        if loan_id is None:
            return
        with Session(self.engine) as session:
            queries = LoanBookQueries(session)
            loan = queries.loan(loan_id)
            assert loan.decision_id is not None
        granted = self.decisions[loan.decision_id].granted
        key, today = self._key(), self.today
        try:
            self._moved(lambda: disburse(self.engine, loan_id, today, key))
        except LimitExceededError:
            assert self._owed(loan.merchant_id) > granted
            return
        self.loans[loan_id] = LoanStatus.ACTIVE
        assert self._owed(loan.merchant_id, disbursed=loan_id) <= granted

    @rule(data=st.data())
    def cancel(self, data: st.DataObject) -> None:
        loan_id = self._loan(data, LoanStatus.ACCEPTED)
        if loan_id is not None:
            key, today = self._key(), self.today
            self._moved(lambda: cancel_loan(self.engine, loan_id, today, key))
            self.loans[loan_id] = LoanStatus.CANCELLED

    @rule(data=st.data(), net=amounts)
    def settle(self, data: st.DataObject, net: Decimal) -> None:
        self._collect(
            data,
            lambda loan_id, key, today: post_settlement(
                self.engine, loan_id, Money(net, "USD"), today, key
            ),
        )

    @rule(data=st.data(), paid=amounts)
    def pay(self, data: st.DataObject, paid: Decimal) -> None:
        self._collect(
            data,
            lambda loan_id, key, today: post_payment(
                self.engine, loan_id, Money(paid, "USD"), today, key
            ),
        )

    @rule(data=st.data())
    def reverse(self, data: st.DataObject) -> None:
        if not self.collections:
            return
        transaction_id = data.draw(st.sampled_from(self.collections))
        key, today = self._key(), self.today
        try:
            self._moved(lambda: reverse_transaction(self.engine, transaction_id, today, key))
        except LedgerError:
            return  # reversed already, or it would leave a balance below zero
        self.collections.remove(transaction_id)

    @rule(data=st.data(), offset=st.integers(1, 40), days=st.integers(1, 60))
    def pause(self, data: st.DataObject, offset: int, days: int) -> None:
        loan_id = self._loan(data, LoanStatus.ACTIVE, LoanStatus.REPAID, LoanStatus.CHARGED_OFF)
        if loan_id is None:
            return
        # Every day up to today is closed (or none is): a pause starts after it.
        start = self.today + timedelta(days=offset)
        end = start + timedelta(days=days)
        own = self.pauses.setdefault(loan_id, {})
        refused = self.loans[loan_id] is not LoanStatus.ACTIVE or any(
            start < other_end and other_start < end for other_start, other_end in own.values()
        )
        key, today = self._key(), self.today
        try:
            receipt = self._moved(
                lambda: pause_loan(self.engine, loan_id, start, days, today, key, reason="test")
            )
        except LedgerError:
            assert refused
            return
        assert not refused
        assert receipt.action_id is not None
        own[receipt.action_id] = (start, end)
        event("pause granted")

    @rule(data=st.data())
    def resume(self, data: st.DataObject) -> None:
        paused = sorted((loan, pause) for loan, own in self.pauses.items() for pause in own)
        if not paused:
            return
        loan_id, pause_id = data.draw(st.sampled_from(paused))
        start, end = self.pauses[loan_id][pause_id]
        key, today = self._key(), self.today
        try:
            self._moved(
                lambda: resume_pause(self.engine, loan_id, pause_id, today, key, reason="test")
            )
        except LedgerError:
            assert end <= today or start == end
            return
        except ConfigError:
            # A pause does not end on a closed day: its ageing was stored with the pause on.
            assert self.today_closed
            return
        assert today < end
        assert not self.today_closed
        self.pauses[loan_id][pause_id] = (start, max(start, min(end, today)))
        event("pause resumed")

    @rule(data=st.data())
    def charge_off(self, data: st.DataObject) -> None:
        loan_id = self._loan(data, LoanStatus.ACTIVE)
        if loan_id is None:
            return
        key, today = self._key(), self.today
        receipt = self._moved(
            lambda: charge_off_loan(self.engine, loan_id, today, key, reason="test")
        )
        self.loans[loan_id] = LoanStatus.CHARGED_OFF
        self.collections += receipt.transaction_ids
        event("charged off")

    @rule(data=st.data(), credit=amounts)
    def goodwill(self, data: st.DataObject, credit: Decimal) -> None:
        loan_id = self._loan(data, LoanStatus.ACTIVE)
        if loan_id is None:
            return
        key, today = self._key(), self.today
        try:
            receipt = self._moved(
                lambda: grant_goodwill_credit(
                    self.engine, loan_id, Money(credit, "USD"), today, key, reason="test"
                )
            )
        except LedgerError:
            return  # more than the loan owes
        self.collections += receipt.transaction_ids

    @rule(days=st.sampled_from([1, 7, 31, 95]))
    def close_days(self, days: int) -> None:
        self.today += timedelta(days=days)
        assert end_of_day(self.engine, self.today) == end_of_day(self.engine, self.today)
        self.today_closed = True

    @rule(data=st.data())
    def retry(self, data: st.DataObject) -> None:
        if self.requests:
            request = data.draw(st.sampled_from(self.requests))
            assert request.call() == request.receipt

    # -- invariants ----------------------------------------------------------------------------

    @invariant()
    def book_balances_and_holds_cash(self) -> None:
        BookMachine.steps += 1
        with Session(self.engine) as session:
            queries = LoanBookQueries(session)
            assert queries.trial_balance() == 0
            assert queries.balances("USD")[Account.CASH] >= 0

    @invariant()
    def loans_move_only_along_legal_states(self) -> None:
        # One query for every loan's status (not one a loan): invariants run after each step.
        with Session(self.engine) as session:
            rows = session.execute(select(_LOANS.c.id, _LOANS.c.status)).all()
        statuses = {loan_id: LoanStatus(status) for loan_id, status in rows}
        assert set(statuses) == set(self.loans)
        for loan_id, before in self.loans.items():
            now = statuses[loan_id]
            assert now in LEGAL[before], (loan_id, before, now)
            self.loans[loan_id] = now

    @invariant()
    def each_key_moved_money_once(self) -> None:
        posted = {t for r in self.requests for t in r.receipt.transaction_ids}
        # Every transaction a receipt named is in the book (counted in one query, not read one
        # by one), and no two receipts name the same one.
        with Session(self.engine) as session:
            found = session.scalar(
                select(func.count())
                .select_from(_TRANSACTIONS)
                .where(_TRANSACTIONS.c.id.in_(sorted(posted)))
            )
        assert found == len(posted)
        assert sum(len(r.receipt.transaction_ids) for r in self.requests) == len(posted)

    @invariant()
    def a_paused_loan_has_nothing_falling_due_in_its_pause(self) -> None:
        for loan_id, own in self.pauses.items():
            if self.loans[loan_id] is not LoanStatus.ACTIVE:
                continue
            for start, end in own.values():
                if start <= self.today < end:
                    state = loan_view(self.engine, loan_id, self.today).state
                    assert state.paused
                    assert state.next_due_on is None or state.next_due_on >= end
                    event("an active loan seen in its pause")

    # -- helpers -------------------------------------------------------------------------------

    def _expected_refusal(self, decision_id: str, number: int) -> str | None:
        decided = self.decisions[decision_id]
        if not 1 <= number <= decided.offers:
            return "no such offer"
        if decided.used:
            return "used"
        if self.latest[decided.merchant] != decision_id:
            return "superseded"
        assert decided.expires_on is not None
        return "expired" if self.today > decided.expires_on else None

    def _loan(self, data: st.DataObject, *statuses: LoanStatus) -> str | None:
        found = sorted(loan for loan, now in self.loans.items() if now in statuses)
        return data.draw(st.sampled_from(found)) if found else None

    def _collect(self, data: st.DataObject, call: Callable[[str, str, date], Receipt]) -> None:
        # Loans written off or charged off are still collected: recoveries.
        loan_id = self._loan(
            data, LoanStatus.ACTIVE, LoanStatus.WRITTEN_OFF, LoanStatus.CHARGED_OFF
        )
        if loan_id is None:
            return
        key, today = self._key(), self.today
        try:
            receipt = self._moved(lambda: call(loan_id, key, today))
        except LedgerError:
            return  # an instalment loan takes no settlement
        if self.loans[loan_id] is not LoanStatus.ACTIVE:
            event("recovery collected")
        self.collections += receipt.transaction_ids[:1]

    def _owed(self, merchant: str, *, disbursed: str | None = None) -> Decimal:
        """What ``merchant`` owes or has committed to, from each loan's ledger state: accepted
        loans at their principal, active ones at all they owe; ``disbursed`` counted at its
        principal, as when it was granted (its fee is part of the price, not of the limit)."""
        owed = Decimal(0)
        with Session(self.engine) as session:
            queries = LoanBookQueries(session)
            for loan in queries.committed_loans(merchant):
                if loan.status is LoanStatus.ACCEPTED or loan.loan_id == disbursed:
                    owed += loan.principal
                else:
                    owed += loan_view(self.engine, loan.loan_id, self.today).state.outstanding_total
        return owed

    def _principal_of_offer(self, decision_id: str, number: int) -> Decimal:
        with Session(self.engine) as session:
            offers = LoanBookQueries(session).decision(decision_id).decision.offers
        return offers[number - 1].amount.amount


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_no_sequence_of_commands_breaks_the_book(
    backend: str, book_maker: Callable[[str], Engine]
) -> None:
    BookMachine.steps = 0
    # A fresh book per example, so a failing example replays the same way.
    run_state_machine_as_test(
        lambda: BookMachine(book_maker(backend)),
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
    print(f"{BookMachine.steps} steps")
    assert BookMachine.steps >= MINIMUM_STEPS
