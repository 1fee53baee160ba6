"""When the book counts a written-off loan as defaulted: by the write-off in force, not by one
reversed since (as a charge-off is dated), on a book that closes no days (a backtest's)."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from credit_support import DAY, FIXED, VALID_DAYS, open_book
from sqlalchemy import Engine

from decision_support import made_decision, offer_of
from microlend.service import (
    accept_decision_offer,
    disburse,
    origination_pds,
    record_decision,
    reverse_transaction,
    write_off_loan,
)


def _lend(engine: Engine) -> str:
    made = made_decision(
        "D1",
        "M1",
        as_of=DAY,
        offers=[offer_of("1000.00", FIXED)],
        limit="1300.00",
        valid_days=VALID_DAYS,
    )
    record_decision(
        engine, dataclasses.replace(made, rating=dataclasses.replace(made.rating, pd=0.1))
    )
    accepted = accept_decision_offer(
        engine, decision_id="D1", offer_number=1, business_date=DAY, idempotency_key="acc-D1"
    )
    assert accepted.loan_id is not None
    disburse(engine, accepted.loan_id, DAY, "dis-D1")
    return accepted.loan_id


def test_a_reversed_write_off_does_not_date_the_default(engine: Engine) -> None:
    open_book(engine)
    loan = _lend(engine)
    first = write_off_loan(engine, loan, DAY + timedelta(days=10), "wo-1", reason="fraud alert")
    (entry,) = first.transaction_ids
    reverse_transaction(engine, entry, DAY + timedelta(days=12), "rev-1", reason="alert was false")
    write_off_loan(engine, loan, DAY + timedelta(days=40), "wo-2", reason="merchant vanished")

    between = origination_pds(engine, DAY + timedelta(days=20)).set_index("loan_id")
    assert between.loc[loan, "defaulted_on"] is None  # active again on that day
    later = origination_pds(engine, DAY + timedelta(days=60)).set_index("loan_id")
    assert later.loc[loan, "defaulted_on"] == DAY + timedelta(days=40)
