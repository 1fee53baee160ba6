"""Request and response bodies of the api's rating and decisions, and the field types every body
uses (the loan book's bodies: ``_loan_schemas``), with the descriptions the OpenAPI schema shows.

Money is exact decimal text both ways, never a binary float; PDs and scores are numbers. An
amount answered has exactly its currency's decimal places (``money.to_text``: ``"1250.00"``
USD, ``"1250"`` JPY, ``"1250.000"`` KWD). An amount sent is ASCII decimal text (``MoneyText``)
below ``money.AMOUNT_LIMIT`` with at most its currency's decimal places (``excess_places``):
more is a 422 that says how many the currency has. Every id a request names matches
``ID_PATTERN``.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
)

from microlend.money import AMOUNT_LIMIT, excess_places
from microlend.types import ID_PATTERN

__all__ = [
    "ID_PATTERN",
    "Amount",
    "ApplyRequest",
    "Change",
    "DecisionOut",
    "DisclosureOut",
    "Health",
    "ImprovementOut",
    "InstalmentOut",
    "IsoDay",
    "MoneyText",
    "NoticeOut",
    "OfferOut",
    "Problem",
    "ReasonOut",
    "ScoreOut",
    "SnapshotOut",
    "StrictModel",
    "excess_places",
]

_MONEY_TEXT = r"^-?\d+(\.\d+)?$"
_MONEY_IN = r"[0-9]+(\.[0-9]+)?"


def Amount(description: str) -> Any:  # noqa: N802  (a field factory, named like a type)
    return Field(pattern=_MONEY_TEXT, description=description)


def Id(description: str) -> Any:  # noqa: N802  (a field factory, named like a type)
    return Field(pattern=ID_PATTERN, description=description)


def _decimal_text(value: object) -> Decimal:
    """``value`` read as an amount only when it is ASCII decimal text: pydantic alone would
    take JSON numbers, other scripts' digits, ``1_000``, ``1e3``, signs and spaces."""
    if not isinstance(value, str) or re.fullmatch(_MONEY_IN, value) is None:
        raise ValueError('an amount is a string of ASCII digits and an optional ".", as "12.50"')
    return Decimal(value)


#: An amount sent in a request: decimal text, positive, below ``AMOUNT_LIMIT`` (what every book
#: stores); a ``Decimal`` after. Its places are checked against its currency where that is known.
MoneyText = Annotated[
    Decimal,
    Field(gt=0, lt=AMOUNT_LIMIT),
    BeforeValidator(_decimal_text),
    WithJsonSchema({"type": "string", "pattern": f"^{_MONEY_IN}$", "examples": ["12.50"]}),
]


_ISO_DAY = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"


def _iso_day(value: object) -> object:
    """``value`` read as a date only when it is ``YYYY-MM-DD`` text (or a date already):
    pydantic alone would take a midnight timestamp, ``2024-01-01T00:00``, as that day."""
    if isinstance(value, date) or (
        isinstance(value, str) and re.fullmatch(_ISO_DAY, value) is not None
    ):
        return value
    raise ValueError("a date is YYYY-MM-DD text, as 2025-03-31")


#: A business date asked for in a query: ``YYYY-MM-DD`` and a real day of the calendar.
IsoDay = Annotated[
    date,
    BeforeValidator(_iso_day),
    WithJsonSchema({"type": "string", "format": "date", "examples": ["2025-03-31"]}),
]


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Problem(BaseModel):
    """An RFC 9457 problem document."""

    type: str = Field(description="A URN naming the kind of problem.")
    title: str = Field(description="A short summary of the kind of problem.")
    status: int = Field(description="The HTTP status code.")
    detail: str = Field(description="What went wrong with this request.")
    errors: list[dict[str, str]] | None = Field(
        default=None, description="Validation errors: one per field (field, in, message)."
    )


class Health(BaseModel):
    status: str = Field(description="'ok' when the api answers.")
    business_date: date = Field(description="Today's business date.")
    model_version: str = Field(description="The version of the PD model served.")
    policy_version: str = Field(description="The version of the credit policy applied.")


class SnapshotOut(BaseModel):
    as_of: date = Field(description="The date the features are as of.")
    merchants: int = Field(description="How many merchants the snapshot rates.")


