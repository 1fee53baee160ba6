"""Applications, the historical lender's decisions, loans and their outcomes.

Merchants apply at least 90 days after onboarding and once 90 days of records exist; need and
growth drive honest applications (worse and faster-growing merchants apply more), fraudsters
always apply, on the day they planned. The historical policy sees only the records before the
application: recent sales, ratings, refunds and tenure, plus noise (the judgement of the day).

A loan defaults when its merchant fails (or vanishes) within the performance window, the days
``1 .. performance_days`` after disbursal, which happens the same day as the application.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from microlend.simulate._config import SimulationConfig
from microlend.simulate._hazard import DAYS_PER_MONTH, failure_probability
from microlend.simulate._orders import CANCELLED, COMPLETED, DAY, Orders
from microlend.simulate._traits import Traits

__all__ = ["PRODUCT_TERMS", "Lending", "lend"]

Ints = NDArray[np.int64]
Floats = NDArray[np.float64]
Bools = NDArray[np.bool_]

_LOOKBACK = 90  # days of records the policy looks at
_MIN_SALES = 1_500_00  # cents of sales in the lookback the policy asks for
_MIN_TENURE = 120
_CUTOFF = -1.3
_COOLDOWN_FUNDED, _COOLDOWN_DECLINED = 120, 30
# The lender invites merchants whose recent sales meet its minimum (a pre-qualified offer on the
# seller dashboard); others may still apply, less often.
_UNINVITED = 0.2

#: (product, terms JSON) by product and price band (0 is the best band).
PRODUCT_TERMS: tuple[tuple[str, str], ...] = tuple(
    (product, json.dumps(terms, sort_keys=True))
    for product, terms in [
        *(
            (
                "share_of_sales",
                {
                    "product": "share_of_sales",
                    "fee_rate": fee,
                    "holdback_rate": hold,
                    "covenant": {"periods": 18, "period_days": 60},
                },
            )
            for fee, hold in (("0.06", "0.10"), ("0.09", "0.12"), ("0.12", "0.15"))
        ),
        *(
            (
                "fixed_instalment",
                {
                    "product": "fixed_instalment",
                    "annual_rate": rate,
                    "count": 12,
                    "frequency": "monthly",
                    "fee_rate": fee,
                },
            )
            for rate, fee in (("0.18", "0.01"), ("0.26", "0.02"), ("0.34", "0.03"))
        ),
    ]
)


@dataclass(frozen=True)
class Lending:
    """Applications (all arrays of one length) and, for the funded ones, loans and outcomes."""

    merchant: Ints
    applied_at: Ints  # seconds from the start
    requested: Ints  # cents
    funded: Bools
    true_pd: Floats
    # Funded applications only (same order as ``funded`` selects them):
    disbursed_at: Ints
    principal: Ints
    terms: Ints  # index into PRODUCT_TERMS
    defaulted: Bools
    default_at: Ints  # -1 when not defaulted
    matured: Bools
    observed_until: Ints


class _Records:
    """Cumulative per-merchant daily sums of the records, for point-in-time policy inputs."""

    def __init__(self, orders: Orders, merchants: int, days: int) -> None:
        live = orders.status != CANCELLED
        done = orders.status == COMPLETED
        self.sales = self._cumulate(
            orders.merchant[live], orders.created[live], merchants, days, orders.amount[live]
        )
        self.completed = self._cumulate(
            orders.merchant[done], orders.delivered_at[done], merchants, days
        )
        self.refunds = self._cumulate(
            orders.merchant[orders.refund_order], orders.refund_at, merchants, days
        )
        self.reviews = self._cumulate(
            orders.merchant[orders.review_order], orders.review_at, merchants, days
        )
        self.stars = self._cumulate(
            orders.merchant[orders.review_order], orders.review_at, merchants, days, orders.rating
        )

    @staticmethod
    def _cumulate(
        merchant: Ints, at: Ints, n: int, days: int, weight: Ints | None = None
    ) -> Floats:
        key = merchant * days + at // DAY
        w = None if weight is None else weight.astype(np.float64)
        daily = np.bincount(key, weights=w, minlength=n * days).reshape(n, days)
        out = np.zeros((n, days + 1))
        np.cumsum(daily, axis=1, out=out[:, 1:])
        return out

    def recent_sales(self, day: int) -> Floats:
        """Every merchant's sales in the lookback before ``day``, in cents."""
        return np.asarray(self.sales[:, day] - self.sales[:, max(day - _LOOKBACK, 0)])

    def policy_score(self, m: Ints, day: int, tenure: Ints, noise: Floats) -> tuple[Floats, Floats]:
        """(score, sales in the lookback in cents) from records strictly before ``day``."""
        lo = max(day - _LOOKBACK, 0)

        def window(table: Floats) -> Floats:
            return np.asarray(table[m, day] - table[m, lo])

        sales = window(self.sales)
        rating = (window(self.stars) + 4.0 * 5) / (window(self.reviews) + 5)
        refund_rate = (window(self.refunds) + 0.05 * 20) / (window(self.completed) + 20)
        score = (
            0.9 * np.log(np.maximum(sales, 1.0) / 3_000_00)
            + 1.2 * (rating - 4.0)
            - 6.0 * (refund_rate - 0.05)
            + 0.4 * np.log(np.maximum(tenure, 1) / 365.0)
            + noise
        )
        return score, sales


