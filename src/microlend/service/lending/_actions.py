"""Servicing actions on a disbursed loan: pause its payments (and resume them), charge it off,
write it off, grant a goodwill credit. Each is audited: who (the caller's key id, ``book`` for
the book's own commands), when (the business date, and the moment it was recorded) and why (a
reason, which is required), in ``store.LoanActions``, in the same database transaction as its
effect.

Like every command on a loan, each holds the loan's lock and takes an idempotency key (the
same key again answers as the first time; with a different request it is refused). A pause
posts nothing (servicing reads it beside the postings: ``ledger.Pause``) and is undone by
``resume_pause``; a charge-off, a write-off and a goodwill credit post one transaction each,
undone by ``reverse_transaction`` like any other. Those three move money off the book at the
lender's cost: above the policy's ``approval_threshold`` each is only proposed, and applied when
another key approves it (``_maker_checker``, ``_approvals``; ``APPLIERS`` says how).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import date
from decimal import Decimal

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from microlend.errors import ConfigError, LedgerError, NotFoundError, ProposalUnavailableError
from microlend.ledger import (
    Bucket,
    Component,
    Pause,
    Transaction,
    TransactionKind,
    charge_off,
    goodwill_credit,
    receivables,
    write_off,
)
from microlend.money import Money, to_text
from microlend.service.lending._maker_checker import Applier, Held, maker_checked
from microlend.service.lending._posting import post
from microlend.service.lending._receipts import (
    Receipt,
    header_for,
    loan_receipt,
    on_loan,
    scoped_key,
    transaction_id,
)
from microlend.store import (
    ActionKind,
    Ageing,
    LoanAction,
    LoanActions,
    LoanBookCommands,
    LoanBookQueries,
    LoanProposals,
    LoanRecord,
    LoanStatus,
    Proposal,
    ProposalStatus,
)

__all__ = [
    "APPLIERS",
    "MAX_REASON",
    "actor_of",
    "charge_off_loan",
    "grant_goodwill_credit",
    "moved",
    "pause_loan",
    "pauses_of",
    "record_action",
    "record_reason",
    "resume_pause",
    "waived_before",
    "write_off_loan",
]

#: The longest reason an action records.
MAX_REASON = 500


def actor_of(scope: str) -> str:
    """Who acts for caller ``scope``: its API key's id, or ``book`` for the book's own."""
    return scope or "book"


def pauses_of(actions: Iterable[LoanAction], as_of: date | None = None) -> dict[str, Pause]:
    """A loan's pauses by id, each as resumed, from its ``actions``: those booked by the end
    of ``as_of`` (all of them when ``None``)."""
    pauses: dict[str, Pause] = {}
    for action in actions:
        if as_of is not None and action.business_date > as_of:
            continue
        if action.kind is ActionKind.PAUSE:
            assert action.starts_on is not None, action
            assert action.ends_on is not None, action
            pauses[action.action_id] = Pause(action.starts_on, action.ends_on)
        elif action.kind is ActionKind.RESUME and action.refers_to in pauses:
            assert action.ends_on is not None, action
            pauses[action.refers_to] = pauses[action.refers_to].resumed(action.ends_on)
    return pauses


def record_action(
    session: Session,
    request: tuple[str, str, str],
    loan: LoanRecord | None,
    kind: ActionKind,
    business_date: date,
    reason: str,
    *,
    starts_on: date | None = None,
    ends_on: date | None = None,
    refers_to: str | None = None,
) -> str:
    """Record one action on ``loan`` (``None``: on the book, such as the reversal of a
    funding) for ``request`` (its operation, key and caller's scope, which name the action);
    returns the action's id."""
    operation, key, scope = request
    action_id = transaction_id(scoped_key(f"{operation}-action", key, scope))
    LoanActions(session).add(
        LoanAction(
            action_id=action_id,
            loan_id=None if loan is None else loan.loan_id,
            kind=kind,
            business_date=business_date,
            reason=_reason(reason),
            actor=actor_of(scope),
            starts_on=starts_on,
            ends_on=ends_on,
            refers_to=refers_to,
        )
    )
    return action_id


def _recorded(
    session: Session,
    request: tuple[str, str, str],
    loan: LoanRecord,
    kind: ActionKind,
    business_date: date,
    reason: str,
    *,
    status: str,
    posted: tuple[Transaction, Decimal] | None = None,
    starts_on: date | None = None,
    ends_on: date | None = None,
    refers_to: str | None = None,
) -> Receipt:
    """Record action ``kind`` on ``loan`` and return the command's receipt naming it; with
    ``posted`` (the transaction the action booked and the amount it moved) the action refers to
    that transaction and the receipt lists it."""
    entries = () if posted is None else (posted[0],)
    refers_to = refers_to if posted is None else posted[0].id
    action_id = record_action(
        session,
        request,
        loan,
        kind,
        business_date,
        reason,
        starts_on=starts_on,
        ends_on=ends_on,
        refers_to=refers_to,
    )
    amount = Decimal(0) if posted is None else posted[1]
    receipt = loan_receipt(kind.value, loan, business_date, entries, amount, status=status)
    return replace(receipt, action_id=action_id)


def pause_loan(
    engine: Engine,
    loan_id: str,
    starts_on: date,
    days: int,
    business_date: date,
    idempotency_key: str,
    *,
    reason: str,
    scope: str = "",
) -> Receipt:
    """Pause an active loan's payments for ``days`` days from ``starts_on`` (not before
    ``business_date``, nor on a day already closed, nor over another pause): its due dates
    from then on move ``days`` later, and its days past due and covenant stand still."""
    if days < 1:
        raise ConfigError(f"a pause lasts at least one day, got {days}")
    pause = Pause.of_days(starts_on, days)
    _reason(reason)

    def work(session: Session) -> Receipt:
        loan = _active(session, loan_id, "paused")
        _check_start(session, starts_on, business_date)
        for pause_id, other in pauses_of(LoanActions(session).of_loan(loan_id)).items():
            if other.overlaps(pause):
                raise LedgerError(
                    f"loan {loan_id} is paused {other.starts_on} to {other.ends_on} already "
                    f"(pause {pause_id}): pauses cannot overlap"
                )
        return _recorded(
            session,
            ("pause", idempotency_key, scope),
            loan,
            ActionKind.PAUSE,
            business_date,
            reason,
            status=loan.status.value,
            starts_on=pause.starts_on,
            ends_on=pause.ends_on,
        )

    request = {"starts_on": starts_on.isoformat(), "days": days, "reason": reason}
    return on_loan(
        engine, "pause", loan_id, business_date, idempotency_key, work, scope=scope, request=request
    )


def resume_pause(
    engine: Engine,
    loan_id: str,
    pause_id: str,
    business_date: date,
    idempotency_key: str,
    *,
    reason: str,
    scope: str = "",
) -> Receipt:
    """End pause ``pause_id`` of the loan on ``business_date``: payments count again from that
    day (a pause not yet started is called off whole). A pause already over is refused."""
    _reason(reason)

    def work(session: Session) -> Receipt:
        loan = LoanBookQueries(session).loan(loan_id)
        actions = LoanActions(session).of_loan(loan_id)
        pause = pauses_of(actions).get(pause_id)
        if pause is None:
            raise NotFoundError(f"loan {loan_id} has no pause {pause_id!r}")
        if any(a.kind is ActionKind.RESUME and a.refers_to == pause_id for a in actions):
            raise LedgerError(f"pause {pause_id} of loan {loan_id} was resumed already")
        if pause.ends_on <= business_date:
            raise LedgerError(f"pause {pause_id} of loan {loan_id} ended on {pause.ends_on}")
        closed = LoanBookQueries(session).last_closed_day()
        if closed is not None and business_date <= closed:
            # That day's ageing was stored with the pause on: ending it there would change
            # a closed day's figures behind them.
            raise ConfigError(
                f"a pause cannot end on {business_date}, a closed day (to {closed}): resume it "
                "on the next business day"
            )
        return _recorded(
            session,
            ("resume", idempotency_key, scope),
            loan,
            ActionKind.RESUME,
            business_date,
            reason,
            status=loan.status.value,
            ends_on=business_date,
            refers_to=pause_id,
        )

    request = {"pause_id": pause_id, "reason": reason}
    return on_loan(
        engine,
        "resume",
        loan_id,
        business_date,
        idempotency_key,
        work,
        scope=scope,
        request=request,
    )


def charge_off_loan(
    engine: Engine,
    loan_id: str,
    business_date: date,
    idempotency_key: str,
    *,
    reason: str,
    scope: str = "",
    approval_threshold: Decimal | None = None,
) -> Receipt:
    """Charge an active loan off: what its receivables hold leaves the book (``ledger.
    charge_off``), it accrues no more, and what is collected from it after is a recovery.
    Undone by reversing its transaction (while nothing was recovered since). A balance above
    ``approval_threshold`` is only proposed (``maker_checked``)."""
    return _take_off(
        engine,
        ActionKind.CHARGE_OFF,
        loan_id,
        business_date,
        idempotency_key,
        reason=reason,
        scope=scope,
        approval_threshold=approval_threshold,
    )


def write_off_loan(
    engine: Engine,
    loan_id: str,
    business_date: date,
    idempotency_key: str,
    *,
    reason: str,
    scope: str = "",
    approval_threshold: Decimal | None = None,
) -> Receipt:
    """Write an active loan off now, before end of day's rule would (``ledger.write_off``):
    what it owes leaves the book as a loss, and what is collected after is a recovery. Undone
    by reversing its transaction. A balance above ``approval_threshold`` is only proposed."""
    return _take_off(
        engine,
        ActionKind.WRITE_OFF,
        loan_id,
        business_date,
        idempotency_key,
        reason=reason,
        scope=scope,
        approval_threshold=approval_threshold,
    )


def _take_off(
    engine: Engine,
    kind: ActionKind,
    loan_id: str,
    business_date: date,
    idempotency_key: str,
    *,
    reason: str,
    scope: str,
    approval_threshold: Decimal | None,
) -> Receipt:
    """A charge-off or a write-off of everything the loan owes, or its proposal."""
    text = _reason(reason)
    operation = kind.value

    def work(session: Session) -> Receipt:
        loan = _active(session, loan_id, _DONE[kind])
        owed, total = _owed(session, loan)
        held = Held(kind, total, text, {})
        request = (operation, idempotency_key, scope)
        return maker_checked(
            session,
            loan,
            held,
            business_date,
            request,
            approval_threshold,
            lambda: _taken_off(session, loan, kind, owed, business_date, request, text),
        )

    return on_loan(
        engine,
        operation,
        loan_id,
        business_date,
        idempotency_key,
        work,
        scope=scope,
        request={"reason": reason},
    )


_DONE = {ActionKind.CHARGE_OFF: "charged off", ActionKind.WRITE_OFF: "written off"}


def _taken_off(
    session: Session,
    loan: LoanRecord,
    kind: ActionKind,
    owed: Mapping[Component, Decimal],
    business_date: date,
    request: tuple[str, str, str],
    reason: str,
) -> Receipt:
    """Post the charge-off (or write-off) of ``owed`` and record it; its receipt."""
    operation, key, scope = request
    header = header_for(operation, key, business_date, loan.loan_id, scope)
    if kind is ActionKind.CHARGE_OFF:
        entry = charge_off(header, owed, loan.currency)
        bucket = Bucket.CHARGED_OFF
    else:
        entry = write_off(header, owed, loan.currency)
        bucket = Bucket.WRITTEN_OFF
    status = post(session, loan, [entry], business_date)
    assert status in (LoanStatus.CHARGED_OFF, LoanStatus.WRITTEN_OFF), status
    # Out of the delinquency buckets: end of day no longer ages it.
    ageing = Ageing(loan.ageing.aged_on, 0, bucket, None)
    LoanBookCommands(session).set_ageing([(loan.loan_id, status, ageing)])
    posted = (entry, sum(owed.values(), Decimal(0)))
    return _recorded(
        session, request, loan, kind, business_date, reason, status=str(status), posted=posted
    )


def _approve_taking_off(kind: ActionKind) -> Applier:
    def apply(
        session: Session,
        loan: LoanRecord,
        proposal: Proposal,
        business_date: date,
        request: tuple[str, str, str],
    ) -> Receipt:
        owed, total = _owed(session, loan)
        if total != proposal.amount:
            raise ProposalUnavailableError(
                "stale",
                f"loan {loan.loan_id} owes {to_text(total, loan.currency)} {loan.currency} now, "
                f"not the {to_text(proposal.amount, loan.currency)} proposed in "
                f"{proposal.proposal_id}: propose it again",
            )
        return _taken_off(session, loan, kind, owed, business_date, request, proposal.reason)

    return apply


def grant_goodwill_credit(
    engine: Engine,
    loan_id: str,
    credit: Money,
    business_date: date,
    idempotency_key: str,
    *,
    reason: str,
    scope: str = "",
    approval_threshold: Decimal | None = None,
) -> Receipt:
    """Credit an active loan ``credit`` at the lender's expense (``ledger.goodwill_credit``):
    it settles what is owed as a payment would, never more than is owed. A credit that, with the
    loan's earlier waivers still standing and credits proposed (``waived_before``), is above
    ``approval_threshold`` is only proposed (``maker_checked``)."""
    text = _reason(reason)
    request = (_GOODWILL, idempotency_key, scope)

    def work(session: Session) -> Receipt:
        loan = _active(session, loan_id, "credited")
        if credit.currency != loan.currency:
            raise LedgerError(f"loan {loan_id} is in {loan.currency}, not {credit.currency}")
        owed, _ = _owed(session, loan)
        # Built (not posted) to refuse now a credit beyond what is owed, not once approved.
        check = header_for(_GOODWILL, idempotency_key, business_date, loan_id, scope)
        goodwill_credit(check, credit, owed, loan.terms.waterfall)
        prior = waived_before(session, loan)
        held = Held(ActionKind.GOODWILL_CREDIT, credit.amount, text, {}, prior=prior)
        return maker_checked(
            session,
            loan,
            held,
            business_date,
            request,
            approval_threshold,
            lambda: _credited(session, loan, credit, owed, business_date, request, text),
        )

    body = {
        "amount": to_text(credit.amount, credit.currency),
        "currency": credit.currency,
        "reason": reason,
    }
    return on_loan(
        engine,
        "goodwill_credit",
        loan_id,
        business_date,
        idempotency_key,
        work,
        scope=scope,
        request=body,
    )


_GOODWILL = "goodwill"


def waived_before(session: Session, loan: LoanRecord) -> Decimal:
    """What the lender gave ``loan`` up already, at its own cost, and still stands: its goodwill
    credits not reversed, its interest accruals reversed (a waiver: what it owed is gone with no
    money received), and its goodwill credits proposed and not yet decided (two proposals must
    not both pass under the threshold). A new credit or accrual reversal counts with these
    against the approval threshold, so a waiver split into small ones is held as one would be."""
    history = LoanBookQueries(session).loan_transactions(loan.loan_id)
    reversed_ids = {t.reverses for t in history if t.reverses is not None}
    accruals = {t.id for t in history if t.kind is TransactionKind.INTEREST_ACCRUAL}
    granted = sum(
        (
            moved(t)
            for t in history
            if (t.kind is TransactionKind.GOODWILL_CREDIT and t.id not in reversed_ids)
            or (t.kind is TransactionKind.REVERSAL and t.reverses in accruals)
        ),
        Decimal(0),
    )
    pending = LoanProposals(session).listed(
        loan_id=loan.loan_id, status=ProposalStatus.PROPOSED, limit=_ALL
    )
    waiting = sum((p.amount for p in pending if p.kind is ActionKind.GOODWILL_CREDIT), Decimal(0))
    return granted + waiting


def moved(transaction: Transaction) -> Decimal:
    """What ``transaction`` moves: the sum of its debits."""
    return sum((p.amount for p in transaction.postings if p.amount > 0), Decimal(0))


#: Enough to read every open proposal of one loan.
_ALL = 1_000_000


def _credited(
    session: Session,
    loan: LoanRecord,
    credit: Money,
    owed: Mapping[Component, Decimal],
    business_date: date,
    request: tuple[str, str, str],
    reason: str,
) -> Receipt:
    operation, key, scope = request
    header = header_for(operation, key, business_date, loan.loan_id, scope)
    entry = goodwill_credit(header, credit, owed, loan.terms.waterfall)
    status = post(session, loan, [entry], business_date)
    kind = ActionKind.GOODWILL_CREDIT
    posted = (entry, credit.amount)
    return _recorded(
        session, request, loan, kind, business_date, reason, status=str(status), posted=posted
    )


def _approve_goodwill(
    session: Session,
    loan: LoanRecord,
    proposal: Proposal,
    business_date: date,
    request: tuple[str, str, str],
) -> Receipt:
    owed, total = _owed(session, loan)
    if proposal.amount > total:
        raise ProposalUnavailableError(
            "stale",
            f"loan {loan.loan_id} owes {to_text(total, loan.currency)} {loan.currency} now, less "
            f"than the credit of {to_text(proposal.amount, loan.currency)} proposed in "
            f"{proposal.proposal_id}",
        )
    credit = Money(proposal.amount, proposal.currency)
    return _credited(session, loan, credit, owed, business_date, request, proposal.reason)


#: How an approved proposal of each kind is applied: a kind held for approval joins here.
APPLIERS: Mapping[ActionKind, Applier] = {
    ActionKind.CHARGE_OFF: _approve_taking_off(ActionKind.CHARGE_OFF),
    ActionKind.WRITE_OFF: _approve_taking_off(ActionKind.WRITE_OFF),
    ActionKind.GOODWILL_CREDIT: _approve_goodwill,
}


def _owed(session: Session, loan: LoanRecord) -> tuple[dict[Component, Decimal], Decimal]:
    """What ``loan`` owes now, by component, and in all: what a take-off removes, what a
    credit may settle at most, and what a proposal of either is checked against."""
    owed = receivables(LoanBookQueries(session).loan_transactions(loan.loan_id), loan.loan_id)
    return owed, sum(owed.values(), Decimal(0))


def _active(session: Session, loan_id: str, done: str) -> LoanRecord:
    loan = LoanBookQueries(session).loan(loan_id)
    if loan.status is not LoanStatus.ACTIVE:
        raise LedgerError(f"loan {loan_id} is {loan.status}: only an active loan is {done}")
    return loan


def _check_start(session: Session, starts_on: date, business_date: date) -> None:
    if starts_on < business_date:
        raise ConfigError(
            f"a pause cannot start ({starts_on}) before today's business date {business_date}"
        )
    closed = LoanBookQueries(session).last_closed_day()
    if closed is not None and starts_on <= closed:
        raise ConfigError(f"a pause cannot start ({starts_on}) on a closed day (to {closed})")


def record_reason(reason: str) -> str:
    """The reason an action records: some words, at most ``MAX_REASON`` characters."""
    return _reason(reason)


def _reason(reason: str) -> str:
    text = reason.strip()
    if not text:
        raise ConfigError("an action needs a reason: say why it is taken")
    if len(text) > MAX_REASON:
        raise ConfigError(f"a reason is at most {MAX_REASON} characters, got {len(text)}")
    return text