class ReasonOut(BaseModel):
    code: str = Field(description="A stable code of the reason: the feature behind it.")
    feature: str = Field(description="The feature behind the reason.")
    contribution: float = Field(description="How much it raised the log-odds of default.")
    value: float | str | None = Field(
        description="The merchant's value of the feature, in its catalog unit (null: missing)."
    )
    text: str = Field(description="The reason in plain words, with the value and its unit.")


class Change(BaseModel):
    feature: str = Field(description="The feature to change.")
    before: float = Field(description="Its value now.")
    after: float = Field(description="The value that would raise the score.")
    text: str = Field(description="The change in plain words.")


class ImprovementOut(BaseModel):
    changes: list[Change] = Field(description="Changes that together lift the band.")
    pd: float = Field(description="The PD after the changes.")
    score: int = Field(description="The score after the changes.")
    band: str = Field(description="The band after the changes.")
    effort: float = Field(description="Share of the population the changes overtake.")
    text: str = Field(description="All changes in plain words.")


class ScoreOut(BaseModel):
    merchant_id: str = Field(description="The merchant rated.")
    as_of: date = Field(description="The business date of the features.")
    pd: float = Field(ge=0, le=1, description="Probability of default within 12 months.")
    score: int = Field(ge=350, le=950, description="Credit score, 350 (worst) to 950 (best).")
    band: str = Field(description="Risk band of the score.")
    sub_scores: dict[str, int] = Field(description="Score per dimension of the business.")
    reasons: list[ReasonOut] = Field(
        description="What pushed the PD up most, worst first (at most four)."
    )
    improvements: list[ImprovementOut] = Field(description="What would raise the score.")


class ApplyRequest(StrictModel):
    merchant_id: str = Id("The applicant merchant.")
    requested_amount: MoneyText | None = Field(
        default=None,
        description="The amount asked for, in the policy's currency (at most its decimal "
        "places); without it the full limit is offered.",
    )


class InstalmentOut(BaseModel):
    number: int = Field(description="Instalment number, from 1.")
    due_on: date = Field(description="Due date.")
    principal: str = Amount("Principal due.")
    interest: str = Amount("Interest due.")
    fee: str = Amount("Fee due.")


class DisclosureOut(BaseModel):
    """What the merchant is told of an offer (California SB 1235, New York CFDL style)."""

    title: str = Field(description="The offer in plain words; it tells the offers apart.")
    currency: str = Field(description="ISO currency of every amount.")
    amount_funded: str = Amount("What is paid out to the merchant.")
    finance_charge: str = Amount("Total cost of financing: interest plus fees.")
    total_repayable: str = Amount("Amount funded plus finance charge.")
    payments: str = Field(description="How it is repaid, every payment counted, in words.")
    payment: str | None = Amount("The regular instalment (fixed instalments only).")
    payment_count: int | None = Field(description="Number of instalments (fixed instalments).")
    frequency: str | None = Field(description="monthly or weekly (fixed instalments).")
    holdback_rate: str | None = Field(
        description="Share of each daily payout held back, a fraction (share of sales)."
    )
    estimated_daily_payment: str | None = Amount(
        "The holdback expected each day at the merchant's recent sales (share of sales)."
    )
    estimated_term_days: int = Field(description="Days from disbursement to the last payment.")
    estimated_apr: float = Field(description="Estimated annual percentage rate, a fraction.")
    apr_basis: str = Field(
        description="What the APR assumes: payments on their dates, or (share of sales) the "
        "merchant's own sales over the lookback, with the figures used."
    )
    lookback_days: int | None = Field(
        description="Days of sales history the share-of-sales estimates rest on."
    )
    minimum_payment: str | None = Amount(
        "The least to be repaid every minimum_period_days, counted in total (share of sales)."
    )
    minimum_period_days: int | None = Field(description="The covenant's period in days.")
    covenant: str = Field(description="The minimum payment and what a missed payment does.")
    prepayment: str = Field(description="What paying early costs or saves.")
    expires_on: date = Field(description="The last business day the offer may be accepted.")


