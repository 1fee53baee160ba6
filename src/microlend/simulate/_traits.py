"""Latent traits of merchants: what really drives each business, never shown in the records.

Days are integers counted from the simulation start (day 0); a merchant onboarded before the
start has a negative ``onboard_day``. Its records begin at the start, as a platform export of
the last N months would.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from microlend.simulate._calendar import CATEGORIES, REGIONS
from microlend.simulate._config import SimulationConfig

__all__ = ["NEVER", "Traits", "draw_traits"]

#: A day that never comes (no failure, no fraud plan).
NEVER = np.iinfo(np.int32).max

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]
Bools = NDArray[np.bool_]


@dataclass(frozen=True)
class Traits:
    """One entry per merchant in every array."""

    category: Ints
    region: Ints
    onboard_day: Ints
    size: Floats  # log of the expected daily orders at the start of its records
    growth: Floats  # monthly log growth of demand
    quality: Floats  # standard normal: product and service quality
    stability: Floats  # standard normal: steadiness of demand
    ticket: Floats  # the merchant's median order amount
    fraud: Bools
    fraud_start_day: Ints  # when fake orders begin (NEVER if honest)
    fraud_apply_day: Ints  # when the fraudster applies
    vanish_day: Ints  # when the fraudster disappears
    failure_threshold: Floats  # Exp(1): the cumulative hazard at which the merchant fails
    group: Ints | None = None  # an optional owner group (``_groups``), 0 or 1
    group_risk: Floats | None = None  # log hazard the group adds, unseen in the records

    @property
    def count(self) -> int:
        return len(self.category)

    @property
    def active_from(self) -> Ints:
        """First day with records: onboarding, or the start for older merchants."""
        return np.maximum(self.onboard_day, 0)


def _choice(rng: np.random.Generator, shares: list[float], n: int) -> Ints:
    p = np.asarray(shares) / np.sum(shares)
    return rng.choice(len(p), size=n, p=p).astype(np.int64)


def draw_traits(config: SimulationConfig, rng: np.random.Generator) -> Traits:
    """Draw every merchant's traits; the population is the same for the same seed."""
    n, days = config.merchants, config.days
    category = _choice(rng, [c.share for c in CATEGORIES], n)
    region = _choice(rng, [share for _, share in REGIONS], n)
    # Two thirds joined in the three years before the data start, the rest during the window.
    before = rng.random(n) < 0.65
    onboard = np.where(
        before,
        -rng.integers(1, 3 * 365, size=n),
        rng.integers(0, max(days - 60, 1), size=n),
    ).astype(np.int64)
    # Heavy tail: a median merchant takes about half an order a day, the top 1 % over 30.
    size = np.clip(rng.normal(-0.45, 1.1, n), np.log(0.03), np.log(400.0))
    growth = np.clip(rng.normal(0.004, 0.018, n), -0.08, 0.08)
    quality = rng.standard_normal(n)
    stability = rng.standard_normal(n)
    base_ticket = np.array([c.ticket for c in CATEGORIES])[category]
    ticket = base_ticket * np.exp(rng.normal(0.0, 0.35, n))
    threshold = rng.exponential(1.0, n)
    fraud, start_day, apply_day, vanish = _fraud_plans(config, rng, onboard)
    return Traits(
        category=category,
        region=region,
        onboard_day=onboard,
        size=size,
        growth=growth,
        quality=quality,
        stability=stability,
        ticket=ticket,
        fraud=fraud,
        fraud_start_day=start_day,
        fraud_apply_day=apply_day,
        vanish_day=vanish,
        failure_threshold=threshold,
    )


def _fraud_plans(
    config: SimulationConfig, rng: np.random.Generator, onboard: Ints
) -> tuple[Bools, Ints, Ints, Ints]:
    """Fraudsters pick an application day, inflate sales for 6-10 weeks before it, then vanish
    20-90 days after applying, whatever the lender decided."""
    n, days = len(onboard), config.days
    earliest = np.maximum(onboard + 120, 100)
    fraud = (rng.random(n) < config.fraud_share) & (earliest < days - 5)
    apply_day = earliest + np.floor(rng.random(n) * np.maximum(days - 5 - earliest, 1))
    apply_day = apply_day.astype(np.int64)
    inflate = rng.integers(42, 71, size=n)
    vanish = apply_day + rng.integers(20, 91, size=n)
    never = np.full(n, NEVER, dtype=np.int64)
    return (
        fraud,
        np.where(fraud, apply_day - inflate, never),
        np.where(fraud, apply_day, never),
        np.where(fraud, vanish, never),
    )
