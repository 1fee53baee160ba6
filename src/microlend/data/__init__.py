"""Merchant records: the data contract, loading, validation, data-quality findings and the
platform store that grows batch by batch."""

from microlend.data._daily import AGGREGATES, Aggregate, daily_aggregates, day_start, event_day
from microlend.data._dataset import Dataset, one_currency
from microlend.data._ingest import ingest
from microlend.data._load import load_dataset
from microlend.data._manifest import MANIFEST_FILE, Manifest, read_manifest
from microlend.data._mapping import ExportMapping, TableMapping, load_mapping
from microlend.data._quality import (
    DELIVERY_LATE_DAYS,
    EVENT_COLUMNS,
    REFUND_LATE_DAYS,
    REVIEW_LATE_DAYS,
    Coverage,
    LateRecords,
    QualityReport,
    TableQuality,
    quality_report,
)
from microlend.data._store import (
    STORE_FORMAT,
    BatchReceipt,
    batches,
    close_day,
    load_store,
    read_store,
)
from microlend.data._write import write_dataset
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
    "AGGREGATES",
    "CONTRACT",
    "DELIVERY_LATE_DAYS",
    "EVENT_COLUMNS",
    "LOAN_PRODUCTS",
    "MANIFEST_FILE",
    "MONEY_TYPE",
    "ORDER_STATUSES",
    "REFUND_LATE_DAYS",
    "REVIEW_LATE_DAYS",
    "STORE_FORMAT",
    "TIMESTAMP_TYPE",
    "Aggregate",
    "BatchReceipt",
    "Column",
    "Coverage",
    "Dataset",
    "ExportMapping",
    "ForeignKey",
    "Kind",
    "LateRecords",
    "Manifest",
    "QualityReport",
    "TableMapping",
    "TableQuality",
    "TableSchema",
    "arrow_schema",
    "batches",
    "close_day",
    "daily_aggregates",
    "day_start",
    "event_day",
    "ingest",
    "load_dataset",
    "load_mapping",
    "load_store",
    "one_currency",
    "quality_report",
    "read_manifest",
    "read_store",
    "write_dataset",
]