class OfferOut(BaseModel):
    number: int = Field(description="The offer's number, to accept it by.")
    product: str = Field(description="fixed_instalment or share_of_sales.")
    amount: str = Amount("Principal offered.")
    price: str = Amount("Annual rate (instalments) or fee rate (share of sales).")
    apr: float = Field(description="Effective annual percentage rate.")
    fee: str = Amount("Fee charged.")
    total_cost: str = Amount("Interest plus fee.")
    total_repayable: str = Amount("Principal plus total cost.")
    expected_days: int = Field(description="Expected days from disbursement to last payment.")
    terms: dict[str, Any] = Field(description="The product's terms, as stored on the loan.")
    preview: list[InstalmentOut] = Field(description="The first instalments.")
    disclosure: DisclosureOut | None = Field(
        description="What the merchant is told of the offer; none on decisions stored before "
        "disclosures."
    )


class DecisionReasonOut(BaseModel):
    source: str = Field(description="knockout, policy or score.")
    code: str = Field(
        description="A stable code of the reason: the knock-out's or policy rule's code, or "
        "the feature of a score reason."
    )
    text: str = Field(description="The reason in plain words.")
    feature: str | None = Field(description="The feature behind it, if any.")
    value: float | None = Field(
        default=None,
        description="The number it is about (the feature's value, the score), if any.",
    )


class DecisionOut(BaseModel):
    decision_id: str = Field(description="The stored decision's id (for accept and replay).")
    merchant_id: str = Field(description="The applicant merchant.")
    as_of: date = Field(description="The business date decided on.")
    approved: bool = Field(description="Whether any offer is made.")
    currency: str = Field(description="ISO currency of every amount.")
    pd: float = Field(ge=0, le=1, description="Probability of default.")
    score: int = Field(ge=350, le=950, description="Credit score.")
    band: str = Field(description="Risk band.")
    limit: str | None = Amount("The credit limit, when the merchant is eligible.")
    offers: list[OfferOut] = Field(description="The menu of offers; empty on a decline.")
    reasons: list[DecisionReasonOut] = Field(
        description="Why declined (or offers reduced): at most four principal reasons, "
        "knock-outs first, then the policy's, then what pushed the PD up most."
    )
    policy_version: str = Field(description="The policy's version.")
    model_version: str = Field(description="The model's version.")
    expires_on: date | None = Field(
        description="The last business day an offer may be accepted (none on a decline); a "
        "later decision for the merchant replaces these offers sooner."
    )


class NoticeReasonOut(BaseModel):
    code: str = Field(description="The knock-out's or policy rule's code, or the feature.")
    text: str = Field(description="The reason in plain words.")


class NoticeSuggestionOut(BaseModel):
    text: str = Field(description="What to change, in plain words, from and to.")
    score: int = Field(ge=350, le=950, description="The score it would give.")
    band: str = Field(description="The band it would give.")


#: ``date`` under another name, for a field named ``date``.
_Date = date


class NoticeOut(BaseModel):
    """The notice of a decline, or of offers all below the amount asked for, as stored with
    its decision."""

    decision_id: str = Field(description="The decision it explains.")
    latest: bool = Field(
        description="Whether that decision is still the merchant's latest (a newer one "
        "replaces its offers, not its notice)."
    )
    kind: str = Field(description="decline, or counter_offer (offers below the amount asked).")
    lender: str = Field(description="Who decided.")
    contact: str = Field(description="Where to write to the lender.")
    date: _Date = Field(description="The date of the decision.")
    merchant_id: str = Field(description="The applicant merchant.")
    application_id: str = Field(description="The application decided.")
    summary: str = Field(description="The decision in one sentence.")
    score: int = Field(ge=350, le=950, description="The credit score decided on.")
    band: str = Field(description="Its risk band.")
    reasons: list[NoticeReasonOut] = Field(
        description="The principal reasons (at most four), knock-outs first; none on a "
        "counter-offer, which says its own reason."
    )
    counter_offer: str | None = Field(
        description="Why the offers are below the amount asked for, with the amounts."
    )
    suggestions: list[NoticeSuggestionOut] = Field(
        description="What would raise the score, each proven by the model."
    )
    right: str = Field(description="The merchant's right to ask for the reasons in detail.")
    policy_version: str = Field(description="The policy the decision was made under.")
