"""Opening the loan book a command names with ``--db``: a book it may create, or only one that
exists (a command that reads or changes a book must not leave an empty one behind).

Both note the URL for the edge (``name_database``), so a database failure names its database.
"""

from __future__ import annotations

from pathlib import Path

from alembic.util import CommandError
from sqlalchemy import Engine, inspect
from sqlalchemy.engine import make_url

from microlend.cli._app import name_database
from microlend.errors import ConfigError, NotFoundError
from microlend.store import create_engine_for, migrate

__all__ = ["book_file", "existing_book", "migrated_book"]

# Written by every migration: a database without it was never made a loan book.
_MARKER = "alembic_version"


def book_file(url: str) -> Path | None:
    """The file of a SQLite book (relative to the current folder, as SQLite reads it), else
    ``None`` (PostgreSQL, or SQLite in memory)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def existing_book(url: str) -> Engine:
    """The book at ``url`` as it stands, never created: a SQLite file that is absent, or a
    database without the book's tables, is a ``NotFoundError``."""
    shown = name_database(url)
    parsed = make_url(url)
    file = book_file(url)
    if parsed.get_backend_name() == "sqlite" and (file is None or not file.is_file()):
        # Checked before connecting: connecting to SQLite creates the file.
        raise NotFoundError(f"no loan book at {shown}: the file does not exist")
    engine = create_engine_for(url)
    if not inspect(engine).has_table(_MARKER):
        engine.dispose()
        raise NotFoundError(
            f"{shown} holds no loan book (no tables): `microlend serve` or `microlend fund` "
            "makes one"
        )
    return engine


def migrated_book(url: str, *, existing: bool = False) -> Engine:
    """The book at ``url`` brought to the latest schema; created when new unless ``existing``."""
    shown = name_database(url)
    engine = existing_book(url) if existing else create_engine_for(url)
    try:
        migrate(engine)
    except CommandError as exc:
        # e.g. a book migrated by a newer microlend: its revision is unknown here.
        engine.dispose()
        raise ConfigError(f"cannot migrate the book at {shown}: {exc}") from None
    return engine
