from datetime import date, timedelta
from decimal import Decimal

import pytest

from microlend.errors import IdempotencyConflictError, LedgerError
from microlend.ledger import (
    Bucket,
    Component,
    CovenantStatus,
    FixedInstalmentTerms,
    Header,
    LoanPostings,
    LoanState,
    ShareOfSalesTerms,
    Transaction,
    delinquency_bucket,
    disbursement,
    interest_accrual,
    loan_state,
    receivables,
    repayment,
    reversal,
    schedule,
    serviced,
    settlement_holdback,
    write_off,
)
from microlend.money import Money
from microlend.types import LoanId

D = Decimal
LOAN = LoanId("L1")
START = date(2026, 1, 15)
FIXED = FixedInstalmentTerms(annual_rate=D("0.12"), count=12)
ROWS = schedule(FIXED, Money(D(1000), "USD"), START)  # 88.85 a month from 2026-02-15


def usd(amount: str | int | Decimal) -> Money:
    return Money(D(amount), "USD")


def disbursed(terms: FixedInstalmentTerms | ShareOfSalesTerms = FIXED) -> list[Transaction]:
    return [disbursement(Header("d", START, "d", LOAN), terms, usd(1000))]


def pay(
    book: list[Transaction],
    on: date,
    amount: str,
    terms: FixedInstalmentTerms | ShareOfSalesTerms = FIXED,
) -> None:
    """Recognise the interest due so far, then apply the payment, as the service will."""
    rows = schedule(terms, usd(1000), START)
    due = loan_state(terms, rows, book, on).interest_to_accrue
    if due > 0:
        book.append(interest_accrual(Header(f"i{len(book)}", on, f"i{len(book)}", LOAN), usd(due)))
    header = Header(f"p{len(book)}", on, f"p{len(book)}", LOAN)
    book.append(repayment(header, usd(amount), receivables(book, LOAN), terms.waterfall))


@pytest.mark.parametrize(
    ("days", "bucket"),
    [
        (0, Bucket.CURRENT),
        (1, Bucket.DPD_1_29),
        (29, Bucket.DPD_1_29),
        (30, Bucket.DPD_30_59),
        (59, Bucket.DPD_30_59),
        (60, Bucket.DPD_60_89),
        (89, Bucket.DPD_60_89),
        (90, Bucket.DPD_90_PLUS),
        (400, Bucket.DPD_90_PLUS),
    ],
)
def test_delinquency_buckets(days: int, bucket: Bucket) -> None:
    assert delinquency_bucket(days) is bucket


def test_days_past_due_and_buckets_across_dates() -> None:
    book = disbursed()

    def state(on: date) -> LoanState:
        return loan_state(FIXED, ROWS, book, on)

    assert state(date(2026, 2, 14)).amount_due == 0
    on_due_date = state(date(2026, 2, 15))
    assert (on_due_date.amount_due, on_due_date.days_past_due) == (D("88.85"), 0)
    assert state(date(2026, 2, 16)).days_past_due == 1
    assert state(date(2026, 3, 17)).bucket is Bucket.DPD_30_59  # 30 days after 2026-02-15
    assert state(date(2026, 3, 17)).amount_due == D("177.70")
    assert state(date(2026, 5, 16)).bucket is Bucket.DPD_90_PLUS
    assert state(date(2026, 5, 16)).should_write_off
    assert not state(date(2026, 5, 15)).should_write_off  # 89 days
    # Paying the first instalment late moves the oldest unpaid date to 2026-03-15.
    pay(book, date(2026, 3, 20), "88.85")
    late = state(date(2026, 3, 20))
    assert (late.days_past_due, late.bucket, late.amount_due) == (5, Bucket.DPD_1_29, D("88.85"))
    pay(book, date(2026, 3, 21), "88.85")
    assert state(date(2026, 3, 21)).bucket is Bucket.CURRENT
    assert state(date(2026, 3, 21)).next_due_on == date(2026, 4, 15)


def test_a_reversed_payment_is_late_again() -> None:
    book = disbursed()
    pay(book, date(2026, 2, 15), "88.85")
    assert loan_state(FIXED, ROWS, book, date(2026, 3, 1)).days_past_due == 0
    book.append(reversal(Header("r", date(2026, 3, 1), "r", LOAN), book[-1]))
    after = loan_state(FIXED, ROWS, book, date(2026, 3, 1))
    assert after.days_past_due == 14
    assert after.paid[Component.INTEREST] == 0


def test_payments_only_count_up_to_the_business_date() -> None:
    book = disbursed()
    pay(book, date(2026, 2, 20), "88.85")
    assert loan_state(FIXED, ROWS, book, date(2026, 2, 19)).days_past_due == 4
    assert loan_state(FIXED, ROWS, book, date(2026, 2, 20)).days_past_due == 0


def test_outstanding_and_payoff() -> None:
    book = disbursed()
    pay(book, date(2026, 2, 15), "88.85")
    state = loan_state(FIXED, ROWS, book, date(2026, 2, 15))
    assert state.outstanding[Component.PRINCIPAL] == D("921.15")
    assert state.outstanding[Component.INTEREST] == D("56.19")  # 66.19 - 10.00
    assert state.payoff == D("921.15")  # on a due date nothing has accrued yet
    # Half of the 28-day period later: 921.15 * 1 % * 14 / 28 = 4.60575 -> 4.61 accrued.
    assert loan_state(FIXED, ROWS, book, date(2026, 3, 1)).payoff == D("925.76")
    # Past maturity every instalment is due, so the payoff equals all that is outstanding.
    matured = loan_state(FIXED, ROWS, book, date(2027, 2, 1))
    assert matured.payoff == matured.outstanding_total == matured.amount_due


