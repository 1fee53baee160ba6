"""The command side of the loan book: every write, inside the caller's transaction.

Money moves only by appending balanced ledger transactions; nothing updates or deletes a
posting. Concurrent writers on one loan are serialised by ``lock_loan``, and on one merchant's
credit (decide, accept, disburse, cancel) by ``lock_merchant`` (``SELECT ... FOR UPDATE`` on
PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` already holds the one write lock). Locks are taken loan
first, merchant second, so no two writers wait on each other in a circle.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Insert, Table, bindparam, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from microlend.errors import IdempotencyConflictError, LedgerError, NotFoundError
from microlend.ledger import Transaction
from microlend.money import AMOUNT_LIMIT, currency_exponent, round_money
from microlend.store._codec import (
    decision_values,
    loan_from_row,
    loan_row,
    posting_rows,
    transaction_row,
)
from microlend.store._records import (
    Ageing,
    DecisionRecord,
    LoanRecord,
    LoanStatus,
    MerchantRecord,
)
from microlend.store._tables import (
    Base,
    BookRow,
    BusinessDayRow,
    DecisionRow,
    IdempotencyKeyRow,
    LoanRow,
    MerchantRow,
    PostingRow,
    TransactionRow,
)

__all__ = ["LoanBookCommands", "StoredResponse", "request_hash"]

_TRANSACTIONS = Base.metadata.tables[TransactionRow.__tablename__]
_POSTINGS = Base.metadata.tables[PostingRow.__tablename__]
_DECISIONS = Base.metadata.tables[DecisionRow.__tablename__]
_MERCHANTS = Base.metadata.tables[MerchantRow.__tablename__]
_INSERT_DECISION = insert(_DECISIONS)
_KEYS = Base.metadata.tables[IdempotencyKeyRow.__tablename__]
_DAYS = Base.metadata.tables[BusinessDayRow.__tablename__]
# Built once: every decision locks its merchant, and supersedes the merchant's older ones.
_LOCK_MERCHANT = (
    select(_MERCHANTS.c.id).where(_MERCHANTS.c.id == bindparam("merchant_id")).with_for_update()
)
_SUPERSEDE = (
    update(_MERCHANTS)
    .where(_MERCHANTS.c.id == bindparam("merchant"))
    .values(latest_decision_id=bindparam("decision"))
)
_STORED_KEY = select(_KEYS).where(
    _KEYS.c.scope == bindparam("scope"), _KEYS.c.key == bindparam("key")
)


def request_hash(operation: str, request: Mapping[str, Any]) -> str:
    """A fingerprint of a request: SHA-256 of its canonical JSON (sorted keys, exact text)."""
    text = json.dumps({"operation": operation, "request": request}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class StoredResponse:
    """The first answer given to an idempotency key."""

    key: str
    operation: str
    request_hash: str
    response: dict[str, Any]


class LoanBookCommands:
    """Writes to the loan book within the caller's session (and so its transaction)."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def _connection(self) -> Connection:
        """The session's connection, for the online decision's plain statements: the ORM's
        execute layer would add a third to each one's cost, and they write no ORM objects."""
        return self._session.connection()

    def add_merchant(self, merchant: MerchantRecord) -> None:
        """Record a merchant; recording one already there changes nothing."""
        if self._session.get(MerchantRow, merchant.merchant_id) is None:
            self._session.add(
                MerchantRow(
                    id=merchant.merchant_id,
                    category=merchant.category,
                    region=merchant.region,
                    onboarded_at=merchant.onboarded_at,
                )
            )
            self._session.flush()

    def add_merchants(self, merchants: Sequence[MerchantRecord]) -> None:
        """Bulk insert of new merchants (loading a book)."""
        rows = [
            {
                "id": m.merchant_id,
                "category": m.category,
                "region": m.region,
                "onboarded_at": m.onboarded_at,
            }
            for m in merchants
        ]
        if rows:
            self._session.execute(insert(MerchantRow), rows)

    def lock_merchant(self, merchant_id: str) -> None:
        """Lock ``merchant_id``'s row until the transaction ends: its decisions, accepts,
        disbursements and cancellations queue, so each sees the others' commitments."""
        if self._session.scalar(_LOCK_MERCHANT, {"merchant_id": merchant_id}) is None:
            raise NotFoundError(f"no merchant {merchant_id!r} in the book")

    def supersede(self, merchant_id: str, decision_id: str) -> None:
        """Make ``decision_id`` the merchant's latest decision, superseding its earlier ones,
        and lock the merchant's row until the transaction ends (one statement does both, as
        every online decision takes it; ``lock_merchant`` otherwise)."""
        done = self._connection().execute(
            _SUPERSEDE, {"merchant": merchant_id, "decision": decision_id}
        )
        if done.rowcount != 1:
            raise NotFoundError(f"no merchant {merchant_id!r} in the book")

    def add_decision(self, decision: DecisionRecord) -> None:
        """Store one decision; the caller made it the merchant's latest (``supersede``)."""
        self._connection().execute(_INSERT_DECISION, decision_values(decision))

    def add_decisions(self, decisions: Sequence[DecisionRecord]) -> None:
        """Bulk insert of new decisions (a backtest's day); their merchants must be in the book
        (a foreign key: the database refuses the insert otherwise)."""
        if decisions:
            self._session.execute(insert(DecisionRow), [decision_values(d) for d in decisions])

    def add_loan(self, loan: LoanRecord) -> None:
        """Store an accepted loan; the caller holds its merchant's lock (``lock_merchant``)."""
        _check_places(loan.principal, loan.currency, f"loan {loan.loan_id}")
        self._session.add(loan_row(loan))
        self._session.flush()

    def add_loans(self, loans: Sequence[LoanRecord]) -> None:
        """Bulk insert of new loans (loading a book)."""
        for loan in loans:
            _check_places(loan.principal, loan.currency, f"loan {loan.loan_id}")
        rows = [
            {c.key: getattr(r, c.key) for c in LoanRow.__table__.columns}
            for r in map(loan_row, loans)
        ]
        if rows:
            self._session.execute(insert(LoanRow), rows)

    def lock_loan(self, loan_id: str) -> LoanRecord:
        """The loan, its row locked until the transaction ends: writers on one loan queue."""
        row = self._session.scalars(
            select(LoanRow).where(LoanRow.id == loan_id).with_for_update()
        ).one_or_none()
        if row is None:
            raise NotFoundError(f"no loan {loan_id!r} in the book")
        return loan_from_row(row)

    def lock_loans(self, loan_ids: Sequence[str]) -> list[LoanRecord]:
        """Many loans, read again under lock in id order (one order for every writer, so no two
        deadlock)."""
        rows = self._session.scalars(
            select(LoanRow).where(LoanRow.id.in_(loan_ids)).order_by(LoanRow.id).with_for_update()
        )
        return [loan_from_row(row) for row in rows]

    def lock_book(self, currency: str, *, create: bool = False) -> bool:
        """Lock the ``currency`` book (cash leaving it is checked under this lock); ``create``
        opens it if absent. Returns whether the book exists."""
        found = self._session.scalars(
            select(BookRow).where(BookRow.currency == currency).with_for_update()
        ).one_or_none()
        if found is None and create:
            self._session.add(BookRow(currency=currency))
            self._session.flush()
            return True
        return found is not None

    def set_status(
        self,
        loan_id: str,
        status: LoanStatus,
        *,
        disbursed_on: date | None = None,
        realised_apr: float | None = None,
    ) -> None:
        """Set a loan's status; its realised APR is ``realised_apr`` when it is repaid, and
        none in any other status (a repaid loan reopened by a reversal loses it)."""
        values: dict[str, Any] = {"status": status.value}
        if disbursed_on is not None:
            values["disbursed_on"] = disbursed_on
        values["realised_apr"] = realised_apr if status is LoanStatus.REPAID else None
        self._session.execute(update(LoanRow).where(LoanRow.id == loan_id).values(**values))

    def set_ageing(
        self,
        updates: Sequence[tuple[str, LoanStatus, Ageing]],
        realised_aprs: Mapping[str, float] | None = None,
    ) -> None:
        """Record each loan's status and end-of-day ageing, in one round trip; a loan repaid
        by them records its realised APR from ``realised_aprs`` (none when it has none)."""
        realised = realised_aprs or {}
        rows = [
            {
                "id": loan_id,
                "status": status.value,
                "aged_on": ageing.aged_on,
                "days_past_due": ageing.days_past_due,
                "bucket": ageing.bucket.value,
                "covenant": ageing.covenant.value if ageing.covenant else None,
                "realised_apr": realised.get(loan_id) if status is LoanStatus.REPAID else None,
            }
            for loan_id, status, ageing in updates
        ]
        if rows:
            self._session.execute(update(LoanRow), rows)

    def append(self, transactions: Sequence[Transaction]) -> int:
        """Append balanced transactions and their postings; returns the postings written."""
        if not transactions:
            return 0
        for transaction in transactions:
            for posting in transaction.postings:
                _check_places(posting.amount, transaction.currency, f"transaction {transaction.id}")
        postings = [row for t in transactions for row in posting_rows(t)]
        # Core inserts: executemany without ORM bookkeeping or RETURNING, for end-of-day volumes.
        self._session.execute(insert(_TRANSACTIONS), [transaction_row(t) for t in transactions])
        self._session.execute(insert(_POSTINGS), postings)
        return len(postings)

    def close_day(self, business_date: date) -> None:
        """Record ``business_date`` as closed (closing it again changes nothing)."""
        self._session.execute(
            self._insert(_DAYS).values(business_date=business_date).on_conflict_do_nothing()
        )

    def claim(
        self, scope: str, key: str, operation: str, fingerprint: str
    ) -> StoredResponse | None:
        """Claim ``key`` (of caller ``scope``) for this request before anything derived from it
        is written: ``None`` when this transaction now holds it (answer it with ``answer``);
        the stored answer when the same request was answered before. A concurrent claim of the
        same key waits here until the first one commits (and then finds its answer) or rolls
        back (and then claims it). Raises ``IdempotencyConflictError``, saying nothing of the
        first request, when the key was used for another request."""
        row = {"scope": scope, "key": key, "operation": operation, "request_hash": fingerprint}
        claim = self._insert(_KEYS).values(**row, response={}).on_conflict_do_nothing()
        if self._session.execute(claim.returning(_KEYS.c.key)).first() is not None:
            return None
        stored = self._session.execute(_STORED_KEY, {"scope": scope, "key": key}).one()
        if stored.operation != operation or stored.request_hash != fingerprint:
            raise IdempotencyConflictError(
                "this Idempotency-Key was already used for a different request: "
                "send a new key for a new request"
            )
        return StoredResponse(
            stored.key, stored.operation, stored.request_hash, dict(stored.response)
        )

    def answer(self, scope: str, key: str, response: dict[str, Any]) -> None:
        """Store the answer to a key this transaction claimed."""
        self._session.execute(
            update(_KEYS)
            .where(_KEYS.c.scope == scope, _KEYS.c.key == key)
            .values(response=response)
        )

    def _insert(self, table: Table) -> Any:
        """A Core INSERT of ``table`` that can be told ``on_conflict_do_nothing``."""
        dialects = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
        make: Callable[[Any], Insert] = dialects[self._session.get_bind().dialect.name]
        return make(table)


def _check_places(amount: Decimal, currency: str, owner: str) -> None:
    """Refuse an amount finer than its currency's minor unit: the book stores more places than
    most currencies have (``STORAGE_SCALE``), so its column alone would take 0.001 USD."""
    # The size first: rounding a huge amount would overflow the decimal context.
    if abs(amount) < AMOUNT_LIMIT and round_money(amount, currency) == amount:
        return
    raise LedgerError(
        f"{owner}: {amount} {currency} is not storable: an amount is below {AMOUNT_LIMIT:,} "
        f"with at most {currency_exponent(currency)} decimal places in {currency}"
    )
