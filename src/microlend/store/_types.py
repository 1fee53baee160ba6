"""Column types of the loan book: exact money on every database, JSON documents.

Money is ``Numeric(18, 2)`` on PostgreSQL. SQLite has no exact decimal type (its ``NUMERIC``
affinity keeps fractions as binary floats), so there the same column holds whole minor units in
an integer: sums stay exact in SQL, and Python sees a ``Decimal`` on both databases.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, BigInteger, Dialect, Numeric
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeDecorator, TypeEngine

from microlend.errors import LedgerError

__all__ = ["MONEY_SCALE", "Amount", "Document"]

#: Decimal places every stored amount has (the book's currencies have two-digit minor units).
MONEY_SCALE = 2

_UNIT = Decimal(1).scaleb(-MONEY_SCALE)

#: A JSON document: ``JSONB`` on PostgreSQL (indexable), text JSON elsewhere.
Document = JSON().with_variant(JSONB(), "postgresql")


class Amount(TypeDecorator[Decimal]):
    """A money amount with exactly ``MONEY_SCALE`` decimal places, never a float."""

    impl = Numeric(18, MONEY_SCALE, asdecimal=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(18, MONEY_SCALE, asdecimal=True))

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        exact = Decimal(value)
        if exact.quantize(_UNIT) != exact:
            raise LedgerError(f"{value} has more than {MONEY_SCALE} decimal places")
        if dialect.name == "sqlite":
            return int(exact.scaleb(MONEY_SCALE))
        return exact.quantize(_UNIT)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return Decimal(int(value)).scaleb(-MONEY_SCALE)
        return Decimal(value).quantize(_UNIT)
