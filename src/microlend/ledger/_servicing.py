"""Servicing a loan as of a business date: what is owed, due and late, derived from the schedule
and the loan's transactions only.

The state is the one at the end of ``as_of``: transactions dated up to and including ``as_of``
count, and an instalment due on ``as_of`` is due but not yet late. Money collected settles the
oldest instalment first, so the days past due count from the oldest instalment not fully paid.
Interest is owed as it falls due; a payoff quote adds the interest accrued, day by day, on the
principal outstanding since the last due date (no interest beyond that is charged on early
payoff, so a payoff never exceeds what is outstanding). A share-of-sales loan's fee is fixed,
so its payoff is all that is outstanding.

The state reads only a few sums of the loan's postings (``LoanPostings``): ``loan_state`` sums
them from the transactions given; ``serviced`` takes them summed already, for a caller that adds
each new transaction to them instead of reading the history again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from types import MappingProxyType

from microlend.dates import add_months, days_between
from microlend.errors import LedgerError
from microlend.ledger._delinquency import (
    WRITE_OFF_DAYS,
    Bucket,
    CovenantStatus,
    delinquency_bucket,
)
from microlend.ledger._entries import Transaction, unique_transactions
from microlend.ledger._loan_postings import LoanPostings
from microlend.ledger._pauses import (
    Pause,
    paused_on,
    paused_schedule,
    sorted_pauses,
    unpaused_days,
)
from microlend.ledger._schedule import Instalment
from microlend.ledger._terms import Component, FixedInstalmentTerms, Frequency, Terms
from microlend.money import round_money

__all__ = ["LoanState", "WriteOffRule", "loan_state", "ninety_days_past_due", "serviced"]

_ZERO = Decimal(0)


@dataclass(frozen=True)
class LoanState:
    """A loan as of the end of ``as_of``. ``covenant`` is ``None`` for products without one."""

    as_of: date
    outstanding: Mapping[Component, Decimal]
    paid: Mapping[Component, Decimal]
    amount_due: Decimal
    days_past_due: int
    bucket: Bucket
    covenant: CovenantStatus | None
    covenant_shortfall: Decimal
    payoff: Decimal
    interest_to_accrue: Decimal
    next_due_on: date | None
    written_off: bool
    should_write_off: bool = False
    #: Charged off: off the book, still collected (as recoveries).
    charged_off: bool = False
    #: Whether a payment pause covers ``as_of``.
    paused: bool = False

    @property
    def outstanding_total(self) -> Decimal:
        return sum(self.outstanding.values(), _ZERO)


#: Decides whether a loan should be written off (the default: 90 days past due or more).
WriteOffRule = Callable[[LoanState], bool]


def ninety_days_past_due(state: LoanState) -> bool:
    """The default write-off rule: ``WRITE_OFF_DAYS`` (90) days past due or more."""
    return state.days_past_due >= WRITE_OFF_DAYS


def loan_state(
    terms: Terms,
    schedule: Sequence[Instalment],
    transactions: Iterable[Transaction],
    as_of: date,
    *,
    write_off_rule: WriteOffRule = ninety_days_past_due,
    pauses: Iterable[Pause] = (),
    accrue_in_pause: bool = False,
) -> LoanState:
    """Service one loan as of ``as_of`` from its ``schedule`` and its ``transactions``
    (``serviced`` says what ``pauses`` and ``accrue_in_pause`` do)."""
    postings = LoanPostings.of(_loan_transactions(transactions, as_of))
    return serviced(
        terms,
        schedule,
        postings,
        as_of,
        write_off_rule=write_off_rule,
        pauses=pauses,
        accrue_in_pause=accrue_in_pause,
    )


def serviced(
    terms: Terms,
    schedule: Sequence[Instalment],
    postings: LoanPostings,
    as_of: date,
    *,
    write_off_rule: WriteOffRule = ninety_days_past_due,
    pauses: Iterable[Pause] = (),
    accrue_in_pause: bool = False,
) -> LoanState:
    """``loan_state`` from the loan's ``postings`` summed already (none dated after ``as_of``):
    a caller that appends to a loan keeps its ``LoanPostings`` instead of its whole history.

    ``pauses`` move the due dates after them and stop days past due on paused days
    (``_pauses``); interest then falls due by the moved dates, unless ``accrue_in_pause``
    (the policy's ``pause_accrual = "accrue"``): then it is recognised on the agreed dates,
    paused or not. Either way a pause adds no interest."""
    if postings.last_date is not None and postings.last_date > as_of:
        raise LedgerError(
            f"loan {postings.loan_id}: a transaction of {postings.last_date} is after {as_of}, "
            "the date it is serviced as of"
        )
    paused = sorted_pauses(pauses)
    plan = paused_schedule(schedule, paused)
    next_due_on = next((row.due_on for row in plan if row.due_on > as_of), None)
    if postings.charged_off > 0:
        return _closed(as_of, postings.paid, next_due_on, Bucket.CHARGED_OFF)
    if postings.written_off > 0:
        return _closed(as_of, postings.paid, next_due_on, Bucket.WRITTEN_OFF)
    outstanding = _outstanding(plan, postings.paid, postings.recognised_interest)
    if sum(outstanding.values(), _ZERO) == 0:
        # Paid off: the schedule's later interest was never earned, so nothing is due again.
        return _paid_off(as_of, outstanding, postings.paid)
    state = _open_state(
        terms, plan, schedule if accrue_in_pause else plan, postings, outstanding, as_of, paused
    )
    return replace(state, should_write_off=write_off_rule(state))


def _open_state(
    terms: Terms,
    plan: Sequence[Instalment],
    interest_plan: Sequence[Instalment],
    postings: LoanPostings,
    outstanding: Mapping[Component, Decimal],
    as_of: date,
    pauses: Sequence[Pause],
) -> LoanState:
    """A loan still owing: ``plan`` is its schedule as the pauses moved it, ``interest_plan``
    the one its interest falls due by."""
    paid = postings.paid
    paid_total = sum(paid.values(), _ZERO)
    due = [row for row in plan if row.due_on <= as_of]
    covenant, shortfall = _covenant(terms, [row for row in due if row.due_on < as_of], paid_total)
    days_late = _days_past_due(plan, paid_total, as_of, pauses)
    interest_due = sum((row.interest for row in interest_plan if row.due_on <= as_of), _ZERO)
    return LoanState(
        as_of=as_of,
        outstanding=outstanding,
        paid=paid,
        amount_due=max(_ZERO, _sum_totals(due) - paid_total),
        days_past_due=days_late,
        bucket=delinquency_bucket(days_late),
        covenant=covenant,
        covenant_shortfall=shortfall,
        payoff=_payoff(terms, interest_plan, postings.disbursed_on, outstanding, paid, as_of),
        interest_to_accrue=max(_ZERO, interest_due - postings.recognised_interest),
        next_due_on=next((row.due_on for row in plan if row.due_on > as_of), None),
        written_off=False,
        paused=paused_on(pauses, as_of),
    )


def _closed(
    as_of: date, paid: Mapping[Component, Decimal], next_due_on: date | None, bucket: Bucket
) -> LoanState:
    """A written-off or charged-off loan (``bucket`` says which): nothing is owed, due or late
    on the book any more; collections may still come, as recoveries."""
    return LoanState(
        as_of=as_of,
        outstanding=MappingProxyType(dict.fromkeys(Component, _ZERO)),
        paid=MappingProxyType(dict(paid)),
        amount_due=_ZERO,
        days_past_due=0,
        bucket=bucket,
        covenant=None,
        covenant_shortfall=_ZERO,
        payoff=_ZERO,
        interest_to_accrue=_ZERO,
        next_due_on=next_due_on,
        written_off=bucket is Bucket.WRITTEN_OFF,
        charged_off=bucket is Bucket.CHARGED_OFF,
    )


def _paid_off(
    as_of: date, outstanding: Mapping[Component, Decimal], paid: Mapping[Component, Decimal]
) -> LoanState:
    """A loan with nothing left to pay: nothing due, late or next."""
    return LoanState(
        as_of=as_of,
        outstanding=outstanding,
        paid=paid,
        amount_due=_ZERO,
        days_past_due=0,
        bucket=delinquency_bucket(0),
        covenant=None,
        covenant_shortfall=_ZERO,
        payoff=_ZERO,
        interest_to_accrue=_ZERO,
        next_due_on=None,
        written_off=False,
    )


def _loan_transactions(transactions: Iterable[Transaction], as_of: date) -> tuple[Transaction, ...]:
    relevant = tuple(t for t in unique_transactions(transactions) if t.loan_id is not None)
    loans = {t.loan_id for t in relevant}
    if len(loans) > 1:
        raise LedgerError(f"transactions of several loans given: {sorted(map(str, loans))}")
    return tuple(t for t in relevant if t.business_date <= as_of)


def _sum_totals(rows: Iterable[Instalment]) -> Decimal:
    return sum((row.total for row in rows), _ZERO)


def _outstanding(
    schedule: Sequence[Instalment], paid: Mapping[Component, Decimal], recognised: Decimal
) -> Mapping[Component, Decimal]:
    """What is left of the schedule. Once the principal is repaid (a payoff before the end)
    only interest already recognised can still be owed: later interest accrues on nothing."""
    scheduled = {
        Component.FEES: sum((r.fee for r in schedule), _ZERO),
        Component.INTEREST: sum((r.interest for r in schedule), _ZERO),
        Component.PRINCIPAL: sum((r.principal for r in schedule), _ZERO),
    }
    if schedule and paid[Component.PRINCIPAL] >= scheduled[Component.PRINCIPAL]:
        scheduled[Component.INTEREST] = min(scheduled[Component.INTEREST], recognised)
    return MappingProxyType(
        {component: max(_ZERO, amount - paid[component]) for component, amount in scheduled.items()}
    )


def _days_past_due(
    schedule: Sequence[Instalment], paid_total: Decimal, as_of: date, pauses: Sequence[Pause]
) -> int:
    covered = paid_total
    for row in schedule:
        if row.total > covered:
            if not pauses:
                return max(0, days_between(row.due_on, as_of))
            return unpaused_days(row.due_on, as_of, pauses)
        covered -= row.total
    return 0


def _covenant(
    terms: Terms, past: Sequence[Instalment], paid_total: Decimal
) -> tuple[CovenantStatus | None, Decimal]:
    if isinstance(terms, FixedInstalmentTerms):
        return None, _ZERO
    shortfall = max(_ZERO, _sum_totals(past) - paid_total)
    return (CovenantStatus.BREACHED if shortfall > 0 else CovenantStatus.MET), shortfall


def _payoff(
    terms: Terms,
    schedule: Sequence[Instalment],
    disbursed_on: date | None,
    outstanding: Mapping[Component, Decimal],
    paid: Mapping[Component, Decimal],
    as_of: date,
) -> Decimal:
    if not isinstance(terms, FixedInstalmentTerms):
        return sum(outstanding.values(), _ZERO)
    interest_due = sum((r.interest for r in schedule if r.due_on <= as_of), _ZERO)
    unpaid_interest = max(_ZERO, interest_due - paid[Component.INTEREST])
    principal = outstanding[Component.PRINCIPAL]
    accrued = _accrued_interest(terms, schedule, disbursed_on, principal, as_of)
    return outstanding[Component.FEES] + unpaid_interest + principal + accrued


def _accrued_interest(
    terms: FixedInstalmentTerms,
    schedule: Sequence[Instalment],
    disbursed_on: date | None,
    principal: Decimal,
    as_of: date,
) -> Decimal:
    index = next((i for i, row in enumerate(schedule) if row.due_on > as_of), None)
    if index is None or principal == 0:
        return _ZERO
    end = schedule[index].due_on
    if index > 0:
        start = schedule[index - 1].due_on
    else:
        start = _first_period_start(terms, disbursed_on, end)
    elapsed = max(0, days_between(start, as_of))
    share = Decimal(elapsed) / Decimal(days_between(start, end))
    # Interest runs on the scheduled balance at most: principal that is overdue bears no more
    # interest than the contract priced (late charges are not part of these terms).
    scheduled_balance = sum((row.principal for row in schedule[index:]), _ZERO)
    bearing = min(principal, scheduled_balance)
    return round_money(bearing * terms.period_rate * share, schedule[index].currency)


def _first_period_start(
    terms: FixedInstalmentTerms, disbursed_on: date | None, first_due: date
) -> date:
    if disbursed_on is not None:
        return disbursed_on
    if terms.frequency is Frequency.MONTHLY:
        return add_months(first_due, -1)
    return first_due - timedelta(weeks=1)
