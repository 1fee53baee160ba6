"""A fresh, migrated loan book per test, on SQLite (a temp file) and on PostgreSQL.

PostgreSQL comes from ``MICROLEND_TEST_PG_URL``; each test gets its own schema (dropped after),
so tests run in parallel (pytest-xdist) without meeting. An unreachable server fails the test.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from microlend.settings import Settings
from microlend.store import create_engine_for, migrate

BACKENDS = ["sqlite", "postgresql"]


def pg_url() -> str:
    return Settings.from_env().test_pg_url


def pg_admin() -> Engine:
    engine = create_engine(pg_url(), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect():
            pass
    except Exception as error:
        pytest.fail(
            f"PostgreSQL at {pg_url()} cannot be reached ({type(error).__name__}): start it or set "
            "MICROLEND_TEST_PG_URL; the loan-book tests need it and never skip",
            pytrace=False,
        )
    return engine


def empty_book(backend: str, tmp_path: Path, *, pool_size: int = 5) -> Iterator[Engine]:
    """An engine on an empty database of ``backend``, dropped afterwards (not migrated)."""
    if backend == "sqlite":
        engine = create_engine_for(f"sqlite:///{tmp_path / 'book.db'}")
        yield engine
        engine.dispose()
        return
    admin, schema = pg_admin(), f"test_{uuid.uuid4().hex[:16]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = create_engine_for(pg_url(), schema=schema, pool_size=pool_size)
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def bare_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    yield from empty_book(request.param, tmp_path)


@pytest.fixture(params=BACKENDS)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    for book in empty_book(request.param, tmp_path):
        migrate(book)
        yield book
