"""Daily demand of every merchant, and its failure: one loop over days, vectorised over merchants.

Expected orders of a merchant on a day = trend level x ramp-up after onboarding x its category's
season and weekday x an AR(1) log-noise (wider for unstable merchants) x shocks (sudden drops,
more frequent for unstable merchants) x, after failure, a fast fade to nothing. Fraudsters add
fake orders in the weeks before they apply.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from microlend.simulate._calendar import season_matrix, weekday_matrix
from microlend.simulate._config import SimulationConfig
from microlend.simulate._hazard import daily_hazard, level
from microlend.simulate._traits import NEVER, Traits

__all__ = ["Activity", "simulate_activity"]

_NOISE_PERSISTENCE = 0.75  # day-to-day correlation of the log-noise: swings last days
_FADE_DAYS = 6.0  # time constant of the fade after failure
_FADE_END = 28  # days after failure when the last order comes
_RAMP_DAYS = 45.0  # a new shop takes a few weeks to find its buyers


@dataclass(frozen=True)
class Activity:
    """Orders as (merchant, day, fake) triples, and each merchant's failure day."""

    merchant: NDArray[np.int64]
    day: NDArray[np.int64]
    fake: NDArray[np.bool_]
    fail_day: NDArray[np.int64]  # the first failed day (NEVER if it survives)


@dataclass
class _State:
    noise: NDArray[np.float64]
    shock_until: NDArray[np.int64]
    shock_factor: NDArray[np.float64]
    cum_hazard: NDArray[np.float64]
    fail_day: NDArray[np.int64]


def simulate_activity(
    config: SimulationConfig,
    traits: Traits,
    rng: np.random.Generator,
    progress: Callable[[float], None] | None = None,
) -> Activity:
    """Run the marketplace day by day; returns every order's merchant and day."""
    n, days = traits.count, config.days
    idx = np.arange(n, dtype=np.int64)
    sigma = 0.30 * np.exp(-0.5 * traits.stability)
    shock_rate = 0.003 * np.exp(-0.6 * traits.stability)
    fake_rate = rng.uniform(2.5, 6.0, n) * np.exp(traits.size) + 1.5
    season = season_matrix(config.start, days)[traits.category]
    weekday = weekday_matrix(config.start, days)[traits.category]
    state = _State(
        noise=rng.standard_normal(n) * sigma,
        shock_until=np.full(n, -1, dtype=np.int64),
        shock_factor=np.ones(n),
        cum_hazard=np.zeros(n),
        fail_day=np.full(n, NEVER, dtype=np.int64),
    )
    merchants, order_days, fakes = [], [], []
    for d in range(days):
        day = np.full(n, d, dtype=np.int64)
        _fail(state, traits, idx, day, d, config.risk_level)
        _shock(state, rng, shock_rate, d)
        state.noise = _NOISE_PERSISTENCE * state.noise + np.sqrt(
            1 - _NOISE_PERSISTENCE**2
        ) * sigma * rng.standard_normal(n)
        rate = np.exp(level(traits, idx, day) + state.noise - 0.5 * sigma**2)
        rate *= season[:, d] * weekday[:, d] * _ramp(traits, d) * _fade(state.fail_day, d)
        rate = np.where(d < state.shock_until, rate * state.shock_factor, rate)
        rate = np.where((d >= traits.active_from) & (d < traits.vanish_day), rate, 0.0)
        real = rng.poisson(rate)
        fake = rng.poisson(_fake_rate(traits, fake_rate, d) * _fade(state.fail_day, d))
        for counts, is_fake in ((real, False), (fake, True)):
            hit = np.flatnonzero(counts)
            merchants.append(np.repeat(hit, counts[hit]))
            fakes.append(np.full(int(counts[hit].sum()), is_fake))
            order_days.append(np.full(len(merchants[-1]), d, dtype=np.int64))
        if progress is not None and d % 30 == 0:
            progress(d / days)
    return Activity(
        merchant=np.concatenate(merchants).astype(np.int64),
        day=np.concatenate(order_days),
        fake=np.concatenate(fakes),
        fail_day=state.fail_day,
    )


def _fail(
    state: _State,
    traits: Traits,
    idx: NDArray[np.int64],
    day: NDArray[np.int64],
    d: int,
    risk_level: float,
) -> None:
    # Merchants alive before the data start are survivors: their hazard is counted from day 0,
    # which is exact because the hazard is deterministic (the past changes nothing ahead).
    state.cum_hazard += daily_hazard(traits, idx, day, risk_level)
    failing = (state.fail_day == NEVER) & (state.cum_hazard >= traits.failure_threshold)
    state.fail_day[failing] = d


def _shock(state: _State, rng: np.random.Generator, rate: NDArray[np.float64], d: int) -> None:
    n = len(rate)
    start = (rng.random(n) < rate) & (state.shock_until <= d)
    state.shock_until = np.where(start, d + rng.integers(7, 36, n), state.shock_until)
    state.shock_factor = np.where(start, rng.uniform(0.15, 0.6, n), state.shock_factor)


def _ramp(traits: Traits, d: int) -> NDArray[np.float64]:
    age = np.maximum(d - traits.onboard_day, 0)
    return np.asarray(1.0 - 0.85 * np.exp(-age / _RAMP_DAYS))


def _fade(fail_day: NDArray[np.int64], d: int) -> NDArray[np.float64]:
    since = d - fail_day + 1.0
    faded = np.where(since < _FADE_END, np.exp(-np.clip(since, 0, _FADE_END) / _FADE_DAYS), 0.0)
    return np.where(since <= 0, 1.0, faded)


def _fake_rate(traits: Traits, fake_rate: NDArray[np.float64], d: int) -> NDArray[np.float64]:
    # Fake orders ramp up over two weeks and stop a week after the application.
    into = d - traits.fraud_start_day
    on = (into >= 0) & (d < np.minimum(traits.fraud_apply_day + 7, traits.vanish_day))
    return np.where(on, fake_rate * np.minimum((into + 1) / 14.0, 1.0), 0.0)
