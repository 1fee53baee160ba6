"""Plain records the repositories take and return: no session, no lazy loading.

Records are typed: a stored decision carries its ``Decision``, its ``Rating`` and its inputs, a
loan its ``Terms``. Turning them into the database's JSON documents and back is ``_codec``'s
business only, so no caller ever indexes a dict.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from microlend.ledger import Bucket, CovenantStatus, Product, Terms
from microlend.money import Money
from microlend.policy import CreditRequest, Decision, Exposure, Notice
from microlend.scoring import Rating
from microlend.types import ApplicationId, LoanId, MerchantId

__all__ = [
    "Ageing",
    "DecisionInputs",
    "DecisionRecord",
    "LoanRecord",
    "LoanStatus",
    "MerchantRecord",
]


class LoanStatus(StrEnum):
    """A loan's life: accepted, then active once disbursed, then repaid, written off or charged
    off (off the book, still collected); or cancelled before it was disbursed."""

    ACCEPTED = "accepted"
    CANCELLED = "cancelled"
    ACTIVE = "active"
    REPAID = "repaid"
    WRITTEN_OFF = "written_off"
    CHARGED_OFF = "charged_off"


@dataclass(frozen=True)
class MerchantRecord:
    merchant_id: MerchantId
    category: str
    region: str
    onboarded_at: datetime


@dataclass(frozen=True)
class DecisionInputs:
    """What a decision was asked and sized on besides the merchant's features and rating: the
    request, what the merchant owed when it was made, and the digest of the policy that made it
    (a replay under another policy is refused)."""

    request: CreditRequest
    exposure: Exposure
    policy_digest: str

    @classmethod
    def of(cls, decision: Decision) -> DecisionInputs:
        request = CreditRequest(
            decision.application_id, decision.merchant_id, decision.requested_amount
        )
        return cls(request, decision.exposure, decision.policy_digest)


@dataclass(frozen=True)
class DecisionRecord:
    """A credit decision with everything needed to replay it: its inputs, every feature value
    it was made from (``None`` where missing), the rating and the decision itself.

    ``application_id`` names the records' application it decided; ``None`` for a decision made
    online, whose decision's ``application_id`` is the stored decision's own id. ``notice``:
    what the merchant was told in writing of a decline or a counter-offer (``None`` on a full
    approval, and on decisions stored before notices were kept).
    """

    decision_id: str
    application_id: ApplicationId | None
    decision: Decision
    rating: Rating
    inputs: DecisionInputs
    feature_values: Mapping[str, float | None]
    notice: Notice | None = None

    @property
    def merchant_id(self) -> MerchantId:
        return MerchantId(self.decision.merchant_id)

    @property
    def as_of(self) -> date:
        return self.decision.as_of

    @property
    def policy_version(self) -> str:
        return self.decision.policy_version

    @property
    def model_version(self) -> str:
        return self.decision.model_version

    @property
    def expires_on(self) -> date | None:
        """The last day its offers may be accepted (none on a decline)."""
        return self.decision.expires_on


@dataclass(frozen=True)
class Ageing:
    """A loan's delinquency as of the last end of day."""

    aged_on: date | None = None
    days_past_due: int = 0
    bucket: Bucket = Bucket.CURRENT
    covenant: CovenantStatus | None = None


@dataclass(frozen=True)
class LoanRecord:
    """A loan as agreed, its ``terms`` parsed once when it is read. ``realised_apr``: the
    effective annual rate of the cash flows it really had (``ledger.flows_apr``), recorded when
    it is repaid; ``None`` while it runs, once written off, and on loans repaid before it was
    recorded."""

    loan_id: LoanId
    merchant_id: MerchantId
    decision_id: str | None
    terms: Terms
    principal: Decimal
    currency: str
    status: LoanStatus
    accepted_on: date
    disbursed_on: date | None = None
    ageing: Ageing = Ageing()
    realised_apr: float | None = None

    @property
    def product(self) -> Product:
        return self.terms.product

    @property
    def principal_money(self) -> Money:
        return Money(self.principal, self.currency)
