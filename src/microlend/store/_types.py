"""Column types of the loan book: exact money on every database, JSON documents.

Money is stored at one scale, ``STORAGE_SCALE`` decimal places, whatever its currency: the most
minor-unit digits of any currency (``money.MAX_EXPONENT``), so a JPY, USD, KWD or CLF amount is
stored exactly. Each amount still has its own currency's places: the repositories read it back
at them (``money.exact``), refusing one finer than its currency.

On PostgreSQL the column is ``NUMERIC(18, 4)``. SQLite has no exact decimal type (its
``NUMERIC`` affinity keeps fractions as binary floats), so there the same column holds whole
units of ``10**-STORAGE_SCALE`` in an integer: sums stay exact in SQL, and Python sees a
``Decimal`` on both databases.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Final

from sqlalchemy import JSON, BigInteger, Dialect, Numeric
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeDecorator, TypeEngine

from microlend.errors import LedgerError
from microlend.money import AMOUNT_DIGITS, AMOUNT_LIMIT, MAX_EXPONENT

__all__ = ["STORAGE_PRECISION", "STORAGE_SCALE", "Amount", "Document"]

#: Decimal places of every stored amount. A constant, not ``MAX_EXPONENT`` itself: changing it
#: rewrites every stored amount, which only a migration may do (0005 moved it from 2 to 4).
STORAGE_SCALE: Final[int] = 4
#: Digits of every stored amount in all.
STORAGE_PRECISION: Final[int] = AMOUNT_DIGITS + STORAGE_SCALE

# Checked on import, even under ``python -O`` (which drops ``assert``): a currency with more
# places than the book stores, or an amount the databases cannot hold, must stop the program
# before any book is opened, not corrupt one.
if STORAGE_SCALE < MAX_EXPONENT:
    raise AssertionError(f"the book stores {STORAGE_SCALE} places; a currency has {MAX_EXPONENT}")
if 10**STORAGE_PRECISION > 2**63 - 1:
    raise AssertionError(f"{STORAGE_PRECISION} digits overflow SQLite's 64-bit integers")

_UNIT = Decimal(1).scaleb(-STORAGE_SCALE)

#: A JSON document: ``JSONB`` on PostgreSQL (indexable), text JSON elsewhere.
Document = JSON().with_variant(JSONB(), "postgresql")


class Amount(TypeDecorator[Decimal]):
    """A money amount with exactly ``STORAGE_SCALE`` decimal places, below ``AMOUNT_LIMIT`` in
    size, never a float."""

    impl = Numeric(STORAGE_PRECISION, STORAGE_SCALE, asdecimal=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(STORAGE_PRECISION, STORAGE_SCALE, asdecimal=True))

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        exact = Decimal(value)
        # The size first: quantizing a huge amount would overflow the decimal context.
        if abs(exact) >= AMOUNT_LIMIT:
            raise LedgerError(f"{value} is beyond the largest amount a book stores")
        if exact.quantize(_UNIT) != exact:
            raise LedgerError(f"{value} has more than the {STORAGE_SCALE} decimal places stored")
        if dialect.name == "sqlite":
            return int(exact.scaleb(STORAGE_SCALE))
        return exact.quantize(_UNIT)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return Decimal(int(value)).scaleb(-STORAGE_SCALE)
        return Decimal(value).quantize(_UNIT)
