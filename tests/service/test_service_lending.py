from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from credit_support import assert_book_sound, open_loan
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from decision_support import offer_of
from microlend.errors import IdempotencyConflictError, LedgerError
from microlend.ledger import (
    Account,
    FixedInstalmentTerms,
    ShareOfSalesTerms,
)
from microlend.money import Money
from microlend.service import (
    Receipt,
    accept_offer,
    disburse,
    fund_book,
    post_payment,
    post_settlement,
    reverse_transaction,
)
from microlend.store import (
    LoanBookCommands,
    LoanBookQueries,
    LoanStatus,
    MerchantRecord,
    in_transaction,
)
from microlend.types import MerchantId

DAY = date(2025, 3, 3)
SHARE = ShareOfSalesTerms(fee_rate=Decimal("0.10"), holdback_rate=Decimal("0.20"))
FIXED = FixedInstalmentTerms(annual_rate=Decimal("0.24"), count=6)


def usd(amount: str) -> Money:
    return Money(Decimal(amount), "USD")


def read(engine: Engine, query: Callable[[LoanBookQueries], object]) -> object:
    with Session(engine) as session:
        return query(LoanBookQueries(session))


def test_a_share_of_sales_loan_from_offer_to_repaid(engine: Engine) -> None:
    loan_id = open_loan(engine, SHARE)
    assert_book_sound(engine)
    taken = [post_settlement(engine, loan_id, usd("2000"), DAY, f"s{i}").amount for i in range(3)]
    # 1000 principal + 100 fee owed; 20 % of 2000 is 400 a day, the third capped at what is left.
    assert taken == [Decimal("400.00"), Decimal("400.00"), Decimal("300.00")]
    assert_book_sound(engine)
    assert read(engine, lambda q: q.loan(loan_id).status) is LoanStatus.REPAID
    after = post_settlement(engine, loan_id, usd("2000"), DAY, "s-after")
    assert after.amount == 0
    assert after.transaction_ids == ()


def test_the_same_key_moves_money_once_and_answers_the_same(engine: Engine) -> None:
    loan_id = open_loan(engine, SHARE)
    first = post_settlement(engine, loan_id, usd("500"), DAY, "settle-7")
    again = post_settlement(engine, loan_id, usd("500"), DAY, "settle-7")
    assert again == first
    assert first.amount == Decimal("100.00")
    cash = read(engine, lambda q: q.balances("USD", loan_id=loan_id)[Account.LOANS_RECEIVABLE])
    assert cash == Decimal("1000.00")  # the fee is settled first; principal untouched
    owed = read(engine, lambda q: q.balances("USD", loan_id=loan_id)[Account.FEES_RECEIVABLE])
    assert owed == Decimal("0.00")
    assert len(read(engine, lambda q: q.loan_transactions(loan_id))) == 2  # type: ignore[arg-type]
    with pytest.raises(IdempotencyConflictError):
        post_settlement(engine, loan_id, usd("501"), DAY, "settle-7")
    with pytest.raises(IdempotencyConflictError):
        post_payment(engine, loan_id, usd("500"), DAY, "settle-7")
    # Accepting and disbursing again with their keys changes nothing either.
    assert disburse(engine, loan_id, DAY, "dis-1").loan_id == loan_id
    assert_book_sound(engine)


def test_a_payment_follows_the_waterfall_and_refunds_the_overpayment(engine: Engine) -> None:
    loan_id = open_loan(engine, FIXED)
    receipt = post_payment(engine, loan_id, usd("1500"), DAY, "pay-1")
    # Nothing has fallen due: the payment repays the 1000 principal; 500 goes back.
    assert (receipt.amount, receipt.overpayment) == (Decimal("1000.00"), Decimal("500.00"))
    assert len(receipt.transaction_ids) == 2
    loan_balances = read(engine, lambda q: q.balances("USD", loan_id=loan_id))
    assert loan_balances[Account.LOANS_RECEIVABLE] == 0  # type: ignore[index]
    assert loan_balances[Account.MERCHANT_PAYABLE] == 0  # type: ignore[index]
    assert read(engine, lambda q: q.loan(loan_id).status) is LoanStatus.REPAID
    assert_book_sound(engine)


def test_a_reversal_restores_what_was_owed(engine: Engine) -> None:
    loan_id = open_loan(engine, SHARE)
    taken = post_settlement(engine, loan_id, usd("1000"), DAY, "s1")
    reversed_ = reverse_transaction(engine, taken.transaction_ids[0], DAY, "rev-1")
    assert isinstance(reversed_, Receipt)
    owed = read(engine, lambda q: q.balances("USD", loan_id=loan_id))
    assert owed[Account.FEES_RECEIVABLE] + owed[Account.LOANS_RECEIVABLE] == Decimal("1100.00")  # type: ignore[index]
    with pytest.raises(LedgerError):
        reverse_transaction(engine, taken.transaction_ids[0], DAY, "rev-2")
    assert_book_sound(engine)


def test_money_never_leaves_an_unfunded_book(engine: Engine) -> None:
    merchant = MerchantRecord(MerchantId("M1"), "toys", "north", datetime(2024, 1, 1, tzinfo=UTC))
    in_transaction(engine, lambda s: LoanBookCommands(s).add_merchant(merchant))
    fund_book(engine, usd("500"), DAY, "fund-small")
    offer = offer_of("1000.00", SHARE)
    accepted = accept_offer(
        engine, merchant_id=MerchantId("M1"), offer=offer, business_date=DAY, idempotency_key="a"
    )
    assert accepted.loan_id is not None
    with pytest.raises(LedgerError, match="short of cash"):
        disburse(engine, accepted.loan_id, DAY, "d")
    assert read(engine, lambda q: q.loan(accepted.loan_id).status) is LoanStatus.ACCEPTED  # type: ignore[arg-type]
    assert_book_sound(engine)


def test_a_fixed_instalment_loan_takes_no_holdback(engine: Engine) -> None:
    loan_id = open_loan(engine, FIXED)
    with pytest.raises(LedgerError, match="holdback"):
        post_settlement(engine, loan_id, usd("100"), DAY, "s")
