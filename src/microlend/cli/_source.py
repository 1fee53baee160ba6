"""Where a command's merchant records come from: a folder (--data) or a platform store
(--store), one of the two."""

from __future__ import annotations

from typing import TYPE_CHECKING

from microlend.errors import ConfigError

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime
    from pathlib import Path

    from microlend.data import Dataset

__all__ = ["folder_only", "records"]


def records(
    data: Path | None,
    store: Path | None,
    *,
    end: datetime | None = None,
    progress: Callable[[str, float], None] | None = None,
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
    data: Path | None, store: Path | None, why: str, mapping: Path | None = None
) -> Path:
    """The folder of ``--data``, where only a folder will do (``why``: what needs it), and
    in the contract's own form (``mapping``: a ``--mapping`` given, refused)."""
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
