"""A book of merchants, hand-made decisions and disbursed loans, for the service tests."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from decision_support import made_decision, offer_of
from microlend.ledger import FixedInstalmentTerms, ShareOfSalesTerms, Terms
from microlend.money import Money
from microlend.service import accept_offer, disburse, fund_book, record_decision
from microlend.store import (
    DecisionRecord,
    LoanBookCommands,
    LoanBookQueries,
    LoanRecord,
    LoanStatus,
    MerchantRecord,
    in_transaction,
)
from microlend.types import MerchantId

DAY = date(2025, 3, 3)
FIXED = FixedInstalmentTerms(annual_rate=Decimal("0.24"), count=6)
SHARE = ShareOfSalesTerms(fee_rate=Decimal("0.10"), holdback_rate=Decimal("0.20"))
VALID_DAYS = 7


def open_book(engine: Engine, merchants: tuple[str, ...] = ("M1", "M2")) -> None:
    """Merchants in the book, and 1,000,000 USD of capital."""
    records = [
        MerchantRecord(MerchantId(m), "toys", "north", datetime(2024, 1, 1, tzinfo=UTC))
        for m in merchants
    ]
    in_transaction(engine, lambda s: LoanBookCommands(s).add_merchants(records))
    fund_book(engine, Money(Decimal(1_000_000), "USD"), DAY, "capital")


def open_loan(engine: Engine, terms: Terms, principal: str = "1000.00", *, key: str = "1") -> str:
    """A funded book with merchant M1 (both idempotent: recorded and funded once, however often
    this runs) and a disbursed loan of ``principal`` on ``terms`` (another for each ``key``)."""
    merchant = MerchantRecord(MerchantId("M1"), "toys", "north", datetime(2024, 1, 1, tzinfo=UTC))
    in_transaction(engine, lambda s: LoanBookCommands(s).add_merchant(merchant))
    fund_book(engine, Money(Decimal(100_000), "USD"), DAY, "fund-1")
    accepted = accept_offer(
        engine,
        merchant_id=MerchantId("M1"),
        offer=offer_of(principal, terms),
        business_date=DAY,
        idempotency_key=f"acc-{key}",
    )
    assert accepted.loan_id is not None
    disburse(engine, accepted.loan_id, DAY, f"dis-{key}")
    return accepted.loan_id


def assert_book_sound(engine: Engine) -> None:
    """A zero trial balance and no USD account below zero."""
    with Session(engine) as session:
        queries = LoanBookQueries(session)
        assert queries.trial_balance() == 0
        assert all(balance >= 0 for balance in queries.balances("USD").values())


def decide(
    engine: Engine,
    decision_id: str,
    merchant: str = "M1",
    *,
    limit: str = "1300.00",
    exposure: str = "0.00",
    offers: tuple[str, ...] = ("1300.00", "600.00"),
    as_of: date = DAY,
) -> DecisionRecord:
    """Store an approving decision (a limit of ``limit`` on ``exposure`` owed) whose offers
    stand ``VALID_DAYS``; it supersedes the merchant's earlier ones."""
    menu = [offer_of(amount, terms) for amount in offers for terms in (FIXED, SHARE)]
    record = made_decision(
        decision_id,
        merchant,
        as_of=as_of,
        offers=menu,
        limit=limit,
        exposure=exposure,
        valid_days=VALID_DAYS,
    )
    record_decision(engine, record)
    return record


def loans_of(engine: Engine, merchant: str) -> list[LoanRecord]:
    with Session(engine) as session:
        queries = LoanBookQueries(session)
        return [
            loan
            for status in LoanStatus
            for loan in queries.loans(status)
            if loan.merchant_id == merchant
        ]
