"""Rows to records and ledger transactions, and back."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Row

from microlend.ledger import (
    Account,
    Bucket,
    CovenantStatus,
    Posting,
    Product,
    Transaction,
    TransactionKind,
)
from microlend.money import exact
from microlend.store._records import Ageing, DecisionRecord, LoanRecord, LoanStatus
from microlend.store._tables import DecisionRow, LoanRow
from microlend.types import ApplicationId, LoanId, MerchantId

__all__ = [
    "decision_from_row",
    "decision_values",
    "loan_from_row",
    "loan_row",
    "posting_rows",
    "transaction_from_rows",
    "transaction_row",
]


def loan_row(loan: LoanRecord) -> LoanRow:
    return LoanRow(
        id=loan.loan_id,
        merchant_id=loan.merchant_id,
        decision_id=loan.decision_id,
        product=loan.product.value,
        terms=loan.terms_json,
        principal=loan.principal,
        currency=loan.currency,
        status=loan.status.value,
        accepted_on=loan.accepted_on,
        disbursed_on=loan.disbursed_on,
        aged_on=loan.ageing.aged_on,
        days_past_due=loan.ageing.days_past_due,
        bucket=loan.ageing.bucket.value,
        covenant=loan.ageing.covenant.value if loan.ageing.covenant else None,
    )


def loan_from_row(row: LoanRow | Row[Any]) -> LoanRecord:
    """A loan from its mapped row or a plain row of the ``loans`` columns."""
    return LoanRecord(
        loan_id=LoanId(row.id),
        merchant_id=MerchantId(row.merchant_id),
        decision_id=row.decision_id,
        product=Product(row.product),
        terms_json=row.terms,
        # Stored at four places; read at the currency's (a finer amount is refused).
        principal=exact(row.principal, row.currency),
        currency=row.currency,
        status=LoanStatus(row.status),
        accepted_on=row.accepted_on,
        disbursed_on=row.disbursed_on,
        ageing=Ageing(
            aged_on=row.aged_on,
            days_past_due=row.days_past_due,
            bucket=Bucket(row.bucket),
            covenant=CovenantStatus(row.covenant) if row.covenant else None,
        ),
    )


def decision_values(decision: DecisionRecord) -> dict[str, Any]:
    """The ``decisions`` columns of ``decision`` (for bulk inserts)."""
    return {
        "id": decision.decision_id,
        "merchant_id": decision.merchant_id,
        "application_id": decision.application_id,
        "as_of": decision.as_of,
        "policy_version": decision.policy_version,
        "model_version": decision.model_version,
        "inputs": decision.inputs,
        "feature_values": decision.feature_values,
        "score": decision.score,
        "result": decision.result,
        "expires_on": decision.expires_on,
    }


def decision_from_row(row: DecisionRow) -> DecisionRecord:
    return DecisionRecord(
        decision_id=row.id,
        merchant_id=MerchantId(row.merchant_id),
        application_id=ApplicationId(row.application_id) if row.application_id else None,
        as_of=row.as_of,
        policy_version=row.policy_version,
        model_version=row.model_version,
        inputs=row.inputs,
        feature_values=row.feature_values,
        score=row.score,
        result=row.result,
        expires_on=row.expires_on,
    )


def transaction_row(transaction: Transaction) -> dict[str, Any]:
    return {
        "id": transaction.id,
        "loan_id": transaction.loan_id,
        "kind": transaction.kind.value,
        "business_date": transaction.business_date,
        "currency": transaction.currency,
        "idempotency_key": transaction.idempotency_key,
        "reverses": transaction.reverses,
    }


def posting_rows(transaction: Transaction) -> list[dict[str, Any]]:
    return [
        {
            "transaction_id": transaction.id,
            "line": line,
            "account": posting.account.value,
            "amount": posting.amount,
        }
        for line, posting in enumerate(transaction.postings, start=1)
    ]


def transaction_from_rows(row: Row[Any], postings: Iterable[Row[Any]]) -> Transaction:
    """A ledger transaction from a ``transactions`` row and its ``postings`` rows (Core rows,
    which bulk reads fetch far faster than ORM objects)."""
    ordered: Sequence[Row[Any]] = sorted(postings, key=lambda p: int(p.line))
    return Transaction(
        id=row.id,
        kind=TransactionKind(row.kind),
        business_date=row.business_date,
        postings=tuple(Posting(Account(p.account), exact(p.amount, row.currency)) for p in ordered),
        idempotency_key=row.idempotency_key,
        loan_id=LoanId(row.loan_id) if row.loan_id is not None else None,
        currency=row.currency,
        reverses=row.reverses,
    )
