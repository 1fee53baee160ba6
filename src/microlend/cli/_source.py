"""Where a command's merchant records come from: a folder (--data) or a platform store
(--store), one of the two."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar, overload

from microlend.errors import ConfigError

if TYPE_CHECKING:
    from datetime import datetime
    from pathlib import Path

    from microlend.data import Dataset
    from microlend.types import Progress

__all__ = ["folder_only", "local_path", "records"]

#: Where records lie: a local path, or (for Spark) a location as text, a URI included.
Where = TypeVar("Where", str, "Path")


def records(
    data: Path | None,
    store: Path | None,
    *,
    end: datetime | None = None,
    progress: Progress | None = None,
    mapping: Path | None = None,
) -> Dataset:
    """The records of ``--data DIR`` or of ``--store FILE``; ``end``: a folder's data end (a
    store's is its latest batch's); ``progress``: told of a folder's loading steps (a store's
    records were checked as they were ingested); ``mapping``: ``--mapping FILE``, read the
    folder as a platform's own export (a store holds contract records already)."""
    from microlend.data import load_dataset, load_mapping, load_store  # deferred: fast --help

    if (data is None) == (store is None):
        raise ConfigError(
            "give --data DIR (a folder of contract tables) or --store FILE (a platform store "
            "grown by microlend ingest): one of the two"
        )
    if store is not None:
        if mapping is not None:
            raise ConfigError(
                "--mapping maps a folder (--data) of a platform's own export; a store holds "
                "contract records already: give the mapping to microlend ingest"
            )
        if end is not None:
            raise ConfigError("--end is a folder's data end; a store's is its latest batch's")
        return load_store(store)
    assert data is not None
    export = load_mapping(mapping) if mapping is not None else None
    return load_dataset(data, end=end, progress=progress, mapping=export)


def folder_only(
    data: Where | None, store: Path | None, why: str, mapping: Path | None = None
) -> Where:
    """The folder of ``--data`` (a path, or a location Spark reads), where only a folder will
    do (``why``: what needs it), and in the contract's own form (``mapping``: a ``--mapping``
    given, refused)."""
    if mapping is not None:
        raise ConfigError(
            f"{why} reads contract tables as they are and applies no --mapping: use the duckdb "
            "engine (the default) with --mapping, or ingest the export into a store "
            "(microlend ingest --mapping) and read that with --store"
        )
    if store is not None:
        raise ConfigError(f"{why} reads a folder of contract tables: give --data DIR, not --store")
    if data is None:
        raise ConfigError(f"{why} needs --data DIR (a folder of contract tables)")
    return data


@overload
def local_path(value: str, flag: str) -> Path: ...
@overload
def local_path(value: None, flag: str) -> None: ...
@overload
def local_path(value: str | None, flag: str) -> Path | None: ...
def local_path(value: str | None, flag: str) -> Path | None:
    """``value`` of ``flag`` as a local path, where only the local disk will do (the duckdb
    engine): a ``file://`` URI becomes its path, another scheme's URI is refused."""
    from pathlib import Path
    from urllib.parse import unquote, urlsplit

    if value is None:
        return None
    parts = urlsplit(value)
    if value.startswith("file://") and parts.netloc in ("", "localhost"):
        return Path(unquote(parts.path))
    if "://" in value and parts.scheme:
        raise ConfigError(
            f"{flag} {value}: the duckdb engine reads and writes the local disk; "
            "give a local path, or --engine spark for a URI"
        )
    return Path(value)
