"""Lending: the commands that move money, and the reads of the book they answer from.

Every money-moving command runs in one database transaction, takes an idempotency key (the same
key twice moves money once and answers as the first time, per caller) and a business date (never
the clock); the servicing actions (``_actions``: pause and resume in ``_pausing``, charge-off and
write-off in ``_take_off``, goodwill credit in ``_goodwill``) are audited besides (``_audit``),
with who took them and why, and those above the policy's approval threshold wait for another
key's approval (``_maker_checker``, ``_approvals``). Credit control (``_credit``) holds each
merchant within the decision that granted it.
"""

from microlend.service.lending._approvals import approve_proposal, proposals, reject_proposal
from microlend.service.lending._collections import (
    post_payment,
    post_settlement,
    reverse_transaction,
)
from microlend.service.lending._commands import (
    accept_offer,
    cancel_loan,
    disburse,
    fund_book,
    record_decision,
)
from microlend.service.lending._credit import book_exposure, exposure_in
from microlend.service.lending._end_of_day import EndOfDayReport, end_of_day
from microlend.service.lending._goodwill import grant_goodwill_credit
from microlend.service.lending._loans import (
    LoanView,
    accept_decision_offer,
    loan_view,
    loans_page,
)
from microlend.service.lending._merchants import sync_merchants
from microlend.service.lending._pausing import pause_loan, pauses_of, resume_pause
from microlend.service.lending._receipts import Receipt, header_for, transaction_id
from microlend.service.lending._servicing import contract_of, realised_apr_of, status_of
from microlend.service.lending._take_off import charge_off_loan, write_off_loan

__all__ = [
    "EndOfDayReport",
    "LoanView",
    "Receipt",
    "accept_decision_offer",
    "accept_offer",
    "approve_proposal",
    "book_exposure",
    "cancel_loan",
    "charge_off_loan",
    "contract_of",
    "disburse",
    "end_of_day",
    "exposure_in",
    "fund_book",
    "grant_goodwill_credit",
    "header_for",
    "loan_view",
    "loans_page",
    "pause_loan",
    "pauses_of",
    "post_payment",
    "post_settlement",
    "proposals",
    "realised_apr_of",
    "record_decision",
    "reject_proposal",
    "resume_pause",
    "reverse_transaction",
    "status_of",
    "sync_merchants",
    "transaction_id",
    "write_off_loan",
]
