"""Drift over time: the PSI of each variable, period by period, against one baseline.

The same ``psi`` as the whole population's (one formula, one place), applied to the rows of
each period; a period with fewer than ``min_rows`` rows gets the ``insufficient`` verdict.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

from microlend.monitoring._stability import Stability, psi

__all__ = ["psi_over_time"]


def psi_over_time(
    expected: Mapping[str, npt.ArrayLike],
    actual: Mapping[str, npt.ArrayLike],
    periods: Sequence[str],
    *,
    bins: int = 10,
    min_rows: int = 0,
) -> dict[str, list[tuple[str, Stability]]]:
    """For every variable present on both sides, its PSI in each period (in sorted order):
    ``periods[i]`` names the period of row ``i`` of every ``actual`` column."""
    labels = np.asarray(periods, dtype=object)
    found: dict[str, list[tuple[str, Stability]]] = {}
    for name in (n for n in expected if n in actual):
        values = np.asarray(actual[name], dtype=np.float64)
        if values.size != labels.size:
            raise ValueError(f"{name}: {values.size} values for {labels.size} periods")
        found[name] = [
            (
                period,
                psi(
                    expected[name],
                    values[labels == period],
                    bins=bins,
                    name=name,
                    min_rows=min_rows,
                ),
            )
            for period in sorted(set(periods))
        ]
    return found