def test_a_loan_paid_off_early_owes_nothing_and_is_never_late() -> None:
    """The finding: a repaid loan showed 83.98 outstanding (the schedule's later interest,
    never earned) and a next due date."""
    book = disbursed()
    pay(book, date(2026, 2, 15), "88.85")
    pay(book, date(2026, 3, 1), "921.15")  # the rest of the principal, before the next due date
    for later in (date(2026, 3, 1), date(2026, 6, 1), date(2028, 1, 1)):
        state = loan_state(FIXED, ROWS, book, later)
        assert state.outstanding_total == state.payoff == state.amount_due == 0
        assert (state.next_due_on, state.days_past_due, state.interest_to_accrue) == (None, 0, 0)


def test_share_of_sales_payoff_equals_outstanding() -> None:
    terms = ShareOfSalesTerms(fee_rate=D("0.1"), holdback_rate=D("0.2"))
    rows = schedule(terms, usd(1000), START)
    book = disbursed(terms)
    holdback = settlement_holdback(
        Header("h", START + timedelta(days=3), "h", LOAN), terms, usd(500), receivables(book, LOAN)
    )
    assert holdback is not None
    book.append(holdback)
    state = loan_state(terms, rows, book, START + timedelta(days=3))
    assert state.paid[Component.FEES] == D(100)  # the default waterfall: fees first
    assert state.payoff == state.outstanding_total == D("1000.00")


def test_covenant_breach_is_detected_with_its_shortfall() -> None:
    terms = ShareOfSalesTerms(
        fee_rate=D("0.08"), holdback_rate=D("0.1")
    )  # 1080 in all, 60 a period
    rows = schedule(terms, usd(1000), START)
    book = disbursed(terms)
    first_milestone = START + timedelta(days=60)
    for day in range(1, 60):  # 9.00 held back on 59 days: 531.00, well over the first 60.00
        on = START + timedelta(days=day)
        held = settlement_holdback(
            Header(f"h{day}", on, f"h{day}", LOAN), terms, usd(90), receivables(book, LOAN)
        )
        assert held is not None
        book.append(held)
    assert loan_state(terms, rows, book, first_milestone).covenant is CovenantStatus.MET
    # Sales stop: by the 9th milestone 540.00 is due, 531.00 paid; the day after, it is breached.
    ninth = START + timedelta(days=9 * 60)
    assert loan_state(terms, rows, book, ninth).covenant is CovenantStatus.MET
    breached = loan_state(terms, rows, book, ninth + timedelta(days=1))
    assert breached.covenant is CovenantStatus.BREACHED
    assert breached.covenant_shortfall == D("9.00")
    assert breached.days_past_due == 1
    assert loan_state(FIXED, ROWS, disbursed(), ninth).covenant is None


def test_write_off_closes_the_loan_and_a_rule_can_be_passed_in() -> None:
    book = disbursed()
    on = date(2026, 3, 20)
    strict = loan_state(FIXED, ROWS, book, on, write_off_rule=lambda s: s.days_past_due >= 30)
    assert strict.should_write_off
    assert not loan_state(FIXED, ROWS, book, on).should_write_off
    book.append(write_off(Header("w", on, "w", LOAN), receivables(book, LOAN), "USD"))
    closed = loan_state(FIXED, ROWS, book, on)
    assert closed.written_off
    assert closed.bucket is Bucket.WRITTEN_OFF
    assert closed.outstanding_total == closed.payoff == closed.amount_due == 0
    assert not closed.should_write_off


def test_interest_to_accrue_follows_due_dates() -> None:
    book = disbursed()
    assert loan_state(FIXED, ROWS, book, date(2026, 2, 14)).interest_to_accrue == 0
    assert loan_state(FIXED, ROWS, book, date(2026, 3, 15)).interest_to_accrue == D("19.21")
    book.append(interest_accrual(Header("i", date(2026, 3, 15), "i", LOAN), usd("19.21")))
    assert loan_state(FIXED, ROWS, book, date(2026, 3, 15)).interest_to_accrue == 0


def test_loan_state_refuses_mixed_loans_and_orphan_reversals() -> None:
    other = disbursement(Header("d2", START, "d2", LoanId("L2")), FIXED, usd(10))
    with pytest.raises(LedgerError, match="several loans"):
        loan_state(FIXED, ROWS, [*disbursed(), other], START)
    orphan = reversal(Header("r", START, "r", LOAN), disbursed()[0])
    with pytest.raises(LedgerError, match="not among"):
        loan_state(FIXED, ROWS, [orphan], START)


def test_summed_postings_refuse_what_loan_state_refuses_and_later_transactions() -> None:
    postings = LoanPostings()
    postings.add(disbursed()[0])
    with pytest.raises(LedgerError, match="several loans"):
        postings.add(disbursement(Header("d2", START, "d2", LoanId("L2")), FIXED, usd(10)))
    with pytest.raises(LedgerError, match="not among"):
        postings.add(
            reversal(
                Header("r", START, "r", LOAN),
                disbursement(Header("x", START, "x", LOAN), FIXED, usd(10)),
            )
        )
    with pytest.raises(IdempotencyConflictError, match="'d'"):
        postings.add(disbursement(Header("d3", START, "d", LOAN), FIXED, usd(10)))
    postings.add(disbursed()[0])  # the same transaction again counts once
    assert postings.owed_total == D(1000)
    later = date(2026, 2, 20)
    postings.add(interest_accrual(Header("i", later, "i", LOAN), usd("10.00")))
    with pytest.raises(LedgerError, match="is after"):
        serviced(FIXED, ROWS, postings, START)
    assert serviced(FIXED, ROWS, postings, later) == loan_state(
        FIXED,
        ROWS,
        [*disbursed(), interest_accrual(Header("i", later, "i", LOAN), usd("10.00"))],
        later,
    )