def lend(
    config: SimulationConfig,
    traits: Traits,
    orders: Orders,
    fail_day: Ints,
    rng: np.random.Generator,
) -> Lending:
    """Run applications and decisions day by day, then book loans and outcomes."""
    days, n = config.days, traits.count
    records = _Records(orders, n, days)
    stop = np.minimum(fail_day, traits.vanish_day)  # the first day it is gone
    propensity = (
        config.apply_rate
        / DAYS_PER_MONTH
        * np.exp(-0.4 * traits.quality + 6.0 * traits.growth - 0.2 * traits.stability)
    )
    next_allowed = np.zeros(n, dtype=np.int64)
    apps: list[tuple[Ints, Ints, Floats, Floats, Bools]] = []
    for a in range(_LOOKBACK, days):
        alive = stop > a
        honest = alive & ~traits.fraud & (traits.onboard_day <= a - _LOOKBACK)
        invited = records.recent_sales(a) >= _MIN_SALES
        chance = propensity * np.where(invited, 1.0, _UNINVITED)
        honest &= (next_allowed <= a) & (rng.random(n) < chance)
        m = np.flatnonzero(honest | (alive & (traits.fraud_apply_day == a)))
        if len(m) == 0:
            continue
        tenure = a - traits.onboard_day[m]
        score, sales = records.policy_score(m, a, tenure, rng.normal(0.0, 0.6, len(m)))
        funded = (sales >= _MIN_SALES) & (tenure >= _MIN_TENURE) & (score > _CUTOFF)
        next_allowed[m] = a + np.where(funded, _COOLDOWN_FUNDED, _COOLDOWN_DECLINED)
        apps.append((m, np.full(len(m), a, dtype=np.int64), score, sales, funded))
    m, day, score, sales, funded = (np.concatenate(part) for part in zip(*apps, strict=True))
    return _book(
        config, traits, rng, stop, m, day.astype(np.int64), score, sales, funded.astype(bool)
    )


def _book(
    config: SimulationConfig,
    traits: Traits,
    rng: np.random.Generator,
    stop: Ints,
    m: Ints,
    day: Ints,
    score: Floats,
    sales: Floats,
    funded: Bools,
) -> Lending:
    window, days = config.performance_days, config.days
    applied_at = day * DAY + rng.integers(8 * 3600, 22 * 3600, len(m))
    monthly = sales / 3.0
    requested = np.maximum(np.round(monthly * rng.uniform(0.8, 3.0, len(m)) / 100_00), 5) * 100_00
    f = np.flatnonzero(funded)
    principal = np.maximum(
        np.minimum(requested[f], np.floor(1.5 * monthly[f] / 100_00) * 100_00), 300_00
    )
    band = np.where(score[f] > 1.0, 0, np.where(score[f] > 0.2, 1, 2))
    terms = band + np.where(rng.random(len(f)) < 0.55, 0, 3)
    disbursed_at = np.minimum(
        applied_at[f] + rng.integers(120, 3600, len(f)), (day[f] + 1) * DAY - 1
    )
    gone = stop[m[f]]
    event = (gone >= day[f] + 1) & (gone <= day[f] + window)
    defaulted = event & (gone < days)
    default_at = np.where(defaulted, gone * DAY + rng.integers(0, DAY, len(f)), -1)
    window_end = (day[f] + window + 1) * DAY
    return Lending(
        merchant=m,
        applied_at=applied_at,
        requested=requested.astype(np.int64),
        funded=funded,
        true_pd=failure_probability(traits, m, day, window, config.risk_level),
        disbursed_at=disbursed_at,
        principal=principal.astype(np.int64),
        terms=terms.astype(np.int64),
        defaulted=defaulted,
        default_at=default_at,
        matured=window_end <= days * DAY,
        observed_until=np.minimum(window_end, days * DAY),
    )
