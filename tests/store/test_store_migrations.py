from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect, text
from sqlalchemy.orm import Session

from microlend import store
from microlend.ledger import Account, Header, ShareOfSalesTerms, funding, terms_to_json
from microlend.money import Money
from microlend.store import Base, LoanBookCommands, LoanBookQueries, in_transaction, migrate

DAY = date(2025, 3, 3)
SHARE = ShareOfSalesTerms(fee_rate=Decimal("0.10"), holdback_rate=Decimal("0.20"))

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


def _old_book(engine: Engine) -> None:
    """A book written at revision 0004, when amounts had two places: a 1234.56 USD loan
    disbursed, and the receipt stored for its disbursement (which named no currency)."""
    migrate(engine, "0004")
    sqlite = engine.dialect.name == "sqlite"
    principal = 123456 if sqlite else Decimal("1234.56")  # hundredths, on SQLite
    receipt = {
        "operation": "disburse",
        "loan_id": "L1",
        "business_date": "2025-03-03",
        "transaction_ids": ["T1"],
        "amount": "1234.56",
        "overpayment": "0",
        "status": "active",
    }
    statements = [
        (
            "INSERT INTO merchants (id, category, region, onboarded_at) VALUES "
            "('M1', 'toys', 'north', '2024-01-01T00:00:00+00:00')",
            {},
        ),
        (
            "INSERT INTO loans (id, merchant_id, product, terms, principal, currency, status, "
            "accepted_on, disbursed_on, days_past_due, bucket) VALUES ('L1', 'M1', "
            "'share_of_sales', :terms, :principal, 'USD', 'active', '2025-03-03', '2025-03-03', "
            "0, 'current')",
            {"terms": terms_to_json(SHARE), "principal": principal},
        ),
        (
            "INSERT INTO transactions (id, loan_id, kind, business_date, currency, "
            "idempotency_key) VALUES ('T1', 'L1', 'disbursement', '2025-03-03', 'USD', 'k1')",
            {},
        ),
        (
            "INSERT INTO postings (transaction_id, line, account, amount) VALUES "
            "('T1', 1, 'loans_receivable', :p), ('T1', 2, 'cash', :m)",
            {"p": principal, "m": -principal},
        ),
        (
            "INSERT INTO idempotency_keys (scope, key, operation, request_hash, response) "
            "VALUES ('', 'k1', 'disburse', 'h', :r)",
            {"r": json.dumps(receipt)},
        ),
    ]
    with engine.begin() as connection:
        for statement, values in statements:
            connection.execute(text(statement), values)


def test_a_book_at_two_places_keeps_its_amounts_at_four(bare_engine: Engine) -> None:
    _old_book(bare_engine)
    migrate(bare_engine)
    with Session(bare_engine) as session:
        queries = LoanBookQueries(session)
        assert queries.loan("L1").principal == Decimal("1234.56")
        assert str(queries.loan("L1").principal) == "1234.56"  # read at USD's places
        assert queries.balances("USD")[Account.LOANS_RECEIVABLE] == Decimal("1234.56")
        assert queries.trial_balance() == 0
        response = session.execute(text("SELECT response FROM idempotency_keys")).scalar_one()
    body = response if isinstance(response, dict) else json.loads(response)
    assert body["currency"] == "USD"
    with bare_engine.connect() as connection:
        raw = connection.execute(text("SELECT principal FROM loans")).scalar_one()
    # Ten-thousandths on SQLite; NUMERIC(18, 4) on PostgreSQL.
    assert raw == (12345600 if bare_engine.dialect.name == "sqlite" else Decimal("1234.5600"))
    # A KWD amount (three places) and a CLF one (four) are stored, and read back, exactly.
    for currency, amount in (("KWD", "1.234"), ("CLF", "0.0001"), ("JPY", "1000")):
        entry = funding(
            Header(f"f-{currency}", DAY, f"f-{currency}"), Money.exact(amount, currency)
        )
        in_transaction(bare_engine, lambda s, e=entry: LoanBookCommands(s).append([e]))
        with Session(bare_engine) as session:
            cash = LoanBookQueries(session).balances(currency)[Account.CASH]
        assert str(cash) == amount


def test_a_book_with_an_amount_too_large_for_four_places_is_not_migrated(
    bare_engine: Engine,
) -> None:
    _old_book(bare_engine)
    huge = 10**16 if bare_engine.dialect.name == "sqlite" else Decimal(10**14)
    with bare_engine.begin() as connection:
        connection.execute(text("UPDATE loans SET principal = :p"), {"p": huge})
    with pytest.raises(RuntimeError, match="needs a person"):
        migrate(bare_engine)
    with bare_engine.connect() as connection:
        versions = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    assert [row[0] for row in versions] == ["0004"]
