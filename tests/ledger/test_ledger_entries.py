import random
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from microlend.errors import IdempotencyConflictError, LedgerError, UnbalancedEntryError
from microlend.ledger import (
    Account,
    Component,
    FixedInstalmentTerms,
    Header,
    LoanPostings,
    Posting,
    ShareOfSalesTerms,
    Transaction,
    TransactionKind,
    balances,
    disbursement,
    funding,
    interest_accrual,
    loan_state,
    overpayment_refund,
    receivables,
    repayment,
    reversal,
    schedule,
    serviced,
    settlement_holdback,
    trial_balance,
    write_off,
)
from microlend.money import Money
from microlend.types import LoanId

D = Decimal
LOAN = LoanId("L1")
START = date(2026, 1, 15)


def usd(amount: str | int) -> Money:
    return Money(D(amount), "USD")


class Book:
    """A loan's life built step by step through the public builders, as a service would."""

    def __init__(self, terms: FixedInstalmentTerms | ShareOfSalesTerms, principal: Money) -> None:
        self.terms, self.day = terms, START
        self.transactions: list[Transaction] = []
        #: The same transactions summed one at a time, as the backtest keeps them.
        self.postings = LoanPostings()
        self.rows = schedule(terms, principal, START)
        self.post(funding(self.header(loan=False), principal + usd(1)))
        self.post(disbursement(self.header(), terms, principal))

    def header(self, loan: bool = True) -> Header:
        n = len(self.transactions)
        return Header(f"t{n}", self.day, f"k{n}", LOAN if loan else None)

    def post(self, transaction: Transaction | None) -> None:
        if transaction is not None:
            self.transactions.append(transaction)
            self.postings.add(transaction)

    def owed(self) -> dict[Component, Decimal]:
        return receivables(self.transactions, LOAN)

    def step(self, event: tuple[str, int, int]) -> None:
        action, days, cents = event
        self.day += timedelta(days=days)
        amount = usd(cents) * D("0.01")
        if action == "pay" and amount.amount > 0:
            self.post(repayment(self.header(), amount, self.owed(), self.terms.waterfall))
        elif action == "settle" and isinstance(self.terms, ShareOfSalesTerms):
            self.post(settlement_holdback(self.header(), self.terms, amount, self.owed()))
        elif action == "accrue":
            due = loan_state(self.terms, self.rows, self.transactions, self.day).interest_to_accrue
            if due > 0:
                self.post(interest_accrual(self.header(), Money(due, "USD")))
        elif action == "refund":
            payable = balances(self.transactions)[Account.MERCHANT_PAYABLE]
            if payable > 0:
                self.post(overpayment_refund(self.header(), Money(payable, "USD")))
        elif action == "undo" and self.transactions[-1].kind not in _NOT_UNDONE:
            self.post(reversal(self.header(), self.transactions[-1]))


_NOT_UNDONE = {TransactionKind.REVERSAL, TransactionKind.FUNDING, TransactionKind.DISBURSEMENT}

terms = st.one_of(
    st.builds(
        FixedInstalmentTerms,
        annual_rate=st.decimals(min_value=0, max_value=D("0.6"), places=3),
        count=st.integers(1, 12),
        fee_rate=st.decimals(min_value=0, max_value=D("0.05"), places=3),
    ),
    st.builds(
        ShareOfSalesTerms,
        fee_rate=st.decimals(min_value=0, max_value=D("0.2"), places=3),
        holdback_rate=st.decimals(min_value=D("0.05"), max_value=D("0.3"), places=3),
    ),
)
events = st.lists(
    st.tuples(
        st.sampled_from(["pay", "settle", "accrue", "refund", "undo"]),
        st.integers(0, 45),
        st.integers(0, 1_500_000),
    ),
    max_size=25,
)


