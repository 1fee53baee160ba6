from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from microlend.dates import (
    add_months,
    as_of_instant,
    days_between,
    month_start,
    parse_date,
    parse_timestamp,
    to_utc,
    window,
)
from microlend.errors import ConfigError


def test_as_of_is_midnight_utc_and_windows_are_half_open() -> None:
    start, end = window(date(2024, 3, 1), 30)
    assert end == datetime(2024, 3, 1, tzinfo=UTC)
    assert start == datetime(2024, 1, 31, tzinfo=UTC)
    assert as_of_instant(date(2024, 3, 1)) == end
    with pytest.raises(ValueError, match="positive"):
        window(date(2024, 3, 1), 0)


def test_timestamps_parse_to_utc() -> None:
    assert parse_timestamp("2024-05-01T10:00:00+02:00") == datetime(2024, 5, 1, 8, tzinfo=UTC)
    assert parse_timestamp("2024-05-01T10:00:00Z") == datetime(2024, 5, 1, 10, tzinfo=UTC)
    assert parse_timestamp("2024-05-01 10:00") == datetime(2024, 5, 1, 10, tzinfo=UTC)
    plus_five = timezone(timedelta(hours=5))
    assert to_utc(datetime(2024, 1, 1, 5, tzinfo=plus_five)) == datetime(2024, 1, 1, tzinfo=UTC)
    with pytest.raises(ConfigError, match="2024-13-01"):
        parse_date("2024-13-01")
    with pytest.raises(ConfigError, match="yesterday"):
        parse_timestamp("yesterday")


def test_add_months_clamps_to_month_end() -> None:
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2023, 1, 31), 1) == date(2023, 2, 28)
    assert add_months(date(2024, 11, 15), 3) == date(2025, 2, 15)
    assert add_months(date(2024, 3, 15), -3) == date(2023, 12, 15)
    assert month_start(date(2024, 3, 15)) == date(2024, 3, 1)


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 1, 1)), st.integers(-240, 240))
def test_add_months_round_trips_for_early_days(day: date, months: int) -> None:
    early = day.replace(day=min(day.day, 28))
    assert add_months(add_months(early, months), -months) == early


@given(st.dates(), st.dates())
def test_days_between_is_antisymmetric(a: date, b: date) -> None:
    assert days_between(a, b) == -days_between(b, a)
    assert days_between(a, b) == (b - a).days
