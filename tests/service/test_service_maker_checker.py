"""Maker-checker on SQLite and PostgreSQL: a charge-off, write-off or goodwill credit above the
approval threshold is only proposed (nothing posted) until another key approves it; the
proposer never decides its own; a proposal is applied once, however many approvals race; one
gone stale is refused, saying why; and the book balances throughout."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal
from threading import Barrier

import pytest
from credit_support import DAY, assert_book_sound, open_loan
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from microlend.errors import (
    IdempotencyConflictError,
    LedgerError,
    NotFoundError,
    ProposalUnavailableError,
    SegregationError,
)
from microlend.ledger import FixedInstalmentTerms, TransactionKind, receivables
from microlend.money import Money
from microlend.service import (
    Receipt,
    approve_proposal,
    charge_off_loan,
    end_of_day,
    fund_book,
    grant_goodwill_credit,
    post_payment,
    proposals,
    reject_proposal,
    reverse_transaction,
    write_off_loan,
)
from microlend.store import (
    ActionKind,
    LoanActions,
    LoanBookQueries,
    LoanStatus,
    ProposalStatus,
)
from microlend.types import LoanId

D = Decimal
FIXED = FixedInstalmentTerms(annual_rate=D("0.24"), count=6)
MAKER, CHECKER, OTHER_CHECKER = "key-maker", "key-checker", "key-checker-2"
LATER = DAY + timedelta(days=3)


def usd(amount: str | Decimal) -> Money:
    return Money(D(amount), "USD")


def owed(engine: Engine, loan_id: str) -> Decimal:
    with Session(engine) as session:
        history = LoanBookQueries(session).loan_transactions(loan_id)
    return sum(receivables(history, LoanId(loan_id)).values(), D(0))


def kinds(engine: Engine, loan_id: str) -> list[TransactionKind]:
    with Session(engine) as session:
        return [t.kind for t in LoanBookQueries(session).loan_transactions(loan_id)]


def status(engine: Engine, loan_id: str) -> LoanStatus:
    with Session(engine) as session:
        return LoanBookQueries(session).loan(loan_id).status


def test_above_the_threshold_a_charge_off_waits_for_another_keys_approval(engine: Engine) -> None:
    loan_id = open_loan(engine, FIXED)
    total = owed(engine, loan_id)
    before = kinds(engine, loan_id)
    proposed = charge_off_loan(
        engine, loan_id, DAY, "co-1", reason="fraud", scope=MAKER, approval_threshold=D(500)
    )
    assert (proposed.status, proposed.transaction_ids, proposed.amount) == ("proposed", (), total)
    assert proposed.proposal_id is not None
    assert kinds(engine, loan_id) == before
    assert status(engine, loan_id) is LoanStatus.ACTIVE
    # The same key again is the same proposal, not a second one.
    again = charge_off_loan(
        engine, loan_id, DAY, "co-1", reason="fraud", scope=MAKER, approval_threshold=D(500)
    )
    assert again == proposed
    [pending] = proposals(engine, status=ProposalStatus.PROPOSED)
    assert (pending.proposed_by, pending.amount, pending.reason) == (MAKER, total, "fraud")
    with pytest.raises(SegregationError):
        approve_proposal(engine, loan_id, pending.proposal_id, LATER, "a-0", scope=MAKER)
    approved = approve_proposal(
        engine, loan_id, pending.proposal_id, LATER, "a-1", scope=CHECKER, reason="checked"
    )
    assert approved.status == "charged_off"
    assert approved.proposal_id == pending.proposal_id
    with Session(engine) as session:
        entry = LoanBookQueries(session).transaction(approved.transaction_ids[0])
        [action] = LoanActions(session).of_loan(loan_id)
    assert (entry.kind, entry.business_date) == (TransactionKind.CHARGE_OFF, LATER)
    assert (action.kind, action.actor, action.reason) == (ActionKind.CHARGE_OFF, CHECKER, "fraud")
    [done] = proposals(engine, loan_id=loan_id)
    assert (done.status, done.decided_by, done.decided_on) == (
        ProposalStatus.APPROVED,
        CHECKER,
        LATER,
    )
    assert done.action_id == approved.action_id
    # Replayed, the approval answers the same and posts nothing more; a second is refused.
    assert (
        approve_proposal(
            engine, loan_id, pending.proposal_id, LATER, "a-1", scope=CHECKER, reason="checked"
        )
        == approved
    )
    with pytest.raises(IdempotencyConflictError):
        approve_proposal(engine, loan_id, pending.proposal_id, LATER, "a-1", scope=CHECKER)
    with pytest.raises(ProposalUnavailableError) as twice:
        approve_proposal(engine, loan_id, pending.proposal_id, LATER, "a-2", scope=OTHER_CHECKER)
    assert twice.value.reason == "approved"
    assert kinds(engine, loan_id).count(TransactionKind.CHARGE_OFF) == 1
    assert_book_sound(engine)


def test_exactly_at_the_threshold_applies_at_once_and_a_cent_more_is_held(engine: Engine) -> None:
    loan_id = open_loan(engine, FIXED)
    credit = grant_goodwill_credit(
        engine, loan_id, usd("10.00"), DAY, "g-1", reason="x", scope=MAKER, approval_threshold=D(10)
    )
    assert credit.status == "active"
    assert len(credit.transaction_ids) == 1
    held = grant_goodwill_credit(
        engine, loan_id, usd("10.01"), DAY, "g-2", reason="x", scope=MAKER, approval_threshold=D(10)
    )
    assert (held.status, held.transaction_ids) == ("proposed", ())
    total = owed(engine, loan_id)
    exactly = write_off_loan(
        engine, loan_id, DAY, "w-1", reason="gone", scope=MAKER, approval_threshold=total
    )
    assert exactly.status == "written_off"
    assert exactly.amount == total
    assert_book_sound(engine)


def test_a_write_off_below_the_threshold_applies_and_above_is_held(engine: Engine) -> None:
    loan_id = open_loan(engine, FIXED)
    total = owed(engine, loan_id)
    held = write_off_loan(
        engine,
        loan_id,
        DAY,
        "w-1",
        reason="gone",
        scope=MAKER,
        approval_threshold=total - D("0.01"),
    )
    assert held.status == "proposed"
    assert held.proposal_id is not None
    done = approve_proposal(engine, loan_id, held.proposal_id, DAY, "a-1", scope=CHECKER)
    assert done.status == "written_off"
    assert status(engine, loan_id) is LoanStatus.WRITTEN_OFF
    assert_book_sound(engine)


def test_a_proposal_gone_stale_is_refused_and_says_why(engine: Engine) -> None:
    loan_id = open_loan(engine, FIXED)
    threshold = D(100)
    charge = charge_off_loan(
        engine, loan_id, DAY, "co-1", reason="r", scope=MAKER, approval_threshold=threshold
    )
    write = write_off_loan(
        engine, loan_id, DAY, "w-1", reason="r", scope=MAKER, approval_threshold=threshold
    )
    credit = grant_goodwill_credit(
        engine,
        loan_id,
        usd("900.00"),
        DAY,
        "g-1",
        reason="r",
        scope=MAKER,
        approval_threshold=threshold,
    )
    assert charge.proposal_id is not None
    assert write.proposal_id is not None
    assert credit.proposal_id is not None
    post_payment(engine, loan_id, usd("200.00"), DAY, "pay-1")
    # It owes less now than the balance proposed: nothing is taken off on the old figure.
    with pytest.raises(ProposalUnavailableError, match=r"owes .* now, not the") as moved:
        approve_proposal(engine, loan_id, charge.proposal_id, LATER, "a-1", scope=CHECKER)
    assert moved.value.reason == "stale"
    with pytest.raises(ProposalUnavailableError, match="less than the credit") as less:
        approve_proposal(engine, loan_id, credit.proposal_id, LATER, "a-2", scope=CHECKER)
    assert less.value.reason == "stale"
    # A fresh write-off proposal on today's balance applies; the old one is stale after it.
    fresh = write_off_loan(
        engine, loan_id, LATER, "w-2", reason="r", scope=MAKER, approval_threshold=threshold
    )
    assert fresh.proposal_id is not None
    approve_proposal(engine, loan_id, fresh.proposal_id, LATER, "a-3", scope=CHECKER)
    with pytest.raises(ProposalUnavailableError, match="is written_off since") as closed:
        approve_proposal(engine, loan_id, write.proposal_id, LATER, "a-4", scope=CHECKER)
    assert closed.value.reason == "stale"
    # A stale proposal may still be rejected (so it leaves the queue), never by its proposer.
    with pytest.raises(SegregationError):
        reject_proposal(engine, loan_id, write.proposal_id, LATER, "x-0", scope=MAKER, reason="r")
    rejected = reject_proposal(
        engine, loan_id, write.proposal_id, LATER, "x-1", scope=CHECKER, reason="superseded"
    )
    assert rejected.status == "rejected"
    with pytest.raises(ProposalUnavailableError) as after:
        approve_proposal(engine, loan_id, write.proposal_id, LATER, "a-5", scope=OTHER_CHECKER)
    assert after.value.reason == "rejected"
    assert [p.status for p in proposals(engine, loan_id=loan_id)] == [
        ProposalStatus.PROPOSED,
        ProposalStatus.REJECTED,
        ProposalStatus.PROPOSED,
        ProposalStatus.APPROVED,
    ]
    assert_book_sound(engine)


def test_approvals_racing_on_one_proposal_apply_it_once(engine: Engine) -> None:
    loan_id = open_loan(engine, FIXED)
    held = charge_off_loan(
        engine, loan_id, DAY, "co-1", reason="r", scope=MAKER, approval_threshold=D(1)
    )
    assert held.proposal_id is not None
    proposal_id = held.proposal_id
    racers = 8
    start = Barrier(racers)

    def approve(number: int) -> str:
        start.wait()
        try:
            approve_proposal(
                engine, loan_id, proposal_id, DAY, f"a-{number}", scope=f"checker-{number}"
            )
        except ProposalUnavailableError as refused:
            return refused.reason
        return "applied"

    with ThreadPoolExecutor(max_workers=racers) as pool:
        outcomes = sorted(pool.map(approve, range(racers)))
    assert outcomes == ["applied"] + ["approved"] * (racers - 1)
    assert kinds(engine, loan_id).count(TransactionKind.CHARGE_OFF) == 1
    assert_book_sound(engine)


def test_a_proposal_of_another_loan_is_not_found_and_nothing_is_held_without_a_threshold(
    engine: Engine,
) -> None:
    first = open_loan(engine, FIXED)
    second = open_loan(engine, FIXED, key="2")
    held = charge_off_loan(
        engine, first, DAY, "co-1", reason="r", scope=MAKER, approval_threshold=D(1)
    )
    assert held.proposal_id is not None
    with pytest.raises(NotFoundError):
        approve_proposal(engine, second, held.proposal_id, DAY, "a-1", scope=CHECKER)
    # The book's own commands (no threshold) apply at once, as before maker-checker.
    assert charge_off_loan(engine, second, DAY, "co-2", reason="r").status == "charged_off"
    with pytest.raises(NotFoundError):
        approve_proposal(engine, first, "no-such-proposal", DAY, "a-2", scope=CHECKER)


def test_a_book_level_reversal_keeps_its_reason(engine: Engine) -> None:
    open_loan(engine, FIXED)
    funded = fund_book(engine, usd("50.00"), DAY, "fund-2")
    undone = reverse_transaction(
        engine, funded.transaction_ids[0], DAY, "rev-1", scope=MAKER, reason="funded twice"
    )
    assert undone.action_id is not None
    with Session(engine) as session:
        [action] = LoanActions(session).book_level()
    assert (action.kind, action.reason, action.actor) == (
        ActionKind.REVERSAL,
        "funded twice",
        MAKER,
    )
    assert action.refers_to == funded.transaction_ids[0]
    assert_book_sound(engine)


def test_goodwill_split_under_the_threshold_is_held_once_it_adds_up_past_it(
    engine: Engine,
) -> None:
    loan_id = open_loan(engine, FIXED)
    threshold = D(500)

    def grant(amount: str, key: str) -> Receipt:
        return grant_goodwill_credit(
            engine,
            loan_id,
            usd(amount),
            DAY,
            key,
            reason="r",
            scope=MAKER,
            approval_threshold=threshold,
        )

    first = grant("300.00", "g-1")
    assert first.status == "active"
    # 300 + 300 is above 500: the second credit waits for approval though it is below it.
    second = grant("300.00", "g-2")
    assert (second.status, second.transaction_ids, second.amount) == ("proposed", (), D(300))
    # A pending proposal counts too: a third small credit cannot race past it.
    third = grant("100.00", "g-3")
    assert third.status == "proposed"
    assert second.proposal_id is not None
    assert third.proposal_id is not None
    for number, proposal_id in enumerate((second.proposal_id, third.proposal_id)):
        reject_proposal(
            engine, loan_id, proposal_id, DAY, f"x-{number}", scope=CHECKER, reason="no"
        )
    # Rejected proposals count no more: 300 + 200 is exactly the threshold.
    assert grant("200.00", "g-4").status == "active"
    assert grant("0.01", "g-5").status == "proposed"
    # A reversed credit frees its share: 200 applied and 0.01 proposed stand after undoing
    # the first, so 299.99 more is exactly the threshold.
    reverse_transaction(engine, first.transaction_ids[0], DAY, "rev-1", scope=MAKER, reason="r")
    assert grant("299.99", "g-6").status == "active"
    assert grant("0.01", "g-7").status == "proposed"
    assert kinds(engine, loan_id).count(TransactionKind.GOODWILL_CREDIT) == 3
    assert_book_sound(engine)


def test_an_accrual_reversal_above_the_threshold_is_refused_and_money_reversals_are_not(
    engine: Engine,
) -> None:
    loan_id = open_loan(engine, FIXED)
    closed = DAY + timedelta(days=95)
    end_of_day(engine, DAY + timedelta(days=40))
    end_of_day(engine, closed)
    today = closed + timedelta(days=1)
    with Session(engine) as session:
        history = LoanBookQueries(session).loan_transactions(loan_id)
    accruals = [t for t in history if t.kind is TransactionKind.INTEREST_ACCRUAL]
    assert len(accruals) >= 2
    first, second = accruals[0], accruals[1]
    threshold = sum((p.amount for p in first.postings if p.amount > 0), D(0))

    def reverse(transaction_id: str, key: str) -> Receipt:
        return reverse_transaction(
            engine,
            transaction_id,
            today,
            key,
            scope=MAKER,
            reason="r",
            approval_threshold=threshold,
        )

    # Exactly the threshold: reversed. The next accrual would waive more in all: refused.
    assert len(reverse(first.id, "rev-1").transaction_ids) == 1
    with pytest.raises(LedgerError, match="grant a goodwill credit instead"):
        reverse(second.id, "rev-2")
    # A waiver counts with goodwill credits both ways: any credit is above it now.
    credit = grant_goodwill_credit(
        engine,
        loan_id,
        usd("0.01"),
        today,
        "g-1",
        reason="r",
        scope=MAKER,
        approval_threshold=threshold,
    )
    assert credit.status == "proposed"
    # A payment booked in error is reversed whatever its size (money, not a waiver); so is
    # the book's own accrual reversal (no threshold).
    paid = post_payment(engine, loan_id, usd("300.00"), today, "pay-1")
    assert len(reverse(paid.transaction_ids[0], "rev-3").transaction_ids) == 1
    book = reverse_transaction(engine, second.id, today, "rev-4")
    assert len(book.transaction_ids) == 1
    assert_book_sound(engine)
