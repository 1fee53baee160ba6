"""The platform the day-cycle tests close business days of (``daily_inbox`` in conftest.py): a
simulated market whose history up to ``START`` comes as one batch, then one batch a day."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from microlend.simulate import SimulationConfig, daily_batches, simulate

#: Small enough to close a day in seconds; long enough that merchants qualify and are paid out.
DAILY_MARKET = SimulationConfig(merchants=150, months=24, seed=7)
#: The first business day: the history batch ends the day before.
START = date(2024, 12, 16)


def write_inbox(inbox: Path) -> Path:
    """Write the platform's history and daily batches into ``inbox``; return it."""
    run = simulate(DAILY_MARKET)
    daily_batches(run.tables, inbox, start=START, end=run.end, currency="USD")
    return inbox
