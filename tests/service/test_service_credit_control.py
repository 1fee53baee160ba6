"""Credit control, tried as an attacker would: one decision accepted many times, in parallel,
after a newer decision, after it expired; commitments hidden from exposure; keys of other
callers. Every rule runs on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal

import pytest
from credit_support import DAY, FIXED, SHARE, VALID_DAYS, decide, loans_of, open_book
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from decision_support import offer_of
from microlend.errors import (
    ConfigError,
    IdempotencyConflictError,
    LedgerError,
    LimitExceededError,
    OfferUnavailableError,
)
from microlend.service import (
    Receipt,
    accept_decision_offer,
    accept_offer,
    book_exposure,
    cancel_loan,
    disburse,
)
from microlend.store import LoanBookCommands, LoanRecord, LoanStatus, in_transaction
from microlend.types import LoanId, MerchantId


def _accept(
    engine: Engine, decision_id: str, key: str, *, number: int = 1, day: int = 0, scope: str = ""
) -> Receipt:
    return accept_decision_offer(
        engine,
        decision_id=decision_id,
        offer_number=number,
        business_date=DAY + timedelta(days=day),
        idempotency_key=key,
        scope=scope,
    )


def _refused(engine: Engine, decision_id: str, key: str, **kwargs: int) -> str:
    with pytest.raises(OfferUnavailableError) as refused:
        _accept(engine, decision_id, key, **kwargs)
    return refused.value.reason


def test_a_decision_gives_one_loan_however_often_it_is_accepted(engine: Engine) -> None:
    """The finding: one decision (limit 1,300) accepted four times gave four loans."""
    open_book(engine)
    decide(engine, "D1")
    first = _accept(engine, "D1", "k1")
    reasons = [_refused(engine, "D1", f"k{n}", number=n) for n in (2, 3, 4)]
    assert reasons == ["used", "used", "used"]
    assert [loan.loan_id for loan in loans_of(engine, "M1")] == [first.loan_id]
    # The same key again is the same request: it answers as the first time.
    assert _accept(engine, "D1", "k1") == first


def test_parallel_accepts_of_one_decision_give_exactly_one_loan(engine: Engine) -> None:
    open_book(engine)
    decide(engine, "D1")

    def attempt(n: int) -> str:
        try:
            _accept(engine, "D1", f"key-{n}", number=1 + n % 4)
        except OfferUnavailableError as refused:
            return refused.reason
        return "accepted"

    with ThreadPoolExecutor(max_workers=20) as pool:
        outcomes = list(pool.map(attempt, range(20)))
    assert sorted(outcomes) == ["accepted"] + ["used"] * 19
    assert len(loans_of(engine, "M1")) == 1


def test_parallel_accepts_with_one_key_give_one_loan_and_one_answer(engine: Engine) -> None:
    """The finding: on PostgreSQL, 20 retries of one key gave a 500 (the loan row was
    inserted before the key was claimed)."""
    open_book(engine)
    decide(engine, "D1")
    with ThreadPoolExecutor(max_workers=20) as pool:
        receipts = list(pool.map(lambda _: _accept(engine, "D1", "same-key"), range(20)))
    assert len(set(receipts)) == 1
    assert [loan.loan_id for loan in loans_of(engine, "M1")] == [receipts[0].loan_id]


def test_a_newer_decision_supersedes_the_offers_of_the_older(engine: Engine) -> None:
    """The finding: an offer of an older decision was accepted after a newer one declined."""
    open_book(engine)
    decide(engine, "D1")
    decide(engine, "D2", offers=("500.00",), limit="500.00")
    assert _refused(engine, "D1", "k1") == "superseded"
    assert _accept(engine, "D2", "k2").amount == Decimal("500.00")


def test_offers_expire_after_the_policys_days(engine: Engine) -> None:
    open_book(engine)
    decide(engine, "D1", merchant="M1")
    decide(engine, "D2", merchant="M2")
    assert _refused(engine, "D1", "k1", day=VALID_DAYS + 1) == "expired"
    assert _accept(engine, "D2", "k2", day=VALID_DAYS).status == "accepted"


def test_accepted_loans_count_as_exposure_until_cancelled(engine: Engine) -> None:
    """The finding: a merchant that accepted 600 got a new 600 offer."""
    open_book(engine)
    decide(engine, "D1")
    loan = _accept(engine, "D1", "k1", number=3)  # the 600.00 instalment offer
    assert book_exposure(engine, "M1", "USD", DAY).outstanding.amount == Decimal("600.00")
    assert loan.loan_id is not None
    cancel_loan(engine, loan.loan_id, DAY, "cancel-1")
    assert book_exposure(engine, "M1", "USD", DAY).outstanding.amount == 0
    # Cancelled is final: not disbursed, not cancelled twice, and its decision stays used.
    with pytest.raises(LedgerError, match="cancelled"):
        disburse(engine, loan.loan_id, DAY, "dis-1")
    with pytest.raises(LedgerError, match="cancelled"):
        cancel_loan(engine, loan.loan_id, DAY, "cancel-2")
    assert _refused(engine, "D1", "k2") == "used"


def test_disbursement_checks_the_granted_limit_again(engine: Engine) -> None:
    open_book(engine)
    decide(engine, "D1")  # may owe 1,300 in all
    granted = _accept(engine, "D1", "k1")  # 1,300
    platform = accept_offer(
        engine,
        merchant_id=MerchantId("M1"),
        offer=offer_of("500.00", FIXED),
        business_date=DAY,
        idempotency_key="platform-loan",
    )
    assert granted.loan_id is not None
    assert platform.loan_id is not None
    with pytest.raises(LimitExceededError, match=r"1800\.00 USD owed or committed"):
        disburse(engine, granted.loan_id, DAY, "dis-1")
    cancel_loan(engine, platform.loan_id, DAY, "cancel-1")
    assert disburse(engine, granted.loan_id, DAY, "dis-2").status == "active"


def test_only_an_offer_the_decision_made_can_be_accepted_under_it(engine: Engine) -> None:
    open_book(engine)
    record = decide(engine, "D1")  # offers 1,300 and 600, each on FIXED and SHARE terms
    made = record.decision.offers[1]  # 1,300 on SHARE
    lighter = dataclasses.replace(SHARE, holdback_rate=Decimal("0.05"))
    for forged in (offer_of("500.00", FIXED), dataclasses.replace(made, terms=lighter)):
        with pytest.raises(ConfigError, match="not one of decision D1's offers"):
            accept_offer(
                engine,
                merchant_id=MerchantId("M1"),
                offer=forged,
                business_date=DAY,
                idempotency_key="forged",
                decision_id="D1",
            )
    accepted = accept_offer(
        engine,
        merchant_id=MerchantId("M1"),
        offer=made,
        business_date=DAY,
        idempotency_key="made",
        decision_id="D1",
    )
    assert accepted.amount == made.amount.amount


def test_disbursement_keeps_the_policys_cap_on_one_merchant(engine: Engine) -> None:
    open_book(engine)
    decide(engine, "D1")
    loan = _accept(engine, "D1", "k1")
    assert loan.loan_id is not None
    with pytest.raises(LimitExceededError, match="cap on one merchant"):
        disburse(engine, loan.loan_id, DAY, "dis-1", merchant_cap=Decimal("1000.00"))


def test_idempotency_keys_belong_to_their_caller(engine: Engine) -> None:
    """The finding: a merchant could take a servicing system's key first and block it."""
    open_book(engine)
    decide(engine, "D1", merchant="M1")
    decide(engine, "D2", merchant="M2")
    mine = _accept(engine, "D1", "shared-key", scope="caller-a")
    theirs = _accept(engine, "D2", "shared-key", scope="caller-b")
    assert mine.loan_id != theirs.loan_id
    assert _accept(engine, "D1", "shared-key", scope="caller-a") == mine
    with pytest.raises(IdempotencyConflictError) as refused:
        _accept(engine, "D2", "shared-key", scope="caller-a")
    assert "D1" not in str(refused.value)
    assert "accept" not in str(refused.value)


def test_the_database_itself_keeps_a_decision_single_use(engine: Engine) -> None:
    open_book(engine)
    decide(engine, "D1")

    def loan(loan_id: str) -> LoanRecord:
        return LoanRecord(
            loan_id=LoanId(loan_id),
            merchant_id=MerchantId("M1"),
            decision_id="D1",
            terms=FIXED,
            principal=Decimal("100.00"),
            currency="USD",
            status=LoanStatus.ACCEPTED,
            accepted_on=DAY,
        )

    in_transaction(engine, lambda s: LoanBookCommands(s).add_loan(loan("L1")))
    with pytest.raises(IntegrityError):
        in_transaction(engine, lambda s: LoanBookCommands(s).add_loan(loan("L2")), attempts=1)
