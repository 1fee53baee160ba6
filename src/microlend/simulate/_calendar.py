"""Categories and their calendars: yearly seasons (6.18, 11.11, holidays, new-year dip), weeks.

Each category is a row of parameters. The yearly curve is a smooth annual swing plus Gaussian
bumps around the marketplace's sales festivals; the festivals are fixed calendar days, so the
same curve repeats every year, as it does on real platforms.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from numpy.typing import NDArray

__all__ = ["CATEGORIES", "REGIONS", "Category", "season_matrix", "weekday_matrix"]


@dataclass(frozen=True)
class Category:
    """One product category: its sales calendar, basket size, fees, delivery promise and risk."""

    name: str
    share: float  # share of merchants
    ticket: float  # median order amount, in currency units
    swing: float  # amplitude of the smooth annual swing
    swing_peak: int  # day of year of the swing's peak
    double11: float  # extra demand at the 11.11 festival peak
    mid618: float  # extra demand at the 6.18 festival peak
    holiday: float  # extra demand before Christmas
    new_year_dip: float  # demand lost around the lunar new year
    weekend: float  # weekend uplift (negative: weekday business)
    fee_bp: int  # platform fee, basis points of sales
    promise_days: int  # promised delivery time
    risk: float  # additive log failure hazard of the category


CATEGORIES: tuple[Category, ...] = (
    Category("apparel", 0.22, 28.0, 0.15, 330, 2.2, 1.2, 0.4, 0.45, 0.20, 500, 5, 0.10),
    Category("electronics", 0.12, 85.0, 0.05, 340, 2.8, 1.8, 0.6, 0.30, 0.10, 300, 4, 0.00),
    Category("home", 0.15, 42.0, 0.10, 100, 1.6, 1.0, 0.3, 0.35, 0.25, 450, 6, -0.10),
    Category("beauty", 0.13, 22.0, 0.05, 120, 2.4, 1.4, 0.5, 0.30, 0.15, 550, 4, 0.05),
    Category("food", 0.10, 18.0, 0.10, 20, 0.8, 0.6, 0.9, 0.10, 0.05, 400, 3, -0.20),
    Category("toys", 0.08, 26.0, 0.10, 350, 1.8, 0.8, 1.6, 0.40, 0.30, 450, 5, 0.15),
    Category("sports", 0.10, 38.0, 0.25, 170, 1.4, 1.0, 0.3, 0.30, 0.35, 450, 5, 0.05),
    Category("books", 0.10, 15.0, 0.10, 245, 1.0, 0.7, 0.5, 0.25, 0.10, 350, 4, -0.15),
)

REGIONS: tuple[tuple[str, float], ...] = (
    ("north", 0.24),
    ("south", 0.22),
    ("east", 0.28),
    ("west", 0.18),
    ("central", 0.08),
)

# Festival days of year (non-leap numbering is close enough for a demand curve).
_DOUBLE11, _MID618, _CHRISTMAS, _LUNAR_NEW_YEAR = 315, 169, 352, 36


def _bump(doy: NDArray[np.float64], centre: int, width: float) -> NDArray[np.float64]:
    # Circular distance, so a bump near 31 December wraps into January.
    distance = np.abs(doy - centre)
    distance = np.minimum(distance, 365.0 - distance)
    return np.asarray(np.exp(-0.5 * (distance / width) ** 2))


def season_matrix(start: date, days: int) -> NDArray[np.float64]:
    """Yearly demand multiplier, shape (categories, days); about 1 on an ordinary day."""
    doy = np.array(
        [(start + timedelta(days=d)).timetuple().tm_yday for d in range(days)], dtype=np.float64
    )
    rows = []
    for cat in CATEGORIES:
        curve = 1.0 + cat.swing * np.cos(2 * np.pi * (doy - cat.swing_peak) / 365.0)
        curve += cat.double11 * _bump(doy, _DOUBLE11, 3.0)
        curve += cat.mid618 * _bump(doy, _MID618, 3.0)
        curve += cat.holiday * _bump(doy, _CHRISTMAS, 7.0)
        curve *= 1.0 - cat.new_year_dip * _bump(doy, _LUNAR_NEW_YEAR, 6.0)
        rows.append(curve)
    return np.vstack(rows)


def weekday_matrix(start: date, days: int) -> NDArray[np.float64]:
    """Weekly demand multiplier, shape (categories, days); weekends up or down by category."""
    weekday = (start.weekday() + np.arange(days)) % 7
    weekend = (weekday >= 5).astype(np.float64)
    uplift = np.array([cat.weekend for cat in CATEGORIES])[:, None]
    # Normalised so a week's total demand does not depend on the uplift.
    return np.asarray((1.0 + uplift * weekend) / (1.0 + uplift * 2.0 / 7.0))
