"""What the lending use cases take and answer, and how a request is made idempotent.

A money-moving request carries a key, scoped to its caller (``scope``: the API key's id; empty
for the book's own commands), so callers never meet each other's keys. The key is claimed first,
before anything derived from it is written, and its answer stored with a fingerprint of the
request in the same database transaction as the money it moved: the same key again returns
that answer and moves nothing; the same key with a different request raises
``IdempotencyConflictError``; a concurrent first use waits for the first and then answers as it.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from microlend.ledger import Header, Transaction
from microlend.money import to_text
from microlend.store import LoanBookCommands, LoanRecord, in_transaction, request_hash
from microlend.types import LoanId

__all__ = [
    "Receipt",
    "header_for",
    "idempotent",
    "loan_receipt",
    "on_loan",
    "scoped_key",
    "transaction_id",
]

# Transaction ids are derived from their idempotency keys, so a replayed run is reproducible.
_NAMESPACE = uuid.UUID("6f1d8a52-3c1e-4d8e-9a57-8e2b1f0c4a11")


@dataclass(frozen=True)
class Receipt:
    """The answer to a lending command: what it did, on which loan, on which business date.

    ``amount`` is what moved (the principal lent or disbursed, the holdback taken, the payment
    applied to what was owed); ``overpayment`` what came in beyond what was owed (refunded);
    both in ``currency``, and written as JSON with exactly its places (``money.to_text``).
    """

    operation: str
    loan_id: LoanId | None
    business_date: date
    transaction_ids: tuple[str, ...] = ()
    amount: Decimal = Decimal(0)
    overpayment: Decimal = Decimal(0)
    status: str = ""
    currency: str = field(kw_only=True)
    #: The servicing action recorded (a pause, its resume, a charge-off...), if any.
    action_id: str | None = field(default=None, kw_only=True)
    #: The proposal made (``status`` is then ``proposed``: nothing moved yet), or approved.
    proposal_id: str | None = field(default=None, kw_only=True)

    def to_json(self) -> dict[str, Any]:
        action = {} if self.action_id is None else {"action_id": self.action_id}
        if self.proposal_id is not None:
            action |= {"proposal_id": self.proposal_id}
        return action | {
            "operation": self.operation,
            "loan_id": self.loan_id,
            "business_date": self.business_date.isoformat(),
            "transaction_ids": list(self.transaction_ids),
            "amount": to_text(self.amount, self.currency),
            "overpayment": to_text(self.overpayment, self.currency),
            "currency": self.currency,
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
            # Migration 0005 named the currency of every receipt stored before.
            currency=body["currency"],
            action_id=body.get("action_id"),
            proposal_id=body.get("proposal_id"),
        )


def transaction_id(idempotency_key: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, idempotency_key))


def scoped_key(operation: str, key: str, scope: str = "") -> str:
    """The book-wide name of ``operation`` done for request ``key`` of caller ``scope``: the
    book's own keys read ``operation:key``; a caller's are hashed under its scope, so no two
    callers' names meet and every name fits the ledger's key column."""
    if not scope:
        return f"{operation}:{key}"
    return f"{operation}@{scope}:{hashlib.sha256(key.encode()).hexdigest()}"


def header_for(
    operation: str, key: str, business_date: date, loan_id: str | None, scope: str = ""
) -> Header:
    """The header of a transaction posted by ``operation`` for request ``key`` of ``scope``."""
    scoped = scoped_key(operation, key, scope)
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
    scope: str = "",
) -> Receipt:
    """Run ``work`` once per ``key`` of caller ``scope`` in one database transaction and answer
    with its receipt. The key is claimed before ``work`` writes anything; ``lock_loan`` is
    locked first (every writer on a loan takes its lock before anything else)."""
    if not key:
        raise ValueError("a money-moving request needs an idempotency key")
    fingerprint = request_hash(operation, request)

    def unit(session: Session) -> Receipt:
        commands = LoanBookCommands(session)
        if lock_loan is not None:
            commands.lock_loan(lock_loan)
        stored = commands.claim(scope, key, operation, fingerprint)
        if stored is not None:
            return Receipt.from_json(stored.response)
        receipt = work(session)
        commands.answer(scope, key, receipt.to_json())
        return receipt

    return in_transaction(engine, unit)


def on_loan(
    engine: Engine,
    operation: str,
    loan_id: str,
    business_date: date,
    key: str,
    work: Callable[[Session], Receipt],
    *,
    scope: str = "",
    request: Mapping[str, Any] | None = None,
) -> Receipt:
    """``idempotent`` for a command on loan ``loan_id``: the loan is locked first, and the
    request is the loan and the business date with ``request``'s own fields."""
    body = {"loan_id": loan_id, "business_date": business_date.isoformat(), **(request or {})}
    return idempotent(
        engine,
        operation=operation,
        key=key,
        request=body,
        work=work,
        lock_loan=loan_id,
        scope=scope,
    )


def loan_receipt(
    operation: str,
    loan: LoanRecord,
    business_date: date,
    entries: Sequence[Transaction],
    amount: Decimal = Decimal(0),
    *,
    overpayment: Decimal = Decimal(0),
    status: str,
) -> Receipt:
    """The receipt of a command on ``loan`` (its id, its currency) that posted ``entries``."""
    return Receipt(
        operation,
        loan.loan_id,
        business_date,
        tuple(e.id for e in entries),
        amount,
        overpayment,
        status,
        currency=loan.currency,
    )
