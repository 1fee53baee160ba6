"""As-of dates: the business date is an argument, never the clock.

Nothing here reads the current time; only the cli and the api do. Every timestamp in microlend
is timezone-aware UTC. A feature "as of" date ``D`` sees events strictly before ``D`` 00:00 UTC.
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta

from microlend.errors import ConfigError

__all__ = [
    "add_months",
    "as_of_instant",
    "days_between",
    "iso_utc",
    "month_start",
    "parse_date",
    "parse_timestamp",
    "to_utc",
    "window",
]


def to_utc(moment: datetime) -> datetime:
    """The same instant in UTC; a naive timestamp is taken to be UTC (the contract's rule)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def iso_utc(moment: datetime) -> str:
    """A UTC moment in ISO 8601 with ``Z`` (``2024-01-01T00:00:00Z``): how the records' files,
    messages and reports write a time."""
    return moment.isoformat().replace("+00:00", "Z")


def parse_date(text: str) -> date:
    """Parse ``YYYY-MM-DD``; raises ``ConfigError`` naming the text otherwise."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ConfigError(f"not a date: {text!r} (expected YYYY-MM-DD)") from None


def parse_timestamp(text: str) -> datetime:
    """Parse an ISO 8601 timestamp (``Z`` or an offset allowed) into UTC."""
    try:
        return to_utc(datetime.fromisoformat(text.strip()))
    except ValueError:
        raise ConfigError(f"not a timestamp: {text!r} (expected ISO 8601)") from None


def as_of_instant(as_of: date | datetime) -> datetime:
    """The cut-off instant of an as-of date: its midnight UTC. Events before it are visible."""
    if isinstance(as_of, datetime):
        return to_utc(as_of)
    return datetime(as_of.year, as_of.month, as_of.day, tzinfo=UTC)


def window(as_of: date | datetime, days: int) -> tuple[datetime, datetime]:
    """The half-open interval ``[as_of - days, as_of)`` of a trailing window."""
    if days <= 0:
        raise ValueError(f"a window needs a positive number of days, got {days}")
    end = as_of_instant(as_of)
    return end - timedelta(days=days), end


def days_between(start: date | datetime, end: date | datetime) -> int:
    """Whole days from ``start`` to ``end`` (negative if ``end`` is earlier)."""
    return (as_of_instant(end) - as_of_instant(start)).days


def add_months(day: date, months: int) -> date:
    """``day`` moved by ``months`` months, clamped to the month's end (Jan 31 + 1 -> Feb 28)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def month_start(day: date) -> date:
    """The first day of ``day``'s month."""
    return day.replace(day=1)
