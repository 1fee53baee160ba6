"""``load_dataset``: read a data folder, validate it against the contract, or say what is wrong."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

import pyarrow as pa

from microlend.data._dataset import Dataset
from microlend.data._findings import Findings
from microlend.data._manifest import MANIFEST_FILE, Manifest, read_manifest
from microlend.data._mapping import ExportMapping, agreed_currency
from microlend.data._read import locate_tables, read_tables
from microlend.data._relations import check_currencies, check_relations
from microlend.data._rules import check_table
from microlend.data._sql import connect
from microlend.data.contract import CONTRACT, arrow_schema
from microlend.dates import to_utc
from microlend.errors import ConfigError, NotFoundError
from microlend.types import Progress, quiet

__all__ = ["canonical", "load_dataset"]

log = logging.getLogger(__name__)


def load_dataset(
    root: Path,
    *,
    end: datetime | None = None,
    progress: Progress | None = None,
    mapping: ExportMapping | None = None,
) -> Dataset:
    """Load the contract tables of the folder ``root`` and validate them; nothing is written.

    The data's end (no record may be later) is ``end`` if given, else the folder manifest's.
    ``progress`` (silent by default) hears ``(step, share done)`` for reading, the rules of
    each table and the relations between them. ``mapping`` (``load_mapping``) reads a
    platform's own export: its file and column names, codes, units and time zone.
    Raises ``DataContractError`` naming file, row and column of the first few violations (and
    counting all), ``ConfigError`` when no end is known, ``NotFoundError`` for a missing folder.
    """
    root = Path(root)
    if not root.is_dir():
        raise NotFoundError(f"no data folder at {root}")
    manifest = read_manifest(root)
    if end is not None:
        data_end = to_utc(end)
    elif manifest is not None:
        data_end = manifest.end
    else:
        raise ConfigError(
            f"{root} has no {MANIFEST_FILE} to say where its data end: pass the end explicitly"
        )

    currency = _currency(manifest, mapping, root)
    findings = Findings()
    files = locate_tables(root, findings, mapping=mapping)
    report = progress if progress is not None else quiet
    sources, tables = read_tables(files, findings, report, mapping)
    # Rules on meaning only run on values that could all be read: otherwise they would
    # report the same broken value again under another name.
    findings.raise_if_any()

    with connect(tables) as con:
        report("table rules", 0.0)
        for done, (name, table) in enumerate(tables.items(), start=1):
            check_table(CONTRACT[name], table, sources[name], data_end, con, findings)
            report("table rules", done / len(tables))
        report("relations", 0.0)
        check_relations(sources, con, findings)
        report("relations", 1.0)
    check_currencies(tables, sources, currency, findings)
    findings.raise_if_any()
    tables = {name: canonical(table, name) for name, table in tables.items()}
    log.info("loaded %s: %d tables, data end %s", root, len(tables), data_end.isoformat())
    return Dataset(root=root, tables=tables, files=files, end=data_end, manifest=manifest)


def _currency(manifest: Manifest | None, mapping: ExportMapping | None, root: Path) -> str | None:
    """The data set's one currency: the manifest's, else the mapping's (``None``: the orders'
    own, when they agree); a mapping that names another is a ``ConfigError``."""
    stated = manifest.currency if manifest is not None else None
    return agreed_currency(mapping, stated, str(root / MANIFEST_FILE))


def canonical(table: pa.Table, name: str) -> pa.Table:
    """Label the validated table with the contract's schema (non-null where it says so)."""
    contract = arrow_schema(name)
    extras = [table.schema.field(n) for n in table.column_names if n not in contract.names]
    return pa.Table.from_arrays(table.columns, schema=pa.schema([*contract, *extras]))
