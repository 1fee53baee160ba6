"""Engines and migrations: SQLite file by default, PostgreSQL in production.

SQLite serialises writers; each transaction here starts with ``BEGIN IMMEDIATE`` so it takes the
write lock before it reads, and a read-then-write (lock a loan, read its balance, post) can never
interleave with another writer. PostgreSQL gets the same guarantee from ``SELECT ... FOR UPDATE``
on the loan row (see ``LoanBookCommands.lock_loan``).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

__all__ = ["create_engine_for", "migrate"]

logger = logging.getLogger(__name__)

_MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_SQLITE_BUSY_MS = 60_000


def create_engine_for(url: str, *, schema: str | None = None, pool_size: int = 5) -> Engine:
    """An engine for the loan book at ``url``.

    ``schema`` (PostgreSQL only) puts the book in that schema, alone on the search path: tests
    give each worker its own. The schema must exist. ``pool_size`` bounds PostgreSQL connections.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if schema is not None:
            raise ValueError("schema applies to PostgreSQL only")
        engine = create_engine(parsed, connect_args={"timeout": _SQLITE_BUSY_MS / 1000})
        _serialise_sqlite_writers(engine)
        return engine
    connect_args: dict[str, Any] = {}
    if schema is not None:
        connect_args["options"] = f"-csearch_path={schema}"
    return create_engine(parsed, connect_args=connect_args, pool_size=pool_size, pool_pre_ping=True)


def _serialise_sqlite_writers(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from the driver, which would start transactions lazily.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        # In WAL, NORMAL may lose the last commits on power loss; a book of money may not.
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute(f"PRAGMA busy_timeout = {_SQLITE_BUSY_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def migrate(engine: Engine, revision: str = "head") -> None:
    """Upgrade the book's schema to ``revision`` (the latest by default); a no-op when there."""
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
    logger.info("loan book at %s migrated to %s", engine.url.render_as_string(), revision)
