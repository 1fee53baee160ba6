"""Payment pauses: days on which a loan's obligations stand still.

A pause covers the days ``starts_on`` up to, not including, ``ends_on``. Every instalment (or
covenant milestone) due on or after its start falls due the pause's length later, so a pause
moves each later due date by exactly its length; days past due do not count on paused days, so
a loan already late stays as late as it was on the eve of the pause until it ends. A pause
resumed early simply ends earlier (a pause resumed before it started is empty: it moves
nothing). Pauses are data: servicing reads them beside the postings, they post nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from itertools import pairwise

from microlend.dates import days_between
from microlend.errors import LedgerError
from microlend.ledger._schedule import Instalment

__all__ = ["Pause", "paused_on", "paused_schedule", "sorted_pauses", "unpaused_days"]


@dataclass(frozen=True)
class Pause:
    """A payment pause over ``starts_on`` .. ``ends_on`` (exclusive): ``days`` days long."""

    starts_on: date
    ends_on: date

    def __post_init__(self) -> None:
        if self.ends_on < self.starts_on:
            raise LedgerError(f"a pause cannot end ({self.ends_on}) before it starts")

    @classmethod
    def of_days(cls, starts_on: date, days: int) -> Pause:
        if days < 1:
            raise LedgerError(f"a pause lasts at least one day, got {days}")
        return cls(starts_on, starts_on + timedelta(days=days))

    @property
    def days(self) -> int:
        return days_between(self.starts_on, self.ends_on)

    def covers(self, day: date) -> bool:
        return self.starts_on <= day < self.ends_on

    def overlaps(self, other: Pause) -> bool:
        """Whether the two share a day (an empty pause shares none)."""
        return self.starts_on < other.ends_on and other.starts_on < self.ends_on

    def resumed(self, on: date) -> Pause:
        """This pause ended on ``on`` (the first day counted again), at most as long as it was,
        never before it started."""
        return replace(self, ends_on=min(self.ends_on, max(on, self.starts_on)))


def sorted_pauses(pauses: Iterable[Pause]) -> tuple[Pause, ...]:
    """The pauses in date order, empty ones dropped; ``LedgerError`` if two overlap."""
    ordered = sorted((p for p in pauses if p.days > 0), key=lambda p: p.starts_on)
    for before, after in pairwise(ordered):
        if before.overlaps(after):
            raise LedgerError(
                f"pauses overlap: {before.starts_on}..{before.ends_on} and "
                f"{after.starts_on}..{after.ends_on}"
            )
    return tuple(ordered)


def paused_schedule(
    schedule: Sequence[Instalment], pauses: Iterable[Pause]
) -> tuple[Instalment, ...]:
    """``schedule`` with each due date moved past the pauses that start on or before it."""
    ordered = sorted_pauses(pauses)
    if not ordered:
        return tuple(schedule)
    return tuple(replace(row, due_on=_moved(row.due_on, ordered)) for row in schedule)


def _moved(due_on: date, pauses: Sequence[Pause]) -> date:
    for pause in pauses:
        # A date moved past one pause may meet the next one: pauses are in date order.
        if pause.starts_on <= due_on:
            due_on += timedelta(days=pause.days)
    return due_on


def unpaused_days(since: date, until: date, pauses: Iterable[Pause]) -> int:
    """Days after ``since`` up to and including ``until`` that no pause covers (0 when
    ``until`` is not after ``since``)."""
    total = days_between(since, until)
    if total <= 0:
        return 0
    for pause in sorted_pauses(pauses):
        first = max(pause.starts_on, since + timedelta(days=1))
        last = min(pause.ends_on - timedelta(days=1), until)
        total -= max(0, days_between(first, last) + 1)
    return total


def paused_on(pauses: Iterable[Pause], day: date) -> bool:
    """Whether a pause covers ``day``."""
    return any(p.covers(day) for p in pauses)
