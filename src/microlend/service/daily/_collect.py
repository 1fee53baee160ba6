"""Collect from a business day's settlements, as the platform pays them out: each positive
payout of the day goes to the merchant's active loans, oldest first; a share-of-sales loan takes
its holdback (``post_settlement``), an instalment loan what is due (``post_payment``), each from
what the payout still holds after the loans before it.

The store's settlements carry no id of their own, so a payout is named by its merchant, its time
and its place among the merchant's payouts of that same instant; each collection's idempotency
key is that name and the loan's, under the business date: a rerun of the day posts nothing
twice, and answers each collection as the first time.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from microlend.data import read_store
from microlend.dates import as_of_instant
from microlend.ledger import ShareOfSalesTerms
from microlend.money import Money
from microlend.service.lending import loan_view, post_payment, post_settlement
from microlend.store import LoanBookQueries, LoanRecord, LoanStatus, in_transaction

__all__ = ["collect_settlements"]

_ZERO = Decimal(0)
_PAGE = 1000


def _payouts(store_path: Path, day: date) -> list[tuple[str, datetime, Decimal]]:
    """The day's positive payouts by time, merchant and amount (empty before any settlement)."""
    with read_store(store_path) as con:
        tables = {
            name
            for (name,) in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE database_name = 'store'"
            ).fetchall()
        }
        if "settlements" not in tables:
            return []
        rows = con.execute(
            "SELECT merchant_id, settled_at, net FROM store.settlements WHERE settled_at >= ? "
            "AND settled_at < ? AND net > 0 ORDER BY settled_at, merchant_id, net",
            [as_of_instant(day), as_of_instant(day + timedelta(days=1))],
        ).fetchall()
    return [(str(m), at, Decimal(net)) for m, at, net in rows]


def _page(session: Session, *, after: str | None) -> list[LoanRecord]:
    return LoanBookQueries(session).loans(LoanStatus.ACTIVE, after=after, limit=_PAGE)


def _active_loans(engine: Engine, day: date) -> dict[str, list[LoanRecord]]:
    """Each merchant's active loans disbursed by ``day``, oldest first."""
    found: list[LoanRecord] = []
    after: str | None = None
    while True:
        page = in_transaction(engine, partial(_page, after=after))
        found += page
        if len(page) < _PAGE:
            break
        after = page[-1].loan_id
    by_merchant: dict[str, list[LoanRecord]] = defaultdict(list)
    for loan in sorted(found, key=lambda x: (x.disbursed_on or day, x.loan_id)):
        if loan.disbursed_on is not None and loan.disbursed_on <= day:
            by_merchant[loan.merchant_id].append(loan)
    return by_merchant


def _take(engine: Engine, loan: LoanRecord, left: Decimal, day: date, key: str) -> Decimal:
    """What one loan takes from what a payout still holds."""
    money = Money(left, loan.currency)
    if isinstance(loan.terms, ShareOfSalesTerms):
        return post_settlement(engine, loan.loan_id, money, day, key).amount
    due = min(left, loan_view(engine, loan.loan_id, day).state.amount_due)
    if due <= 0:
        return _ZERO
    paid = Money(due, loan.currency)
    return post_payment(engine, loan.loan_id, paid, day, key, refund_overpayment=False).amount


def collect_settlements(engine: Engine, store_path: Path, day: date) -> dict[str, object]:
    """Collect from every payout of ``day`` for every active loan; what was taken, in all."""
    loans = _active_loans(engine, day)
    seen: dict[tuple[str, datetime], int] = defaultdict(int)
    collections, taken = 0, _ZERO
    payouts = _payouts(store_path, day)
    for merchant, at, net in payouts:
        place = seen[(merchant, at)]
        seen[(merchant, at)] += 1
        left = net
        for loan in loans.get(merchant, ()):
            if left <= 0:
                break
            key = f"day:{day}:settlement:{merchant}:{at.isoformat()}:{place}:{loan.loan_id}"
            amount = _take(engine, loan, left, day, key)
            if amount > 0:
                collections += 1
                taken += amount
                left -= amount
    return {
        "payouts": len(payouts),
        "loans": sum(len(v) for v in loans.values()),
        "collections": collections,
        "collected": str(taken),
    }
