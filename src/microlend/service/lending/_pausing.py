"""Payment pauses, a servicing action: pause an active loan's payments for some days, resume
(end) a pause early, and read a loan's pauses from its recorded actions. A pause posts nothing:
servicing reads it beside the postings (``ledger.Pause``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from microlend.errors import ConfigError, LedgerError, NotFoundError
from microlend.ledger import Pause
from microlend.service.lending._audit import active_loan, record_reason, recorded
from microlend.service.lending._receipts import Receipt, on_loan
from microlend.store import ActionKind, LoanAction, LoanActions, LoanBookQueries

__all__ = ["pause_loan", "pauses_of", "resume_pause"]


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
    record_reason(reason)

    def work(session: Session) -> Receipt:
        loan = active_loan(session, loan_id, "paused")
        _check_start(session, starts_on, business_date)
        for pause_id, other in pauses_of(LoanActions(session).of_loan(loan_id)).items():
            if other.overlaps(pause):
                raise LedgerError(
                    f"loan {loan_id} is paused {other.starts_on} to {other.ends_on} already "
                    f"(pause {pause_id}): pauses cannot overlap"
                )
        return recorded(
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
    record_reason(reason)

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
        return recorded(
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


def _check_start(session: Session, starts_on: date, business_date: date) -> None:
    if starts_on < business_date:
        raise ConfigError(
            f"a pause cannot start ({starts_on}) before today's business date {business_date}"
        )
    closed = LoanBookQueries(session).last_closed_day()
    if closed is not None and starts_on <= closed:
        raise ConfigError(f"a pause cannot start ({starts_on}) on a closed day (to {closed})")
