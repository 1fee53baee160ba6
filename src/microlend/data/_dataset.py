"""A loaded, validated data folder: the contract's tables in canonical Arrow form."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from microlend.data._manifest import Manifest
from microlend.errors import ConfigError, NotFoundError

__all__ = ["Dataset", "one_currency"]


def one_currency(found: Sequence[str | None], where: Path) -> str:
    """The one currency of the orders of ``where`` (its distinct codes ``found``): the
    features sum amounts of one currency, so none or several is a ``ConfigError``."""
    codes = sorted({code for code in found if code is not None})
    if len(codes) != 1:
        raise ConfigError(
            f"{where}: the orders are in {len(codes)} currencies ({', '.join(codes)}); "
            "the features sum amounts of one currency"
        )
    return codes[0]


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
    #: sha256 naming these records where their source names them without rereading the files
    #: (a store: its batches' ids); ``None`` for a folder, whose files' bytes name them.
    fingerprint: str | None = None

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

    def currency(self) -> str:
        """The platform's one currency, that of every amount in the records: the manifest's,
        else the orders' (``ConfigError`` when they hold none or several)."""
        if self.manifest is not None and self.manifest.currency is not None:
            return self.manifest.currency
        return one_currency(
            pc.unique(self.table("orders").column("currency")).to_pylist(), self.root
        )
