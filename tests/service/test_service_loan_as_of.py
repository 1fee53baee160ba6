"""A loan read as of a past business date (``loan_view(..., as_of=)``) is the read the book gave
on that date: balances, state, status and days past due, from the postings dated by then."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from test_service_lending import DAY, FIXED, SHARE, open_loan, usd

from microlend.errors import ConfigError, NotFoundError
from microlend.ledger import Bucket, Covenant, ShareOfSalesTerms, Terms
from microlend.service import (
    LoanView,
    Principal,
    Role,
    end_of_day,
    loan_view,
    post_payment,
    post_settlement,
    reverse_transaction,
)
from microlend.store import LoanStatus
from microlend.types import MerchantId

# A covenant of 3 milestones, 30 days apart, so a share-of-sales loan falls behind too.
SHORT = ShareOfSalesTerms(
    fee_rate=Decimal("0.10"), holdback_rate=Decimal("0.20"), covenant=Covenant(3, 30)
)


def _day(offset: int) -> date:
    return DAY + timedelta(days=offset)


def test_an_instalment_loan_read_as_of_each_day_is_the_read_of_that_day(engine: Engine) -> None:
    loan_id = open_loan(engine, FIXED)
    seen: dict[date, LoanView] = {DAY: loan_view(engine, loan_id, DAY)}
    for offset in (10, 31, 40, 45, 70, 100, 125, 140):
        today = _day(offset)
        if offset == 10:  # paid in part before anything fell due: principal only
            post_payment(engine, loan_id, usd("100"), today, "pay-10")
        if offset == 40:  # a part of the first instalment, late
            paid = post_payment(engine, loan_id, usd("50"), today, "pay-40")
        if offset == 45:  # that payment was a mistake
            reverse_transaction(engine, paid.transaction_ids[0], today, "rev-45")
        end_of_day(engine, today)
        seen[today] = loan_view(engine, loan_id, today)

    last = _day(140)
    again = {day: loan_view(engine, loan_id, last, as_of=day) for day in seen}
    assert again == seen
    # The path it took: current, paid in part, late, later, written off.
    path = [(v.loan.status, v.state.days_past_due, v.loan.ageing.bucket) for v in seen.values()]
    assert path[1] == (LoanStatus.ACTIVE, 0, Bucket.CURRENT)
    assert seen[_day(10)].owed_total == Decimal("900.00")
    assert seen[_day(70)].state.days_past_due == 39
    assert seen[_day(100)].state.bucket is Bucket.DPD_60_89
    assert path[-1][0] is LoanStatus.WRITTEN_OFF
    # A day that was never closed reads its postings too, with the last close's ageing.
    between = loan_view(engine, loan_id, last, as_of=_day(41))
    assert between.state.days_past_due == 10
    assert len(between.transactions) == len(seen[_day(40)].transactions)
    assert between.loan.ageing == seen[_day(40)].loan.ageing


def test_a_repaid_share_of_sales_loan_reads_active_before_and_repaid_after(engine: Engine) -> None:
    loan_id = open_loan(engine, SHARE)
    seen: dict[date, LoanView] = {}
    for offset, gross in ((1, "2000"), (5, "1000"), (9, "4000"), (12, "2000")):
        today = _day(offset)
        post_settlement(engine, loan_id, usd(gross), today, f"s{offset}")
        end_of_day(engine, today)
        seen[today] = loan_view(engine, loan_id, today)
    assert [v.loan.status for v in seen.values()] == [LoanStatus.ACTIVE] * 2 + [
        LoanStatus.REPAID
    ] * 2
    assert seen[_day(9)].loan.realised_apr is not None
    again = {day: loan_view(engine, loan_id, _day(12), as_of=day) for day in seen}
    assert again == seen
    assert again[_day(5)].loan.realised_apr is None
    assert again[_day(5)].owed_total == Decimal("500.00")


def test_dates_outside_the_loans_life_are_refused(engine: Engine) -> None:
    loan_id = open_loan(engine, FIXED)
    today = _day(20)
    for day in (date(1900, 1, 1), DAY - timedelta(days=1)):
        with pytest.raises(ConfigError, match=r"before loan .* was disbursed"):
            loan_view(engine, loan_id, today, as_of=day)
    for day in (today + timedelta(days=1), date(9999, 12, 31)):
        with pytest.raises(ConfigError, match="after today's business date"):
            loan_view(engine, loan_id, today, as_of=day)
    # Today, asked for by name, is the read of today.
    assert loan_view(engine, loan_id, today, as_of=today) == loan_view(engine, loan_id, today)


def test_another_merchants_loan_is_not_found_whatever_the_date(engine: Engine) -> None:
    loan_id = open_loan(engine, FIXED)
    stranger = Principal("k-other", Role.MERCHANT, MerchantId("M2"))
    owner = Principal("k-own", Role.MERCHANT, MerchantId("M1"))
    for as_of in (None, DAY, date(1900, 1, 1), date(9999, 12, 31)):
        with pytest.raises(NotFoundError, match="no loan"):
            loan_view(engine, loan_id, DAY, as_of=as_of, viewer=stranger)
    assert loan_view(engine, loan_id, DAY, as_of=DAY, viewer=owner).loan.loan_id == loan_id


#: A day of the book: days since the last, a settlement's gross (on a share-of-sales loan) and a
#: payment (0: none).
_DAYS = st.lists(
    st.tuples(
        st.integers(1, 40),
        st.sampled_from([0, 0, 150, 900, 3000]),
        st.sampled_from([0, 0, 40, 400]),
    ),
    min_size=1,
    max_size=6,
)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_any_history_read_as_of_a_day_is_the_read_of_that_day(
    backend: str, book_maker: Callable[[str], Engine]
) -> None:
    @settings(
        max_examples=30,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(days=_DAYS, terms=st.sampled_from([FIXED, SHORT]))
    def check(days: list[tuple[int, int, int]], terms: Terms) -> None:
        engine = book_maker(backend)
        loan_id = open_loan(engine, terms)
        today, seen = DAY, {DAY: loan_view(engine, loan_id, DAY)}
        for number, (gap, gross, paid) in enumerate(days):
            open_on = seen[today].loan.status is LoanStatus.ACTIVE  # a closed loan takes none
            today += timedelta(days=gap)
            if open_on and gross and isinstance(terms, ShareOfSalesTerms):
                post_settlement(engine, loan_id, usd(str(gross)), today, f"s{number}")
            if open_on and paid:
                post_payment(engine, loan_id, usd(str(paid)), today, f"p{number}")
            end_of_day(engine, today)
            seen[today] = loan_view(engine, loan_id, today)
        assert {day: loan_view(engine, loan_id, today, as_of=day) for day in seen} == seen

    check()
