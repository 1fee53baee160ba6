"""Plain records the repositories take and return: no session, no lazy loading."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from microlend.ledger import Bucket, CovenantStatus, Product, Terms, terms_from_json
from microlend.money import Money
from microlend.types import ApplicationId, LoanId, MerchantId

__all__ = ["Ageing", "DecisionRecord", "LoanRecord", "LoanStatus", "MerchantRecord"]


class LoanStatus(StrEnum):
    """A loan's life: accepted, then active once disbursed, then repaid or written off; or
    cancelled before it was disbursed."""

    ACCEPTED = "accepted"
    CANCELLED = "cancelled"
    ACTIVE = "active"
    REPAID = "repaid"
    WRITTEN_OFF = "written_off"


@dataclass(frozen=True)
class MerchantRecord:
    merchant_id: MerchantId
    category: str
    region: str
    onboarded_at: datetime


@dataclass(frozen=True)
class DecisionRecord:
    """A credit decision with everything needed to replay it: inputs, feature values, score and
    result as JSON documents, and the versions of the policy and the model that made it."""

    decision_id: str
    merchant_id: MerchantId
    application_id: ApplicationId | None
    as_of: date
    policy_version: str
    model_version: str
    inputs: dict[str, Any] = field(default_factory=dict)
    feature_values: dict[str, Any] = field(default_factory=dict)
    score: dict[str, Any] = field(default_factory=dict)
    result: dict[str, Any] = field(default_factory=dict)
    #: The last day its offers may be accepted (none on a decline).
    expires_on: date | None = None


@dataclass(frozen=True)
class Ageing:
    """A loan's delinquency as of the last end of day."""

    aged_on: date | None = None
    days_past_due: int = 0
    bucket: Bucket = Bucket.CURRENT
    covenant: CovenantStatus | None = None


@dataclass(frozen=True)
class LoanRecord:
    """A loan as agreed: ``terms_json`` is the canonical JSON of its terms."""

    loan_id: LoanId
    merchant_id: MerchantId
    decision_id: str | None
    product: Product
    terms_json: str
    principal: Decimal
    currency: str
    status: LoanStatus
    accepted_on: date
    disbursed_on: date | None = None
    ageing: Ageing = Ageing()

    @property
    def terms(self) -> Terms:
        return terms_from_json(self.terms_json, self.product.value)

    @property
    def principal_money(self) -> Money:
        return Money(self.principal, self.currency)