@settings(max_examples=100, deadline=None)
@given(terms, st.integers(10_000, 1_000_000), events, st.booleans(), st.randoms())
def test_valid_sequences_keep_the_book_sound(
    product: FixedInstalmentTerms | ShareOfSalesTerms,
    principal_cents: int,
    steps: list[tuple[str, int, int]],
    write_off_at_end: bool,
    rng: random.Random,
) -> None:
    book = Book(product, usd(principal_cents) * D("0.01"))
    for event in steps:
        book.step(event)
        assert trial_balance(book.transactions) == 0
        assert all(amount >= 0 for amount in balances(book.transactions).values())
        # The servicing view and the ledger agree on what is owed.
        state = loan_state(book.terms, book.rows, book.transactions, book.day)
        assert state.outstanding[Component.PRINCIPAL] == book.owed()[Component.PRINCIPAL]
        assert state.outstanding[Component.FEES] == book.owed()[Component.FEES]
        assert 0 <= state.amount_due <= state.outstanding_total
        principal_and_fees = (
            state.outstanding[Component.PRINCIPAL] + state.outstanding[Component.FEES]
        )
        assert principal_and_fees <= state.payoff <= state.outstanding_total
        # Summing the postings as they come gives the state and the receivables rebuilt from
        # the whole history.
        assert serviced(book.terms, book.rows, book.postings, book.day) == state
        assert book.postings.owed == book.owed()
    if write_off_at_end and sum(book.owed().values()) > 0:
        book.post(write_off(book.header(), book.owed(), "USD"))
        assert sum(book.owed().values()) == 0
        assert all(amount >= 0 for amount in balances(book.transactions).values())
        state = loan_state(book.terms, book.rows, book.transactions, book.day)
        assert state.written_off
        assert serviced(book.terms, book.rows, book.postings, book.day) == state
    shuffled = list(book.transactions)
    rng.shuffle(shuffled)
    assert balances(shuffled) == balances(book.transactions)
    assert balances(shuffled, LOAN) == balances(book.transactions, LOAN)
    # Replaying every transaction again (same idempotency keys) changes nothing.
    assert balances(book.transactions + shuffled) == balances(book.transactions)
    for transaction in shuffled:
        book.postings.add(transaction)
    assert book.postings.owed == book.owed()
    # Summed in any order (each reversal after what it reverses), the sums are the same.
    assert LoanPostings.of(shuffled).owed == book.owed()
    assert LoanPostings.of(shuffled).paid == book.postings.paid


@settings(max_examples=60, deadline=None)
@given(terms, st.integers(10_000, 1_000_000), events, st.data())
def test_a_reversal_restores_the_balances(
    product: FixedInstalmentTerms | ShareOfSalesTerms,
    principal_cents: int,
    steps: list[tuple[str, int, int]],
    data: st.DataObject,
) -> None:
    book = Book(product, usd(principal_cents) * D("0.01"))
    for event in steps:
        book.step(event)
    before = balances(book.transactions)
    target = data.draw(st.sampled_from(book.transactions))
    if target.kind is TransactionKind.REVERSAL:
        return
    mirror = reversal(Header("rev", book.day, "rev-key", target.loan_id), target)
    assert sorted(p.amount for p in mirror.postings) == sorted(-p.amount for p in target.postings)
    after = balances([t for t in book.transactions if t is not target])
    assert balances([*book.transactions, mirror]) == after
    assert before != after


def test_an_unbalanced_transaction_cannot_exist() -> None:
    with pytest.raises(UnbalancedEntryError, match=r"differ by 0\.01"):
        Transaction(
            "t1",
            TransactionKind.REPAYMENT,
            START,
            (
                Posting.debit(Account.CASH, D("10.00")),
                Posting.credit(Account.LOANS_RECEIVABLE, D("9.99")),
            ),
            "k1",
            LOAN,
            "USD",
        )
    with pytest.raises(LedgerError, match="no postings"):
        Transaction("t2", TransactionKind.REPAYMENT, START, (), "k2", LOAN, "USD")
    with pytest.raises(LedgerError, match="minor unit"):
        Transaction(
            "t3",
            TransactionKind.REPAYMENT,
            START,
            (Posting.debit(Account.CASH, D("0.001")), Posting.credit(Account.CAPITAL, D("0.001"))),
            "k3",
            None,
            "USD",
        )


