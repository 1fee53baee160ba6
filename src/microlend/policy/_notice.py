"""The notice of a decision: what a declined merchant, or one offered less than it asked for,
is told in writing.

An adverse-action notice (the Equal Credit Opportunity Act's Regulation B for business credit,
and its counterparts) names the lender, the date and the decision, gives the principal reasons
(at most four: ``TOP_REASONS``), and states the applicant's right to ask for the reasons in
detail; here it also says what would raise the score (the rating's suggestions, each proven by
the model) and, for an offer below the amount asked for, why it is lower. ``notice_for`` builds
it from the decision, its rating and the policy (whose ``[notice]`` table holds the lender, the
contact and the wording of the right) and reads no clock: the date is the decision's, so the
same decision always gives an equal notice, and a replay can be checked against the stored one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from microlend.money import format_money
from microlend.policy._decision import Decision
from microlend.policy._limits import step_down
from microlend.policy._policy import Policy
from microlend.scoring import TOP_REASONS, Rating

__all__ = ["Notice", "NoticeKind", "NoticeReason", "NoticeSuggestion", "notice_for"]


class NoticeKind(StrEnum):
    """Why a notice is given: no offer at all, or offers all below the amount asked for."""

    DECLINE = "decline"
    COUNTER_OFFER = "counter_offer"


@dataclass(frozen=True)
class NoticeReason:
    """One principal reason: its code (a knock-out, a policy rule or a feature) and wording."""

    code: str
    text: str


@dataclass(frozen=True)
class NoticeSuggestion:
    """What would raise the score: the change, worded, and the score and band it gives."""

    text: str
    score: int
    band: str


@dataclass(frozen=True)
class Notice:
    """The notice of one decision. ``summary`` says the decision in a sentence; ``counter_offer``
    why the offers are below the amount asked for (``None`` on a decline); ``right`` is the
    statement of the merchant's right to ask for the reasons in detail."""

    kind: NoticeKind
    lender: str
    contact: str
    date: date
    merchant_id: str
    application_id: str
    summary: str
    score: int
    band: str
    reasons: tuple[NoticeReason, ...]
    counter_offer: str | None
    suggestions: tuple[NoticeSuggestion, ...]
    right: str
    policy_version: str

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data; ``Notice.from_dict(n.to_dict()) == n``."""
        return {
            "kind": self.kind.value,
            "lender": self.lender,
            "contact": self.contact,
            "date": self.date.isoformat(),
            "merchant_id": self.merchant_id,
            "application_id": self.application_id,
            "summary": self.summary,
            "score": self.score,
            "band": self.band,
            "reasons": [{"code": r.code, "text": r.text} for r in self.reasons],
            "counter_offer": self.counter_offer,
            "suggestions": [
                {"text": s.text, "score": s.score, "band": s.band} for s in self.suggestions
            ],
            "right": self.right,
            "policy_version": self.policy_version,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Notice:
        return cls(
            kind=NoticeKind(data["kind"]),
            lender=str(data["lender"]),
            contact=str(data["contact"]),
            date=date.fromisoformat(data["date"]),
            merchant_id=str(data["merchant_id"]),
            application_id=str(data["application_id"]),
            summary=str(data["summary"]),
            score=int(data["score"]),
            band=str(data["band"]),
            reasons=tuple(NoticeReason(str(r["code"]), str(r["text"])) for r in data["reasons"]),
            counter_offer=data["counter_offer"],
            suggestions=tuple(
                NoticeSuggestion(str(s["text"]), int(s["score"]), str(s["band"]))
                for s in data["suggestions"]
            ),
            right=str(data["right"]),
            policy_version=str(data["policy_version"]),
        )


_ZERO = Decimal(0)
_DECLINED = "We cannot offer you credit now."
_LOWER = "We can offer you credit, but less than you asked for."


def notice_for(decision: Decision, rating: Rating, policy: Policy) -> Notice | None:
    """The notice of ``decision`` (made with ``rating`` under ``policy``): for a decline, and for
    offers that all fall below the amount asked for; ``None`` when the merchant was offered
    what it asked for (or, asking for no amount, its whole limit)."""
    counter = None if not decision.approved else counter_offer(decision, policy)
    if decision.approved and counter is None:
        return None
    wording = policy.notice
    return Notice(
        kind=NoticeKind.COUNTER_OFFER if decision.approved else NoticeKind.DECLINE,
        lender=wording.lender,
        contact=wording.contact,
        date=decision.as_of,
        merchant_id=decision.merchant_id,
        application_id=decision.application_id,
        summary=_LOWER if decision.approved else _DECLINED,
        score=decision.score,
        band=decision.band,
        # Decisions keep their principal reasons first: knock-outs, the policy's, the score's.
        reasons=tuple(NoticeReason(r.code, r.text) for r in decision.reasons[:TOP_REASONS]),
        counter_offer=counter,
        suggestions=tuple(NoticeSuggestion(i.text, i.score, i.band) for i in rating.improvements),
        right=wording.right(decision.as_of.isoformat()),
        policy_version=decision.policy_version,
    )


def counter_offer(decision: Decision, policy: Policy) -> str | None:
    """Why every offer of ``decision`` is below the amount asked for, in one sentence with the
    amounts; ``None`` when one offer reaches it, or no amount was asked for."""
    asked = decision.requested_amount
    if asked is None or decision.limit is None or not decision.offers:
        return None
    best = max(offer.amount.amount for offer in decision.offers)
    if best >= asked.amount:
        return None
    currency = decision.currency
    on_step = step_down(asked.amount, policy.limits.step, currency)
    head = f"you asked for {format_money(asked.amount, currency)}"
    if best < min(on_step, decision.limit.amount):
        return f"{head}; {_holdback_cap(decision, policy, best)}"
    if decision.limit.amount < on_step:
        return f"{head}; {_limit_cap(decision, policy)}"
    step = format_money(policy.limits.step, currency)
    return f"{head}; we lend in steps of {step}, so we offer {format_money(best, currency)}"


def _limit_cap(decision: Decision, policy: Policy) -> str:
    """Which cap sized the limit, in words: a share of sales, the band's caps, ours."""
    limit, currency, band = decision.limit, decision.currency, decision.band
    assert limit is not None
    ceiling = format_money(limit.ceiling, currency)
    monthly = format_money(limit.monthly_sales, currency)
    cap = policy.limits.bands.get(band)
    multiple = cap.max_multiple if cap is not None and cap.max_multiple is not None else _ZERO
    share = policy.limits.share_of_monthly_sales
    why = {
        "sales": f"your sales support at most {ceiling} in all: we lend up to "
        f"{share.normalize():f} times your forecast monthly net sales of {monthly}",
        "band_multiple": f"a merchant rated {band} may owe us at most "
        f"{multiple.normalize():f} times its forecast monthly net sales of {monthly}, "
        f"{ceiling} in all",
        "band_amount": f"a merchant rated {band} may owe us at most {ceiling} in all",
        "merchant_cap": f"we lend at most {ceiling} in all to one merchant",
    }.get(limit.binding, f"your limit is {ceiling} in all")
    owed = ""
    if limit.exposure > 0:
        owed = f"; you owe us {format_money(limit.exposure, currency)} already"
    return f"{why}{owed}, so we offer at most {format_money(limit.amount, currency)}"


def _holdback_cap(decision: Decision, policy: Policy, best: Decimal) -> str:
    """Why a share-of-sales offer is below the limit: even its highest holdback repays no more
    within its target days."""
    product, currency = policy.share_of_sales, decision.currency
    offered = format_money(best, currency)
    if product is None:  # only share of sales resizes an offer: a policy changed since
        return f"we offer at most {offered}"
    rate = product.holdback_rates[-1] * 100
    daily = format_money(decision.sales.daily_net, currency)
    return (
        f"holding back {rate.normalize():f} % of your forecast net sales of {daily} a day "
        f"repays at most {offered} within {product.target_days} days, so we offer {offered}"
    )
