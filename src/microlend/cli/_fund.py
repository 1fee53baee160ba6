"""``microlend fund``: bring capital into a loan book (the lender lends only what it holds)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated

import typer

from microlend.cli._app import app, console, edge
from microlend.cli._options import DEFAULT_DB, BookUrl
from microlend.errors import ConfigError

if TYPE_CHECKING:
    from microlend.money import Money

__all__ = ["fund"]

# Digits, then optionally a point and digits: no sign, exponent, grouping or spaces, so what
# is typed is exactly what is booked.
_PLAIN = re.compile(r"[0-9]+(?:\.[0-9]+)?")


@app.command()
@edge
def fund(
    amount: Annotated[
        str, typer.Option("--amount", help="The capital, e.g. 250000 or 1250.50 (plain decimal).")
    ],
    db: BookUrl = DEFAULT_DB,
    currency: Annotated[
        str | None,
        typer.Option("--currency", help="ISO 4217 code (default: the default policy's)."),
    ] = None,
    on: Annotated[
        str | None, typer.Option("--date", help="Business date YYYY-MM-DD (default: today, UTC).")
    ] = None,
    idempotency_key: Annotated[
        str | None,
        typer.Option(
            "--idempotency-key",
            help="Funds once per key (default: fund-AMOUNT-CURRENCY-DATE).",
        ),
    ] = None,
) -> None:
    """Put capital into the book's cash; the book is made (migrated) when new.

    Idempotent: the same key again funds nothing more and answers as the first time. The
    default key is fund-AMOUNT-CURRENCY-DATE (e.g. fund-250000.00-USD-2025-01-31), so the same
    command run twice funds once; give --idempotency-key to fund the same amount twice in a day.
    The amount may have at most the currency's decimal places (2 for USD).
    """
    from microlend.cli._book import migrated_book
    from microlend.dates import parse_date
    from microlend.money import format_money, to_text
    from microlend.policy import default_policy
    from microlend.service import fund_book
    from microlend.store import IDEMPOTENCY_KEY_LENGTH

    capital = _capital(amount, currency or default_policy().currency)
    day = parse_date(on) if on is not None else datetime.now(UTC).date()
    key = (
        idempotency_key
        or f"fund-{to_text(capital.amount, capital.currency)}-{capital.currency}-{day}"
    )
    if not key.strip() or len(key) > IDEMPOTENCY_KEY_LENGTH:
        raise ConfigError(f"--idempotency-key must be 1 to {IDEMPOTENCY_KEY_LENGTH} characters")
    engine = migrated_book(db)
    receipt = fund_book(engine, capital, day, key)
    engine.dispose()
    console.print(
        f"funded {format_money(receipt.amount, receipt.currency)} on {receipt.business_date} "
        f"(idempotency key {key}; transaction {', '.join(receipt.transaction_ids)})",
        highlight=False,
        soft_wrap=True,
        markup=False,
    )


def _capital(amount: str, currency: str) -> Money:
    """``amount`` exactly, refused when it is not a positive plain decimal with at most the
    currency's decimal places (rounding it would book another amount than the one typed)."""
    from decimal import Decimal

    from microlend.money import Money, currency_exponent

    places = currency_exponent(currency)
    if not _PLAIN.fullmatch(amount):
        raise ConfigError(
            f"--amount must be a plain decimal like 250000 or 1250.50, not {amount!r}"
        )
    value = Decimal(amount)
    if value <= 0:
        raise ConfigError(f"--amount must be positive, not {amount!r}")
    given = len(amount.partition(".")[2])
    if given > places:
        raise ConfigError(f"--amount {amount} has {given} decimal places; {currency} has {places}")
    return Money(value, currency)
