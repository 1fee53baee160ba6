"""Request and response bodies of the api's loan book: accepting an offer, moving money,
servicing actions, loans and their postings, end of day. Money is exact decimal text both ways
(``_schemas`` says how; its field types are used here)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, Field, ValidationInfo, field_validator

from microlend.api._schemas import Amount, Id, InstalmentOut, IsoDay, MoneyText, StrictModel
from microlend.money import CURRENCY_EXPONENTS, excess_places

__all__ = [
    "AcceptRequest",
    "ActionOut",
    "ApprovalRequest",
    "EndOfDayOut",
    "EndOfDayRequest",
    "GoodwillRequest",
    "LoanOut",
    "LoanPage",
    "LoanStateOut",
    "LoanSummary",
    "MoneyIn",
    "PauseOut",
    "PauseRequest",
    "PostingOut",
    "ProposalOut",
    "ProposalPage",
    "ReasonRequest",
    "ReceiptOut",
    "TransactionOut",
]


class AcceptRequest(StrictModel):
    decision_id: str = Id("The decision made.")
    offer_number: int = Field(strict=True, ge=1, le=100, description="Which of its offers, from 1.")


class MoneyIn(StrictModel):
    currency: str = Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 currency code.")
    amount: MoneyText = Field(description="The amount, at most the currency's decimal places.")

    @field_validator("currency")
    @classmethod
    def _known(cls, currency: str) -> str:
        if currency not in CURRENCY_EXPONENTS:
            raise ValueError("not an active ISO 4217 currency code")
        return currency

    @field_validator("amount")
    @classmethod
    def _places(cls, amount: Decimal, info: ValidationInfo) -> Decimal:
        currency = info.data.get("currency")  # absent when it was itself invalid
        problem = None if currency is None else excess_places(amount, currency)
        if problem is not None:
            raise ValueError(problem)
        return amount


#: Why a servicing action is taken: recorded with it, with who took it and when.
Reason = Annotated[
    str,
    Field(
        min_length=1,
        max_length=500,
        pattern=r"\S",
        description="Why the action is taken (recorded with who took it and when).",
    ),
]


class PauseRequest(StrictModel):
    starts_on: IsoDay | None = Field(
        default=None,
        description="The pause's first day (YYYY-MM-DD): today's business date or later, after "
        "the last closed day; today when left out.",
    )
    days: int = Field(strict=True, ge=1, le=366, description="How many days it lasts.")
    reason: Reason


class ReasonRequest(StrictModel):
    reason: Reason


class GoodwillRequest(MoneyIn):
    reason: Reason


class ApprovalRequest(StrictModel):
    reason: str | None = Field(
        default=None,
        min_length=1,
        max_length=500,
        pattern=r"\S",
        description="A note recorded with the approval (the action keeps the proposal's reason).",
    )


class EndOfDayRequest(StrictModel):
    business_date: date | None = Field(
        default=None, description="The day to close; today's business date when left out."
    )


class ReceiptOut(BaseModel):
    action_id: str | None = Field(
        default=None,
        description="The servicing action recorded (a pause's id, to resume it by), if any.",
    )
    proposal_id: str | None = Field(
        default=None,
        description="The proposal made (status 'proposed': nothing moved until a risk officer "
        "approves it), approved or rejected, if any.",
    )
    operation: str = Field(description="What was done.")
    loan_id: str | None = Field(description="The loan it was done on.")
    business_date: date = Field(description="The business date it was booked on.")
    transaction_ids: list[str] = Field(description="Ledger transactions posted.")
    amount: str = Amount("What moved.")
    overpayment: str = Amount("What came in beyond what was owed (refunded).")
    currency: str = Field(description="ISO currency of both amounts.")
    status: str = Field(
        description="The loan's status afterwards; 'proposed' (nothing moved) or 'rejected' "
        "for a proposal."
    )


class PostingOut(BaseModel):
    account: str = Field(description="Ledger account.")
    amount: str = Amount("Debit when positive, credit when negative.")


class TransactionOut(BaseModel):
    id: str = Field(description="Transaction id.")
    kind: str = Field(description="disbursement, repayment, interest_accrual, ...")
    business_date: date = Field(description="Business date booked.")
    reverses: str | None = Field(description="The transaction it reverses, if any.")
    postings: list[PostingOut] = Field(description="Its balanced postings.")


class LoanStateOut(BaseModel):
    as_of: date = Field(description="The date the state is as of.")
    outstanding: str = Amount("Everything still owed.")
    amount_due: str = Amount("What is due now.")
    payoff: str = Amount("The payoff quote: what settles the loan today.")
    days_past_due: int = Field(ge=0, description="Days past due.")
    bucket: str = Field(description="Delinquency bucket.")
    covenant: str | None = Field(description="Minimum-payment covenant status, if any.")
    next_due_on: date | None = Field(description="Next due date.")
    written_off: bool = Field(description="Whether the loan was written off.")
    charged_off: bool = Field(
        description="Whether the loan was charged off (off the book, still collected)."
    )
    paused: bool = Field(description="Whether a payment pause covers the day.")


class PauseOut(BaseModel):
    pause_id: str = Field(description="The pause's id (to resume it by).")
    starts_on: date = Field(description="Its first day.")
    ends_on: date = Field(description="The day payments count again (after a resume, its day).")
    days: int = Field(ge=0, description="Days paused (0: resumed before it started).")


class ActionOut(BaseModel):
    action_id: str = Field(description="The action's id.")
    action: str = Field(
        description="pause, resume, charge_off, write_off, goodwill_credit or reversal."
    )
    business_date: date = Field(description="The business date it was booked on.")
    reason: str = Field(description="Why it was taken.")
    actor: str = Field(description="Who took it: the API key's id ('book': the book itself).")
    recorded_at: datetime | None = Field(description="When it was recorded (UTC).")
    starts_on: date | None = Field(description="A pause's first day.")
    ends_on: date | None = Field(description="The day a pause (or its resume) lets payments count.")
    refers_to: str | None = Field(
        description="The pause a resume ends, or the transaction the action posted or reversed."
    )


class LoanSummary(BaseModel):
    loan_id: str = Field(description="Loan id.")
    merchant_id: str = Field(description="Borrower.")
    decision_id: str | None = Field(description="The decision it came from.")
    product: str = Field(description="fixed_instalment or share_of_sales.")
    principal: str = Amount("Principal lent.")
    currency: str = Field(description="ISO currency.")
    status: str = Field(
        description="accepted, active, repaid, written_off, charged_off or cancelled."
    )
    accepted_on: date = Field(description="Date accepted.")
    disbursed_on: date | None = Field(description="Date disbursed.")
    days_past_due: int = Field(ge=0, description="As of the last end of day.")


class LoanOut(LoanSummary):
    terms: dict[str, Any] = Field(description="The loan's terms.")
    realised_apr: float | None = Field(
        description="Once repaid: the effective annual rate of the cash flows the loan really "
        "had (disbursement, every receipt kept, on its date), a fraction; none while it runs, "
        "when written off, or when repaid the day it was lent."
    )
    schedule: list[InstalmentOut] = Field(description="The repayment schedule.")
    transactions: list[TransactionOut] = Field(description="Every ledger transaction.")
    state: LoanStateOut = Field(description="The loan serviced as of today.")
    pauses: list[PauseOut] = Field(description="Its payment pauses, in date order.")
    actions: list[ActionOut] = Field(
        description="Every servicing action taken on it, with who, when and why, in order "
        "(staff keys only; empty to a merchant key)."
    )


class LoanPage(BaseModel):
    items: list[LoanSummary] = Field(description="Loans in id order.")
    next_after: str | None = Field(description="Pass as 'after' for the next page; none at end.")


class EndOfDayOut(BaseModel):
    business_date: date = Field(description="The day closed.")
    loans_aged: int = Field(description="Loans aged.")
    interest_accruals: int = Field(description="Interest accruals posted.")
    write_offs: int = Field(description="Loans written off.")
    covenant_breaches: int = Field(description="Covenants breached.")
    postings: int = Field(description="Postings written.")
    buckets: dict[str, int] = Field(description="Loans by delinquency bucket afterwards.")


class ProposalOut(BaseModel):
    proposal_id: str = Field(description="The proposal's id, to approve or reject it by.")
    loan_id: str = Field(description="The loan it would act on.")
    action: str = Field(description="charge_off, write_off or goodwill_credit.")
    amount: str = Amount("What it would move: the balance taken off the book, or the credit.")
    currency: str = Field(description="ISO currency of the amount.")
    reason: str = Field(description="Why it was proposed.")
    proposed_by: str = Field(description="The proposing API key's id.")
    proposed_on: date = Field(description="The business date it was proposed on.")
    proposed_at: datetime | None = Field(description="When it was recorded (UTC).")
    status: str = Field(description="proposed, approved or rejected.")
    decided_by: str | None = Field(description="The approving or rejecting API key's id.")
    decided_on: date | None = Field(description="The business date it was decided on.")
    decision_reason: str | None = Field(description="Why it was rejected (or the approval note).")
    action_id: str | None = Field(description="The action recorded when it was approved.")


class ProposalPage(BaseModel):
    items: list[ProposalOut] = Field(description="Proposals in the order they were made.")
