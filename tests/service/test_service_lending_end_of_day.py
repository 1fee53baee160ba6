from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from test_service_lending import DAY, FIXED, assert_book_sound, open_loan

from microlend.errors import ConfigError
from microlend.ledger import Account, Bucket, Covenant, CovenantStatus, ShareOfSalesTerms
from microlend.service import end_of_day
from microlend.store import LoanBookQueries, LoanRecord, LoanStatus

# A covenant of 3 milestones, 30 days apart: the first 366.67 falls due on day 30.
SHORT = ShareOfSalesTerms(
    fee_rate=Decimal("0.10"), holdback_rate=Decimal("0.20"), covenant=Covenant(3, 30)
)


def _loan(engine: Engine, loan_id: str) -> LoanRecord:
    with Session(engine) as session:
        return LoanBookQueries(session).loan(loan_id)


def test_end_of_day_ages_an_unpaid_loan_through_the_buckets_to_write_off(engine: Engine) -> None:
    loan_id = open_loan(engine, SHORT)
    seen = []
    for days in (29, 31, 60, 90, 119, 120):
        report = end_of_day(engine, DAY + timedelta(days=days))
        loan = _loan(engine, loan_id)
        seen.append((loan.ageing.days_past_due, loan.ageing.bucket, loan.status))
        assert report.loans_aged == 1
        assert_book_sound(engine)
    assert seen == [
        (0, Bucket.CURRENT, LoanStatus.ACTIVE),
        (1, Bucket.DPD_1_29, LoanStatus.ACTIVE),
        (30, Bucket.DPD_30_59, LoanStatus.ACTIVE),
        (60, Bucket.DPD_60_89, LoanStatus.ACTIVE),
        (89, Bucket.DPD_60_89, LoanStatus.ACTIVE),
        (0, Bucket.WRITTEN_OFF, LoanStatus.WRITTEN_OFF),
    ]
    assert report.write_offs == 1
    with Session(engine) as session:
        book = LoanBookQueries(session).balances("USD", loan_id=loan_id)
    assert book[Account.WRITE_OFF_EXPENSE] == Decimal("1000.00")
    assert book[Account.FEE_INCOME] == 0  # the fee was never earned
    assert book[Account.LOANS_RECEIVABLE] == book[Account.FEES_RECEIVABLE] == 0
    # A written-off loan is no longer active: the next day ages nothing.
    assert end_of_day(engine, DAY + timedelta(days=121)).loans_aged == 0


def test_end_of_day_flags_a_breached_covenant(engine: Engine) -> None:
    loan_id = open_loan(engine, SHORT)
    report = end_of_day(engine, DAY + timedelta(days=31))
    assert report.covenant_breaches == 1
    assert _loan(engine, loan_id).ageing.covenant is CovenantStatus.BREACHED


def test_end_of_day_accrues_interest_once_per_due_date(engine: Engine) -> None:
    loan_id = open_loan(engine, FIXED)  # 1000 at 24 %: 20.00 interest falls due after a month
    due = DAY + timedelta(days=31)
    first = end_of_day(engine, due)
    assert (first.interest_accruals, first.postings) == (1, 2)
    # Closing the day again does nothing more and answers as the first run did.
    assert end_of_day(engine, due) == first
    with Session(engine) as session:
        book = LoanBookQueries(session).balances("USD", loan_id=loan_id)
    assert book[Account.INTEREST_RECEIVABLE] == Decimal("20.00")
    assert book[Account.INTEREST_INCOME] == Decimal("20.00")
    assert end_of_day(engine, due + timedelta(days=1)).interest_accruals == 0
    assert_book_sound(engine)


def test_end_of_day_refuses_a_day_before_the_last_closed_one(engine: Engine) -> None:
    open_loan(engine, FIXED)
    end_of_day(engine, DAY + timedelta(days=10))
    with pytest.raises(ConfigError, match="before the book's last closed day"):
        end_of_day(engine, DAY + timedelta(days=9))
    with pytest.raises(ConfigError):
        end_of_day(engine, date(1, 1, 1))


def test_concurrent_end_of_day_calls_accrue_once_and_answer_alike(engine: Engine) -> None:
    """Ten callers close one date at once: no error, one accrual per loan, one answer."""
    loans = [open_loan(engine, FIXED, key=str(n)) for n in range(12)]
    due = DAY + timedelta(days=31)
    with ThreadPoolExecutor(max_workers=10) as pool:
        reports = list(pool.map(lambda _: end_of_day(engine, due, batch_size=5), range(10)))
    assert all(report == reports[0] for report in reports)
    assert (reports[0].loans_aged, reports[0].interest_accruals) == (len(loans), len(loans))
    with Session(engine) as session:
        book = LoanBookQueries(session).balances("USD")
    assert book[Account.INTEREST_RECEIVABLE] == Decimal("20.00") * len(loans)
    assert_book_sound(engine)
