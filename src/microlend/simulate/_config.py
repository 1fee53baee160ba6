"""The settings of one simulated marketplace."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from microlend.dates import add_months
from microlend.errors import ConfigError
from microlend.money import is_currency

__all__ = ["SimulationConfig"]


@dataclass(frozen=True)
class SimulationConfig:
    """What to simulate. The defaults are the demo marketplace (about 14 million orders).

    ``fraud_share``: share of merchants that inflate their sales, apply, and vanish.
    ``apply_rate``: monthly chance that a typical eligible merchant applies for credit.
    ``performance_days``: the performance window of a loan, counted from its disbursal date.
    ``risk_level``: shifts every merchant's log failure hazard (0 is the calibrated level).
    ``group_attribute``: ``linked`` or ``unlinked`` adds a merchants column ``owner_group``
    with (or without) a real link to risk, to prove the fairness screen; ``None``: no column.
    """

    merchants: int = 20_000
    months: int = 24
    seed: int = 0
    start: date = date(2023, 1, 1)
    currency: str = "USD"
    fraud_share: float = 0.005
    apply_rate: float = 0.50
    performance_days: int = 365
    risk_level: float = 0.0
    group_attribute: str | None = None

    def __post_init__(self) -> None:
        if self.merchants < 1:
            raise ConfigError(f"merchants: expected at least 1, got {self.merchants}")
        if not 4 <= self.months <= 120:
            raise ConfigError(f"months: expected 4 to 120, got {self.months}")
        if self.seed < 0:
            raise ConfigError(f"seed: expected a non-negative integer, got {self.seed}")
        if not is_currency(self.currency):
            raise ConfigError(f"currency: {self.currency!r} is not an ISO 4217 code")
        for name in ("fraud_share", "apply_rate"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ConfigError(f"{name}: expected 0 to 1, got {value}")
        if self.group_attribute not in (None, "linked", "unlinked"):
            raise ConfigError(
                f"group_attribute: expected linked or unlinked, got {self.group_attribute!r}"
            )
        if self.performance_days < 1:
            raise ConfigError(f"performance_days: expected at least 1, got {self.performance_days}")

    @property
    def start_at(self) -> datetime:
        """The first instant of the data: ``start`` at midnight UTC."""
        return datetime(self.start.year, self.start.month, self.start.day, tzinfo=UTC)

    @property
    def end(self) -> datetime:
        """The data end (exclusive): ``start`` plus ``months``, at midnight UTC."""
        day = add_months(self.start, self.months)
        return datetime(day.year, day.month, day.day, tzinfo=UTC)

    @property
    def days(self) -> int:
        """The number of simulated days, ``[start, end)``."""
        return (self.end - self.start_at).days
