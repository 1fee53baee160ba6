"""What the lending use cases take and answer, and how a request is made idempotent.

A money-moving request carries a key. Its first answer is stored with a fingerprint of the
request, in the same database transaction as the money it moved: the same key again returns that
answer and moves nothing; the same key with a different request raises
``IdempotencyConflictError``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from microlend.ledger import Header
from microlend.store import LoanBookCommands, in_transaction, request_hash
from microlend.types import LoanId

__all__ = ["Offer", "Receipt", "header_for", "idempotent", "transaction_id"]

# Transaction ids are derived from their idempotency keys, so a replayed run is reproducible.
_NAMESPACE = uuid.UUID("6f1d8a52-3c1e-4d8e-9a57-8e2b1f0c4a11")


@dataclass(frozen=True)
class Offer:
    """An offer as plain data, as the policy layer makes it: the principal, its currency, the
    product and the canonical JSON of the terms (``ledger.terms_to_json``)."""

    amount: Decimal
    currency: str
    product: str
    terms_json: str

    def as_request(self) -> dict[str, str]:
        return {
            "amount": str(self.amount),
            "currency": self.currency,
            "product": self.product,
            "terms": self.terms_json,
        }


@dataclass(frozen=True)
class Receipt:
    """The answer to a lending command: what it did, on which loan, on which business date.

    ``amount`` is what moved (the principal lent or disbursed, the holdback taken, the payment
    applied to what was owed); ``overpayment`` what came in beyond what was owed (refunded).
    """

    operation: str
    loan_id: LoanId | None
    business_date: date
    transaction_ids: tuple[str, ...] = ()
    amount: Decimal = Decimal(0)
    overpayment: Decimal = Decimal(0)
    status: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "operation": self.operation,
            "loan_id": self.loan_id,
            "business_date": self.business_date.isoformat(),
            "transaction_ids": list(self.transaction_ids),
            "amount": str(self.amount),
            "overpayment": str(self.overpayment),
            "status": self.status,
        }

    @classmethod
    def from_json(cls, body: Mapping[str, Any]) -> Receipt:
        return cls(
            operation=body["operation"],
            loan_id=LoanId(body["loan_id"]) if body["loan_id"] is not None else None,
            business_date=date.fromisoformat(body["business_date"]),
            transaction_ids=tuple(body["transaction_ids"]),
            amount=Decimal(body["amount"]),
            overpayment=Decimal(body["overpayment"]),
            status=body["status"],
        )


def transaction_id(idempotency_key: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, idempotency_key))


def header_for(operation: str, key: str, business_date: date, loan_id: str | None) -> Header:
    """The header of a transaction posted by ``operation`` for request ``key``."""
    scoped = f"{operation}:{key}"
    return Header(
        transaction_id=transaction_id(scoped),
        business_date=business_date,
        idempotency_key=scoped,
        loan_id=LoanId(loan_id) if loan_id is not None else None,
    )


def idempotent(
    engine: Engine,
    *,
    operation: str,
    key: str,
    request: Mapping[str, Any],
    work: Callable[[Session], Receipt],
    lock_loan: str | None = None,
) -> Receipt:
    """Run ``work`` once per ``key`` in one database transaction and answer with its receipt.

    ``lock_loan`` is locked before the key is looked up, so a replay racing the first request
    waits for it and then finds its answer.
    """
    if not key:
        raise ValueError("a money-moving request needs an idempotency key")
    fingerprint = request_hash(operation, request)

    def unit(session: Session) -> Receipt:
        commands = LoanBookCommands(session)
        if lock_loan is not None:
            commands.lock_loan(lock_loan)
        stored = commands.recall(key, operation, fingerprint)
        if stored is not None:
            return Receipt.from_json(stored.response)
        receipt = work(session)
        commands.remember(key, operation, fingerprint, receipt.to_json())
        return receipt

    return in_transaction(engine, unit)
