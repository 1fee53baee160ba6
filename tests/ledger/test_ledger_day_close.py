"""``ledger.close_loan_day``: one loan's business day closed, from summed postings or from its
transactions alike, without touching what it was given."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import event, given, settings
from hypothesis import strategies as st

from microlend.ledger import (
    Covenant,
    DayClose,
    FixedInstalmentTerms,
    Header,
    LoanContract,
    LoanOutcome,
    LoanPostings,
    ShareOfSalesTerms,
    Terms,
    Transaction,
    TransactionKind,
    accrue_due_interest,
    close_loan_day,
    disbursement,
    loan_state,
    receivables,
    repayment,
    reversal,
    schedule,
    settlement_holdback,
)
from microlend.money import Money
from microlend.types import LoanId

D = Decimal
LOAN = LoanId("L1")
START = date(2026, 1, 15)
FIXED = FixedInstalmentTerms(annual_rate=D("0.24"), count=3)
SHARE = ShareOfSalesTerms(D("0.10"), D("0.20"), covenant=Covenant(3, 30))


def header(operation: str, key: str, business_date: date, loan_id: str | None) -> Header:
    """The service's rule in miniature: the id and the idempotency key name the request."""
    name = f"{operation}:{key}"
    return Header(name, business_date, name, None if loan_id is None else LoanId(loan_id))


def opened(terms: Terms, principal: str = "1000") -> tuple[LoanContract, list[Transaction]]:
    money = Money(D(principal), "USD")
    contract = LoanContract(LOAN, "USD", terms, schedule(terms, money, START))
    return contract, [disbursement(header("disburse", "d", START, LOAN), terms, money)]


def test_an_instalment_falling_due_is_accrued_once_under_the_days_key() -> None:
    contract, history = opened(FIXED)
    due = contract.schedule[0].due_on
    assert close_loan_day(contract, history, due - timedelta(days=1), header).transactions == ()
    closed = close_loan_day(contract, history, due, header)
    (accrual,) = closed.transactions
    assert accrual.kind is TransactionKind.INTEREST_ACCRUAL
    assert accrual.idempotency_key == f"accrual:{due}:{LOAN}"
    assert accrual.postings[0].amount == contract.schedule[0].interest == D("20.00")
    assert closed.state.interest_to_accrue == 0
    assert closed.outcome is LoanOutcome.ACTIVE
    # Closed again with its postings, the day posts nothing more.
    again = close_loan_day(contract, [*history, accrual], due, header)
    assert again == DayClose((), closed.state, LoanOutcome.ACTIVE)


def test_a_loan_ninety_days_late_is_written_off_whole() -> None:
    contract, history = opened(SHARE)
    first_due = contract.schedule[0].due_on
    late = close_loan_day(contract, history, first_due + timedelta(days=89), header)
    assert (late.transactions, late.outcome) == ((), LoanOutcome.ACTIVE)
    day = first_due + timedelta(days=90)
    closed = close_loan_day(contract, history, day, header)
    (taken,) = closed.transactions
    assert taken.kind is TransactionKind.WRITE_OFF
    assert taken.idempotency_key == f"write_off:{day}:{LOAN}"
    assert all(amount == 0 for amount in receivables([*history, taken], LOAN).values())
    assert closed.state.written_off
    assert closed.outcome is LoanOutcome.WRITTEN_OFF
    # Never written off twice.
    assert close_loan_day(contract, [*history, taken], day, header).transactions == ()


def test_a_loan_paid_in_full_is_repaid() -> None:
    contract, history = opened(SHARE)
    owed = receivables(history, LOAN)
    paid = repayment(
        header("pay", "p", START, LOAN), Money(D("1100"), "USD"), owed, SHARE.waterfall
    )
    closed = close_loan_day(contract, [*history, paid], START, header)
    assert (closed.transactions, closed.outcome) == ((), LoanOutcome.REPAID)


def test_the_postings_given_are_left_as_they_were() -> None:
    contract, history = opened(FIXED)
    postings = LoanPostings.of(history)
    due = contract.schedule[0].due_on
    for step in (close_loan_day, accrue_due_interest):
        assert len(step(contract, postings, due, header).transactions) == 1
        assert postings.recognised_interest == 0
        assert postings.owed == receivables(history, LOAN)


