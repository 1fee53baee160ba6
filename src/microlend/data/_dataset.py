"""A loaded, validated data folder: the contract's tables in canonical Arrow form."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from microlend.data._manifest import Manifest
from microlend.errors import NotFoundError

__all__ = ["Dataset"]


@dataclass(frozen=True)
class Dataset:
    """The tables of one data folder, each satisfying the data contract.

    ``tables`` maps a contract table name to its Arrow table: contract columns first, in the
    contract's order and canonical types, then any extra columns as they were read.
    ``files`` maps the same names to the files they came from; ``end`` is the data's end (UTC).
    """

    root: Path
    tables: Mapping[str, pa.Table]
    files: Mapping[str, Path]
    end: datetime
    manifest: Manifest | None = None

    def start(self) -> datetime:
        """When the records begin: the first merchant's onboarding (every other record of a
        merchant comes after it joined)."""
        first = pc.min(self.table("merchants").column("onboarded_at")).as_py()
        if first is None:
            raise NotFoundError(f"{self.root}: merchants is empty, so the records have no start")
        assert isinstance(first, datetime), type(first)
        return first

    def has(self, name: str) -> bool:
        """Whether the folder holds the (optional) table ``name``."""
        return name in self.tables

    def table(self, name: str) -> pa.Table:
        """The table ``name``; ``NotFoundError`` if the folder does not hold it."""
        try:
            return self.tables[name]
        except KeyError:
            held = ", ".join(sorted(self.tables))
            raise NotFoundError(f"{self.root} holds no table {name!r} (it holds: {held})") from None
