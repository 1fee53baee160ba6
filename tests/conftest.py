"""Fixtures shared across packages.

- ``small_market`` / ``small_market_dir``: a small simulated marketplace, written and loaded once.
- ``small_fit``: the rating fitted once on it; tests read it and never change it.
- ``spark_market_dir``: a smaller one for the Spark tests, whose cost is per query, not per row.
- ``daily_inbox``: the day-cycle platform of ``daily_support``, its batches written once; the
  service and command-line day tests read it and never change it.
- ``spark``: one Spark session in local mode; a Spark that cannot start fails, never skips.
- ``engine`` / ``bare_engine``: a fresh loan book per test, on SQLite (a temp file) and on
  PostgreSQL (``MICROLEND_TEST_PG_URL``; each test gets its own schema, dropped after, so tests
  run in parallel without meeting). An unreachable server fails the test: it never skips.
"""

from __future__ import annotations

import os
import shutil

# Two xdist workers share two cores and each LightGBM fit runs two OpenMP threads. Spinning
# threads (the OpenMP default) then wait on the other worker's and a fit runs ten times
# slower; passive ones sleep. Set before the runtime loads; the xdist workers inherit it.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text
from xdist.remote import Producer
from xdist.scheduler import LoadScopeScheduling, Scheduling

from daily_support import write_inbox
from microlend.data import Dataset, Manifest, load_dataset, write_dataset
from microlend.features import spark_session
from microlend.service import RatingFit, fit_rating
from microlend.settings import Settings
from microlend.simulate import SimulationConfig, simulate
from microlend.store import create_engine_for, migrate

#: Small enough for seconds, large enough for a few hundred matured loans.
SMALL_MARKET = SimulationConfig(merchants=2500, months=24, seed=3)
#: Spark's time goes mostly to planning and starting each query: a small market proves parity.
SPARK_MARKET = SimulationConfig(merchants=300, months=15, seed=5)

#: Modules whose tests start Spark: one unit of work for xdist, so one worker and one JVM.
SPARK_MODULES = frozenset(
    {"test_features_spark", "test_service_batch", "test_cli_spark", "test_scoring_sql_engines"}
)
#: The full-size demo takes minutes: its module goes out first, beside everything else.
DEMO_MODULE = "test_service_demo_acceptance"


def work_unit(nodeid: str) -> str:
    """What one xdist worker runs together: a module (its module fixtures run once) or Spark."""
    module = nodeid.split("::", 1)[0]
    return "spark" if Path(module).stem in SPARK_MODULES else module


def _rank(item: pytest.Item) -> int:
    if item.path.stem == DEMO_MODULE:
        return 0
    return 1 if work_unit(item.nodeid) == "spark" else 2


def pytest_xdist_make_scheduler(config: pytest.Config, log: Producer) -> Scheduling | None:
    """With -n, hand out ``work_unit``s in collection order (see ``--no-loadscope-reorder``
    in pyproject.toml). An explicit ``--dist`` other than -n's ``load`` is obeyed."""
    return WorkUnits(config, log) if config.getvalue("dist") == "load" else None


