"""Merchant records: the data contract, loading, validation and data-quality findings."""

from microlend.data.contract import (
    CONTRACT,
    LOAN_PRODUCTS,
    MONEY_TYPE,
    ORDER_STATUSES,
    TIMESTAMP_TYPE,
    Column,
    ForeignKey,
    Kind,
    TableSchema,
    arrow_schema,
)

__all__ = [
    "CONTRACT",
    "LOAN_PRODUCTS",
    "MONEY_TYPE",
    "ORDER_STATUSES",
    "TIMESTAMP_TYPE",
    "Column",
    "ForeignKey",
    "Kind",
    "TableSchema",
    "arrow_schema",
]
