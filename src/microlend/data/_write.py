"""``write_dataset``: write tables as a data folder, atomically and byte for byte reproducibly."""

from __future__ import annotations

import logging
import re
import shutil
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Literal

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from microlend.data._manifest import MANIFEST_FILE, Manifest
from microlend.errors import ConfigError

__all__ = ["write_dataset"]

log = logging.getLogger(__name__)

_TABLE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
# Fixed writer settings: the same tables must give the same bytes, run after run.
_PARQUET_OPTIONS: dict[str, object] = {
    "compression": "zstd",
    "compression_level": 3,
    "version": "2.6",
    "use_dictionary": True,
    "write_statistics": True,
    "row_group_size": 1 << 20,
}


def write_dataset(
    tables: Mapping[str, pa.Table],
    root: Path,
    *,
    fmt: Literal["parquet", "csv"] = "parquet",
    manifest: Manifest | None = None,
    overwrite: bool = False,
) -> None:
    """Write each table as ``<name>.<fmt>`` (and ``manifest`` as ``dataset.json``) in ``root``.

    All or nothing: files are written into a temporary folder beside ``root`` which is then
    renamed into place; on any error nothing is left. A non-empty ``root`` is an error unless
    ``overwrite``, which replaces it whole. The same tables always give byte-identical files.
    """
    root = Path(root)
    writer = _WRITERS.get(fmt)
    if writer is None:
        raise ConfigError(f"unknown data format {fmt!r}: expected parquet or csv")
    for name in tables:
        if not _TABLE_NAME.match(name):
            raise ConfigError(f"{name!r} cannot name a table file: use lower case, digits and _")
    if root.exists() and not (overwrite or (root.is_dir() and not any(root.iterdir()))):
        raise ConfigError(f"{root} exists and is not empty: choose another folder or overwrite it")
    root.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{root.name}.", suffix=".tmp", dir=root.parent))
    try:
        staging.chmod(0o755)
        for name in sorted(tables):
            writer(tables[name], staging / f"{name}.{fmt}")
        if manifest is not None:
            (staging / MANIFEST_FILE).write_text(manifest.to_json(), encoding="utf-8")
        _move_into_place(staging, root)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    log.info("wrote %d tables to %s (%s)", len(tables), root, fmt)


def _move_into_place(staging: Path, root: Path) -> None:
    """Rename ``staging`` to ``root``; a previous ``root`` is removed only once that worked."""
    if not root.exists():
        staging.rename(root)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{root.name}.", suffix=".old", dir=root.parent))
    retired.rmdir()
    root.rename(retired)
    try:
        staging.rename(root)
    except BaseException:
        retired.rename(root)
        raise
    if retired.is_dir():
        shutil.rmtree(retired)
    else:
        retired.unlink()


def _write_parquet(table: pa.Table, path: Path) -> None:
    # Schema metadata (pandas' index, a caller's notes) may vary between runs: leave it out.
    pq.write_table(table.replace_schema_metadata(None), path, **_PARQUET_OPTIONS)


def _write_csv(table: pa.Table, path: Path) -> None:
    columns = [_csv_text(table.column(i)) for i in range(table.num_columns)]
    plain = pa.table(columns, names=table.column_names)
    pacsv.write_csv(plain, path, pacsv.WriteOptions(include_header=True, delimiter=","))


def _csv_text(values: pa.ChunkedArray) -> pa.ChunkedArray:
    """Timestamps as ISO 8601 UTC with ``Z`` (whole seconds when every value is); else as is."""
    if not pa.types.is_timestamp(values.type):
        return values
    utc = values.cast(pa.timestamp(values.type.unit, "UTC"))
    seconds = utc.cast(pa.timestamp("s", "UTC"), safe=False)
    if pc.all(pc.equal(seconds.cast(utc.type), utc)).as_py() is not False:
        utc = seconds
    return pc.binary_join_element_wise(pc.strftime(utc, format="%Y-%m-%dT%H:%M:%S"), "Z", "")


_WRITERS: dict[str, Callable[[pa.Table, Path], None]] = {
    "parquet": _write_parquet,
    "csv": _write_csv,
}
