"""One business day closed: the records that arrived ingested, the store's day closed, every
merchant rated, the pre-qualified offers refreshed, the day's settlements collected, the book's
end of day, and the model watched (``_steps``).

Each step done is recorded in the book with its report (``store.DaySteps``), so a day is
resumable and idempotent: a run stopped by an error resumes after the last step recorded, and a
day already closed answers its report again and changes nothing. Days close in order: a day
before the last one the cycle ran, or before the store's last closed day, is refused.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from microlend.errors import ConfigError, MicrolendError
from microlend.policy import Policy
from microlend.service.daily._steps import STEPS, DayInputs, closed_through, run_step
from microlend.store import DaySteps, PrequalifiedOffer, in_transaction

__all__ = ["DayReport", "close_business_day", "prequalified_offers"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DayReport:
    """Each step's report, in order; ``resumed``: the steps found done before this run."""

    business_date: date
    steps: Mapping[str, Mapping[str, Any]]
    resumed: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "business_date": self.business_date.isoformat(),
            "steps": {name: dict(report) for name, report in self.steps.items()},
            "resumed": list(self.resumed),
        }


def close_business_day(
    store: Path,
    engine: Engine,
    model: Path,
    policy: Policy,
    day: date,
    *,
    at: datetime,
    inbox: Path | None = None,
) -> DayReport:
    """Close ``day``: every step not yet done for it, in order (``_steps.STEPS``).

    ``store``: the platform store; ``engine``: the loan book (migrated); ``model``: a saved
    model's folder; ``inbox``: a folder of batch folders waiting to be ingested; ``at``: now,
    recorded on the batches' receipts. An error names the step it stopped at (a note on it) and
    leaves the steps before it done."""
    done = in_transaction(engine, lambda s: DaySteps(s).done(day))
    resumed = tuple(step for step in STEPS if step in done)
    if len(resumed) < len(STEPS):
        _check_order(store, engine, day, done)
    inputs = DayInputs(Path(store), engine, Path(model), policy, day, inbox, at)
    reports = dict(done)
    for step in STEPS:
        if step in done:
            continue
        try:
            reports[step] = run_step(inputs, step)
        except (MicrolendError, OSError) as error:
            error.add_note(f"business day {day}, step {step}")
            raise
        logger.info("business day %s: %s done", day, step)
    return DayReport(day, {step: reports[step] for step in STEPS}, resumed)


def _check_order(store: Path, engine: Engine, day: date, done: Mapping[str, Any]) -> None:
    last = in_transaction(engine, lambda s: DaySteps(s).last_day())
    if last is not None and day < last:
        raise ConfigError(
            f"{day} is before {last}, the last business day closed in this book: days close "
            "in order"
        )
    closed = closed_through(Path(store))
    if closed is not None and day < closed and "close_store" not in done:
        raise ConfigError(f"{day} is before the store's last closed day, {closed}")


def prequalified_offers(engine: Engine, day: date) -> list[PrequalifiedOffer]:
    """The merchants invited to apply on ``day``, with the most each is offered."""
    return in_transaction(engine, lambda s: DaySteps(s).offers(day))
