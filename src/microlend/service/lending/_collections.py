"""Lending use cases that collect and correct: settlements, payments, reversals.

Each runs in one database transaction with the loan's row locked, so two collections on one loan
never both take the last amount owed; each takes an idempotency key. A loan written off or
charged off is still collected: what comes in is a recovery (``ledger.recovery``: income, up to
what was taken off the book), not a repayment of its receivables.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from microlend.errors import LedgerError
from microlend.ledger import (
    Account,
    Component,
    Header,
    LoanPostings,
    ShareOfSalesTerms,
    Transaction,
    TransactionKind,
    overpayment_refund,
    receivables,
    recovery,
    repayment,
    reversal,
    settlement_holdback,
)
from microlend.money import Money, round_money, to_text
from microlend.service.lending._audit import record_action
from microlend.service.lending._goodwill import moved, waived_before
from microlend.service.lending._maker_checker import needs_approval
from microlend.service.lending._posting import post
from microlend.service.lending._receipts import (
    Receipt,
    header_for,
    idempotent,
    loan_receipt,
    on_loan,
)
from microlend.store import ActionKind, LoanBookCommands, LoanBookQueries, LoanRecord, LoanStatus

__all__ = ["post_payment", "post_settlement", "reverse_transaction"]

_ZERO = Decimal(0)
_COLLECTING = frozenset({LoanStatus.ACTIVE, LoanStatus.REPAID})
_RECOVERING = frozenset({LoanStatus.WRITTEN_OFF, LoanStatus.CHARGED_OFF})
#: What a reversal of these would leave standing beside recoveries taken since.
#: A loan closed with money unpaid, and the transaction that took that money off the book.
_CLOSED_WITH_ARREARS = {
    LoanStatus.WRITTEN_OFF: TransactionKind.WRITE_OFF,
    LoanStatus.CHARGED_OFF: TransactionKind.CHARGE_OFF,
}
_TAKEN_OFF = frozenset(_CLOSED_WITH_ARREARS.values())


def post_settlement(
    engine: Engine,
    loan_id: str,
    net: Money,
    business_date: date,
    idempotency_key: str,
    *,
    scope: str = "",
) -> Receipt:
    """Take the holdback of one daily settlement's ``net`` for a share-of-sales loan, capped at
    what the loan owes (nothing once repaid)."""

    def work(session: Session) -> Receipt:
        loan, owed = _collectable(session, loan_id, net.currency)
        terms = loan.terms
        if not isinstance(terms, ShareOfSalesTerms):
            raise LedgerError(f"loan {loan_id} is {loan.product}: it takes no settlement holdback")
        header = header_for("settlement", idempotency_key, business_date, loan_id, scope)
        if loan.status in _RECOVERING:
            entry = _recovered_holdback(session, loan, header, terms, net)
        else:
            entry = settlement_holdback(header, terms, net, owed)
        if entry is None:
            return loan_receipt("settlement", loan, business_date, (), status=loan.status.value)
        status = post(session, loan, [entry], business_date)
        held = sum((p.amount for p in entry.postings if p.account is Account.CASH), _ZERO)
        return loan_receipt("settlement", loan, business_date, [entry], held, status=str(status))

    return on_loan(
        engine,
        "settlement",
        loan_id,
        business_date,
        idempotency_key,
        work,
        scope=scope,
        request=_amount(net),
    )


def post_payment(
    engine: Engine,
    loan_id: str,
    payment: Money,
    business_date: date,
    idempotency_key: str,
    *,
    refund_overpayment: bool = True,
    scope: str = "",
) -> Receipt:
    """Apply a payment by the product's waterfall; what exceeds what is owed is owed back to
    the merchant and, unless ``refund_overpayment`` is false, refunded in the same transaction."""

    def work(session: Session) -> Receipt:
        loan, owed = _collectable(session, loan_id, payment.currency)
        header = header_for("payment", idempotency_key, business_date, loan_id, scope)
        if loan.status in _RECOVERING:
            entry = _recovery(session, loan, header, payment)
        else:
            entry = repayment(header, payment, owed, loan.terms.waterfall)
        excess = sum(
            (-p.amount for p in entry.postings if p.account is Account.MERCHANT_PAYABLE), _ZERO
        )
        entries = [entry]
        if excess > 0 and refund_overpayment:
            refund = header_for("refund", idempotency_key, business_date, loan_id, scope)
            entries.append(overpayment_refund(refund, Money(excess, payment.currency)))
        status = post(session, loan, entries, business_date)
        applied = payment.amount - excess
        return loan_receipt(
            "payment", loan, business_date, entries, applied, overpayment=excess, status=str(status)
        )

    request = _amount(payment) | {"refund": refund_overpayment}
    return on_loan(
        engine,
        "payment",
        loan_id,
        business_date,
        idempotency_key,
        work,
        scope=scope,
        request=request,
    )


def reverse_transaction(
    engine: Engine,
    transaction_id: str,
    business_date: date,
    idempotency_key: str,
    *,
    scope: str = "",
    reason: str | None = None,
    approval_threshold: Decimal | None = None,
) -> Receipt:
    """Post the exact mirror of a transaction (a mistaken payment, accrual, write-off,
    charge-off or goodwill credit); with ``reason`` it is recorded among the loan's actions
    (who, when, why).

    Reversing an interest accrual waives what the loan owes with no money received, at the
    lender's cost: with ``approval_threshold`` (the api's servicing keys) one that, with the
    loan's waivers standing (``waived_before``), is above it is refused: a waiver that large is
    a goodwill credit, which a risk officer approves. Reversals of money movements booked in
    error (a payment, a funding, a refund) and of take-offs and credits are not limited: they
    give the lender back what it gave up, or correct what the money did.

    A disbursement is not reversed here (cancel the loan instead), nor is a reversal; a reversal
    that would leave a balance below zero (a payment whose overpayment was already refunded) is
    refused, and so is one of a write-off or charge-off while recoveries taken since stand.
    """

    def work(session: Session) -> Receipt:
        queries = LoanBookQueries(session)
        original = queries.transaction(transaction_id)
        if original.kind is TransactionKind.DISBURSEMENT:
            raise LedgerError(f"transaction {transaction_id} is a disbursement: it is not reversed")
        loan = (
            LoanBookCommands(session).lock_loan(original.loan_id)
            if original.loan_id is not None
            else None
        )
        if (earlier := queries.reversed_by(transaction_id)) is not None:
            raise LedgerError(f"transaction {transaction_id} was already reversed by {earlier}")
        if original.kind in _TAKEN_OFF and loan is not None:
            _check_nothing_recovered(queries, loan, original.kind)
        if loan is not None and loan.status in _CLOSED_WITH_ARREARS:
            _check_after_taking_off(loan.status, original)
        if loan is not None and original.kind is TransactionKind.INTEREST_ACCRUAL:
            _check_waiver(session, loan, original, approval_threshold)
        header = header_for("reversal", idempotency_key, business_date, original.loan_id, scope)
        entry = reversal(header, original)
        status = post(session, loan, [entry], business_date)
        action_id = None
        if reason is not None:
            # A book-level reversal (a funding's) is recorded with no loan: its reason is kept.
            action_id = record_action(
                session,
                ("reversal", idempotency_key, scope),
                loan,
                ActionKind.REVERSAL,
                business_date,
                reason,
                refers_to=original.id,
            )
        return Receipt(
            "reversal",
            original.loan_id,
            business_date,
            (entry.id,),
            status=str(status or ""),
            currency=original.currency,
            action_id=action_id,
        )

    return idempotent(
        engine,
        operation="reversal",
        key=idempotency_key,
        request={"transaction_id": transaction_id, "business_date": business_date.isoformat()}
        | ({} if reason is None else {"reason": reason}),
        work=work,
        scope=scope,
    )


def _collectable(
    session: Session, loan_id: str, currency: str
) -> tuple[LoanRecord, dict[Component, Decimal]]:
    queries = LoanBookQueries(session)
    loan = queries.loan(loan_id)
    if loan.status not in _COLLECTING | _RECOVERING:
        raise LedgerError(f"loan {loan_id} is {loan.status}: it takes no collections")
    if currency != loan.currency:
        raise LedgerError(f"loan {loan_id} is in {loan.currency}, not {currency}")
    return loan, receivables(queries.loan_transactions(loan_id), loan.loan_id)


def _recovery(session: Session, loan: LoanRecord, header: Header, received: Money) -> Transaction:
    """``received`` on a loan written off or charged off: a recovery of what it took off."""
    sums = LoanPostings.of(LoanBookQueries(session).loan_transactions(loan.loan_id))
    off_book = loan.status is LoanStatus.CHARGED_OFF
    return recovery(header, received, sums.recoverable, off_book=off_book)


def _recovered_holdback(
    session: Session, loan: LoanRecord, header: Header, terms: ShareOfSalesTerms, net: Money
) -> Transaction | None:
    """The holdback of ``net`` on a loan written off or charged off, capped at what it may
    still recover, as a recovery; ``None`` when nothing is held back."""
    sums = LoanPostings.of(LoanBookQueries(session).loan_transactions(loan.loan_id))
    rate_share = round_money(net.amount * terms.holdback_rate, net.currency)
    held = min(rate_share, sums.recoverable)
    if held <= 0:
        return None
    off_book = loan.status is LoanStatus.CHARGED_OFF
    return recovery(header, Money(held, net.currency), sums.recoverable, off_book=off_book)


def _check_nothing_recovered(
    queries: LoanBookQueries, loan: LoanRecord, kind: TransactionKind
) -> None:
    # Undoing the write-off (or charge-off) would leave the recoveries taken since as income
    # of a loan that owes again: reverse them first.
    recovered = LoanPostings.of(queries.loan_transactions(loan.loan_id)).recovered
    if recovered > 0:
        raise LedgerError(
            f"loan {loan.loan_id} recovered {recovered} {loan.currency} since its {kind}: "
            "reverse those recoveries first"
        )


def _check_waiver(
    session: Session, loan: LoanRecord, accrual: Transaction, threshold: Decimal | None
) -> None:
    amount = moved(accrual)
    waived = waived_before(session, loan)
    if needs_approval(amount + waived, threshold):
        raise LedgerError(
            f"reversing accrual {accrual.id} waives {to_text(amount, loan.currency)} "
            f"{loan.currency} of loan {loan.loan_id}, which with the "
            f"{to_text(waived, loan.currency)} waived or credited already is above the approval "
            f"threshold of {threshold}: grant a goodwill credit instead (a risk officer approves "
            "it)"
        )


def _check_after_taking_off(status: LoanStatus, original: Transaction) -> None:
    # On a written-off or charged-off loan only its recoveries and the write-off or charge-off
    # itself are undone: what was posted before would put a receivable back on a closed loan,
    # where every later collection is a recovery and nothing would ever pay it.
    taken_off = _CLOSED_WITH_ARREARS[status]
    if original.kind not in {TransactionKind.RECOVERY, taken_off}:
        raise LedgerError(
            f"loan {original.loan_id} is {status.value.replace('_', ' ')}: reverse its "
            f"{taken_off.value.replace('_', '-')} before its {original.kind} {original.id}"
        )


def _amount(amount: Money) -> dict[str, str | bool]:
    return {"amount": to_text(amount.amount, amount.currency), "currency": amount.currency}