def test_later_transactions_do_not_age_the_day_but_are_written_off_too() -> None:
    """A day closed after later postings (the api may close yesterday): the state is the day's,
    and a write-off takes what the receivables hold after every posting."""
    contract, history = opened(SHARE)
    day = contract.schedule[0].due_on + timedelta(days=90)
    owed = receivables(history, LOAN)
    later = settlement_holdback(
        header("settlement", "s", day + timedelta(days=1), LOAN),
        SHARE,
        Money(D(100), "USD"),
        owed,
    )
    assert later is not None
    closed = close_loan_day(contract, [*history, later], day, header)
    book = [*history, *closed.transactions]
    assert closed.state == loan_state(SHARE, contract.schedule, book, day)
    assert closed.outcome is LoanOutcome.WRITTEN_OFF
    assert all(amount == 0 for amount in receivables([*book, later], LOAN).values())


terms = st.one_of(
    st.builds(
        FixedInstalmentTerms,
        annual_rate=st.decimals(min_value=0, max_value=D("0.6"), places=3),
        count=st.integers(1, 6),
        fee_rate=st.decimals(min_value=0, max_value=D("0.05"), places=3),
    ),
    st.builds(
        ShareOfSalesTerms,
        fee_rate=st.decimals(min_value=0, max_value=D("0.2"), places=3),
        holdback_rate=st.decimals(min_value=D("0.05"), max_value=D("0.3"), places=3),
        covenant=st.builds(Covenant, st.integers(1, 4), st.integers(15, 45)),
    ),
)
events = st.lists(
    st.tuples(
        st.sampled_from(["pay", "settle", "undo", "close", "close"]),
        st.integers(0, 40),
        st.integers(0, 60_000),
    ),
    max_size=30,
)


@settings(max_examples=150, deadline=None)
@given(terms, events)
def test_the_step_over_summed_postings_is_the_step_over_the_transactions(
    product: FixedInstalmentTerms | ShareOfSalesTerms, steps: list[tuple[str, int, int]]
) -> None:
    contract, history = opened(product)
    kept = LoanPostings.of(history)  # summed as they come, as the backtest keeps them
    day = START
    for action, days, cents in steps:
        day += timedelta(days=days)
        posted = _event(product, history, action, day, D(cents) / 100)
        if action == "close":
            summed = close_loan_day(contract, kept, day, header)
            assert summed == close_loan_day(contract, history, day, header)
            assert summed == close_loan_day(contract, LoanPostings.of(history), day, header)
            _check_close(contract, history, summed, day)
            event(f"a close posts {sorted(t.kind.value for t in summed.transactions)}")
            posted = list(summed.transactions)
        for transaction in posted:
            history.append(transaction)
            kept.add(transaction)
        assert kept.owed == receivables(history, LOAN)


def _event(
    product: Terms, history: list[Transaction], action: str, day: date, amount: Decimal
) -> list[Transaction]:
    key, money = f"{action}{len(history)}", Money(amount, "USD")
    owed = receivables(history, LOAN)
    if sum(owed.values()) <= 0 or amount <= 0:
        return []
    if action == "pay":
        return [repayment(header("pay", key, day, LOAN), money, owed, product.waterfall)]
    if action == "settle" and isinstance(product, ShareOfSalesTerms):
        held = settlement_holdback(header("hold", key, day, LOAN), product, money, owed)
        return [] if held is None else [held]
    last = history[-1]
    if action == "undo" and last.kind in (TransactionKind.REPAYMENT, TransactionKind.HOLDBACK):
        return [reversal(header("undo", key, day, LOAN), last)]
    return []


def _check_close(
    contract: LoanContract, history: list[Transaction], closed: DayClose, day: date
) -> None:
    """What end of day did before the step: the state from the whole history with the day's
    postings, and the status from it and the receivables."""
    book = [*history, *closed.transactions]
    assert closed.state == loan_state(contract.terms, contract.schedule, book, day)
    assert closed.state.interest_to_accrue == 0
    owed = sum(receivables(book, LOAN).values(), D(0))
    assert owed >= 0
    if closed.state.written_off:
        assert closed.outcome is LoanOutcome.WRITTEN_OFF
        assert owed == 0
    else:
        assert closed.outcome is (LoanOutcome.REPAID if owed == 0 else LoanOutcome.ACTIVE)
    assert all(amount >= 0 for amount in receivables(book, LOAN).values())
    assert closed.outcome is not LoanOutcome.ACTIVE or closed.state.days_past_due < 90
