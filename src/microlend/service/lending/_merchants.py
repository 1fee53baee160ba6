"""The book's merchants: every merchant of the records recorded once in the book."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from microlend.data import Dataset
from microlend.store import LoanBookCommands, MerchantRecord, in_transaction
from microlend.types import MerchantId

__all__ = ["sync_merchants"]


def sync_merchants(engine: Engine, dataset: Dataset) -> int:
    """Record in the book every merchant of ``dataset`` it does not hold yet; how many."""
    table = dataset.table("merchants").select(["merchant_id", "category", "region", "onboarded_at"])
    merchants = [
        MerchantRecord(MerchantId(r["merchant_id"]), r["category"], r["region"], r["onboarded_at"])
        for r in table.to_pylist()
    ]

    def unit(session: Session) -> int:
        commands = LoanBookCommands(session)
        for merchant in merchants:
            commands.add_merchant(merchant)
        return len(merchants)

    return in_transaction(engine, unit)