def test_disbursement_repayment_and_overpayment_by_hand() -> None:
    terms = ShareOfSalesTerms(fee_rate=D("0.1"), holdback_rate=D("0.1"))
    book = [
        funding(Header("f", START, "f"), usd(5000)),
        disbursement(Header("d", START, "d", LOAN), terms, usd(1000)),
    ]
    assert balances(book, LOAN)[Account.FEE_INCOME] == D("100.00")
    owed = receivables(book, LOAN)
    assert owed == {Component.FEES: D(100), Component.INTEREST: D(0), Component.PRINCIPAL: D(1000)}
    book.append(repayment(Header("r", START, "r", LOAN), usd(1150), owed, terms.waterfall))
    final = balances(book)
    assert final[Account.CASH] == D("5150.00")
    assert final[Account.MERCHANT_PAYABLE] == D("50.00")
    assert final[Account.LOANS_RECEIVABLE] == final[Account.FEES_RECEIVABLE] == 0
    assert trial_balance(book) == 0


def test_a_holdback_is_the_rate_of_the_net_capped_at_what_is_owed() -> None:
    terms = ShareOfSalesTerms(fee_rate=D("0"), holdback_rate=D("0.15"))
    owed = {Component.PRINCIPAL: D("20.00")}
    first = settlement_holdback(Header("h1", START, "h1", LOAN), terms, usd("99.99"), owed)
    assert first is not None
    assert first.postings[0] == Posting.debit(Account.CASH, D("15.00"))  # 14.9985 rounds to 15.00
    capped = settlement_holdback(Header("h2", START, "h2", LOAN), terms, usd(1000), owed)
    assert capped is not None
    assert capped.postings[0].amount == D("20.00")
    assert settlement_holdback(Header("h3", START, "h3", LOAN), terms, usd(-50), owed) is None
    assert settlement_holdback(Header("h4", START, "h4", LOAN), terms, usd(50), {}) is None


def test_write_off_takes_principal_as_loss_and_reverses_unearned_income() -> None:
    terms = FixedInstalmentTerms(annual_rate=D("0.12"), count=12, fee_rate=D("0.02"))
    book = [
        funding(Header("f", START, "f"), usd(1000)),
        disbursement(Header("d", START, "d", LOAN), terms, usd(1000)),
        interest_accrual(Header("i", START, "i", LOAN), usd(10)),
    ]
    book.append(write_off(Header("w", START, "w", LOAN), receivables(book, LOAN), "USD"))
    final = balances(book)
    assert final[Account.WRITE_OFF_EXPENSE] == D(1000)
    assert final[Account.FEE_INCOME] == final[Account.INTEREST_INCOME] == 0
    assert all(amount == 0 for amount in receivables(book, LOAN).values())
    with pytest.raises(LedgerError, match="nothing to write off"):
        write_off(Header("w2", START, "w2", LOAN), receivables(book, LOAN), "USD")


def test_idempotency_keys_count_once_and_refuse_a_different_request() -> None:
    first = funding(Header("f1", START, "same"), usd(100))
    assert balances([first, first])[Account.CASH] == D(100)
    with pytest.raises(IdempotencyConflictError, match="same"):
        balances([first, replace(first, id="f2")])


def test_a_reversal_is_not_reversed_and_books_do_not_mix_currencies() -> None:
    first = funding(Header("f1", START, "k1"), usd(100))
    undo = reversal(Header("r1", START, "k2"), first)
    assert undo.reverses == "f1"
    with pytest.raises(LedgerError, match="cannot be reversed"):
        reversal(Header("r2", START, "k3"), undo)
    euros = funding(Header("f2", START, "k4"), Money(D(5), "EUR"))
    with pytest.raises(LedgerError, match="one book per currency"):
        balances([first, euros])
