"""Rows to records and ledger transactions, and back: the only place where the book's JSON
documents (a decision's inputs, feature values, rating and result; a loan's terms) are written
and read.

The documents keep the shape the book has always stored (``Decision.to_dict``,
``Rating.to_dict``, ``ledger.terms_to_json``), so every book written before stays readable; the
first online decisions stored inputs without their currency, which is then the decision's.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Null, Row, null

from microlend.ledger import (
    Account,
    Bucket,
    CovenantStatus,
    Posting,
    Transaction,
    TransactionKind,
    terms_from_json,
    terms_to_json,
)
from microlend.money import Money, exact, to_text
from microlend.policy import CreditRequest, Decision, Exposure, Notice
from microlend.scoring import Rating
from microlend.store._records import (
    Ageing,
    DecisionInputs,
    DecisionRecord,
    LoanRecord,
    LoanStatus,
)
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
        terms=terms_to_json(loan.terms),
        principal=loan.principal,
        currency=loan.currency,
        status=loan.status.value,
        accepted_on=loan.accepted_on,
        disbursed_on=loan.disbursed_on,
        aged_on=loan.ageing.aged_on,
        days_past_due=loan.ageing.days_past_due,
        bucket=loan.ageing.bucket.value,
        covenant=loan.ageing.covenant.value if loan.ageing.covenant else None,
        realised_apr=loan.realised_apr,
    )


def loan_from_row(row: LoanRow | Row[Any]) -> LoanRecord:
    """A loan from its mapped row or a plain row of the ``loans`` columns."""
    return LoanRecord(
        loan_id=LoanId(row.id),
        merchant_id=MerchantId(row.merchant_id),
        decision_id=row.decision_id,
        # Parsed once here (and cached by its text: a book holds many loans on few terms).
        terms=terms_from_json(row.terms, row.product),
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
        realised_apr=row.realised_apr,
    )


def decision_values(record: DecisionRecord) -> dict[str, Any]:
    """The ``decisions`` columns of ``record`` (for inserts)."""
    decision = record.decision
    return {
        "id": record.decision_id,
        "merchant_id": decision.merchant_id,
        "application_id": record.application_id,
        "as_of": decision.as_of,
        "policy_version": decision.policy_version,
        "model_version": decision.model_version,
        "inputs": _inputs_document(record.inputs, decision.currency),
        "feature_values": {name: _json_float(v) for name, v in record.feature_values.items()},
        "score": record.rating.to_dict(),
        "result": decision.to_dict(),
        "expires_on": decision.expires_on,
        # SQL's NULL, not JSON's null: a query finds the decisions that have a notice.
        "notice": _null_or(record.notice),
    }


def _null_or(notice: Notice | None) -> dict[str, Any] | Null:
    return null() if notice is None else notice.to_dict()


def decision_from_row(row: DecisionRow) -> DecisionRecord:
    decision = Decision.from_dict(row.result)
    return DecisionRecord(
        decision_id=row.id,
        application_id=ApplicationId(row.application_id) if row.application_id else None,
        decision=decision,
        rating=Rating.from_dict(row.score),
        inputs=_inputs(row.inputs, decision),
        feature_values=_feature_values(row.feature_values),
        notice=None if row.notice is None else Notice.from_dict(row.notice),
    )


def _inputs_document(inputs: DecisionInputs, currency: str) -> dict[str, Any]:
    requested = inputs.request.requested_amount
    return {
        "requested_amount": None if requested is None else to_text(requested.amount, currency),
        "currency": currency,
        "exposure": {
            "outstanding": to_text(inputs.exposure.outstanding.amount, currency),
            "days_past_due": inputs.exposure.days_past_due,
        },
        "policy_digest": inputs.policy_digest,
    }


def _inputs(document: Mapping[str, Any], decision: Decision) -> DecisionInputs:
    # The first online decisions stored no currency in their inputs: it is the decision's.
    currency = str(document.get("currency", decision.currency))
    requested = document["requested_amount"]
    exposure = document["exposure"]
    request = CreditRequest(
        decision.application_id,
        decision.merchant_id,
        None if requested is None else Money.exact(requested, currency),
    )
    return DecisionInputs(
        request,
        Exposure(Money.exact(exposure["outstanding"], currency), int(exposure["days_past_due"])),
        str(document["policy_digest"]),
    )


def _json_float(value: float | None) -> float | None:
    """A feature value as JSON: a missing one (NaN) is ``null``."""
    return None if value is None or math.isnan(value) else float(value)


def _feature_values(document: Mapping[str, Any]) -> dict[str, float | None]:
    # The first online decisions also stored categorical values as text: no model reads them
    # back (the model's features are numbers), so they are left out.
    return {
        str(name): None if value is None else float(value)
        for name, value in document.items()
        if value is None or (isinstance(value, int | float) and not isinstance(value, bool))
    }


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
