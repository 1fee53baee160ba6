"""Drift per variable: the score's and each top feature's PSI against the training baseline,
over the whole current population and month by month, with both distributions to draw.

One PSI (``monitoring.psi``) for all of it: the overall figures are those ``monitor_model``
gives, taken in the baseline's order of importance (the score first) instead of worst first.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from microlend.monitoring import Stability, psi, psi_over_time
from microlend.policy import MinimumSample
from microlend.service.portfolio._stability import Population, StabilityBaseline

__all__ = ["ModelDrift", "VariableDrift", "model_drift"]

SCORE = "score"


@dataclass(frozen=True)
class VariableDrift:
    """One variable (``score`` or a feature's name): its PSI over the whole current population
    (with the two distributions' bins, ``overall``) and in each month (``by_month``)."""

    name: str
    overall: Stability
    by_month: tuple[tuple[str, Stability], ...]


@dataclass(frozen=True)
class ModelDrift:
    """The score first, then the top features by importance; ``minimum``: the rows a verdict
    needs, overall and in a month."""

    n_baseline: int
    n_current: int
    minimum: int
    variables: tuple[VariableDrift, ...]


def model_drift(
    baseline: StabilityBaseline, current: Population, minimum: MinimumSample | None = None
) -> ModelDrift:
    """The drift of ``current`` (whose ``months`` name each row's month; without them there is
    no month-by-month series) from the training ``baseline``."""
    rows = (minimum or MinimumSample()).psi_rows
    base = baseline.population
    if not len(current):  # no PSI without a current population: nothing to compare yet
        return ModelDrift(len(base), 0, rows, ())
    names = [n for n in baseline.top if n in current.features.columns]
    expected = {SCORE: base.scores} | {n: base.features[n].to_numpy(np.float64) for n in names}
    actual = {SCORE: current.scores} | {n: current.features[n].to_numpy(np.float64) for n in names}
    dated = len(current.months) == len(current)
    monthly = psi_over_time(expected, actual, current.months, min_rows=rows) if dated else {}
    variables = tuple(
        VariableDrift(
            name,
            psi(expected[name], actual[name], name=name, min_rows=rows),
            tuple(monthly.get(name, ())),
        )
        for name in expected
    )
    return ModelDrift(len(base), len(current), rows, variables)
