"""The money movements of the loan book, each built as one balanced transaction.

================== ====================================== =====================================
movement           debit                                  credit
================== ====================================== =====================================
funding            cash                                   capital
disbursement       loans_receivable (+ fees_receivable)   cash (+ fee_income: the fixed fee)
interest accrual   interest_receivable                    interest_income
repayment          cash                                   receivables by the waterfall
                                                          (+ merchant_payable: overpayment)
holdback           cash                                   receivables by the waterfall
overpayment refund merchant_payable                       cash
write-off          write_off_expense (principal),         every receivable still open
                   fee_income, interest_income (income
                   that will never be collected)
charge-off         as a write-off, with charge_off_       every receivable still open
                   expense for the principal; and the     (and charged_off_contra: the memo)
                   memo charged_off (what is still owed)
recovery           cash                                   recovery_income (+ merchant_payable:
                   (and charged_off_contra: the memo)     beyond what is recoverable; and
                                                          charged_off: the memo)
goodwill credit    goodwill_expense                       receivables by the waterfall
reversal           the exact mirror of the original
================== ====================================== =====================================

Interest is recognised when it falls due (``LoanState.interest_to_accrue`` says how much), so a
payment made before a due date repays principal; fees are fixed and recognised at disbursement.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from microlend.errors import LedgerError
from microlend.ledger._accounts import RECEIVABLE, Account
from microlend.ledger._allocation import Allocation, allocate
from microlend.ledger._entries import Posting, Transaction, TransactionKind, balances
from microlend.ledger._schedule import fee_amount
from microlend.ledger._terms import Component, ShareOfSalesTerms, Terms
from microlend.money import Money, round_money
from microlend.types import LoanId

__all__ = [
    "Header",
    "charge_off",
    "disbursement",
    "funding",
    "goodwill_credit",
    "interest_accrual",
    "overpayment_refund",
    "receivables",
    "recovery",
    "repayment",
    "reversal",
    "settlement_holdback",
    "write_off",
]

_ZERO = Decimal(0)

# Uncollectable principal is a loss; uncollectable charges were never earned, so their income
# is reversed instead.
_WRITTEN_OFF_TO = {
    Component.PRINCIPAL: Account.WRITE_OFF_EXPENSE,
    Component.FEES: Account.FEE_INCOME,
    Component.INTEREST: Account.INTEREST_INCOME,
}

_CHARGED_OFF_TO = {**_WRITTEN_OFF_TO, Component.PRINCIPAL: Account.CHARGE_OFF_EXPENSE}


@dataclass(frozen=True)
class Header:
    """What identifies a transaction: its id, business date, idempotency key and loan."""

    transaction_id: str
    business_date: date
    idempotency_key: str
    loan_id: LoanId | None = None

    def entry(
        self, kind: TransactionKind, currency: str, postings: Iterable[Posting]
    ) -> Transaction:
        return Transaction(
            id=self.transaction_id,
            kind=kind,
            business_date=self.business_date,
            postings=tuple(p for p in postings if p.amount != 0),
            idempotency_key=self.idempotency_key,
            loan_id=self.loan_id,
            currency=currency,
        )


def receivables(transactions: Iterable[Transaction], loan_id: LoanId) -> dict[Component, Decimal]:
    """What the book says ``loan_id`` owes now, by component: what a payment may settle."""
    book = balances(transactions, loan_id)
    return {component: book[account] for component, account in RECEIVABLE.items()}


def funding(header: Header, amount: Money) -> Transaction:
    """Capital brought into the book's cash."""
    return _transfer(header, TransactionKind.FUNDING, amount, Account.CASH, Account.CAPITAL)


def disbursement(header: Header, terms: Terms, principal: Money) -> Transaction:
    """The principal paid out, and the loan's fixed fee recognised."""
    _positive(principal)
    fee = fee_amount(terms, principal)
    return header.entry(
        TransactionKind.DISBURSEMENT,
        principal.currency,
        (
            Posting.debit(Account.LOANS_RECEIVABLE, principal.amount),
            Posting.credit(Account.CASH, principal.amount),
            Posting.debit(Account.FEES_RECEIVABLE, fee),
            Posting.credit(Account.FEE_INCOME, fee),
        ),
    )


def interest_accrual(header: Header, amount: Money) -> Transaction:
    """Interest that has fallen due, recognised as owed and earned."""
    return _transfer(
        header,
        TransactionKind.INTEREST_ACCRUAL,
        amount,
        Account.INTEREST_RECEIVABLE,
        Account.INTEREST_INCOME,
    )


def repayment(
    header: Header, payment: Money, owed: Mapping[Component, Decimal], waterfall: Iterable[str]
) -> Transaction:
    """A payment settling ``owed`` in ``waterfall`` order; any excess is owed to the merchant."""
    _positive(payment)
    allocation = allocate(payment.amount, owed, waterfall)
    return header.entry(
        TransactionKind.REPAYMENT, payment.currency, _collected(payment, allocation)
    )


def settlement_holdback(
    header: Header,
    terms: ShareOfSalesTerms,
    settlement_net: Money,
    owed: Mapping[Component, Decimal],
) -> Transaction | None:
    """The holdback of one daily settlement's net, capped at what is owed; ``None`` when nothing
    is held back (a settlement with no positive net, or a loan already repaid)."""
    rate_share = round_money(settlement_net.amount * terms.holdback_rate, settlement_net.currency)
    held = min(rate_share, sum(owed.values(), _ZERO))
    if held <= 0:
        return None
    collected = Money(held, settlement_net.currency)
    allocation = allocate(held, owed, terms.waterfall)
    return header.entry(
        TransactionKind.HOLDBACK, collected.currency, _collected(collected, allocation)
    )


