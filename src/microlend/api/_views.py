"""Service results to response bodies: presentation only, no decisions here."""

from __future__ import annotations

from datetime import date

from microlend.api._loan_schemas import (
    ActionOut,
    EndOfDayOut,
    LoanOut,
    LoanStateOut,
    LoanSummary,
    PauseOut,
    PostingOut,
    ReceiptOut,
    TransactionOut,
)
from microlend.api._schemas import (
    DecisionOut,
    InstalmentOut,
    NoticeOut,
    OfferOut,
    ScoreOut,
)
from microlend.ledger import Instalment, terms_to_dict
from microlend.money import to_text
from microlend.policy import Decision
from microlend.scoring import Rating
from microlend.service import EndOfDayReport, LoanView, Receipt, StoredNotice
from microlend.store import LoanAction, LoanRecord

__all__ = [
    "decision_out",
    "end_of_day_out",
    "loan_out",
    "notice_out",
    "receipt_out",
    "score_out",
    "summary",
]


def score_out(rating: Rating, as_of: date) -> ScoreOut:
    body = rating.to_dict()
    for improvement in body["improvements"]:
        for change in improvement["changes"]:
            change["before"], change["after"] = change.pop("from"), change.pop("to")
    return ScoreOut(merchant_id=body.pop("key"), as_of=as_of, **body)


def decision_out(decision: Decision) -> DecisionOut:
    body = decision.to_dict()
    offers = [OfferOut(number=i, **offer) for i, offer in enumerate(body["offers"], start=1)]
    return DecisionOut(
        decision_id=decision.application_id,
        merchant_id=decision.merchant_id,
        as_of=decision.as_of,
        approved=decision.approved,
        currency=decision.currency,
        pd=decision.pd,
        score=decision.score,
        band=decision.band,
        limit=None if decision.limit is None else to_text(decision.limit.amount, decision.currency),
        offers=offers,
        reasons=body["reasons"],
        policy_version=decision.policy_version,
        model_version=decision.model_version,
        expires_on=decision.expires_on,
    )


def notice_out(stored: StoredNotice) -> NoticeOut:
    """A stored notice (the caller checked it has one)."""
    assert stored.notice is not None
    return NoticeOut(
        decision_id=stored.decision_id, latest=stored.latest, **stored.notice.to_dict()
    )


def receipt_out(receipt: Receipt) -> ReceiptOut:
    return ReceiptOut.model_validate(receipt.to_json())


def end_of_day_out(report: EndOfDayReport) -> EndOfDayOut:
    return EndOfDayOut(
        business_date=report.business_date,
        loans_aged=report.loans_aged,
        interest_accruals=report.interest_accruals,
        write_offs=report.write_offs,
        covenant_breaches=report.covenant_breaches,
        postings=report.postings,
        buckets={str(bucket): count for bucket, count in report.buckets.items()},
    )


def summary(loan: LoanRecord) -> LoanSummary:
    return LoanSummary(
        loan_id=loan.loan_id,
        merchant_id=loan.merchant_id,
        decision_id=loan.decision_id,
        product=loan.product.value,
        principal=to_text(loan.principal, loan.currency),
        currency=loan.currency,
        status=loan.status.value,
        accepted_on=loan.accepted_on,
        disbursed_on=loan.disbursed_on,
        days_past_due=loan.ageing.days_past_due,
    )


def _instalment(row: Instalment) -> InstalmentOut:
    return InstalmentOut(
        number=row.number,
        due_on=row.due_on,
        principal=to_text(row.principal, row.currency),
        interest=to_text(row.interest, row.currency),
        fee=to_text(row.fee, row.currency),
    )


def _pauses(view: LoanView) -> list[PauseOut]:
    ordered = sorted(view.pauses.items(), key=lambda item: item[1].starts_on)
    return [
        PauseOut(pause_id=i, starts_on=p.starts_on, ends_on=p.ends_on, days=p.days)
        for i, p in ordered
    ]


def _action(action: LoanAction) -> ActionOut:
    return ActionOut(
        action_id=action.action_id,
        action=action.kind.value,
        business_date=action.business_date,
        reason=action.reason,
        actor=action.actor,
        recorded_at=action.created_at,
        starts_on=action.starts_on,
        ends_on=action.ends_on,
        refers_to=action.refers_to,
    )


def loan_out(view: LoanView, *, staff: bool = True) -> LoanOut:
    """The loan's body; its actions (who did what, and why) only for ``staff``."""
    state, currency = view.state, view.loan.currency
    return LoanOut(
        **summary(view.loan).model_dump(),
        terms=terms_to_dict(view.loan.terms),
        realised_apr=view.loan.realised_apr,
        schedule=[_instalment(row) for row in view.schedule],
        transactions=[
            TransactionOut(
                id=t.id,
                kind=t.kind.value,
                business_date=t.business_date,
                reverses=t.reverses,
                postings=[
                    PostingOut(account=p.account.value, amount=to_text(p.amount, t.currency))
                    for p in t.postings
                ],
            )
            for t in view.transactions
        ],
        state=LoanStateOut(
            as_of=state.as_of,
            outstanding=to_text(state.outstanding_total, currency),
            amount_due=to_text(state.amount_due, currency),
            payoff=to_text(state.payoff, currency),
            days_past_due=state.days_past_due,
            bucket=str(state.bucket),
            covenant=None if state.covenant is None else str(state.covenant),
            next_due_on=state.next_due_on,
            written_off=state.written_off,
            charged_off=state.charged_off,
            paused=state.paused,
        ),
        pauses=_pauses(view),
        actions=[_action(a) for a in view.actions] if staff else [],
    )
