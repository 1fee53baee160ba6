"""End of day on a book of N active loans, on SQLite and on PostgreSQL: postings per second.

Half the loans are fixed-instalment loans whose first interest falls due on the business date
(one accrual each: 2 postings); half are share-of-sales loans 90 days past due (one write-off
each: 4 postings). The book is loaded in bulk (merchants, loans, disbursements), then
``microlend.service.end_of_day`` runs once and is timed.

    .venv/bin/python benchmarks/bench_end_of_day.py                # 100 000 loans
    .venv/bin/python benchmarks/bench_end_of_day.py --loans 5000   # quick check
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session

from microlend.ledger import (
    Covenant,
    FixedInstalmentTerms,
    Header,
    ShareOfSalesTerms,
    Terms,
    Transaction,
    disbursement,
    funding,
)
from microlend.money import Money
from microlend.service import end_of_day
from microlend.settings import Settings
from microlend.store import (
    LoanBookCommands,
    LoanBookQueries,
    LoanRecord,
    LoanStatus,
    MerchantRecord,
    create_engine_for,
    in_transaction,
    migrate,
)
from microlend.types import LoanId, MerchantId

BUSINESS_DATE = date(2025, 6, 30)
FIXED = FixedInstalmentTerms(annual_rate=Decimal("0.24"), count=12)
SHARE = ShareOfSalesTerms(Decimal("0.10"), Decimal("0.15"), covenant=Covenant(3, 30))
CHUNK = 5000


def _loan(number: int) -> tuple[LoanRecord, Terms]:
    fixed = number % 2 == 0
    terms: Terms = FIXED if fixed else SHARE
    # Fixed loans reach their first due date today; share loans are 90 days past their first.
    disbursed = date(2025, 5, 30) if fixed else BUSINESS_DATE - timedelta(days=120)
    loan = LoanRecord(
        loan_id=LoanId(f"L{number:08d}"),
        merchant_id=MerchantId(f"M{number // 10:07d}"),
        decision_id=None,
        terms=terms,
        principal=Decimal(1000 + number % 9000),
        currency="USD",
        status=LoanStatus.ACTIVE,
        accepted_on=disbursed,
        disbursed_on=disbursed,
    )
    return loan, terms


def load_book(engine: Engine, loans: int) -> None:
    """Merchants, loans and disbursements in bulk, with enough capital to lend them."""
    onboarded = datetime(2023, 1, 1, tzinfo=UTC)
    merchants = [
        MerchantRecord(MerchantId(f"M{m:07d}"), "toys", "north", onboarded)
        for m in range((loans + 9) // 10)
    ]
    capital = Money(Decimal(10_000) * loans, "USD")
    fund = funding(Header("fund", date(2025, 1, 1), "bench:fund"), capital)

    def first(session: Session) -> None:
        commands = LoanBookCommands(session)
        commands.add_merchants(merchants)
        commands.lock_book("USD", create=True)
        commands.append([fund])

    in_transaction(engine, first)
    for start in range(0, loans, CHUNK):
        batch = [_loan(n) for n in range(start, min(loans, start + CHUNK))]
        entries = [
            disbursement(
                Header(
                    f"d-{loan.loan_id}", loan.accepted_on, f"bench:{loan.loan_id}", loan.loan_id
                ),
                terms,
                loan.principal_money,
            )
            for loan, terms in batch
        ]

        in_transaction(
            engine, partial(_add_loans, loans=[loan for loan, _ in batch], entries=entries)
        )


def _add_loans(session: Session, *, loans: list[LoanRecord], entries: list[Transaction]) -> None:
    commands = LoanBookCommands(session)
    commands.add_loans(loans)
    commands.append(entries)


def run(name: str, engine: Engine, loans: int, batch_size: int) -> float:
    migrate(engine)
    started = time.perf_counter()
    load_book(engine, loans)
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    report = end_of_day(engine, BUSINESS_DATE, batch_size=batch_size)
    elapsed = time.perf_counter() - started
    with Session(engine) as session:
        assert LoanBookQueries(session).trial_balance() == 0
    assert report.loans_aged == loans, report
    rate = report.postings / elapsed
    print(
        f"{name:<10} {loans:>8,} loans  load {loaded:6.1f} s  end of day {elapsed:6.1f} s  "
        f"{report.postings:>8,} postings  {rate:>9,.0f} postings/s  "
        f"({report.interest_accruals:,} accruals, {report.write_offs:,} write-offs)"
    )
    return rate


@contextmanager
def postgres_schema(url: str) -> Iterator[str]:
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield schema
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loans", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--pg-url", default=Settings.from_env().test_pg_url)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        sqlite = create_engine_for(f"sqlite:///{Path(folder) / 'book.db'}")
        sqlite_rate = run("sqlite", sqlite, args.loans, args.batch_size)
        sqlite.dispose()
    with postgres_schema(args.pg_url) as schema:
        postgres = create_engine_for(args.pg_url, schema=schema)
        pg_rate = run("postgresql", postgres, args.loans, args.batch_size)
        postgres.dispose()
    print(f"postgresql / sqlite: {pg_rate / sqlite_rate:.2f}")


if __name__ == "__main__":
    main()
