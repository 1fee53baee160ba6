from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from decision_support import made_decision, offer_of
from microlend.errors import IdempotencyConflictError, LedgerError, NotFoundError
from microlend.ledger import (
    Account,
    Component,
    Header,
    ShareOfSalesTerms,
    balances,
    disbursement,
    funding,
    settlement_holdback,
    trial_balance,
)
from microlend.money import Money
from microlend.store import (
    DecisionRecord,
    LoanBookCommands,
    LoanBookQueries,
    LoanRecord,
    LoanStatus,
    MerchantRecord,
    in_transaction,
    request_hash,
)
from microlend.types import LoanId, MerchantId

DAY = date(2025, 3, 1)
TERMS = ShareOfSalesTerms(fee_rate=Decimal("0.10"), holdback_rate=Decimal("0.15"))
LOAN = LoanRecord(
    loan_id=LoanId("L1"),
    merchant_id=MerchantId("M1"),
    decision_id=None,
    terms=TERMS,
    principal=Decimal("1000.00"),
    currency="USD",
    status=LoanStatus.ACTIVE,
    accepted_on=DAY,
    disbursed_on=DAY,
)


def _header(name: str, loan: str | None = "L1") -> Header:
    return Header(name, DAY, f"key-{name}", LoanId(loan) if loan else None)


def _seed(session: Session) -> None:
    commands = LoanBookCommands(session)
    commands.add_merchant(
        MerchantRecord(MerchantId("M1"), "toys", "north", datetime(2024, 1, 1, tzinfo=UTC))
    )
    commands.add_loan(LOAN)
    commands.lock_book("USD", create=True)


def test_transactions_read_back_equal_and_balances_come_from_postings(engine: Engine) -> None:
    fund = funding(_header("fund", None), Money(Decimal("5000"), "USD"))
    lend = disbursement(_header("lend"), TERMS, Money(Decimal("1000"), "USD"))
    owed = {Component.FEES: Decimal("100.00"), Component.PRINCIPAL: Decimal("1000.00")}
    hold = settlement_holdback(_header("hold"), TERMS, Money(Decimal("333.33"), "USD"), owed)
    assert hold is not None
    written = [fund, lend, hold]

    def work(session: Session) -> None:
        _seed(session)
        LoanBookCommands(session).append(written)

    in_transaction(engine, work)
    with Session(engine) as session:
        queries = LoanBookQueries(session)
        assert set(queries.all_transactions()) == set(written)
        assert queries.loan_transactions("L1") == (lend, hold)
        assert queries.balances("USD") == balances(written)
        assert queries.balances("USD", loan_id="L1") == balances(written, LoanId("L1"))
        assert queries.trial_balance() == trial_balance(written) == 0
        assert queries.balances("USD")[Account.CASH] == Decimal("5000") - Decimal("1000") + Decimal(
            "50.00"
        )
        assert queries.loan("L1") == LOAN


def test_money_sums_stay_exact_to_the_cent(engine: Engine) -> None:
    big = Decimal("9999999999999.99")
    entries = [funding(_header(f"f{i}", None), Money(Decimal("0.01"), "USD")) for i in range(30)]
    entries.append(funding(_header("big", None), Money(big, "USD")))

    def work(session: Session) -> None:
        _seed(session)
        LoanBookCommands(session).append(entries)

    in_transaction(engine, work)
    with Session(engine) as session:
        cash = LoanBookQueries(session).balances("USD")[Account.CASH]
    assert cash == big + Decimal("0.30")
    assert isinstance(cash, Decimal)


