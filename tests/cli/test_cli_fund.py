"""``microlend fund``: capital into a book, exactly as typed, once per idempotency key."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner, Result

from microlend.cli import app
from microlend.ledger import Account
from microlend.policy import default_policy
from microlend.store import LoanBookQueries, create_engine_for

runner = CliRunner()


def _fund(url: str, *args: str) -> Result:
    return runner.invoke(app, ["fund", "--db", url, *args])


def _cash(url: str, currency: str) -> Decimal:
    engine = create_engine_for(url)
    try:
        with Session(engine) as session:
            return LoanBookQueries(session).balances(currency).get(Account.CASH, Decimal(0))
    finally:
        engine.dispose()


def test_fund_makes_the_book_and_funds_it_once_per_key(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.sqlite'}"
    currency = default_policy().currency
    first = _fund(url, "--amount", "250000.5", "--date", "2024-06-30")
    assert first.exit_code == 0, first.output
    assert f"funded 250,000.50 {currency} on 2024-06-30" in first.stdout
    assert f"fund-250000.50-{currency}-2024-06-30" in first.stdout
    # The same funding typed again (another spelling of the same amount) moves nothing.
    again = _fund(url, "--amount", "250000.50", "--date", "2024-06-30")
    assert again.exit_code == 0, again.output
    assert _cash(url, currency) == Decimal("250000.50")
    more = _fund(url, "--amount", "250000.50", "--date", "2024-06-30", "--idempotency-key", "k2")
    assert more.exit_code == 0, more.output
    assert _cash(url, currency) == Decimal("500001.00")
    other = _fund(url, "--amount", "1000", "--currency", "JPY", "--date", "2024-06-30")
    assert other.exit_code == 0, other.output
    assert "funded 1,000 JPY on 2024-06-30 (idempotency key fund-1000-JPY-" in other.stdout
    assert _cash(url, "JPY") == Decimal(1000)
    # Three places in KWD, stored exactly (the book stored two before migration 0005).
    kwd = _fund(url, "--amount", "1234.567", "--currency", "KWD", "--date", "2024-06-30")
    assert kwd.exit_code == 0, kwd.output
    assert "funded 1,234.567 KWD" in kwd.stdout
    assert _cash(url, "KWD") == Decimal("1234.567")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--amount", "10.005"], "has 3 decimal places; USD has 2"),
        (["--amount", "10.5", "--currency", "JPY"], "has 1 decimal places; JPY has 0"),
        (["--amount", "1e3"], "must be a plain decimal"),
        (["--amount", "-5"], "must be a plain decimal"),
        (["--amount", "0"], "must be positive"),
        (["--amount", "10", "--currency", "usd"], "unknown currency 'usd'"),
        (["--amount", "10", "--date", "30/06/2024"], "not a date"),
        (["--amount", "10", "--idempotency-key", "k" * 256], "--idempotency-key must be"),
    ],
)
def test_fund_refuses_an_amount_it_would_change(
    tmp_path: Path, args: list[str], message: str
) -> None:
    result = _fund(f"sqlite:///{tmp_path / 'b.sqlite'}", *args)
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()
    assert message in line
    assert list(tmp_path.iterdir()) == []


def test_a_key_reused_for_another_amount_is_a_conflict(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'b.sqlite'}"
    assert _fund(url, "--amount", "10", "--idempotency-key", "k").exit_code == 0
    result = _fund(url, "--amount", "20", "--idempotency-key", "k")
    assert result.exit_code == 2
    assert "IdempotencyConflictError" in result.stderr
    assert _cash(url, "USD") == Decimal("10.00")


def test_fund_help_says_the_default_key() -> None:
    result = runner.invoke(app, ["fund", "--help"], terminal_width=200)
    assert result.exit_code == 0
    assert "fund-AMOUNT-CURRENCY-DATE" in result.output
    assert "--idempotency-key" in result.output
