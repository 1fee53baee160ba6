"""Servicing actions on SQLite and PostgreSQL: payment pauses and their resume, charge-off,
recoveries after a charge-off or a write-off, goodwill credits and reversals; each idempotent,
audited (who, when, why), and refused where it would break the book's rules."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from credit_support import assert_book_sound, open_loan
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from microlend.errors import ConfigError, IdempotencyConflictError, LedgerError, NotFoundError
from microlend.ledger import Account, Bucket, FixedInstalmentTerms, ShareOfSalesTerms
from microlend.money import Money
from microlend.service import (
    book_exposure,
    charge_off_loan,
    end_of_day,
    grant_goodwill_credit,
    loan_view,
    pause_loan,
    post_payment,
    post_settlement,
    resume_pause,
    reverse_transaction,
)
from microlend.service.portfolio._merchant_loans import merchant_loans
from microlend.store import (
    ActionKind,
    LoanActions,
    LoanBookQueries,
    LoanStatus,
)

D = Decimal
DAY = date(2025, 3, 3)
SHARE = ShareOfSalesTerms(fee_rate=D("0.10"), holdback_rate=D("0.20"))
FIXED = FixedInstalmentTerms(annual_rate=D("0.24"), count=6)


def usd(amount: str) -> Money:
    return Money(D(amount), "USD")


def status(engine: Engine, loan_id: str) -> LoanStatus:
    with Session(engine) as session:
        return LoanBookQueries(session).loan(loan_id).status


def test_a_pause_stops_days_past_due_and_resume_lets_them_count(engine: Engine) -> None:
    loan_id = open_loan(engine, FIXED)
    first_due = loan_view(engine, loan_id, DAY).schedule[0].due_on  # 2025-04-03
    late = first_due + timedelta(days=5)
    receipt = pause_loan(engine, loan_id, late, 30, DAY, "p-1", reason="flood at the shop")
    assert receipt.action_id is not None
    assert receipt.operation == "pause"
    # The first instalment fell due before the pause: as late as on its eve until it ends.
    eve = loan_view(engine, loan_id, late - timedelta(days=1)).state
    assert (eve.days_past_due, eve.paused) == (4, False)
    during = loan_view(engine, loan_id, late + timedelta(days=20))
    assert during.state.paused
    assert during.state.days_past_due == 4
    assert during.pauses[receipt.action_id].days == 30
    # End of day honours it too.
    end_of_day(engine, late + timedelta(days=20))
    with Session(engine) as session:
        assert LoanBookQueries(session).loan(loan_id).ageing.days_past_due == 4
    resumed_on = late + timedelta(days=25)
    resume_pause(engine, loan_id, receipt.action_id, resumed_on, "r-1", reason="shop reopened")
    after = loan_view(engine, loan_id, resumed_on + timedelta(days=2))
    assert not after.state.paused
    assert after.state.days_past_due == 4 + 3
    assert after.pauses[receipt.action_id].days == 25
    kinds = [(a.kind, a.reason, a.actor) for a in after.actions]
    assert kinds == [
        (ActionKind.PAUSE, "flood at the shop", "book"),
        (ActionKind.RESUME, "shop reopened", "book"),
    ]
    assert all(a.created_at is not None for a in after.actions)


def test_pause_rules_refuse_the_past_overlaps_and_closed_loans(engine: Engine) -> None:
    loan_id = open_loan(engine, FIXED)
    with pytest.raises(ConfigError, match="before today"):
        pause_loan(engine, loan_id, DAY - timedelta(days=1), 10, DAY, "p-past", reason="x")
    with pytest.raises(ConfigError, match="at least one day"):
        pause_loan(engine, loan_id, DAY, 0, DAY, "p-zero", reason="x")
    with pytest.raises(ConfigError, match="reason"):
        pause_loan(engine, loan_id, DAY, 5, DAY, "p-blank", reason="  ")
    pause_loan(engine, loan_id, DAY + timedelta(days=10), 10, DAY, "p-1", reason="holiday")
    with pytest.raises(LedgerError, match="overlap"):
        pause_loan(engine, loan_id, DAY + timedelta(days=15), 10, DAY, "p-2", reason="again")
    with pytest.raises(NotFoundError):
        pause_loan(engine, "no-such-loan", DAY, 5, DAY, "p-stale", reason="x")
    end_of_day(engine, DAY + timedelta(days=1))
    with pytest.raises(ConfigError, match="closed day"):
        pause_loan(engine, loan_id, DAY + timedelta(days=1), 5, DAY, "p-closed", reason="x")
    post_payment(engine, loan_id, usd("2000"), DAY + timedelta(days=2), "pay-off")
    assert status(engine, loan_id) is LoanStatus.REPAID
    with pytest.raises(LedgerError, match="only an active loan"):
        pause_loan(engine, loan_id, DAY + timedelta(days=30), 5, DAY, "p-repaid", reason="x")


def test_the_same_key_pauses_once_and_another_request_under_it_conflicts(engine: Engine) -> None:
    loan_id = open_loan(engine, FIXED)
    first = pause_loan(engine, loan_id, DAY, 10, DAY, "p-1", reason="holiday")
    again = pause_loan(engine, loan_id, DAY, 10, DAY, "p-1", reason="holiday")
    assert again == first
    with pytest.raises(IdempotencyConflictError):
        pause_loan(engine, loan_id, DAY, 11, DAY, "p-1", reason="holiday")
    with Session(engine) as session:
        assert len(LoanActions(session).of_loan(loan_id)) == 1


def test_resuming_a_pause_not_yet_started_calls_it_off(engine: Engine) -> None:
    loan_id = open_loan(engine, FIXED)
    paused = pause_loan(engine, loan_id, DAY + timedelta(days=5), 10, DAY, "p-1", reason="x")
    assert paused.action_id is not None
    resume_pause(engine, loan_id, paused.action_id, DAY, "r-1", reason="not needed")
    view = loan_view(engine, loan_id, DAY)
    assert view.pauses[paused.action_id].days == 0
    assert view.state.next_due_on == view.schedule[0].due_on
    with pytest.raises(LedgerError, match="resumed already"):
        resume_pause(engine, loan_id, paused.action_id, DAY, "r-2", reason="again")
    with pytest.raises(NotFoundError):
        resume_pause(engine, loan_id, "no-such-pause", DAY, "r-3", reason="x")
    # Called off, it no longer stands in the way of another pause on those days.
    pause_loan(engine, loan_id, DAY + timedelta(days=6), 3, DAY, "p-2", reason="y")


def test_a_charge_off_takes_the_loan_off_the_book_and_collections_recover(engine: Engine) -> None:
    loan_id = open_loan(engine, SHARE)
    receipt = charge_off_loan(engine, loan_id, DAY, "co-1", reason="merchant vanished")
    assert receipt.amount == D("1100.00")
    assert receipt.status == "charged_off"
    assert status(engine, loan_id) is LoanStatus.CHARGED_OFF
    with Session(engine) as session:
        queries = LoanBookQueries(session)
        own = queries.balances("USD", loan_id=loan_id)
        assert own[Account.LOANS_RECEIVABLE] == own[Account.FEES_RECEIVABLE] == 0
        assert own[Account.CHARGED_OFF] == D("1100.00")
        assert queries.loan(loan_id).ageing.bucket is Bucket.CHARGED_OFF
    # A settlement after it is held back as a recovery, into income.
    held = post_settlement(engine, loan_id, usd("500"), DAY, "s-1")
    assert held.amount == D("100.00")
    paid = post_payment(engine, loan_id, usd("1500"), DAY, "pay-1")
    assert (paid.amount, paid.overpayment) == (D("1000.00"), D("500.00"))
    with Session(engine) as session:
        own = LoanBookQueries(session).balances("USD", loan_id=loan_id)
        assert own[Account.RECOVERY_INCOME] == D("1100.00")
        assert own[Account.CHARGED_OFF] == 0
        assert own[Account.LOANS_RECEIVABLE] == 0
    assert status(engine, loan_id) is LoanStatus.CHARGED_OFF
    # End of day passes it by: nothing accrues on it.
    report = end_of_day(engine, DAY + timedelta(days=200))
    assert report.loans_aged == 0
    assert_book_sound(engine)


def test_a_loan_is_charged_off_once_and_the_charge_off_reverses(engine: Engine) -> None:
    loan_id = open_loan(engine, FIXED)
    before = post_payment(engine, loan_id, usd("5"), DAY, "pay-0")
    first = charge_off_loan(engine, loan_id, DAY, "co-1", reason="fraud suspected")
    assert charge_off_loan(engine, loan_id, DAY, "co-1", reason="fraud suspected") == first
    with pytest.raises(IdempotencyConflictError):
        charge_off_loan(engine, loan_id, DAY, "co-1", reason="other words")
    with pytest.raises(LedgerError, match="only an active loan"):
        charge_off_loan(engine, loan_id, DAY, "co-2", reason="again")
    with pytest.raises(LedgerError, match="reverse its charge-off before"):
        reverse_transaction(engine, before.transaction_ids[0], DAY, "rev-0", reason="x")
    recovered = post_payment(engine, loan_id, usd("10"), DAY, "pay-1")
    with pytest.raises(LedgerError, match="reverse those recoveries first"):
        reverse_transaction(engine, first.transaction_ids[0], DAY, "rev-1", reason="mistake")
    reverse_transaction(engine, recovered.transaction_ids[0], DAY, "rev-2", reason="bounced")
    undone = reverse_transaction(
        engine, first.transaction_ids[0], DAY, "rev-3", reason="charged off by mistake"
    )
    assert undone.status == "active"
    assert undone.action_id is not None
    view = loan_view(engine, loan_id, DAY)
    assert view.loan.status is LoanStatus.ACTIVE
    assert view.owed_total == D("995.00")  # no fee on these terms; 5 paid before
    assert [a.kind for a in view.actions] == [
        ActionKind.CHARGE_OFF,
        ActionKind.REVERSAL,
        ActionKind.REVERSAL,
    ]
    assert view.actions[-1].refers_to == first.transaction_ids[0]
    assert_book_sound(engine)


def test_collections_after_a_write_off_are_recoveries(engine: Engine) -> None:
    loan_id = open_loan(engine, FIXED)
    end_of_day(engine, DAY + timedelta(days=31 + 90))
    assert status(engine, loan_id) is LoanStatus.WRITTEN_OFF
    receipt = post_payment(engine, loan_id, usd("300"), DAY + timedelta(days=130), "pay-late")
    assert receipt.amount == D("300.00")
    with Session(engine) as session:
        own = LoanBookQueries(session).balances("USD", loan_id=loan_id)
        assert own[Account.RECOVERY_INCOME] == D("300.00")
        assert own[Account.LOANS_RECEIVABLE] == 0
    assert status(engine, loan_id) is LoanStatus.WRITTEN_OFF
    assert_book_sound(engine)


def test_a_goodwill_credit_reduces_what_is_owed_and_reverses(engine: Engine) -> None:
    loan_id = open_loan(engine, FIXED)
    before = loan_view(engine, loan_id, DAY).owed_total
    credit = grant_goodwill_credit(engine, loan_id, usd("25"), DAY, "g-1", reason="late payout")
    assert loan_view(engine, loan_id, DAY).owed_total == before - 25
    with pytest.raises(LedgerError, match="exceeds"):
        grant_goodwill_credit(engine, loan_id, usd("5000"), DAY, "g-2", reason="too much")
    reverse_transaction(engine, credit.transaction_ids[0], DAY, "rev-g", reason="not approved")
    assert loan_view(engine, loan_id, DAY).owed_total == before
    assert_book_sound(engine)


def test_a_loan_read_as_of_a_past_day_leaves_out_later_pauses(engine: Engine) -> None:
    loan_id = open_loan(engine, FIXED)
    booked = DAY + timedelta(days=5)
    paused = pause_loan(engine, loan_id, booked + timedelta(days=1), 10, booked, "p-1", reason="x")
    assert paused.action_id is not None
    today = booked + timedelta(days=3)
    before = loan_view(engine, loan_id, today, as_of=booked - timedelta(days=1))
    assert (dict(before.pauses), before.actions) == ({}, ())
    on = loan_view(engine, loan_id, today, as_of=booked + timedelta(days=2))
    assert set(on.pauses) == {paused.action_id}
    assert on.state.paused
    assert [a.kind for a in on.actions] == [ActionKind.PAUSE]


def test_a_paused_merchant_is_not_in_arrears_for_a_new_decision(engine: Engine) -> None:
    loan_id = open_loan(engine, FIXED)
    first_due = loan_view(engine, loan_id, DAY).schedule[0].due_on
    later = first_due + timedelta(days=40)
    # Unpaused, the missed first instalment is 40 days late: the arrears knock-out's territory.
    assert book_exposure(engine, "M1", "USD", later).days_past_due == 40
    pause_loan(engine, loan_id, first_due, 60, DAY, "p-arrears", reason="hospital")
    assert loan_view(engine, loan_id, later).state.days_past_due == 0
    # What a decision reads of the merchant agrees with the loan's own read.
    assert book_exposure(engine, "M1", "USD", later).days_past_due == 0


def test_the_merchant_page_counts_only_the_next_instalment_after_a_pause(engine: Engine) -> None:
    loan_id = open_loan(engine, FIXED)
    schedule = loan_view(engine, loan_id, DAY).schedule
    pause_loan(engine, loan_id, schedule[0].due_on, 60, DAY, "p-page", reason="hospital")
    day = schedule[0].due_on + timedelta(days=40)
    (shown,) = merchant_loans(engine, "M1", day)
    assert shown.due_now == 0
    assert shown.next_payment == schedule[0].total


def test_on_a_written_off_loan_only_the_write_off_and_recoveries_reverse(engine: Engine) -> None:
    loan_id = open_loan(engine, FIXED)
    paid = post_payment(engine, loan_id, usd("10"), DAY + timedelta(days=5), "pay-early")
    end_of_day(engine, DAY + timedelta(days=31 + 90))
    assert status(engine, loan_id) is LoanStatus.WRITTEN_OFF
    # The payment came before the write-off: undoing it would leave a receivable on a closed
    # loan that every later collection passes by (they are recoveries).
    with pytest.raises(LedgerError, match="reverse its write-off before"):
        reverse_transaction(engine, paid.transaction_ids[0], DAY + timedelta(days=130), "rev-pay")
    assert_book_sound(engine)


def test_a_pause_is_not_resumed_on_a_closed_day(engine: Engine) -> None:
    loan_id = open_loan(engine, FIXED)
    first_due = loan_view(engine, loan_id, DAY).schedule[0].due_on
    pause = pause_loan(engine, loan_id, first_due, 60, DAY, "p-closed", reason="hospital")
    assert pause.action_id is not None
    closed = first_due + timedelta(days=10)
    end_of_day(engine, closed)
    with pytest.raises(ConfigError, match="a closed day"):
        resume_pause(engine, loan_id, pause.action_id, closed, "r-closed", reason="back")
    resumed = resume_pause(
        engine, loan_id, pause.action_id, closed + timedelta(days=1), "r-next", reason="back"
    )
    assert resumed.operation == "resume"
