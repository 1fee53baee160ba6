"""A credit decision and its inputs: offers or a decline with reasons, and all it was made from.

A ``Decision`` is a result, never an exception. It keeps what is needed to replay it (the
policy's version and digest, the model version, the features the policy read, the rating's PD,
score and band, the exposure, the as-of date), and ``to_dict``/``from_dict`` carry it through
JSON without loss: ``Decision.from_dict(d.to_dict()) == d``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from functools import cached_property
from typing import Any

from microlend.ledger import (
    FixedInstalmentTerms,
    Instalment,
    Product,
    Terms,
    terms_from_json,
    terms_to_dict,
)
from microlend.money import Money, to_text
from microlend.policy._disclosure import Disclosure, disclosure_from_dict, disclosure_to_dict
from microlend.policy._limits import Limit, SalesForecast
from microlend.policy._pricing import Quote

__all__ = ["CreditRequest", "Decision", "DecisionReason", "Exposure", "Offer", "ReasonSource"]


@dataclass(frozen=True)
class CreditRequest:
    """An application for credit; without ``requested_amount`` the full limit is offered."""

    application_id: str
    merchant_id: str
    requested_amount: Money | None = None


@dataclass(frozen=True)
class Exposure:
    """What the merchant owes the lender already, and how late its worst loan is."""

    outstanding: Money
    days_past_due: int = 0

    def __post_init__(self) -> None:
        if self.outstanding.amount < 0:
            raise ValueError(f"outstanding exposure must not be negative, got {self.outstanding}")
        if self.days_past_due < 0:
            raise ValueError(f"days_past_due must not be negative, got {self.days_past_due}")

    @classmethod
    def none(cls, currency: str) -> Exposure:
        """A merchant with nothing outstanding."""
        return cls(Money.zero(currency))


class ReasonSource(StrEnum):
    """Where a decline reason comes from; reasons are listed in this order."""

    KNOCKOUT = "knockout"
    POLICY = "policy"
    SCORE = "score"


@dataclass(frozen=True)
class DecisionReason:
    """One reason for a decline: a knock-out, a policy gate or a score reason of the rating.

    ``code``: the knock-out's or policy rule's code, or the feature of a score reason;
    ``value``: the number it is about (the feature's or fact's value, the score), when there
    is one; decisions stored before values have none.
    """

    source: ReasonSource
    code: str
    text: str
    feature: str | None = None
    value: float | None = None


@dataclass(frozen=True)
class Offer:
    """One offer of the menu. ``total_cost``: interest plus fee; ``expected_days``: days from
    disbursement to the last payment; ``apr``: the effective annual rate of
    ``ledger.effective_apr`` (both, for share of sales, estimated from the merchant's own net
    payouts: the historical method its disclosure states); ``preview``: the first
    instalments (for share of sales, the covenant's first minimum payments); ``disclosure``:
    what the merchant is told of it (every offer ``decide`` makes has one; decisions stored
    before disclosures have none)."""

    amount: Money
    terms: Terms
    quote: Quote
    fee: Decimal
    total_cost: Decimal
    total_repayable: Decimal
    expected_days: int
    apr: float
    preview: tuple[Instalment, ...]
    disclosure: Disclosure | None = None

    @property
    def product(self) -> Product:
        return self.terms.product

    @property
    def price(self) -> Decimal:
        """The rate quoted: the annual rate of instalments, the fee rate of share of sales."""
        if isinstance(self.terms, FixedInstalmentTerms):
            return self.terms.annual_rate
        return self.terms.fee_rate


@dataclass(frozen=True)
class Decision:
    """The outcome of ``decide`` and everything needed to replay it."""

    application_id: str
    merchant_id: str
    as_of: date
    currency: str
    requested_amount: Money | None
    exposure: Exposure
    pd: float
    score: int
    band: str
    features: Mapping[str, float | None]
    sales: SalesForecast
    limit: Limit | None
    offers: tuple[Offer, ...]
    reasons: tuple[DecisionReason, ...]
    policy_version: str
    policy_digest: str
    model_version: str
    #: The last business day its offers may be accepted; none on a decline.
    expires_on: date | None = None

    @property
    def approved(self) -> bool:
        """Whether any offer is made (a decline has reasons and no offers)."""
        return bool(self.offers)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data: amounts and rates as exact decimal text, dates ISO.

        Built once: a decision is stored and answered with on the api's hot path, and writing
        its offers' amounts as text is most of what both cost. Each call gives a new dict over
        shared inner values, which callers read and never change."""
        return dict(self._document)

    @cached_property
    def _document(self) -> dict[str, Any]:
        money = self.requested_amount
        return {
            "application_id": self.application_id,
            "merchant_id": self.merchant_id,
            "as_of": self.as_of.isoformat(),
            "currency": self.currency,
            "approved": self.approved,
            "requested_amount": None if money is None else to_text(money.amount, money.currency),
            "exposure": {
                "outstanding": to_text(self.exposure.outstanding.amount, self.currency),
                "days_past_due": self.exposure.days_past_due,
            },
            "rating": {"pd": self.pd, "score": self.score, "band": self.band},
            "features": dict(self.features),
            "sales": _decimals(vars(self.sales)),
            "limit": None if self.limit is None else _decimals(vars(self.limit)),
            "offers": [_offer_dict(offer, self.currency) for offer in self.offers],
            "reasons": [vars(r) | {"source": r.source.value} for r in self.reasons],
            "policy": {"version": self.policy_version, "digest": self.policy_digest},
            "model_version": self.model_version,
            "expires_on": None if self.expires_on is None else self.expires_on.isoformat(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Decision:
        """The decision ``to_dict`` wrote (``approved`` is derived, so it is not read)."""
        currency = data["currency"]
        requested = data["requested_amount"]
        limit = data["limit"]
        return cls(
            application_id=data["application_id"],
            merchant_id=data["merchant_id"],
            as_of=date.fromisoformat(data["as_of"]),
            currency=currency,
            requested_amount=None if requested is None else Money.exact(requested, currency),
            exposure=Exposure(
                Money.exact(data["exposure"]["outstanding"], currency),
                data["exposure"]["days_past_due"],
            ),
            pd=data["rating"]["pd"],
            score=data["rating"]["score"],
            band=data["rating"]["band"],
            features=dict(data["features"]),
            sales=SalesForecast(**_from_decimals(data["sales"])),
            limit=None if limit is None else Limit(**_from_decimals(limit)),
            offers=tuple(_offer(body, currency) for body in data["offers"]),
            reasons=tuple(
                DecisionReason(**(r | {"source": ReasonSource(r["source"])}))
                for r in data["reasons"]
            ),
            policy_version=data["policy"]["version"],
            policy_digest=data["policy"]["digest"],
            model_version=data["model_version"],
            # Decisions stored before offers expired carry no date.
            expires_on=_date_or_none(data.get("expires_on")),
        )


def _date_or_none(text: str | None) -> date | None:
    return None if text is None else date.fromisoformat(text)


def _decimals(fields: Mapping[str, Any]) -> dict[str, Any]:
    # Over ``vars`` of flat records: ``asdict``'s deep copy costs more than the rest of to_dict.
    return {k: str(v) if isinstance(v, Decimal) else v for k, v in fields.items()}


def _from_decimals(fields: Mapping[str, Any]) -> dict[str, Any]:
    return {
        k: Decimal(v) if isinstance(v, str) and k not in _TEXT_FIELDS else v
        for k, v in fields.items()
    }


#: Fields of the serialised records that are text, not decimals written as text.
_TEXT_FIELDS = frozenset({"binding"})


def _offer_dict(offer: Offer, currency: str) -> dict[str, Any]:
    return {
        "product": offer.product.value,
        "amount": to_text(offer.amount.amount, currency),
        "price": str(offer.price),
        "terms": terms_to_dict(offer.terms),
        "quote": _decimals(vars(offer.quote)),
        "fee": to_text(offer.fee, currency),
        "total_cost": to_text(offer.total_cost, currency),
        "total_repayable": to_text(offer.total_repayable, currency),
        "expected_days": offer.expected_days,
        "apr": offer.apr,
        "preview": [
            {
                "number": row.number,
                "due_on": row.due_on.isoformat(),
                "principal": to_text(row.principal, currency),
                "interest": to_text(row.interest, currency),
                "fee": to_text(row.fee, currency),
            }
            for row in offer.preview
        ],
        "disclosure": None if offer.disclosure is None else disclosure_to_dict(offer.disclosure),
    }


def _offer(body: Mapping[str, Any], currency: str) -> Offer:
    return Offer(
        amount=Money.exact(body["amount"], currency),
        terms=terms_from_json(json.dumps(body["terms"]), body["product"]),
        quote=Quote(**_from_decimals(body["quote"])),
        fee=Decimal(body["fee"]),
        total_cost=Decimal(body["total_cost"]),
        total_repayable=Decimal(body["total_repayable"]),
        expected_days=body["expected_days"],
        apr=body["apr"],
        preview=tuple(
            Instalment(
                number=row["number"],
                due_on=date.fromisoformat(row["due_on"]),
                principal=Decimal(row["principal"]),
                interest=Decimal(row["interest"]),
                fee=Decimal(row["fee"]),
                currency=currency,
            )
            for row in body["preview"]
        ),
        disclosure=_disclosure_or_none(body.get("disclosure")),
    )


def _disclosure_or_none(body: Mapping[str, Any] | None) -> Disclosure | None:
    # Offers stored before disclosures carry none.
    return None if body is None else disclosure_from_dict(body)
