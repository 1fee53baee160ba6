"""A calibration verdict on the book: does any score band default more than its PD said?

Each band with loans is tested as a validator tests a rating grade (the Jeffreys test of
``microlend.models``): its PD is too low when the posterior of its observed default rate puts
less than ``LEVEL`` below the band's mean PD. The verdict rests on evidence: with fewer than
``min_bads`` defaults in all it is ``insufficient``, since a handful of defaults shows nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from microlend.models import jeffreys_p_value
from microlend.monitoring._stability import Verdict

__all__ = ["LEVEL", "CalibrationVerdict", "calibration_verdict"]

#: The test level, the model report's: a band is rejected when its p-value falls under it.
LEVEL = 0.05


@dataclass(frozen=True)
class CalibrationVerdict:
    """``act`` when some band's PD is too low (``underestimated`` names them), ``stable`` when
    none is, ``insufficient`` below the minimum; ``bads`` is the defaults it rests on."""

    verdict: Verdict
    bads: int
    underestimated: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "verdict": self.verdict.value,
            "bads": self.bads,
            "underestimated": list(self.underestimated),
        }


def calibration_verdict(table: pd.DataFrame, *, min_bads: int = 0) -> CalibrationVerdict:
    """The verdict on a ``calibration_by_band`` table (``band``, ``loans``, ``predicted``,
    ``defaults``): ``insufficient`` with fewer than ``min_bads`` defaults in all."""
    bads = int(table["defaults"].sum())
    if bads < min_bads:
        return CalibrationVerdict(Verdict.INSUFFICIENT, bads, ())
    rows = zip(
        table["band"].astype(str),
        table["loans"].to_numpy(np.int64),
        table["defaults"].to_numpy(np.int64),
        table["predicted"].to_numpy(np.float64),
        strict=True,
    )
    low = tuple(
        band
        for band, loans, defaults, predicted in rows
        if loans > 0 and jeffreys_p_value(int(defaults), int(loans), float(predicted)) < LEVEL
    )
    return CalibrationVerdict(Verdict.ACT if low else Verdict.STABLE, bads, low)
