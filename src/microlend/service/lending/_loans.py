"""Loans read and accepted: the one read of a loan (``loan_view``: its schedule, postings, state
and payoff quote, for the api, the pages and the tests alike), a page of loans, and accepting
one offer of a stored decision."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from types import MappingProxyType

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from microlend.errors import ConfigError, NotFoundError
from microlend.ledger import (
    Component,
    Instalment,
    LoanState,
    Pause,
    Transaction,
    loan_as_of,
    postings_as_of,
    receivables,
)
from microlend.service.access import Principal
from microlend.service.lending._commands import accept_offer
from microlend.service.lending._pausing import pauses_of
from microlend.service.lending._receipts import Receipt
from microlend.service.lending._servicing import (
    plan_of,
    realised_apr_of,
    state_of,
    status_of,
)
from microlend.store import (
    Ageing,
    AgeingHistory,
    AgeingSnapshot,
    LoanAction,
    LoanActions,
    LoanBookQueries,
    LoanRecord,
    LoanStatus,
    loan_page,
)

__all__ = ["LoanView", "accept_decision_offer", "loan_view", "loans_page"]


def accept_decision_offer(
    engine: Engine,
    *,
    decision_id: str,
    offer_number: int,
    business_date: date,
    idempotency_key: str,
    scope: str = "",
) -> Receipt:
    """Accept offer ``offer_number`` (from 1) of a stored decision: the loan is created, once
    per decision, while its offers stand (``accept_offer``)."""
    with Session(engine) as session:
        record = LoanBookQueries(session).decision(decision_id)
    offers = record.decision.offers
    if not 1 <= offer_number <= len(offers):
        raise NotFoundError(f"decision {decision_id} has no offer {offer_number}")
    return accept_offer(
        engine,
        merchant_id=record.merchant_id,
        offer=offers[offer_number - 1],
        business_date=business_date,
        idempotency_key=idempotency_key,
        decision_id=decision_id,
        scope=scope,
    )


@dataclass(frozen=True)
class LoanView:
    """A loan with its schedule (as agreed, before any pause moved it), its transactions and
    its state as of ``state.as_of`` (the payoff quote is ``state.payoff``). ``owed`` is what its
    receivables hold after every posting: what it owes now, recognised (interest not yet due is
    not)."""

    loan: LoanRecord
    schedule: tuple[Instalment, ...]
    transactions: tuple[Transaction, ...]
    state: LoanState
    owed: Mapping[Component, Decimal]
    #: Its payment pauses by id (each as resumed), and every servicing action taken on it
    #: (who, when, why), both as of ``state.as_of``.
    pauses: Mapping[str, Pause] = field(default_factory=dict)
    actions: tuple[LoanAction, ...] = ()

    @property
    def owed_total(self) -> Decimal:
        return sum(self.owed.values(), Decimal(0))


def loan_view(
    engine: Engine,
    loan_id: str,
    business_date: date,
    *,
    as_of: date | None = None,
    viewer: Principal | None = None,
    accrue_in_pause: bool = False,
) -> LoanView:
    """Loan ``loan_id`` on ``business_date`` (today's), read in one transaction;
    ``NotFoundError`` if none, or if ``viewer`` may not see it (asked before anything else, so
    no answer tells another merchant's loan exists).

    With ``as_of`` (from its disbursement to ``business_date``), the loan as it stood at the end
    of that day (``loan_as_of``): ``ConfigError`` for a date outside that span."""
    with Session(engine) as session:
        queries = LoanBookQueries(session)
        loan = queries.loan(loan_id)
        if viewer is not None and not viewer.may_see(loan.merchant_id):
            raise NotFoundError(f"no loan {loan_id!r} in the book")
        if as_of is not None:
            _check_as_of(loan, as_of, business_date)
        transactions = queries.loan_transactions(loan_id)
        aged = None if as_of is None else AgeingHistory(session).latest(loan_id, on_or_before=as_of)
        actions = tuple(LoanActions(session).of_loan(loan_id))
    if as_of is not None and loan.disbursed_on is not None:
        view = _view_as_of(loan, transactions, aged, as_of, actions, accrue_in_pause)
        return replace(view, actions=tuple(a for a in actions if a.business_date <= as_of))
    pauses = pauses_of(actions)
    return LoanView(
        loan=loan,
        schedule=plan_of(loan),
        transactions=transactions,
        state=state_of(
            loan, transactions, business_date, pauses.values(), accrue_in_pause=accrue_in_pause
        ),
        owed=MappingProxyType(receivables(transactions, loan.loan_id)),
        pauses=MappingProxyType(pauses),
        actions=actions,
    )


def _check_as_of(loan: LoanRecord, as_of: date, business_date: date) -> None:
    """A loan has balances from the day it is disbursed; the future has none yet."""
    if as_of > business_date:
        raise ConfigError(f"as_of {as_of} is after today's business date {business_date}")
    if loan.disbursed_on is None:
        if as_of < business_date:
            raise ConfigError(f"loan {loan.loan_id} is not disbursed: it has no past balances")
    elif as_of < loan.disbursed_on:
        raise ConfigError(
            f"as_of {as_of} is before loan {loan.loan_id} was disbursed ({loan.disbursed_on})"
        )


def _view_as_of(
    loan: LoanRecord,
    transactions: Sequence[Transaction],
    aged: AgeingSnapshot | None,
    as_of: date,
    actions: Sequence[LoanAction],
    accrue_in_pause: bool,
) -> LoanView:
    """The view the read on ``as_of`` gave: its postings, pauses, state, status, ageing (the
    last end of day's, as the ``loans`` row held it) and realised APR (once repaid) all as of
    then."""
    plan = plan_of(loan)
    pauses = pauses_of(actions, as_of)
    then = loan_as_of(
        loan.loan_id,
        loan.terms,
        plan,
        transactions,
        as_of,
        pauses=pauses.values(),
        accrue_in_pause=accrue_in_pause,
    )
    status = status_of(loan, then.outcome)
    ageing = Ageing()
    if aged is not None:
        # The covenant as that end of day saw it: its postings, not later ones up to as_of.
        seen = postings_as_of(then.transactions, aged.aged_on)
        paused_then = pauses_of(actions, aged.aged_on).values()
        covenant = state_of(
            loan, seen, aged.aged_on, paused_then, accrue_in_pause=accrue_in_pause
        ).covenant
        ageing = Ageing(aged.aged_on, aged.days_past_due, aged.bucket, covenant)
    realised = None
    if status is LoanStatus.REPAID:
        realised = realised_apr_of(loan, then.transactions)
    record = replace(loan, status=status, ageing=ageing, realised_apr=realised)
    return LoanView(
        record, plan, then.transactions, then.state, then.owed, MappingProxyType(pauses)
    )


def loans_page(
    engine: Engine,
    *,
    merchant_id: str | None = None,
    status: LoanStatus | None = None,
    after: str | None = None,
    limit: int = 100,
) -> list[LoanRecord]:
    """A page of loans in id order (``store.loan_page``)."""
    with Session(engine) as session:
        return loan_page(session, merchant_id=merchant_id, status=status, after=after, limit=limit)
