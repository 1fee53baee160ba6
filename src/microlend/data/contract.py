"""The data contract: which tables a platform hands microlend, their columns and their types.

This module is the single source of the contract's shape (DESIGN.md section 3). The loader
validates against it and the simulator writes to it. Extra columns in a file are kept; the
columns listed here are required (a nullable column must be present but may hold empty values).

Canonical in-memory form is Apache Arrow: ids and text are ``string``, timestamps are
``timestamp[us, UTC]``, money is ``decimal128(18, 2)`` (exact; never float), ratings ``int64``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum

import pyarrow as pa

__all__ = [
    "CONTRACT",
    "EARLIEST_RECORD",
    "LOAN_PRODUCTS",
    "MAX_AMOUNT",
    "MERCHANT_RECORD_GRACE",
    "MONEY_TYPE",
    "ORDER_STATUSES",
    "SMALLEST_LOAN",
    "TERMS_RATE_CAPS",
    "TIMESTAMP_TYPE",
    "Column",
    "ForeignKey",
    "Kind",
    "TableSchema",
    "arrow_schema",
]


class Kind(StrEnum):
    """What a column holds; each kind has one Arrow type and one set of parsing rules."""

    ID = "id"
    TEXT = "text"
    TIMESTAMP = "timestamp"
    MONEY = "money"
    CURRENCY = "currency"
    INT = "int"
    FLOAT = "float"
    BOOL = "bool"


MONEY_TYPE = pa.decimal128(18, 2)
TIMESTAMP_TYPE = pa.timestamp("us", tz="UTC")

_ARROW_TYPES: dict[Kind, pa.DataType] = {
    Kind.ID: pa.string(),
    Kind.TEXT: pa.string(),
    Kind.TIMESTAMP: TIMESTAMP_TYPE,
    Kind.MONEY: MONEY_TYPE,
    Kind.CURRENCY: pa.string(),
    Kind.INT: pa.int64(),
    Kind.FLOAT: pa.float64(),
    Kind.BOOL: pa.bool_(),
}

ORDER_STATUSES = ("pending", "completed", "cancelled")
LOAN_PRODUCTS = ("fixed_instalment", "share_of_sales")

# Bounds on values. Each refuses what is a placeholder or a slip rather than an event, with
# room to spare for any real platform; a record outside them is a violation, never clipped.

#: No record is dated before this: online marketplaces with exportable records are younger,
#: and earlier dates are placeholders (1900-01-01, or 1970-01-01 from a zero epoch).
EARLIEST_RECORD = datetime(2000, 1, 1, tzinfo=UTC)
#: The largest money amount one row may hold, in currency units (either sign where a column
#: may be negative). A trillion covers a large seller's payout even in currencies of small
#: units (IDR, VND) and refuses the 9s of placeholder values (999,999,999,999,999.99).
MAX_AMOUNT = 10**12
#: The smallest credit asked for or lent: a request or loan of 0 (or less) is no credit at all.
SMALLEST_LOAN = 0.01
#: Caps of the rates in ``loans.terms`` (fractions, never percent), each from 0: an annual
#: rate above 300 % is a rate written in percent (18 for 18 %); a fee above the principal or a
#: holdback above all of a seller's sales is no loan a lender makes.
TERMS_RATE_CAPS: dict[str, float] = {"annual_rate": 3.0, "fee_rate": 1.0, "holdback_rate": 1.0}
#: How much earlier than its merchant's ``onboarded_at`` a merchant's record may be: platforms
#: stamp onboarding when the sign-up is approved, and the first orders of that day may come
#: before (the simulator onboards at 09:00 and sells from midnight). A month earlier is wrong.
MERCHANT_RECORD_GRACE = timedelta(days=1)

# The money type holds the sum of a thousand maximal amounts: totals of a few rows stay exact.
assert 10 ** (MONEY_TYPE.precision - MONEY_TYPE.scale) > 1000 * MAX_AMOUNT
assert 0 < SMALLEST_LOAN < MAX_AMOUNT
# A holdback is a share of sales: it can never exceed all of them.
assert 0 < TERMS_RATE_CAPS["holdback_rate"] <= 1
assert timedelta(0) <= MERCHANT_RECORD_GRACE < timedelta(days=7)


@dataclass(frozen=True)
class Column:
    """One required column. ``allowed`` restricts text to a set; ``low``/``high`` bound numbers."""

    name: str
    kind: Kind
    meaning: str
    nullable: bool = False
    allowed: tuple[str, ...] | None = None
    low: float | None = None
    high: float | None = None

    @property
    def arrow_type(self) -> pa.DataType:
        return _ARROW_TYPES[self.kind]


@dataclass(frozen=True)
class ForeignKey:
    """``column`` of this table must name an existing row of ``table.ref_column``."""

    column: str
    table: str
    ref_column: str


@dataclass(frozen=True)
class TableSchema:
    """A contract table: required columns, primary key (unique, not null) and foreign keys."""

    name: str
    meaning: str
    columns: tuple[Column, ...]
    primary_key: str | None = None
    foreign_keys: tuple[ForeignKey, ...] = ()
    required: bool = True
    unique: tuple[str, ...] = field(default=())

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"{self.name} has no contract column {name!r}")

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


def _fk(column: str, table: str) -> ForeignKey:
    return ForeignKey(column, table, column)


_MERCHANT = Column("merchant_id", Kind.ID, "the seller")
_ORDER = Column("order_id", Kind.ID, "the order")

CONTRACT: dict[str, TableSchema] = {
    t.name: t
    for t in (
        TableSchema(
            "merchants",
            "one row per seller on the platform",
            (
                _MERCHANT,
                Column("category", Kind.TEXT, "the seller's main product category"),
                Column("region", Kind.TEXT, "where the seller is based"),
                Column("onboarded_at", Kind.TIMESTAMP, "when the seller joined the platform"),
            ),
            primary_key="merchant_id",
        ),
        TableSchema(
            "orders",
            "one row per buyer order",
            (
                _ORDER,
                _MERCHANT,
                Column("buyer_id", Kind.ID, "the buyer"),
                Column("created_at", Kind.TIMESTAMP, "when the order was placed"),
                Column("amount", Kind.MONEY, "what the buyer paid", low=0, high=MAX_AMOUNT),
                Column("currency", Kind.CURRENCY, "ISO 4217 currency of amount"),
                Column("status", Kind.TEXT, "order state", allowed=ORDER_STATUSES),
            ),
            primary_key="order_id",
            foreign_keys=(_fk("merchant_id", "merchants"),),
        ),
        TableSchema(
            "refunds",
            "money returned to buyers; several partial refunds of one order are allowed",
            (
                _ORDER,
                _MERCHANT,
                Column("refunded_at", Kind.TIMESTAMP, "when the refund was made"),
                Column(
                    "amount",
                    Kind.MONEY,
                    "refunded amount, in the order's currency",
                    low=0,
                    high=MAX_AMOUNT,
                ),
            ),
            foreign_keys=(_fk("order_id", "orders"), _fk("merchant_id", "merchants")),
        ),
        TableSchema(
            "reviews",
            "buyer ratings, at most one per order",
            (
                _ORDER,
                _MERCHANT,
                Column("created_at", Kind.TIMESTAMP, "when the review was written"),
                Column("rating", Kind.INT, "stars, 1 to 5", low=1, high=5),
            ),
            unique=("order_id",),
            foreign_keys=(_fk("order_id", "orders"), _fk("merchant_id", "merchants")),
        ),
        TableSchema(
            "shipments",
            "fulfilment of orders, at most one per order",
            (
                _ORDER,
                _MERCHANT,
                Column("promised_at", Kind.TIMESTAMP, "the delivery promised to the buyer"),
                Column("shipped_at", Kind.TIMESTAMP, "when it left the seller", nullable=True),
                Column("delivered_at", Kind.TIMESTAMP, "when it reached the buyer", nullable=True),
            ),
            unique=("order_id",),
            foreign_keys=(_fk("order_id", "orders"), _fk("merchant_id", "merchants")),
        ),
        TableSchema(
            "settlements",
            "payouts from the platform to the seller: gross sales less fees",
            (
                _MERCHANT,
                Column("settled_at", Kind.TIMESTAMP, "when the payout was made"),
                Column(
                    "gross",
                    Kind.MONEY,
                    "sales settled, after refunds",
                    low=-MAX_AMOUNT,
                    high=MAX_AMOUNT,
                ),
                Column("fees", Kind.MONEY, "platform fees withheld", low=0, high=MAX_AMOUNT),
                Column(
                    "net",
                    Kind.MONEY,
                    "paid to the seller: gross - fees",
                    low=-MAX_AMOUNT,
                    high=MAX_AMOUNT,
                ),
            ),
            foreign_keys=(_fk("merchant_id", "merchants"),),
        ),
        TableSchema(
            "applications",
            "requests for credit",
            (
                Column("application_id", Kind.ID, "the application"),
                _MERCHANT,
                Column("applied_at", Kind.TIMESTAMP, "when the seller applied"),
                Column(
                    "requested_amount",
                    Kind.MONEY,
                    "what the seller asked for",
                    low=SMALLEST_LOAN,
                    high=MAX_AMOUNT,
                ),
            ),
            primary_key="application_id",
            foreign_keys=(_fk("merchant_id", "merchants"),),
            required=False,
        ),
        TableSchema(
            "loans",
            "loans funded in the past, with their terms",
            (
                Column("loan_id", Kind.ID, "the loan"),
                Column("application_id", Kind.ID, "the application it funded"),
                _MERCHANT,
                Column("disbursed_at", Kind.TIMESTAMP, "when the money was paid out"),
                Column("principal", Kind.MONEY, "amount lent", low=SMALLEST_LOAN, high=MAX_AMOUNT),
                Column("product", Kind.TEXT, "repayment product", allowed=LOAN_PRODUCTS),
                Column("terms", Kind.TEXT, "the product's terms as a JSON object"),
            ),
            primary_key="loan_id",
            foreign_keys=(_fk("application_id", "applications"), _fk("merchant_id", "merchants")),
            required=False,
        ),
        TableSchema(
            "outcomes",
            "how each funded loan performed within its performance window",
            (
                Column("loan_id", Kind.ID, "the loan"),
                Column("defaulted", Kind.BOOL, "defaulted within the performance window"),
                Column("default_at", Kind.TIMESTAMP, "when it defaulted", nullable=True),
            ),
            primary_key="loan_id",
            foreign_keys=(_fk("loan_id", "loans"),),
            required=False,
        ),
        TableSchema(
            "truth",
            "simulator only: what really drove each application (real data never has it)",
            (
                Column("application_id", Kind.ID, "the application"),
                Column("true_pd", Kind.FLOAT, "true probability of default", low=0, high=1),
            ),
            primary_key="application_id",
            foreign_keys=(_fk("application_id", "applications"),),
            required=False,
        ),
    )
}


def arrow_schema(table: str) -> pa.Schema:
    """The canonical Arrow schema of a contract table's required columns."""
    schema = CONTRACT[table]
    return pa.schema([pa.field(c.name, c.arrow_type, nullable=c.nullable) for c in schema.columns])