def overpayment_refund(header: Header, amount: Money) -> Transaction:
    """Money a merchant overpaid, paid back to it."""
    return _transfer(
        header, TransactionKind.OVERPAYMENT_REFUND, amount, Account.MERCHANT_PAYABLE, Account.CASH
    )


def write_off(header: Header, owed: Mapping[Component, Decimal], currency: str) -> Transaction:
    """Everything still owed taken off the book: principal as a loss, charges out of income."""
    if sum(owed.values(), _ZERO) <= 0 or any(amount < 0 for amount in owed.values()):
        raise LedgerError(f"nothing to write off for loan {header.loan_id}: owed {dict(owed)}")
    postings = []
    for component, amount in owed.items():
        postings.append(Posting.debit(_WRITTEN_OFF_TO[component], amount))
        postings.append(Posting.credit(RECEIVABLE[component], amount))
    return header.entry(TransactionKind.WRITE_OFF, currency, postings)


def charge_off(header: Header, owed: Mapping[Component, Decimal], currency: str) -> Transaction:
    """Everything still owed taken off the book as a write-off takes it (principal as a loss,
    charges out of income), the total kept on the memo pair ``charged_off`` /
    ``charged_off_contra``: still owed, still collected, no longer an asset."""
    if sum(owed.values(), _ZERO) <= 0 or any(amount < 0 for amount in owed.values()):
        raise LedgerError(f"nothing to charge off for loan {header.loan_id}: owed {dict(owed)}")
    postings = []
    for component, amount in owed.items():
        postings.append(Posting.debit(_CHARGED_OFF_TO[component], amount))
        postings.append(Posting.credit(RECEIVABLE[component], amount))
    total = sum(owed.values(), _ZERO)
    postings.append(Posting.debit(Account.CHARGED_OFF, total))
    postings.append(Posting.credit(Account.CHARGED_OFF_CONTRA, total))
    return header.entry(TransactionKind.CHARGE_OFF, currency, postings)


def recovery(
    header: Header, received: Money, recoverable: Decimal, *, off_book: bool
) -> Transaction:
    """Money collected after a charge-off or a write-off: income up to ``recoverable`` (what
    was taken off the book and not yet recovered), any excess owed back to the merchant. For a
    charged-off loan (``off_book``) the memo of what it still owes shrinks by what it recovered."""
    _positive(received)
    recovered = min(received.amount, max(_ZERO, recoverable))
    postings = [
        Posting.debit(Account.CASH, received.amount),
        Posting.credit(Account.RECOVERY_INCOME, recovered),
        Posting.credit(Account.MERCHANT_PAYABLE, received.amount - recovered),
    ]
    if off_book:
        postings.append(Posting.debit(Account.CHARGED_OFF_CONTRA, recovered))
        postings.append(Posting.credit(Account.CHARGED_OFF, recovered))
    return header.entry(TransactionKind.RECOVERY, received.currency, postings)


def goodwill_credit(
    header: Header, credit: Money, owed: Mapping[Component, Decimal], waterfall: Iterable[str]
) -> Transaction:
    """A credit the lender grants (a goodwill gesture): it settles ``owed`` in ``waterfall``
    order as a payment would, at the lender's expense. It never exceeds what is owed (a credit
    balance would be money owed to the merchant that it never paid)."""
    _positive(credit)
    if credit.amount > sum(owed.values(), _ZERO):
        raise LedgerError(
            f"a goodwill credit of {credit} exceeds what loan {header.loan_id} owes "
            f"({sum(owed.values(), _ZERO)})"
        )
    allocation = allocate(credit.amount, owed, waterfall)
    postings = [Posting.debit(Account.GOODWILL_EXPENSE, credit.amount)]
    postings += [Posting.credit(RECEIVABLE[c], amount) for c, amount in allocation.paid.items()]
    return header.entry(TransactionKind.GOODWILL_CREDIT, credit.currency, postings)


def reversal(header: Header, original: Transaction) -> Transaction:
    """The exact mirror of ``original``, which it names; a reversal itself is never reversed
    (post the original movement again instead), so every chain is one step long."""
    if original.kind is TransactionKind.REVERSAL:
        raise LedgerError(f"transaction {original.id} is a reversal and cannot be reversed")
    if header.loan_id not in (None, original.loan_id):
        raise LedgerError(f"a reversal of {original.id} must be on loan {original.loan_id}")
    return Transaction(
        id=header.transaction_id,
        kind=TransactionKind.REVERSAL,
        business_date=header.business_date,
        postings=tuple(Posting(p.account, -p.amount) for p in original.postings),
        idempotency_key=header.idempotency_key,
        loan_id=original.loan_id,
        currency=original.currency,
        reverses=original.id,
    )


def _transfer(
    header: Header, kind: TransactionKind, amount: Money, debit: Account, credit: Account
) -> Transaction:
    """A positive ``amount`` moved in two legs: ``debit`` takes it, ``credit`` gives it."""
    _positive(amount)
    return header.entry(
        kind,
        amount.currency,
        (Posting.debit(debit, amount.amount), Posting.credit(credit, amount.amount)),
    )


def _collected(received: Money, allocation: Allocation) -> list[Posting]:
    postings = [Posting.debit(Account.CASH, received.amount)]
    postings += [Posting.credit(RECEIVABLE[c], amount) for c, amount in allocation.paid.items()]
    postings.append(Posting.credit(Account.MERCHANT_PAYABLE, allocation.overpayment))
    return postings


def _positive(amount: Money) -> None:
    if amount.amount <= 0:
        raise LedgerError(f"a money movement needs a positive amount, got {amount}")