def test_every_currency_is_stored_at_its_own_places_and_no_finer(engine: Engine) -> None:
    """A KWD amount (three places) was refused when the book stored two; now each amount is
    stored exactly, and one finer than its own currency, or too large, is still refused."""
    for amount, currency in [("1.234", "KWD"), ("1000", "JPY"), ("0.0001", "CLF")]:
        entry = funding(_header(currency, None), Money.exact(amount, currency))
        in_transaction(engine, lambda s, e=entry: LoanBookCommands(s).append([e]))
        with Session(engine) as session:
            assert str(LoanBookQueries(session).balances(currency)[Account.CASH]) == amount
    in_transaction(engine, _seed)
    finer = dataclasses.replace(LOAN, loan_id=LoanId("L2"), principal=Decimal("10.005"))
    with pytest.raises(LedgerError, match="at most 2 decimal places in USD"):
        in_transaction(engine, lambda s: LoanBookCommands(s).add_loan(finer))
    huge = dataclasses.replace(LOAN, loan_id=LoanId("L3"), principal=Decimal(10**14))
    with pytest.raises(LedgerError, match="below 100,000,000,000,000"):
        in_transaction(engine, lambda s: LoanBookCommands(s).add_loans([huge]))


def test_a_transaction_key_is_stored_once(engine: Engine) -> None:
    first = funding(_header("a", None), Money(Decimal("1"), "USD"))
    again = funding(Header("b", DAY, "key-a"), Money(Decimal("1"), "USD"))
    in_transaction(engine, lambda s: LoanBookCommands(s).append([first]))
    with pytest.raises(IntegrityError):
        in_transaction(engine, lambda s: LoanBookCommands(s).append([again]), attempts=1)


def test_idempotency_keys_answer_the_first_request_and_refuse_another(engine: Engine) -> None:
    fingerprint = request_hash("payment", {"amount": "10.00"})

    def first(session: Session) -> None:
        commands = LoanBookCommands(session)
        assert commands.claim("caller-a", "k1", "payment", fingerprint) is None
        commands.answer("caller-a", "k1", {"paid": "10.00"})

    in_transaction(engine, first)
    with Session(engine) as session, session.begin():
        commands = LoanBookCommands(session)
        stored = commands.claim("caller-a", "k1", "payment", fingerprint)
        assert stored is not None
        assert stored.response == {"paid": "10.00"}
        with pytest.raises(IdempotencyConflictError) as refused:
            commands.claim("caller-a", "k1", "payment", request_hash("payment", {"amount": "11"}))
        # The refusal tells nothing of the first request.
        assert "payment" not in str(refused.value)
        with pytest.raises(IdempotencyConflictError):
            commands.claim("caller-a", "k1", "settlement", fingerprint)
        # Another caller's "k1" is its own key: claimed anew, nothing of caller-a's is seen.
        assert commands.claim("caller-b", "k1", "payment", fingerprint) is None
        session.rollback()


def test_decisions_are_stored_whole(engine: Engine) -> None:
    offers = (offer_of("4000.00", TERMS), offer_of("2000.00", TERMS))
    features = {"gmv_90d": 123456.5, "refund_rate_90d": 0.02, "avg_rating_180d": None}
    decision = made_decision("D1", as_of=DAY, offers=offers, limit="4000.00", features=features)

    def work(session: Session) -> None:
        _seed(session)
        LoanBookCommands(session).add_decision(decision)

    in_transaction(engine, work)
    with Session(engine) as session:
        assert LoanBookQueries(session).decision("D1") == decision


def test_a_new_decision_supersedes_the_merchants_earlier_ones(engine: Engine) -> None:
    def decision(decision_id: str) -> DecisionRecord:
        return made_decision(decision_id, as_of=DAY)

    def work(session: Session) -> None:
        _seed(session)
        commands = LoanBookCommands(session)
        for decision_id in ("D1", "D2", "D3"):
            commands.supersede("M1", decision_id)
            commands.add_decision(decision(decision_id))
        with pytest.raises(NotFoundError):
            commands.supersede("nobody", "D4")

    in_transaction(engine, work)
    with Session(engine) as session:
        queries = LoanBookQueries(session)
        assert queries.latest_decision("M1") == "D3"
        # Decisions are stored whole and never changed by the ones after them.
        assert queries.decision("D1") == decision("D1")


def test_missing_things_raise_not_found(engine: Engine) -> None:
    with Session(engine) as session:
        queries = LoanBookQueries(session)
        with pytest.raises(NotFoundError):
            queries.loan("nope")
        with pytest.raises(NotFoundError):
            queries.transaction("nope")
        with pytest.raises(NotFoundError):
            LoanBookCommands(session).lock_merchant(LOAN.merchant_id)
