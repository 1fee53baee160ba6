"""Finding a folder's table files and reading each into the contract's canonical form.

This is the first stage of loading: files, columns and values that cannot be read at all.
Rules about what the values mean come after (``_rules``, ``_relations``).
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Callable, Mapping
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from microlend.data._convert import ColumnTypeError, convert
from microlend.data._findings import PER_RULE, Findings, Source
from microlend.data._mapping import ExportMapping, TableMapping, apply_mapping
from microlend.data.contract import CONTRACT, TableSchema
from microlend.errors import Violation
from microlend.types import Progress

__all__ = ["FORMATS", "locate_tables", "read_table", "read_tables"]

log = logging.getLogger(__name__)

#: File suffixes a table may be stored under, in the order they are looked for.
FORMATS = (".csv", ".parquet")


def locate_tables(
    root: Path,
    findings: Findings,
    *,
    require: bool = True,
    mapping: ExportMapping | None = None,
) -> dict[str, Path]:
    """The file of every contract table in ``root`` (under the names ``mapping`` gives, if
    any); a missing required table is a violation unless not ``require`` (a store's batch
    holds any subset of the tables)."""
    files: dict[str, Path] = {}
    for name, schema in CONTRACT.items():
        names = _file_names(name, mapping)
        found = [root / file for file in names if (root / file).is_file()]
        if len(found) > 1:
            both = " and ".join(p.name for p in found)
            findings.add(Violation(found[0].name, None, None, f"{both} both exist: keep one"))
        elif found:
            files[name] = found[0]
        elif schema.required and require:
            expected = " or ".join(names)
            message = f"required table {name!r} is missing: expected {expected}"
            findings.add(Violation(names[0], None, None, message))
    return files


def _file_names(name: str, mapping: ExportMapping | None) -> tuple[str, ...]:
    if mapping is None:
        return tuple(f"{name}{suffix}" for suffix in FORMATS)
    return mapping.table(name).file_names()


def read_tables(
    files: Mapping[str, Path],
    findings: Findings,
    progress: Progress | None = None,
    mapping: ExportMapping | None = None,
) -> tuple[dict[str, Source], dict[str, pa.Table]]:
    """Each located file as a ``Source`` and its table read, mapped onto the contract by
    ``mapping`` if given, and converted (a folder or a batch); a table that could not be read
    is left out, its findings noted. ``progress`` hears ``("reading", share of the files
    read)``."""
    sources = {name: _source(name, path, mapping) for name, path in files.items()}
    tables: dict[str, pa.Table] = {}
    if progress is not None:
        progress("reading", 0.0)  # a bar from the start, timing the whole step
    for done, (name, source) in enumerate(sources.items(), start=1):
        table = read_table(CONTRACT[name], source, findings, mapping)
        if table is not None:
            tables[name] = table
        if progress is not None:
            progress("reading", done / len(sources))
    return sources, tables


def _source(name: str, path: Path, mapping: ExportMapping | None) -> Source:
    table = mapping.table(name) if mapping is not None else TableMapping(name, name)
    return Source(name, path, table.renamed())


def read_table(
    schema: TableSchema,
    source: Source,
    findings: Findings,
    mapping: ExportMapping | None = None,
) -> pa.Table | None:
    """Read ``source``, map it onto the contract (``mapping``: names, codes, units) and convert
    its contract columns (naive timestamps in the mapping's time zone, else UTC); ``None`` if
    it could not be read."""
    raw = _read_csv(source, findings) if source.is_text else _read_parquet(source, findings)
    if raw is not None and mapping is not None:
        raw = apply_mapping(raw, schema, source, mapping, findings)
    if raw is None or not _has_columns(raw, schema, source, findings):
        return None
    zone = mapping.time_zone if mapping is not None else "UTC"
    columns: dict[str, pa.ChunkedArray] = {}
    for column in schema.columns:
        values = raw.column(column.name)
        try:
            converted = convert(values, column, zone=zone)
        except ColumnTypeError as exc:
            findings.add(source.violation(None, column.name, str(exc)))
            continue
        if converted.bad is not None:
            findings.add_rows(source, column.name, converted.bad, _got(values, converted.expected))
        columns[column.name] = converted.values
    extras = {name: raw.column(name) for name in raw.column_names if name not in columns}
    log.info("read %s: %d rows", source.file, raw.num_rows)
    return pa.table({**columns, **extras})


def _has_columns(raw: pa.Table, schema: TableSchema, source: Source, findings: Findings) -> bool:
    names = raw.column_names
    repeated = sorted({name for name in names if names.count(name) > 1})
    for name in repeated:
        findings.add(source.violation(None, name, "the column appears more than once"))
    missing = [name for name in schema.column_names if name not in names]
    for name in missing:
        findings.add(source.violation(None, name, "required column is missing"))
    return not (missing or repeated)


def _got(values: pa.ChunkedArray, expected: str) -> Callable[[int], str]:
    return lambda index: f"expected {expected}, got {values[index].as_py()!r}"


def _read_parquet(source: Source, findings: Findings) -> pa.Table | None:
    try:
        return pq.read_table(source.path)
    except (pa.ArrowException, OSError) as exc:
        findings.add(source.violation(None, None, f"cannot be read as Parquet: {exc}"))
        return None


def _read_csv(source: Source, findings: Findings) -> pa.Table | None:
    """Every column as text (empty = missing, ``""`` = empty text), one record per line."""
    invalid: list[pacsv.InvalidRow] = []

    def skip_invalid(row: pacsv.InvalidRow) -> str:
        invalid.append(row)
        return "skip"

    try:
        as_text = dict.fromkeys(_csv_header(source.path), pa.string())
        table = pacsv.read_csv(
            source.path,
            # Blank lines are kept as (empty) rows so that data row n stays line n + 1.
            parse_options=pacsv.ParseOptions(
                ignore_empty_lines=False, invalid_row_handler=skip_invalid
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=as_text,
                null_values=[""],
                strings_can_be_null=True,
                quoted_strings_can_be_null=False,
            ),
        )
    except UnicodeDecodeError as exc:
        byte = exc.object[exc.start : exc.start + 1].hex()
        findings.add(
            source.violation(None, None, f"is not UTF-8 text (byte 0x{byte}): save it as UTF-8")
        )
        return None
    except (pa.ArrowException, OSError) as exc:
        findings.add(source.violation(None, None, f"cannot be read as CSV: {exc}"))
        return None
    if invalid:
        located = [(None, _invalid_row(row)) for row in invalid[:PER_RULE]]
        findings.add_located(source, None, len(invalid), located)
        return None
    return table


def _invalid_row(row: pacsv.InvalidRow) -> str:
    return (
        f"a line has {row.actual_columns} fields where the header has {row.expected_columns}: "
        f"{row.text[:80]!r}"
    )


def _csv_header(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return next(csv.reader(handle), [])
