"""A key's last use: recorded on a check, at most once a minute (a write per request would
queue every request behind the book's one writer)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from microlend.service import Role, authenticate, create_api_key, list_api_keys


def test_last_use_is_recorded_once_a_minute(engine: Engine) -> None:
    key = create_api_key(engine, Role.SERVICING)
    first = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)

    def last_used() -> datetime | None:
        (record,) = list_api_keys(engine)
        used = record.last_used_at
        return None if used is None else used.replace(tzinfo=used.tzinfo or UTC)

    assert last_used() is None
    for seconds, expected in [
        (0, first),
        (30, first),
        (59, first),
        (60, first + timedelta(seconds=60)),
    ]:
        assert authenticate(engine, key, now=first + timedelta(seconds=seconds)) is not None
        assert last_used() == expected
