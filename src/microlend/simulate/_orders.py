"""Every order's details: time, amount, buyer, status, shipment, refund and review.

Quality is the one trait behind fulfilment and satisfaction: low-quality merchants cancel more,
ship late more often, get refunded more and rated lower, and keep fewer repeat buyers. Fake
orders (fraud) are never cancelled, refunded or late, and are rarely reviewed.

Times are whole seconds from the simulation start; ``-1`` marks an event that has not
happened by the data end.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from microlend.simulate._activity import Activity
from microlend.simulate._calendar import CATEGORIES
from microlend.simulate._traits import Traits

__all__ = ["CANCELLED", "COMPLETED", "PENDING", "STATUSES", "Orders", "draw_orders"]

Ints = NDArray[np.int64]
Floats = NDArray[np.float64]
Bools = NDArray[np.bool_]

STATUSES = ("pending", "completed", "cancelled")
PENDING, COMPLETED, CANCELLED = 0, 1, 2
DAY = 86_400
_FAKE_BUYER = 1_000_000  # fake buyer numbers start here, apart from a merchant's real pool
# Evening-heavy shopping day: weight of each hour 0..23.
_HOURS = np.array(
    [2, 1, 1, 1, 1, 1, 2, 3, 4, 5, 6, 7, 8, 7, 6, 6, 6, 7, 8, 9, 11, 12, 9, 5], dtype=np.float64
)


def _sigmoid(x: Floats) -> Floats:
    return np.asarray(1.0 / (1.0 + np.exp(-x)))


@dataclass(frozen=True)
class Orders:
    """Orders sorted by creation time; refunds and reviews point into them by position."""

    merchant: Ints
    created: Ints
    amount: Ints  # cents
    status: Ints  # index into STATUSES
    buyer: Ints  # buyer number within the merchant
    shipped: Bools  # has a shipment row: not cancelled, promise date before the data end
    promised_at: Ints
    shipped_at: Ints
    delivered_at: Ints
    refund_order: Ints
    refund_at: Ints
    refund_amount: Ints
    review_order: Ints
    review_at: Ints
    rating: Ints


def draw_orders(activity: Activity, traits: Traits, end: int, rng: np.random.Generator) -> Orders:
    """Details of every order in ``activity``; ``end`` is the data end in seconds."""
    n = len(activity.merchant)
    created = activity.day * DAY + rng.choice(24, size=n, p=_HOURS / _HOURS.sum()) * 3600
    created += rng.integers(0, 3600, size=n)
    order = np.argsort(created, kind="stable")
    merchant, created, fake = activity.merchant[order], created[order], activity.fake[order]
    quality = traits.quality[merchant]
    amount = traits.ticket[merchant] * np.where(
        fake, rng.lognormal(0.4, 0.2, n), rng.lognormal(0.0, 0.5, n)
    )
    cents = np.maximum(np.round(amount * 100.0), 100).astype(np.int64)
    cancelled = ~fake & (rng.random(n) < 0.01 + 0.06 * _sigmoid(-1.2 * quality - 1.5))
    late_p = np.where(fake, 0.01, _sigmoid(-2.0 - 1.1 * quality))
    late = ~cancelled & (rng.random(n) < late_p)
    promise = np.array([c.promise_days for c in CATEGORIES])[traits.category[merchant]] * DAY
    delivered_off = np.where(
        late,
        promise + rng.uniform(0.3, 4.0, n) * DAY,
        rng.uniform(0.3, 0.97, n) * promise,
    ).astype(np.int64)
    shipped_off = (delivered_off * rng.uniform(0.1, 0.4, n)).astype(np.int64)
    delivered_at = np.where(created + delivered_off < end, created + delivered_off, -1)
    shipped_at = np.where(created + shipped_off < end, created + shipped_off, -1)
    status = np.where(cancelled, CANCELLED, np.where(delivered_at >= 0, COMPLETED, PENDING))
    completed = status == COMPLETED
    refunded = completed & ~fake & (rng.random(n) < _sigmoid(-3.0 - 0.9 * quality + 0.9 * late))
    refund = _refunds(rng, refunded, delivered_at, cents, end)
    review = _reviews(rng, completed, fake, quality, late, refunded, delivered_at, end)
    return Orders(
        merchant=merchant,
        created=created,
        amount=cents,
        status=status.astype(np.int64),
        buyer=_buyers(rng, traits, merchant, fake),
        # Shipments are exported once their promise date has passed (the contract's records are
        # all before the data end); the few orders of the last days have none yet.
        shipped=~cancelled & (created + promise < end),
        promised_at=created + promise,
        shipped_at=shipped_at,
        delivered_at=delivered_at,
        refund_order=refund[0],
        refund_at=refund[1],
        refund_amount=refund[2],
        review_order=review[0],
        review_at=review[1],
        rating=review[2],
    )


def _refunds(
    rng: np.random.Generator, refunded: Bools, delivered_at: Ints, cents: Ints, end: int
) -> tuple[Ints, Ints, Ints]:
    which = np.flatnonzero(refunded)
    at = delivered_at[which] + (rng.uniform(1.0, 21.0, len(which)) * DAY).astype(np.int64)
    partial = rng.random(len(which)) < 0.3
    share = np.where(partial, rng.uniform(0.2, 0.8, len(which)), 1.0)
    amount = np.maximum(np.round(cents[which] * share), 1).astype(np.int64)
    keep = at < end
    return which[keep], at[keep], amount[keep]


def _reviews(
    rng: np.random.Generator,
    completed: Bools,
    fake: Bools,
    quality: Floats,
    late: Bools,
    refunded: Bools,
    delivered_at: Ints,
    end: int,
) -> tuple[Ints, Ints, Ints]:
    n = len(completed)
    reviewed = completed & (rng.random(n) < np.where(fake, 0.02, 0.35))
    which = np.flatnonzero(reviewed)
    score = (
        4.0
        + 0.7 * quality[which]
        - 1.2 * late[which]
        - 1.6 * refunded[which]
        + rng.normal(0.0, 0.7, len(which))
    )
    rating = np.where(fake[which], 5, np.clip(np.round(score), 1, 5)).astype(np.int64)
    at = delivered_at[which] + (rng.uniform(0.5, 12.0, len(which)) * DAY).astype(np.int64)
    keep = at < end
    return which[keep], at[keep], rating[keep]


def _buyers(rng: np.random.Generator, traits: Traits, merchant: Ints, fake: Bools) -> Ints:
    """Buyer numbers: a merchant's k-th new buyer is number k; repeat orders pick a past buyer.

    Good merchants keep their buyers: the chance an order comes from a past buyer rises with
    quality. Fake orders come from a handful of fresh accounts.
    """
    n = len(merchant)
    buyer = np.empty(n, dtype=np.int64)
    real = np.flatnonzero(~fake)
    by_merchant = real[np.argsort(merchant[real], kind="stable")]
    m = merchant[by_merchant]
    first = np.ones(len(m), dtype=bool)
    first[1:] = m[1:] != m[:-1]
    repeat_p = 0.15 + 0.5 * _sigmoid(0.9 * traits.quality[m])
    new = first | (rng.random(len(m)) >= repeat_p)
    seen: Ints = np.cumsum(new) - new  # new buyers before this order, over all merchants so far
    group_start = np.maximum.accumulate(np.where(first, np.arange(len(m)), 0))
    pool: Ints = seen - seen[group_start]
    picked = np.floor(rng.random(len(m)) * np.maximum(pool, 1)).astype(np.int64)
    buyer[by_merchant] = np.where(new, pool, picked)
    fakes = np.flatnonzero(fake)
    accounts = rng.integers(3, 11, size=traits.count)[merchant[fakes]]
    buyer[fakes] = _FAKE_BUYER + np.floor(rng.random(len(fakes)) * accounts).astype(np.int64)
    return buyer