class WorkUnits(LoadScopeScheduling):
    """xdist's loadscope by ``work_unit``. (``--dist loadgroup`` cannot do it: its groups go
    into the nodeid through an attribute that pytest 9 no longer reads.)"""

    def _split_scope(self, nodeid: str) -> str:
        return work_unit(nodeid)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The demo first, Spark next, the rest in collection order: the longest work starts at once
    and no worker is left with it at the end. A Spark test outside SPARK_MODULES is refused."""
    for item in items:
        if "spark" in getattr(item, "fixturenames", ()) and work_unit(item.nodeid) != "spark":
            raise pytest.UsageError(f"{item.nodeid} starts Spark: add its module to SPARK_MODULES")
    items.sort(key=_rank)  # stable


def _written(config: SimulationConfig, root: Path) -> Path:
    sim = simulate(config)
    manifest = Manifest(end=sim.end, currency=sim.config.currency, generator=sim.generator)
    write_dataset(sim.tables, root, manifest=manifest)
    return root


@pytest.fixture(scope="session")
def small_market_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _written(SMALL_MARKET, tmp_path_factory.mktemp("market") / "data")


@pytest.fixture(scope="session")
def spark_market_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _written(SPARK_MARKET, tmp_path_factory.mktemp("spark_market") / "data")


@pytest.fixture(scope="session")
def daily_inbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_inbox(tmp_path_factory.mktemp("daily") / "inbox")


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


@pytest.fixture(scope="session")
def small_fit(small_market: Dataset) -> RatingFit:
    """``fit_rating`` with its defaults, once per worker: the api, cli, e2e and service tests
    serve, replay and report this one fit."""
    return fit_rating(small_market)


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


def empty_book(
    backend: str, tmp_path: Path, *, pool_size: int = 5, copy_of: Path | None = None
) -> Iterator[Engine]:
    """An engine on an empty database of ``backend``, dropped afterwards (not migrated); on
    SQLite, ``copy_of`` names a book file it starts as instead."""
    if backend == "sqlite":
        tmp_path.mkdir(parents=True, exist_ok=True)
        if copy_of is not None:
            shutil.copyfile(copy_of, tmp_path / "book.db")
        engine = create_engine_for(f"sqlite:///{tmp_path / 'book.db'}")
        yield engine
        engine.dispose()
        return
    schema = f"test_{uuid.uuid4().hex[:16]}"
    _as_admin(f'CREATE SCHEMA "{schema}"')
    engine = create_engine_for(pg_url(), schema=schema, pool_size=pool_size)
    try:
        yield engine
    finally:
        engine.dispose()
        _as_admin(f'DROP SCHEMA "{schema}" CASCADE')


def _as_admin(statement: str) -> None:
    """Run ``statement`` on a connection of its own, closed at once: a test holding many books
    (a state machine's examples) must not hold an idle admin connection for each."""
    admin = pg_admin()
    try:
        with admin.connect() as connection:
            connection.execute(text(statement))
    finally:
        admin.dispose()


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite book migrated once per worker: every migrated SQLite book of a test starts as a
    copy of its file, the same bytes migrating it would write, without replaying the migrations
    each time (their own tests build books with ``bare_engine``)."""
    path = tmp_path_factory.mktemp("migrated") / "book.db"
    engine = create_engine_for(f"sqlite:///{path}")
    migrate(engine)
    engine.dispose()
    return path


def migrated_book(
    backend: str, tmp_path: Path, migrated_sqlite: Path, *, pool_size: int = 5
) -> Iterator[Engine]:
    """``empty_book``, migrated: on SQLite a copy of ``migrated_sqlite``."""
    sqlite = backend == "sqlite"
    copy_of = migrated_sqlite if sqlite else None
    for book in empty_book(backend, tmp_path, pool_size=pool_size, copy_of=copy_of):
        if not sqlite:
            migrate(book)
        yield book


@pytest.fixture
def book_maker(tmp_path: Path, migrated_sqlite: Path) -> Iterator[Callable[[str], Engine]]:
    """Makes fresh, migrated books of a backend on demand (a test that needs many, such as a
    state machine's examples); every one is dropped when the test ends."""
    made: list[Iterator[Engine]] = []
    engines: list[Engine] = []

    def make(backend: str) -> Engine:
        # The earlier examples are over: close their idle connections (an engine reconnects if
        # used again), or two workers' state machines on PostgreSQL run past its 100 clients.
        for earlier in engines:
            earlier.dispose()
        book = migrated_book(backend, tmp_path / uuid.uuid4().hex, migrated_sqlite, pool_size=2)
        made.append(book)
        engines.append(next(book))
        return engines[-1]

    yield make
    for book in made:
        next(book, None)


@pytest.fixture(params=BACKENDS)
def bare_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    yield from empty_book(request.param, tmp_path)


@pytest.fixture(params=BACKENDS)
def engine(
    request: pytest.FixtureRequest, tmp_path: Path, migrated_sqlite: Path
) -> Iterator[Engine]:
    yield from migrated_book(request.param, tmp_path, migrated_sqlite)
