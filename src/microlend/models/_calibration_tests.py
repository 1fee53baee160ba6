"""The calibration tests a model validator asks for: pure computation on PDs and outcomes.

- **Jeffreys test** (the ECB's IRB validation, per rating grade): with ``d`` defaults among ``n``
  rows, the observed default rate has the Jeffreys posterior ``Beta(d + 1/2, n - d + 1/2)``; the
  p-value is that posterior's CDF at the grade's mean predicted PD, the chance that the true rate
  is no higher than predicted. A small p-value says the PD is underestimated.
- **Binomial test**: one-sided, the chance of ``d`` or more defaults if every row defaulted at
  the grade's mean PD (``scipy.stats.binomtest``, ``alternative="greater"``).
- **Hosmer-Lemeshow**: rows sorted by PD and cut into ``g`` groups of (nearly) equal size;
  ``sum (O - E)^2 / (E (1 - E / n))`` over groups (``O`` defaults, ``E`` the sum of PDs, ``n``
  rows), chi-square with ``g - 2`` degrees of freedom on the rows the model was fitted on, but
  ``g`` on rows it never saw (Hosmer and Lemeshow, *Applied Logistic Regression*, 2nd ed.,
  5.2.2): fitting spends two degrees of freedom, and a hold-out gets none of them back. Drawn
  from PDs that are right, 40 samples of 20,000 rows gave a mean statistic of 10.5 over ten
  groups: ``g - 2`` there would reject right PDs at about twice the level.
- **Expected calibration error**: over the same groups, the row-weighted mean of
  ``|observed default rate - mean PD|``, in percentage points.

Both per-grade tests are one-sided: a validator's worry is capital held against PDs that are too
low, so PDs that are too high are not rejected.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
from scipy import stats

from microlend.errors import ModelError

__all__ = [
    "BandTest",
    "Banding",
    "CalibrationTests",
    "HosmerLemeshow",
    "binomial_p_value",
    "calibration_tests",
    "expected_calibration_error",
    "hosmer_lemeshow",
    "jeffreys_p_value",
]

FloatArray = npt.NDArray[np.float64]

#: The test level: a grade is rejected when a p-value falls under it.
LEVEL = 0.05


class Banding(Protocol):
    """What puts PDs into named score bands (scoring's ``ScoreScale`` is one)."""

    def band_names_of(self, pd: npt.ArrayLike) -> list[str]:
        """The band of each PD."""
        ...

    @property
    def band_order(self) -> list[str]:
        """Every band's name, best first."""
        ...


@dataclass(frozen=True)
class BandTest:
    """One score band: its rows, defaults, mean PD, default rate and both tests' p-values."""

    band: str
    n: int
    defaults: int
    mean_pd: float
    observed: float
    jeffreys_p: float
    binomial_p: float
    rejected: bool  # either p-value under the level: the band's PD is underestimated


@dataclass(frozen=True)
class HosmerLemeshow:
    """The Hosmer-Lemeshow statistic over ``groups`` groups, its degrees of freedom, p-value."""

    statistic: float
    groups: int
    df: int
    p_value: float


@dataclass(frozen=True)
class CalibrationTests:
    """Every test of one set of PDs against outcomes, at test level ``level``."""

    level: float
    bands: tuple[BandTest, ...]
    hosmer_lemeshow: HosmerLemeshow
    ece_pp: float  # expected calibration error, percentage points

    @property
    def rejected_bands(self) -> tuple[str, ...]:
        return tuple(b.band for b in self.bands if b.rejected)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: numbers, a list of band records and the rejected bands' names."""
        values = asdict(self)
        values["rejected_bands"] = list(self.rejected_bands)
        values["bands"] = [asdict(b) for b in self.bands]
        return values


def jeffreys_p_value(defaults: int, n: int, pd: float) -> float:
    """The Jeffreys posterior's CDF at ``pd``: small when ``pd`` underestimates the rate."""
    _check_counts(defaults, n)
    return float(stats.beta.cdf(pd, defaults + 0.5, n - defaults + 0.5))


def binomial_p_value(defaults: int, n: int, pd: float) -> float:
    """P(at least ``defaults`` defaults among ``n``) if each defaults with probability ``pd``."""
    _check_counts(defaults, n)
    return float(stats.binomtest(defaults, n, pd, alternative="greater").pvalue)


def hosmer_lemeshow(
    y: npt.ArrayLike, pd: npt.ArrayLike, *, groups: int = 10, in_sample: bool = False
) -> HosmerLemeshow:
    """Hosmer-Lemeshow over ``groups`` groups of rows of (nearly) equal size, sorted by PD;
    ``in_sample``: the PDs were fitted on these rows (``groups - 2`` degrees of freedom, else
    ``groups``)."""
    outcome, p = _pair(y, pd)
    parts = _groups(p, groups)
    if len(parts) < 3:
        raise ModelError("Hosmer-Lemeshow needs at least three groups of rows")
    statistic = 0.0
    for part in parts:
        observed, expected, size = float(outcome[part].sum()), float(p[part].sum()), part.size
        variance = expected * (1.0 - expected / size)
        if variance > 0.0:
            statistic += (observed - expected) ** 2 / variance
    df = len(parts) - 2 if in_sample else len(parts)
    return HosmerLemeshow(statistic, len(parts), df, float(stats.chi2.sf(statistic, df)))


def expected_calibration_error(y: npt.ArrayLike, pd: npt.ArrayLike, *, groups: int = 10) -> float:
    """Row-weighted mean of ``|default rate - mean PD|`` over groups by PD, percentage points."""
    outcome, p = _pair(y, pd)
    gaps = [part.size * abs(outcome[part].mean() - p[part].mean()) for part in _groups(p, groups)]
    return float(100.0 * sum(gaps) / p.size)


def calibration_tests(
    y: npt.ArrayLike, pd: npt.ArrayLike, banding: Banding, *, groups: int = 10
) -> CalibrationTests:
    """Every test: per band of ``banding`` (best first, bands with rows only), HL and ECE."""
    outcome, p = _pair(y, pd)
    names = np.asarray(banding.band_names_of(p), dtype=object)
    if names.shape != p.shape:
        raise ModelError(f"{names.size} band names for {p.size} PDs")
    bands = tuple(
        _band_test(band, outcome[names == band], p[names == band])
        for band in banding.band_order
        if (names == band).any()
    )
    return CalibrationTests(
        level=LEVEL,
        bands=bands,
        hosmer_lemeshow=hosmer_lemeshow(outcome, p, groups=groups),
        ece_pp=expected_calibration_error(outcome, p, groups=groups),
    )


def _band_test(band: str, outcome: FloatArray, p: FloatArray) -> BandTest:
    n, defaults, mean_pd = int(p.size), int(outcome.sum()), float(p.mean())
    jeffreys = jeffreys_p_value(defaults, n, mean_pd)
    binomial = binomial_p_value(defaults, n, mean_pd)
    return BandTest(
        band=band,
        n=n,
        defaults=defaults,
        mean_pd=mean_pd,
        observed=defaults / n,
        jeffreys_p=jeffreys,
        binomial_p=binomial,
        rejected=min(jeffreys, binomial) < LEVEL,
    )


def _groups(p: FloatArray, groups: int) -> Sequence[npt.NDArray[np.intp]]:
    """Row positions sorted by PD, cut into ``groups`` parts of (nearly) equal size."""
    if groups < 1:
        raise ModelError(f"groups must be at least 1, got {groups}")
    order = np.argsort(p, kind="stable")
    return [part for part in np.array_split(order, min(groups, p.size)) if part.size]


def _pair(y: npt.ArrayLike, pd: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    outcome = np.asarray(y, dtype=np.float64)
    p = np.asarray(pd, dtype=np.float64)
    if outcome.ndim != 1 or outcome.shape != p.shape or p.size == 0:
        raise ModelError("calibration tests need as many outcomes as PDs, at least one")
    if not np.isin(outcome, (0.0, 1.0)).all():
        raise ModelError("outcomes must be 0/1 (1 = default)")
    if not (np.isfinite(p).all() and p.min() >= 0.0 and p.max() <= 1.0):
        raise ModelError("PDs must be finite probabilities within [0, 1]")
    return outcome, p


def _check_counts(defaults: int, n: int) -> None:
    if not 0 <= defaults <= n or n < 1:
        raise ModelError(f"need 0 <= defaults <= n and n >= 1, got {defaults} of {n}")
