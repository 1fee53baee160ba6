"""The backtest's loan book: the ledger's own rules, a whole business day per transaction.

A backtest is the only writer of a fresh book, so it keeps each open loan's postings summed in
memory (``ledger.LoanPostings``) and adds each transaction to them as it appends it, instead of
reading every loan's history back from the database for every posting as the online use cases
must. A loan's day is closed by the ledger's one servicing step, ``ledger.close_loan_day`` over
those sums, the step ``end_of_day`` takes over the loan's history: the same postings under the
same idempotency keys, and the same states (``ledger.serviced`` over the sums is what
``ledger.loan_state`` gives over the whole history). A loan is serviced on the days its state can
change: the day it is disbursed, a day it is collected from, a due date, and every day while
anything is due or late; on the other days a current loan's state stays the same.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from microlend.ledger import (
    Account,
    LoanContract,
    LoanPostings,
    LoanState,
    ShareOfSalesTerms,
    Transaction,
    accrue_due_interest,
    close_loan_day,
    disbursement,
    funding,
    repayment,
    serviced,
    settlement_holdback,
)
from microlend.money import Money
from microlend.policy import Exposure
from microlend.service.lending import contract_of, header_for, realised_apr_of, status_of
from microlend.store import (
    Ageing,
    DecisionRecord,
    LoanBookCommands,
    LoanRecord,
    LoanStatus,
    MerchantRecord,
    in_transaction,
)

__all__ = ["BookTally", "DayBook"]

_ZERO = Decimal(0)
_ONE_DAY = timedelta(days=1)
#: Capital is brought in by whole steps when the cash would not cover a disbursement.
_FUNDING_STEP = Decimal(100_000)


@dataclass
class _OpenLoan:
    record: LoanRecord
    contract: LoanContract
    postings: LoanPostings
    state: LoanState
    next_check: date
    #: Its transactions, kept while it is open for its realised APR once it is repaid.
    history: list[Transaction] = field(default_factory=list)


@dataclass
class BookTally:
    """What the book did over the run, counted as it went."""

    applications: int = 0
    approved: int = 0
    loans: int = 0
    funded_amount: Decimal = _ZERO
    written_off: int = 0
    repaid: int = 0
    #: Principal outstanding at each day's close, summed over the days (for the cost of funds).
    principal_days: Decimal = _ZERO
    funded_applications: list[str] = field(default_factory=list)


class DayBook:
    """An empty loan book serviced day by day; each ``close_day`` commits one transaction."""

    def __init__(self, engine: Engine, currency: str) -> None:
        self._engine = engine
        self._currency = currency
        self._open: dict[str, _OpenLoan] = {}
        self._by_merchant: dict[str, list[str]] = defaultdict(list)
        self._decisions: list[DecisionRecord] = []
        self._loans: list[LoanRecord] = []
        self._posted: list[Transaction] = []
        self._ageing: list[tuple[str, LoanStatus, Ageing]] = []
        self._realised: dict[str, float] = {}
        self._cash = _ZERO
        self._principal = _ZERO
        self.tally = BookTally()

    def add_merchants(self, merchants: Sequence[MerchantRecord]) -> None:
        in_transaction(self._engine, lambda s: LoanBookCommands(s).add_merchants(merchants))

    def exposure(self, merchant_id: str) -> Exposure:
        """What the merchant owes on its open loans, and the worst days past due among them."""
        loans = [self._open[loan_id] for loan_id in self._by_merchant.get(merchant_id, ())]
        owed = sum((loan.state.outstanding_total for loan in loans), _ZERO)
        worst = max((loan.state.days_past_due for loan in loans), default=0)
        return Exposure(Money(owed, self._currency), worst)

    def record_decision(self, decision: DecisionRecord, *, approved: bool) -> None:
        self._decisions.append(decision)
        self.tally.applications += 1
        self.tally.approved += approved
        if approved and decision.application_id is not None:
            self.tally.funded_applications.append(decision.application_id)

    def open_loan(self, loan: LoanRecord, day: date) -> None:
        """Disburse ``loan`` on ``day``, funding the book first if its cash would not cover it."""
        if self._cash < loan.principal:
            shortfall = loan.principal - self._cash
            steps = (shortfall / _FUNDING_STEP).to_integral_value(rounding=ROUND_CEILING)
            header = header_for("funding", f"backtest:{loan.loan_id}", day, None)
            self._post(funding(header, Money(steps * _FUNDING_STEP, self._currency)), None)
        assert loan.disbursed_on == day, loan.loan_id
        contract = contract_of(loan)
        header = header_for("disburse", f"backtest:{loan.loan_id}", day, loan.loan_id)
        entry = disbursement(header, contract.terms, loan.principal_money)
        postings = LoanPostings()
        state = serviced(contract.terms, contract.schedule, postings, day)
        opened = _OpenLoan(loan, contract, postings, state, day)
        self._open[loan.loan_id] = opened
        self._by_merchant[loan.merchant_id].append(loan.loan_id)
        self._loans.append(loan)
        self._post(entry, opened)
        self.tally.loans += 1
        self.tally.funded_amount += loan.principal

    def collect(self, merchant_id: str, net: Decimal, day: date) -> None:
        """A settlement's ``net`` paid out on ``day``: each open loan of the merchant, oldest
        first, takes its holdback (share of sales) or what is due (instalments) from it."""
        left = net
        for loan_id in list(self._by_merchant.get(merchant_id, ())):
            if left <= 0:
                return
            loan = self._open[loan_id]
            left -= self._collect_one(loan, left, day)

    def close_day(self, day: date) -> None:
        """Service every loan whose state may have changed, then commit the day."""
        for loan in [loan for loan in self._open.values() if loan.next_check <= day]:
            self._service(loan, day)
        self.tally.principal_days += self._principal
        self._commit()

    def finish(self, day: date) -> None:
        """Record every open loan's ageing as of ``day``, the last day of the run."""
        for loan in list(self._open.values()):
            self._service(loan, day)
        self._commit()

    def _collect_one(self, loan: _OpenLoan, left: Decimal, day: date) -> Decimal:
        loan_id = loan.record.loan_id
        key, terms = f"{day}:{loan_id}", loan.contract.terms
        if isinstance(terms, ShareOfSalesTerms):
            # The holdback is a share of what this settlement still pays out.
            owed = loan.postings.owed
            header = header_for("settlement", key, day, loan_id)
            entry = settlement_holdback(header, terms, Money(left, self._currency), owed)
        elif day < loan.next_check:
            # Serviced since its last posting, current, and no due date passed since: nothing
            # is due (the state would say so; reading it for every payout only costs time).
            entry = None
        else:
            # Interest that fell due is recognised first (as the close would), so the payment
            # settles it: the same accrual, under the same key, as the day's close posts.
            accrued = accrue_due_interest(loan.contract, loan.postings, day, header_for)
            for accrual in accrued.transactions:
                self._post(accrual, loan)
            owed = loan.postings.owed
            due = min(left, accrued.state.amount_due, loan.postings.owed_total)
            entry = None
            if due > 0:
                header = header_for("payment", f"settlement:{key}", day, loan_id)
                money = Money(due, self._currency)
                entry = repayment(header, money, owed, terms.waterfall)
        if entry is None:
            return _ZERO
        self._post(entry, loan)
        loan.next_check = day
        return sum((p.amount for p in entry.postings if p.account is Account.CASH), _ZERO)

    def _service(self, loan: _OpenLoan, day: date) -> None:
        """Close ``day`` for one loan (``ledger.close_loan_day``), and record its ageing."""
        loan_id = loan.record.loan_id
        closed = close_loan_day(loan.contract, loan.postings, day, header_for)
        for entry in closed.transactions:
            self._post(entry, loan)
        state = loan.state = closed.state
        status = status_of(loan.record, closed.outcome)
        ageing = Ageing(day, state.days_past_due, state.bucket, state.covenant)
        self._ageing.append((loan_id, status, ageing))
        if status is LoanStatus.ACTIVE:
            loan.next_check = _next_check(state, day)
            return
        del self._open[loan_id]
        self._by_merchant[loan.record.merchant_id].remove(loan_id)
        if status is LoanStatus.WRITTEN_OFF:
            self.tally.written_off += 1
            return
        self.tally.repaid += 1
        realised = realised_apr_of(loan.record, loan.history)
        if realised is not None:
            self._realised[loan_id] = realised

    def _post(self, entry: Transaction, loan: _OpenLoan | None) -> None:
        self._posted.append(entry)
        if loan is not None:
            loan.postings.add(entry)
            loan.history.append(entry)
        for posting in entry.postings:
            if posting.account is Account.CASH:
                self._cash += posting.amount
            elif posting.account is Account.LOANS_RECEIVABLE:
                self._principal += posting.amount

    def _commit(self) -> None:
        decisions, loans, posted, ageing = self._decisions, self._loans, self._posted, self._ageing
        realised = self._realised
        self._decisions, self._loans, self._posted, self._ageing = [], [], [], []
        self._realised = {}

        def unit(session: Session) -> None:
            commands = LoanBookCommands(session)
            commands.add_decisions(decisions)
            commands.add_loans(loans)
            commands.append(posted)
            commands.set_ageing(ageing, realised)

        in_transaction(self._engine, unit)


def _next_check(state: LoanState, day: date) -> date:
    """The next day this loan's state can change without a collection: tomorrow while anything
    is due or late, else its next due date."""
    if state.amount_due > 0 or state.days_past_due > 0 or state.next_due_on is None:
        return day + _ONE_DAY
    return state.next_due_on
