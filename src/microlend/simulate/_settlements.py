"""Weekly payouts: the platform settles each week's delivered sales less refunds and fees.

Sales count when delivered (the platform holds buyers' money until then, as marketplaces with
escrow do); a week (Monday to Sunday) of deliveries and refunds is paid out on the Monday one
week after it ends (T+7). Fees are the category's rate on the week's sales, rounded to the cent
half up; refunds are taken back in full and fees are not returned.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
from numpy.typing import NDArray

from microlend.simulate._calendar import CATEGORIES
from microlend.simulate._orders import COMPLETED, DAY, Orders
from microlend.simulate._traits import Traits

__all__ = ["PAYOUT_HOUR", "Settlements", "settle"]

Ints = NDArray[np.int64]
PAYOUT_HOUR = 6


@dataclass(frozen=True)
class Settlements:
    """One row per merchant and payout with money in cents; times in seconds from the start."""

    merchant: Ints
    settled_at: Ints
    gross: Ints
    fees: Ints
    net: Ints


def settle(orders: Orders, traits: Traits, start: date, days: int) -> Settlements:
    """Every payout made before the data end (``days`` after ``start``)."""
    offset = start.weekday()  # the week of day d starts on Monday (d + offset) // 7 weeks in
    weeks = (days + offset) // 7 + 1
    sold = np.flatnonzero(orders.status == COMPLETED)
    sales = _weekly(
        orders.merchant[sold],
        orders.delivered_at[sold],
        orders.amount[sold],
        offset,
        weeks,
        traits.count,
    )
    refunds = _weekly(
        orders.merchant[orders.refund_order],
        orders.refund_at,
        orders.refund_amount,
        offset,
        weeks,
        traits.count,
    )
    key = np.flatnonzero((sales != 0) | (refunds != 0))
    merchant, week = np.divmod(key, weeks)
    pay_day = 7 * (week + 2) - offset
    paid = pay_day < days
    key, merchant, pay_day = key[paid], merchant[paid], pay_day[paid]
    fee_bp = np.array([c.fee_bp for c in CATEGORIES], dtype=np.int64)[traits.category[merchant]]
    fees = (sales[key] * fee_bp + 5_000) // 10_000
    gross = sales[key] - refunds[key]
    return Settlements(
        merchant=merchant,
        settled_at=pay_day * DAY + PAYOUT_HOUR * 3600,
        gross=gross,
        fees=fees,
        net=gross - fees,
    )


def _weekly(merchant: Ints, at: Ints, cents: Ints, offset: int, weeks: int, n: int) -> Ints:
    week = (at // DAY + offset) // 7
    total = np.bincount(
        merchant * weeks + week, weights=cents.astype(np.float64), minlength=n * weeks
    )
    # Float sums of whole cents are exact below 2**53 cents (about 90 trillion in currency).
    return np.rint(total).astype(np.int64)
