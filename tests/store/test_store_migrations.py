from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text

from microlend import store
from microlend.store import Base, migrate

TABLES = {
    "merchants",
    "decisions",
    "loans",
    "books",
    "transactions",
    "postings",
    "idempotency_keys",
}


def test_migrations_create_every_table(bare_engine: Engine) -> None:
    assert not TABLES & set(inspect(bare_engine).get_table_names())
    migrate(bare_engine)
    assert set(inspect(bare_engine).get_table_names()) >= TABLES


def test_migrating_twice_changes_nothing(bare_engine: Engine) -> None:
    migrate(bare_engine)
    migrate(bare_engine)
    with bare_engine.connect() as connection:
        versions = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    assert [row[0] for row in versions] == [_head()]


def _head() -> str:
    """The newest revision of the shipped migrations, read from their own files."""
    config = Config()
    config.set_main_option("script_location", str(Path(store.__file__).parent / "migrations"))
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head


def test_migrations_build_exactly_the_declared_tables(bare_engine: Engine) -> None:
    migrate(bare_engine)
    with bare_engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_postings_keep_money_as_exact_decimals(bare_engine: Engine) -> None:
    migrate(bare_engine)
    columns = {c["name"]: c["type"] for c in inspect(bare_engine).get_columns("postings")}
    # Never a float column: Numeric(18, 2) on PostgreSQL, whole cents in an integer on SQLite.
    assert "FLOAT" not in str(columns["amount"]).upper()
    assert "REAL" not in str(columns["amount"]).upper()


def test_sqlite_books_write_ahead_and_sync_every_commit(tmp_path: Path) -> None:
    """The docs promised synchronous=FULL, but nothing set it (NORMAL in WAL may lose the last
    commits on power loss)."""
    engine = store.create_engine_for(f"sqlite:///{tmp_path / 'book.db'}")
    with engine.connect() as connection:
        journal = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
        synchronous = connection.exec_driver_sql("PRAGMA synchronous").scalar()
        foreign_keys = connection.exec_driver_sql("PRAGMA foreign_keys").scalar()
    engine.dispose()
    assert (journal, synchronous, foreign_keys) == ("wal", 2, 1)  # 2 is FULL
