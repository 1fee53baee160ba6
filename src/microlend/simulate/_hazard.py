"""The failure hazard: the one mechanism behind both merchants' failures and loan defaults.

A merchant's hazard on a day is a deterministic function of its latent traits and the day (its
age and its trend level then), never of chance events. So, given the traits and that the
merchant is alive on day ``a``, the probability that it fails within the next ``w`` days is
exactly ``1 - exp(-(h(a+1) + ... + h(a+w)))``, the true PD the simulator publishes.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from microlend.simulate._calendar import CATEGORIES
from microlend.simulate._traits import Traits

__all__ = ["DAYS_PER_MONTH", "daily_hazard", "failure_probability", "level"]

DAYS_PER_MONTH = 365.25 / 12

# Log annual hazard = _BASE + risk_level + the terms below (coefficients per unit of trait).
_BASE = -3.1
_QUALITY = -1.9
_STABILITY = -0.15
_GROWTH = -2.0  # per unit of monthly log growth: -5 % a month adds 0.1
_SIZE = -0.55  # per unit of log daily orders
_YOUTH = 1.6  # added in full at onboarding, fading with a 6-month time constant
_YOUTH_DAYS = 180.0
_CATEGORY_RISK = np.array([c.risk for c in CATEGORIES])

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]


def level(traits: Traits, idx: Ints, day: Ints) -> Floats:
    """Log expected daily orders from trend alone: size plus growth since records began."""
    months = np.maximum(day - traits.active_from[idx], 0) / DAYS_PER_MONTH
    return np.asarray(traits.size[idx] + traits.growth[idx] * months)


def daily_hazard(traits: Traits, idx: Ints, day: Ints, risk_level: float = 0.0) -> Floats:
    """Hazard of failing on ``day`` for merchants ``idx`` (broadcast together); 0 before onboarding.

    ``idx`` and ``day`` may be (k,) with (k,) or (k, 1) with (k, w) arrays.
    """
    age = day - traits.onboard_day[idx]
    log_annual = (
        _BASE
        + risk_level
        + _QUALITY * traits.quality[idx]
        + _STABILITY * traits.stability[idx]
        + _GROWTH * traits.growth[idx]
        + _SIZE * level(traits, idx, day)
        + _YOUTH * np.exp(-np.maximum(age, 0) / _YOUTH_DAYS)
        + _CATEGORY_RISK[traits.category[idx]]
    )
    if traits.group_risk is not None:
        log_annual = log_annual + traits.group_risk[idx]
    alive = (age >= 0) & (day >= 0)
    return np.where(alive, np.exp(log_annual) / 365.25, 0.0)


def failure_probability(
    traits: Traits, idx: Ints, day: Ints, window: int, risk_level: float = 0.0
) -> Floats:
    """P(fail on one of days ``day+1 .. day+window`` | alive on ``day``): the exact true PD.

    Fraudsters' plans end within the window by construction, so theirs is 1.
    """
    idx = np.asarray(idx, dtype=np.int64)
    ahead = np.asarray(day, dtype=np.int64)[:, None] + np.arange(1, window + 1)[None, :]
    integrated = daily_hazard(traits, idx[:, None], ahead, risk_level).sum(axis=1)
    pd = -np.expm1(-integrated)
    vanishes = traits.vanish_day[idx] <= np.asarray(day) + window
    return np.where(vanishes, 1.0, pd)
