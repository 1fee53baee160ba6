"""Fixtures shared across packages.

- ``small_market`` / ``small_market_dir``: a small simulated marketplace, written and loaded once.
- ``spark``: one Spark session in local mode; a Spark that cannot start fails, never skips.
- ``engine`` / ``bare_engine``: a fresh loan book per test, on SQLite (a temp file) and on
  PostgreSQL (``MICROLEND_TEST_PG_URL``; each test gets its own schema, dropped after, so tests
  run in parallel without meeting). An unreachable server fails the test: it never skips.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text

from microlend.data import Dataset, Manifest, load_dataset, write_dataset
from microlend.features import spark_session
from microlend.settings import Settings
from microlend.simulate import SimulationConfig, simulate
from microlend.store import create_engine_for, migrate

#: Small enough for seconds, large enough for a few hundred matured loans.
SMALL_MARKET = SimulationConfig(merchants=2500, months=24, seed=3)


@pytest.fixture(scope="session")
def small_market_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    sim = simulate(SMALL_MARKET)
    root = tmp_path_factory.mktemp("market") / "data"
    manifest = Manifest(end=sim.end, currency=sim.config.currency, generator=sim.generator)
    write_dataset(sim.tables, root, manifest=manifest)
    return root


@pytest.fixture(scope="session")
def spark() -> Any:
    try:
        return spark_session("local[2]", app_name="microlend-tests", shuffle_partitions=2)
    except Exception as error:
        pytest.fail(
            f"Spark cannot start in local mode ({type(error).__name__}: {error}); it needs "
            "pyspark and Java 17 (java -version); the Spark tests never skip",
            pytrace=False,
        )


@pytest.fixture(scope="session")
def small_market(small_market_dir: Path) -> Dataset:
    return load_dataset(small_market_dir)


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
