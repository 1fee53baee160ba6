"""Money at four places: every currency's amounts stored exactly; receipts name their currency.

Amounts were stored at two places, so a KWD amount (three) could not be stored, nor a CLF one
(four). Now every amount is stored at four: PostgreSQL's ``NUMERIC(18, 2)`` columns become
``NUMERIC(18, 4)``; SQLite's integers of hundredths become integers of ten-thousandths (each
times 100). The answers stored with idempotency keys (receipts) gain the currency of their
amounts, which they now write with exactly its places.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the values at this revision (see store._types and money).
_OLD_SCALE, _NEW_SCALE, _PRECISION = 2, 4, 18
#: Amounts are below 10**14 (14 digits before the point, 18 in all at four places).
_LIMIT = 10**14
_MONEY_COLUMNS = (("loans", "principal"), ("postings", "amount"))
_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, column in _MONEY_COLUMNS:
        _refuse_too_large(table, column, sqlite=sqlite)
        if sqlite:
            # Whole units of 10**-2 become whole units of 10**-4: the same amounts, exactly.
            factor = 10 ** (_NEW_SCALE - _OLD_SCALE)
            op.execute(f"UPDATE {table} SET {column} = {column} * {factor}")
        else:
            op.alter_column(
                table,
                column,
                type_=sa.Numeric(_PRECISION, _NEW_SCALE),
                existing_type=sa.Numeric(_PRECISION, _OLD_SCALE),
                existing_nullable=False,
            )
    _name_receipt_currencies()


def _refuse_too_large(table: str, column: str, *, sqlite: bool) -> None:
    """Stop before changing anything when an amount is too large for four places (SQLite
    would turn an integer that overflows into a float, silently)."""
    limit = _LIMIT * 10**_OLD_SCALE if sqlite else _LIMIT
    found = op.get_bind().scalar(
        sa.text(f"SELECT count(*) FROM {table} WHERE abs({column}) >= :limit"), {"limit": limit}
    )
    if found:
        raise RuntimeError(
            f"{found} {table}.{column} values are {_LIMIT:,} or more: a book stores amounts "
            "below that; this book needs a person before it can be migrated"
        )


def _name_receipt_currencies() -> None:
    """Add ``currency`` to every stored receipt: its loan's, else its first transaction's
    (every receipt names a loan or a transaction: a funding names its transaction)."""
    bind = op.get_bind()
    keys = sa.table(
        "idempotency_keys", sa.column("scope"), sa.column("key"), sa.column("response", _DOCUMENT)
    )
    loans = {
        row.id: row.currency for row in bind.execute(sa.text("SELECT id, currency FROM loans"))
    }
    updates = []
    for scope, key, response in bind.execute(sa.select(keys)):
        if "currency" in response:
            continue
        currency = loans.get(response.get("loan_id")) or _transaction_currency(response)
        if currency is not None:
            updates.append({"s": scope, "k": key, "r": response | {"currency": currency}})
    if updates:
        bind.execute(
            keys.update()
            .where(keys.c.scope == sa.bindparam("s"), keys.c.key == sa.bindparam("k"))
            .values(response=sa.bindparam("r", type_=_DOCUMENT)),
            updates,
        )


def _transaction_currency(response: dict[str, Any]) -> str | None:
    ids = response.get("transaction_ids") or []
    if not ids:
        return None
    found = op.get_bind().scalar(
        sa.text("SELECT currency FROM transactions WHERE id = :id"), {"id": ids[0]}
    )
    return None if found is None else str(found)


def downgrade() -> None:
    raise NotImplementedError("the loan book is migrated forward only")
