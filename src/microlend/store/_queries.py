"""The query side of the loan book: reads only.

Nothing here writes. Balances are sums of postings computed by the database; a loan's state is
the service's business (``lending.loan_view``: ``ledger.loan_state`` over the transactions read
here), so there is one truth, the postings, and one read of a loan.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from sqlalchemy import ColumnElement, Row, bindparam, func, or_, select
from sqlalchemy.orm import Session

from microlend.errors import NotFoundError
from microlend.ledger import Account, Side, Transaction
from microlend.money import exact
from microlend.store._codec import decision_from_row, loan_from_row, transaction_from_rows
from microlend.store._records import DecisionRecord, LoanRecord, LoanStatus
from microlend.store._tables import (
    BusinessDayRow,
    DecisionRow,
    LoanRow,
    MerchantRow,
    PostingRow,
    TransactionRow,
)
from microlend.types import LoanId

__all__ = ["COMMITTED", "LoanBookQueries"]

_ZERO = Decimal(0)

_LOANS = LoanRow.__table__
#: A merchant's commitments: loans accepted (not yet disbursed) and loans disbursed.
COMMITTED = (LoanStatus.ACCEPTED, LoanStatus.ACTIVE)
# Built once: a statement built per call costs more than SQLite takes to run it.
_COMMITTED_LOANS = (
    select(*_LOANS.columns)
    .where(
        _LOANS.c.merchant_id == bindparam("merchant_id"),
        # One bound parameter a status, not ``IN (...)``: a literal list is an "expanding"
        # parameter, and rewriting the statement's text for it on every execution cost more
        # than SQLite takes to run the indexed read.
        or_(*(_LOANS.c.status == bindparam(f"status_{s.value}", s.value) for s in COMMITTED)),
    )
    .order_by(_LOANS.c.id)
)
_LOAN_OF_DECISION = select(*_LOANS.columns).where(_LOANS.c.decision_id == bindparam("decision"))


class LoanBookQueries:
    """Reads of the loan book within the caller's session (and so its transaction)."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def loan(self, loan_id: str) -> LoanRecord:
        row = self._session.get(LoanRow, loan_id)
        if row is None:
            raise NotFoundError(f"no loan {loan_id!r} in the book")
        return loan_from_row(row)

    def loans(
        self,
        status: LoanStatus,
        *,
        after: str | None = None,
        aged_before: date | None = None,
        limit: int = 1000,
    ) -> list[LoanRecord]:
        """Loans in ``status`` in id order, ``limit`` at a time after id ``after`` (keyset
        pagination); with ``aged_before``, only loans not aged on or after that date."""
        query = select(LoanRow).where(LoanRow.status == status.value)
        if after is not None:
            query = query.where(LoanRow.id > after)
        if aged_before is not None:
            query = query.where(or_(LoanRow.aged_on.is_(None), LoanRow.aged_on < aged_before))
        rows = self._session.scalars(query.order_by(LoanRow.id).limit(limit))
        return [loan_from_row(row) for row in rows]

    def committed_loans(self, merchant_id: str) -> list[LoanRecord]:
        """``merchant_id``'s loans accepted or active (``COMMITTED``), in id order: one indexed
        read of plain rows, as every online decision reads its merchant's exposure."""
        rows = self._session.connection().execute(_COMMITTED_LOANS, {"merchant_id": merchant_id})
        return [loan_from_row(row) for row in rows]

    def has_merchant(self, merchant_id: str) -> bool:
        return self._session.get(MerchantRow, merchant_id) is not None

    def latest_decision(self, merchant_id: str) -> str | None:
        """The id of ``merchant_id``'s latest decision (which supersedes the earlier ones)."""
        return self._session.scalar(
            select(MerchantRow.latest_decision_id).where(MerchantRow.id == merchant_id)
        )

    def loan_of_decision(self, decision_id: str) -> LoanRecord | None:
        """The loan accepted from ``decision_id``'s offers, if any (at most one)."""
        row = self._session.execute(_LOAN_OF_DECISION, {"decision": decision_id}).one_or_none()
        return None if row is None else loan_from_row(row)

    def last_closed_day(self) -> date | None:
        """The latest business date end of day closed, if any."""
        return self._session.scalar(select(func.max(BusinessDayRow.business_date)))

    def decision(self, decision_id: str) -> DecisionRecord:
        row = self._session.get(DecisionRow, decision_id)
        if row is None:
            raise NotFoundError(f"no decision {decision_id!r} in the book")
        return decision_from_row(row)

    def latest_notice(self, merchant_id: str) -> DecisionRecord | None:
        """``merchant_id``'s latest decision that has a notice (a decline or a counter-offer):
        its latest decision when that has one, else the one of the latest date."""
        latest = self.latest_decision(merchant_id)
        if latest is not None:
            record = self.decision(latest)
            if record.notice is not None:
                return record
        row = self._session.scalars(
            select(DecisionRow)
            .where(DecisionRow.merchant_id == merchant_id, DecisionRow.notice.is_not(None))
            .order_by(
                DecisionRow.as_of.desc(), DecisionRow.created_at.desc(), DecisionRow.id.desc()
            )
            .limit(1)
        ).first()
        return None if row is None else decision_from_row(row)

    def transaction(self, transaction_id: str) -> Transaction:
        found = self._transactions(TransactionRow.id == transaction_id)
        if not found:
            raise NotFoundError(f"no transaction {transaction_id!r} in the book")
        return found[0]

    def reversed_by(self, transaction_id: str) -> str | None:
        """The id of the reversal of ``transaction_id``, if it was reversed."""
        return self._session.scalar(
            select(TransactionRow.id).where(TransactionRow.reverses == transaction_id)
        )

    def loan_transactions(self, loan_id: str) -> tuple[Transaction, ...]:
        """A loan's transactions, in the order the book received them."""
        return tuple(self.transactions_of([loan_id]).get(LoanId(loan_id), ()))

    def transactions_of(self, loan_ids: Sequence[str]) -> dict[LoanId, list[Transaction]]:
        """The transactions of many loans in two queries (end of day reads a batch at once)."""
        found = self._transactions(TransactionRow.loan_id.in_(loan_ids))
        by_loan: dict[LoanId, list[Transaction]] = defaultdict(list)
        for transaction in found:
            if transaction.loan_id is not None:
                by_loan[transaction.loan_id].append(transaction)
        return by_loan

    def all_transactions(self) -> tuple[Transaction, ...]:
        return tuple(self._transactions())

    def balances(self, currency: str, *, loan_id: str | None = None) -> Mapping[Account, Decimal]:
        """Every account's balance on its normal side, summed by the database from postings."""
        query = (
            select(PostingRow.account, func.sum(PostingRow.amount))
            .join(TransactionRow, TransactionRow.id == PostingRow.transaction_id)
            .where(TransactionRow.currency == currency)
            .group_by(PostingRow.account)
        )
        if loan_id is not None:
            query = query.where(TransactionRow.loan_id == loan_id)
        # Sums come back at the stored four places: each is read at the currency's.
        signed = dict.fromkeys(Account, exact(_ZERO, currency))
        for account, total in self._session.execute(query):
            signed[Account(account)] = exact(total or _ZERO, currency)
        return MappingProxyType(
            {a: t if a.normal_side is Side.DEBIT else -t for a, t in signed.items()}
        )

    def trial_balance(self) -> Decimal:
        """The sum of every posting: exactly zero in a sound book."""
        total = self._session.scalar(select(func.sum(PostingRow.amount)))
        return total if total is not None else _ZERO

    def _transactions(self, *criteria: ColumnElement[bool]) -> list[Transaction]:
        """Transactions meeting ``criteria`` (on ``transactions``) with their postings, read in
        two queries."""
        heads = self._session.execute(
            select(*TransactionRow.__table__.columns).where(*criteria).order_by(TransactionRow.seq)
        ).all()
        lines: dict[str, list[Row[Any]]] = defaultdict(list)
        postings = select(*PostingRow.__table__.columns).join(
            TransactionRow, TransactionRow.id == PostingRow.transaction_id
        )
        for posting in self._session.execute(postings.where(*criteria)):
            lines[posting.transaction_id].append(posting)
        return [transaction_from_rows(head, lines[head.id]) for head in heads]
