"""Servicing actions as pure ledger functions: payment pauses, charge-off, recovery, goodwill
credit. Every entry balances; a pause moves due dates and stops days past due; a charge-off
takes the loan off the book and what is collected after it is a recovery."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from microlend.errors import LedgerError
from microlend.ledger import (
    Account,
    Bucket,
    Covenant,
    CovenantStatus,
    FixedInstalmentTerms,
    Header,
    LoanContract,
    LoanOutcome,
    LoanPostings,
    Pause,
    ShareOfSalesTerms,
    Transaction,
    TransactionKind,
    balances,
    charge_off,
    close_loan_day,
    disbursement,
    goodwill_credit,
    interest_accrual,
    loan_state,
    paused_schedule,
    receivables,
    recovery,
    repayment,
    reversal,
    schedule,
    settlement_holdback,
    trial_balance,
    unpaused_days,
    write_off,
)
from microlend.money import Money
from microlend.types import LoanId

D = Decimal
LOAN = LoanId("L1")
START = date(2026, 1, 15)
FIXED = FixedInstalmentTerms(annual_rate=D("0.12"), count=12)
SHARE = ShareOfSalesTerms(D("0.10"), D("0.20"), covenant=Covenant(3, 30))
ROWS = schedule(FIXED, Money(D(1000), "USD"), START)  # 88.85 a month from 2026-02-15


def usd(amount: str | int | Decimal) -> Money:
    return Money(D(amount), "USD")


def head(name: str, on: date) -> Header:
    return Header(name, on, name, LOAN)


def day_header(operation: str, key: str, business_date: date, loan_id: str | None) -> Header:
    name = f"{operation}:{key}"
    return Header(name, business_date, name, None if loan_id is None else LoanId(loan_id))


def lent(terms: FixedInstalmentTerms | ShareOfSalesTerms = FIXED) -> list[Transaction]:
    return [disbursement(head("d", START), terms, usd(1000))]


# --- pauses -------------------------------------------------------------------------------


def test_a_pause_moves_every_later_due_date_by_its_length() -> None:
    pause = Pause.of_days(date(2026, 3, 1), 30)
    moved = paused_schedule(ROWS, [pause])
    assert moved[0].due_on == ROWS[0].due_on  # 2026-02-15: before the pause
    for before, after in zip(ROWS[1:], moved[1:], strict=True):
        assert after.due_on == before.due_on + timedelta(days=30)
        assert (after.principal, after.interest, after.fee) == (
            before.principal,
            before.interest,
            before.fee,
        )


@given(
    start=st.integers(0, 400),
    days=st.integers(1, 120),
    resumed_after=st.integers(0, 130),
)
@settings(max_examples=60, deadline=None)
def test_pause_then_resume_moves_every_due_date_by_the_days_paused(
    start: int, days: int, resumed_after: int
) -> None:
    pause = Pause.of_days(START + timedelta(days=start), days)
    resumed = pause.resumed(pause.starts_on + timedelta(days=resumed_after))
    assert resumed.days == min(days, resumed_after)
    moved = paused_schedule(ROWS, [resumed])
    for before, after in zip(ROWS, moved, strict=True):
        shift = resumed.days if before.due_on >= resumed.starts_on else 0
        assert after.due_on == before.due_on + timedelta(days=shift)


def test_days_past_due_stand_still_while_paused() -> None:
    book = lent()
    late = loan_state(FIXED, ROWS, book, date(2026, 3, 1))
    assert late.days_past_due == 14  # 2026-02-15 unpaid
    pause = Pause.of_days(date(2026, 3, 2), 20)  # 2026-03-02 .. 2026-03-21
    during = loan_state(FIXED, ROWS, book, date(2026, 3, 15), pauses=[pause])
    assert during.paused
    assert during.days_past_due == 14
    after = loan_state(FIXED, ROWS, book, date(2026, 3, 25), pauses=[pause])
    assert not after.paused
    assert after.days_past_due == 14 + 4  # 2026-03-22 .. 2026-03-25 count again
    unpaused = loan_state(FIXED, ROWS, book, date(2026, 3, 25))
    assert unpaused.days_past_due == 38


def test_a_pause_keeps_a_loan_from_write_off() -> None:
    book = lent()
    contract = LoanContract(LOAN, "USD", FIXED, ROWS)
    day = ROWS[0].due_on + timedelta(days=90)
    assert close_loan_day(contract, book, day, day_header).outcome is LoanOutcome.WRITTEN_OFF
    paused = LoanContract(
        LOAN, "USD", FIXED, ROWS, (Pause.of_days(ROWS[0].due_on + timedelta(days=10), 30),)
    )
    closed = close_loan_day(paused, book, day, day_header)
    assert closed.outcome is LoanOutcome.ACTIVE
    assert closed.state.days_past_due == 60


def test_unpaused_days_count_only_days_no_pause_covers() -> None:
    pause = Pause(date(2026, 1, 10), date(2026, 1, 20))
    assert unpaused_days(date(2026, 1, 1), date(2026, 1, 31), [pause]) == 30 - 10
    assert unpaused_days(date(2026, 1, 12), date(2026, 1, 15), [pause]) == 0
    assert unpaused_days(date(2026, 1, 15), date(2026, 1, 1), [pause]) == 0


def test_overlapping_pauses_are_refused() -> None:
    first = Pause.of_days(date(2026, 3, 1), 10)
    with pytest.raises(LedgerError, match="overlap"):
        paused_schedule(ROWS, [first, Pause.of_days(date(2026, 3, 10), 5)])
    # Back to back is not an overlap; a pause resumed before it began is empty.
    paused_schedule(ROWS, [first, Pause.of_days(date(2026, 3, 11), 5)])
    assert Pause.of_days(date(2026, 3, 5), 10).resumed(date(2026, 3, 1)).days == 0
    with pytest.raises(LedgerError):
        Pause.of_days(date(2026, 3, 1), 0)


def test_the_covenant_stops_counting_while_paused() -> None:
    rows = schedule(SHARE, usd(1000), START)  # milestones every 30 days
    book = lent(SHARE)
    on = rows[0].due_on + timedelta(days=1)
    assert loan_state(SHARE, rows, book, on).covenant is CovenantStatus.BREACHED
    pause = Pause.of_days(rows[0].due_on - timedelta(days=5), 20)
    state = loan_state(SHARE, rows, book, on, pauses=[pause])
    assert state.covenant is CovenantStatus.MET
    assert state.days_past_due == 0


def test_interest_falls_due_by_the_moved_dates_unless_the_policy_accrues() -> None:
    book = lent()
    pause = Pause.of_days(ROWS[0].due_on - timedelta(days=3), 30)
    on = ROWS[0].due_on
    stopped = loan_state(FIXED, ROWS, book, on, pauses=[pause])
    accrued = loan_state(FIXED, ROWS, book, on, pauses=[pause], accrue_in_pause=True)
    assert stopped.interest_to_accrue == 0
    assert accrued.interest_to_accrue == ROWS[0].interest
    # Neither adds interest: the schedule's total is the same either way.
    after = on + timedelta(days=40)
    assert loan_state(FIXED, ROWS, book, after, pauses=[pause]).interest_to_accrue == (
        ROWS[0].interest
    )


# --- charge-off and recovery --------------------------------------------------------------


def charged(book: list[Transaction], on: date) -> Transaction:
    entry = charge_off(head("c", on), receivables(book, LOAN), "USD")
    book.append(entry)
    return entry


def test_a_charge_off_moves_the_balance_to_the_memo_and_balances() -> None:
    book = lent()
    on = date(2026, 3, 20)
    book.append(interest_accrual(head("i", on), usd(ROWS[0].interest)))
    owed = sum(receivables(book, LOAN).values(), D(0))
    entry = charged(book, on)
    assert entry.kind is TransactionKind.CHARGE_OFF
    book_balances = balances(book, LOAN)
    assert all(v == 0 for v in receivables(book, LOAN).values())
    assert book_balances[Account.CHARGED_OFF] == owed == book_balances[Account.CHARGED_OFF_CONTRA]
    assert book_balances[Account.CHARGE_OFF_EXPENSE] == D(1000)
    assert trial_balance(book) == 0
    state = loan_state(FIXED, ROWS, book, on)
    assert state.charged_off
    assert not state.written_off
    assert state.bucket is Bucket.CHARGED_OFF
    assert (state.interest_to_accrue, state.payoff, state.days_past_due) == (0, 0, 0)
    assert LoanOutcome.of(state, D(0)) is LoanOutcome.CHARGED_OFF


def test_a_charged_off_loan_accrues_nothing_at_day_close() -> None:
    book = lent()
    charged(book, date(2026, 2, 1))
    contract = LoanContract(LOAN, "USD", FIXED, ROWS)
    closed = close_loan_day(contract, book, date(2026, 6, 1), day_header)
    assert closed.transactions == ()
    assert closed.outcome is LoanOutcome.CHARGED_OFF


def test_a_settlement_after_a_charge_off_goes_to_recovery() -> None:
    book = lent(SHARE)
    entry = charged(book, date(2026, 2, 1))
    owed = sum(p.amount for p in entry.postings if p.account is Account.CHARGED_OFF)
    sums = LoanPostings.of(book)
    assert sums.recoverable == owed == D(1100)
    held = settlement_holdback(head("s", date(2026, 2, 2)), SHARE, usd(500), {})
    assert held is None  # the receivables hold nothing: the holdback is a recovery instead
    got = recovery(head("r", date(2026, 2, 2)), usd(100), sums.recoverable, off_book=True)
    book.append(got)
    after = balances(book, LOAN)
    assert after[Account.RECOVERY_INCOME] == D(100)
    assert after[Account.LOANS_RECEIVABLE] == 0
    assert after[Account.CHARGED_OFF] == D(1000) == after[Account.CHARGED_OFF_CONTRA]
    assert LoanPostings.of(book).recoverable == D(1000)
    assert trial_balance(book) == 0


def test_a_recovery_beyond_what_was_taken_off_is_owed_back() -> None:
    book = lent()
    taken = write_off(head("w", date(2026, 6, 1)), receivables(book, LOAN), "USD")
    book.append(taken)
    book.append(recovery(head("r", date(2026, 6, 2)), usd(1200), D(1010), off_book=False))
    after = balances(book, LOAN)
    assert after[Account.RECOVERY_INCOME] == D(1010)
    assert after[Account.MERCHANT_PAYABLE] == D(190)
    assert after[Account.CHARGED_OFF] == 0
    assert LoanPostings.of(book).recoverable == 0
    assert trial_balance(book) == 0


def test_a_reversed_charge_off_leaves_the_book_as_before() -> None:
    book = lent()
    before = dict(balances(book, LOAN))
    entry = charged(book, date(2026, 2, 1))
    book.append(reversal(head("x", date(2026, 2, 2)), entry))
    assert dict(balances(book, LOAN)) == before
    state = loan_state(FIXED, ROWS, book, date(2026, 2, 2))
    assert not state.charged_off
    assert state.outstanding_total > 0


def test_nothing_owed_cannot_be_charged_off() -> None:
    with pytest.raises(LedgerError, match="nothing to charge off"):
        charge_off(head("c", START), {}, "USD")


# --- goodwill credit ----------------------------------------------------------------------


def test_a_goodwill_credit_settles_as_a_payment_at_the_lenders_expense() -> None:
    book = lent()
    owed = receivables(book, LOAN)
    credit = goodwill_credit(head("g", START), usd(50), owed, FIXED.waterfall)
    book.append(credit)
    after = balances(book, LOAN)
    assert after[Account.GOODWILL_EXPENSE] == D(50)
    assert after[Account.CASH] == -D(1000)  # no cash moved
    assert sum(receivables(book, LOAN).values(), D(0)) == sum(owed.values(), D(0)) - 50
    assert LoanPostings.of(book).paid == loan_state(FIXED, ROWS, book, START).paid
    assert trial_balance(book) == 0
    with pytest.raises(LedgerError, match="exceeds"):
        goodwill_credit(head("g2", START), usd(5000), owed, FIXED.waterfall)


# --- the book stays balanced under any mix ------------------------------------------------

_STEPS = st.lists(
    st.tuples(
        st.sampled_from(["pay", "charge_off", "recover", "goodwill", "reverse_last"]),
        st.integers(1, 400),
    ),
    max_size=12,
)


@given(steps=_STEPS)
@settings(max_examples=80, deadline=None)
def test_every_mix_of_actions_keeps_the_trial_balance_at_zero(
    steps: list[tuple[str, int]],
) -> None:
    book = lent()
    on = START
    for number, (step, amount) in enumerate(steps):
        on += timedelta(days=3)
        entry = _step(book, step, D(amount), head(f"t{number}", on))
        if entry is not None:
            book.append(entry)
        assert trial_balance(book) == 0
        sums = LoanPostings.of(book)
        for account, value in balances(book, LOAN).items():
            assert account is Account.CASH or value >= 0, (account, value)
        assert sums.recoverable >= 0


def _step(
    book: list[Transaction], step: str, amount: Decimal, header: Header
) -> Transaction | None:
    sums = LoanPostings.of(book)
    owed = receivables(book, LOAN)
    off = sums.charged_off > 0
    if step == "pay" and not off and sum(owed.values(), D(0)) > 0:
        return repayment(header, usd(amount), owed, FIXED.waterfall)
    if step == "charge_off" and not off and sum(owed.values(), D(0)) > 0:
        return charge_off(header, owed, "USD")
    if step == "recover" and off:
        return recovery(header, usd(amount), sums.recoverable, off_book=True)
    if step == "goodwill" and not off and 0 < amount <= sum(owed.values(), D(0)):
        return goodwill_credit(header, usd(amount), owed, FIXED.waterfall)
    if step == "reverse_last" and len(book) > 1 and book[-1].kind is not TransactionKind.REVERSAL:
        last = book[-1]
        undone = {t.reverses for t in book}
        if last.id in undone or (last.kind is TransactionKind.CHARGE_OFF and sums.recovered > 0):
            return None
        return reversal(header, last)
    return None
