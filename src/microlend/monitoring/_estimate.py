"""Performance before loans mature: the default rate and AUC a vintage should show, estimated
from its calibrated PDs alone (confidence-based performance estimation, as NannyML's CBPE).

If each loan defaults with its PD, the expected default rate is the mean PD, and the expected
AUC is the share of (defaulter, non-defaulter) pairs the PDs rank right, each pair weighted by
the chance that it is such a pair: ``sum p_i (1 - p_j) [s_i > s_j] / sum p_i (1 - p_j)`` over
``i != j``, ties counting a half (a ratio of expectations, computed exactly in O(n log n)). The
interval comes from a seeded Poisson-binomial bootstrap: outcomes drawn from the PDs, the
figures recomputed on each draw. With 0/1 outcomes in place of PDs the same formula is the
realised AUC, so estimate and realisation are one computation.

The estimate trusts calibration: a shift in how PDs relate to outcomes is invisible to it until
the loans mature and the realised figures are set beside it (``vintage_estimates``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.stats import rankdata

from microlend.monitoring._performance import _label, _month_index
from microlend.monitoring._stability import Verdict

__all__ = [
    "ESTIMATE_COLUMNS",
    "Estimate",
    "EstimatedPerformance",
    "estimate_performance",
    "estimated_performance",
    "expected_auc",
    "vintage_estimates",
]

FloatArray = npt.NDArray[np.float64]

#: Columns of a ``vintage_estimates`` table, in order.
ESTIMATE_COLUMNS = (
    "vintage",
    "loans",
    "matured",
    "estimated_default_rate",
    "default_rate_low",
    "default_rate_high",
    "estimated_auc",
    "auc_low",
    "auc_high",
    "defaults",
    "realised_default_rate",
    "realised_auc",
    "default_rate_gap",
    "auc_gap",
    "verdict",
)

# Draws of the bootstrap per block: bounds its memory (draws x loans booleans) on a large vintage.
_BLOCK = 50


def expected_auc(probabilities: npt.ArrayLike, scores: npt.ArrayLike | None = None) -> float:
    """The AUC expected of ``scores`` (default: the probabilities themselves) when loan ``i``
    defaults with probability ``probabilities[i]``; with 0/1 outcomes, the realised AUC. NaN
    when no pair can be a defaulter and a non-defaulter (fewer than two loans, all PDs 0 or 1).
    """
    p = np.asarray(probabilities, dtype=np.float64)
    s = p if scores is None else np.asarray(scores, dtype=np.float64)
    if p.shape != s.shape:
        raise ValueError(f"{p.size} probabilities but {s.size} scores")
    if p.size < 2 or p.max() <= 0.0:
        return float("nan")
    q = 1.0 - p
    # Both sums are linear in p, so p over its largest value keeps their ratio and keeps tiny PDs
    # clear of subnormal floats; each loan's pairs as p_i (Q - q_i), not (sum p)(sum q) - sum pq,
    # which cancels to noise when the PDs are small.
    w = p / p.max()
    denominator = float((w * (q.sum() - q)).sum())
    if denominator <= 0.0:
        return float("nan")
    _, group = np.unique(s, return_inverse=True)
    q_of_group = np.bincount(group, weights=q)
    below = np.cumsum(q_of_group) - q_of_group  # weight of non-defaulters scored strictly lower
    tied = q_of_group[group] - q  # of those tied with the loan, the loan itself left out
    numerator = float((w * (below[group] + 0.5 * tied)).sum())
    return numerator / denominator


@dataclass(frozen=True)
class Estimate:
    """A vintage's expected default rate and AUC with their intervals (``level`` of the
    bootstrap); an AUC bound is NaN when too few draws held both outcomes."""

    loans: int
    default_rate: float
    default_rate_interval: tuple[float, float]
    auc: float
    auc_interval: tuple[float, float]


def _draw_figures(
    p: FloatArray, scores: FloatArray, draws: int, seed: int
) -> tuple[FloatArray, FloatArray]:
    """Default rate and AUC of ``draws`` books whose outcomes are drawn from ``p``: the ranks
    are fixed, so each draw's AUC is the Mann-Whitney sum over its defaulters' ranks."""
    rng = np.random.default_rng(seed)
    ranks = rankdata(scores)
    rates, aucs = np.empty(draws), np.empty(draws)
    for start in range(0, draws, _BLOCK):
        stop = min(start + _BLOCK, draws)
        outcomes = rng.random((stop - start, p.size)) < p
        bads = outcomes.sum(axis=1).astype(np.float64)
        goods = p.size - bads
        rank_sum = outcomes.astype(np.float64) @ ranks
        with np.errstate(divide="ignore", invalid="ignore"):
            aucs[start:stop] = np.where(
                (bads > 0) & (goods > 0),
                (rank_sum - bads * (bads + 1) / 2) / (bads * goods),
                np.nan,
            )
        rates[start:stop] = bads / p.size
    return rates, aucs


def _interval(values: FloatArray, level: float) -> tuple[float, float]:
    kept = values[~np.isnan(values)]
    # Fewer than half the draws with both outcomes: the AUC is too often undefined to bound.
    if kept.size == 0 or kept.size < values.size / 2:
        return float("nan"), float("nan")
    tail = (1.0 - level) / 2.0
    low, high = np.quantile(kept, [tail, 1.0 - tail])
    return float(low), float(high)


def estimate_performance(
    pd_values: npt.ArrayLike, *, level: float = 0.95, draws: int = 400, seed: int = 0
) -> Estimate:
    """The expected default rate (mean PD) and AUC of loans with these PDs, and intervals at
    ``level`` from ``draws`` seeded Poisson-binomial draws (same seed, same interval)."""
    p = np.asarray(pd_values, dtype=np.float64)
    if p.size == 0:
        nan = float("nan")
        return Estimate(0, nan, (nan, nan), nan, (nan, nan))
    if np.isnan(p).any() or (p < 0).any() or (p > 1).any():
        raise ValueError("PDs must lie in [0, 1]")
    rates, aucs = _draw_figures(p, p, draws, seed)
    return Estimate(
        loans=int(p.size),
        default_rate=float(p.mean()),
        default_rate_interval=_interval(rates, level),
        auc=expected_auc(p),
        auc_interval=_interval(aucs, level),
    )


def _inside(value: float, interval: tuple[float, float]) -> bool:
    low, high = interval
    return bool(low <= value <= high)


def _verdict(
    estimate: Estimate, realised: tuple[float, float], bads: int, min_bads: int
) -> Verdict:
    """A matured vintage's: ``act`` when its default rate fell outside the interval (the PDs
    that priced it were off), ``watch`` when only its AUC did, else ``stable``; with fewer than
    ``min_bads`` defaults ``insufficient``, as a calibration verdict is. An AUC that cannot be
    compared (one outcome only, or no interval) leaves the default rate to decide."""
    if bads < min_bads:
        return Verdict.INSUFFICIENT
    if not _inside(realised[0], estimate.default_rate_interval):
        return Verdict.ACT
    comparable = not np.isnan([realised[1], *estimate.auc_interval]).any()
    missed = comparable and not _inside(realised[1], estimate.auc_interval)
    return Verdict.WATCH if missed else Verdict.STABLE


@dataclass(frozen=True)
class _Settings:
    horizon: timedelta
    min_bads: int
    level: float
    draws: int
    seed: int


def _vintage_row(
    label: str, members: pd.DataFrame, as_of: pd.Timestamp, settings: _Settings
) -> tuple[object, ...]:
    disbursed = pd.to_datetime(members["disbursed_on"])
    defaulted_on = pd.to_datetime(members["defaulted_on"])
    ends = disbursed + settings.horizon
    # The event the PD predicts: a default within the horizon of disbursement, seen by as_of.
    bad = (defaulted_on.notna() & (defaulted_on <= ends) & (defaulted_on <= as_of)).to_numpy()
    p = members["pd"].to_numpy(np.float64)
    estimate = estimate_performance(
        p, level=settings.level, draws=settings.draws, seed=settings.seed
    )
    matured = bool((ends <= as_of).all())
    realised = (float("nan"), float("nan"))
    verdict: str | None = None
    if matured:
        realised = (float(bad.mean()), expected_auc(bad.astype(np.float64), p))
        verdict = _verdict(estimate, realised, int(bad.sum()), settings.min_bads).value
    return (
        label,
        estimate.loans,
        matured,
        estimate.default_rate,
        *estimate.default_rate_interval,
        estimate.auc,
        *estimate.auc_interval,
        int(bad.sum()),
        *realised,
        estimate.default_rate - realised[0],
        estimate.auc - realised[1],
        verdict,
    )


def vintage_estimates(
    loans: pd.DataFrame,
    as_of: date,
    *,
    horizon: timedelta,
    min_bads: int = 0,
    level: float = 0.95,
    draws: int = 400,
    seed: int = 0,
) -> pd.DataFrame:
    """Each vintage's (month of funding) estimated default rate and AUC with intervals, and,
    once every loan of it has been out ``horizon`` by ``as_of`` (``matured``), the realised
    figures, the gaps (estimate less realised) and a verdict (``_verdict``; None while it is
    young). ``loans`` has ``disbursed_on``, ``pd`` (at origination) and ``defaulted_on``
    (missing when it has not defaulted); ``defaults`` counts those within the horizon so far.
    Columns: ``ESTIMATE_COLUMNS``; no loans, no rows."""
    funded = loans.dropna(subset=["disbursed_on", "pd"])
    if funded.empty:
        return pd.DataFrame(columns=list(ESTIMATE_COLUMNS))
    settings = _Settings(horizon, min_bads, level, draws, seed)
    month = _month_index(funded["disbursed_on"])
    stamp = pd.Timestamp(as_of)
    rows = [
        _vintage_row(_label(int(m)), funded.loc[members.index], stamp, settings)
        for m, members in month.groupby(month)
    ]
    return pd.DataFrame(rows, columns=list(ESTIMATE_COLUMNS))


@dataclass(frozen=True)
class EstimatedPerformance:
    """``vintage_estimates``' table with how far past estimates were from what happened: the
    mean absolute gaps over matured vintages (NaN with none), how many of them realised both
    figures within their intervals, and the latest matured vintage's verdict with the defaults
    it rests on (``bads``)."""

    as_of: date
    horizon_days: int
    vintages: pd.DataFrame
    matured: int
    within: int
    mae_default_rate: float
    mae_auc: float
    verdict: Verdict
    bads: int

    def to_dict(self) -> dict[str, object]:
        def number(value: float) -> float | None:
            return None if np.isnan(value) else value

        rows = self.vintages.astype(object).where(self.vintages.notna(), None)
        return {
            "as_of": self.as_of.isoformat(),
            "horizon_days": self.horizon_days,
            "matured_vintages": self.matured,
            "within_interval": self.within,
            "mae_default_rate": number(self.mae_default_rate),
            "mae_auc": number(self.mae_auc),
            "verdict": self.verdict.value,
            "bads": self.bads,
            "vintages": rows.to_dict(orient="records"),
        }


def estimated_performance(
    loans: pd.DataFrame,
    as_of: date,
    *,
    horizon: timedelta,
    min_bads: int = 0,
    level: float = 0.95,
    draws: int = 400,
    seed: int = 0,
) -> EstimatedPerformance:
    """``vintage_estimates`` reconciled: the mean absolute error of the estimates over matured
    vintages, and the verdict of the latest of them (``insufficient`` with none matured). Not
    the worst of all: at a 95 % level one vintage in twenty misses by chance, and an old miss
    says less of today's model than the latest vintage does."""
    table = vintage_estimates(
        loans, as_of, horizon=horizon, min_bads=min_bads, level=level, draws=draws, seed=seed
    )
    done = table[table["matured"].astype(bool)]
    inside = done["realised_default_rate"].between(
        done["default_rate_low"], done["default_rate_high"]
    ) & done["realised_auc"].between(done["auc_low"], done["auc_high"])
    return EstimatedPerformance(
        as_of=as_of,
        horizon_days=horizon.days,
        vintages=table,
        matured=len(done),
        within=int(inside.sum()),
        mae_default_rate=_mean_abs(done["default_rate_gap"]),
        mae_auc=_mean_abs(done["auc_gap"]),
        verdict=Verdict(done["verdict"].iloc[-1]) if len(done) else Verdict.INSUFFICIENT,
        bads=int(done["defaults"].iloc[-1]) if len(done) else 0,
    )


def _mean_abs(gaps: pd.Series) -> float:
    values = gaps.to_numpy(np.float64)
    values = values[~np.isnan(values)]
    return float(np.abs(values).mean()) if values.size else float("nan")
