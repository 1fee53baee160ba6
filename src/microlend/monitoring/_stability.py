"""Population stability: PSI of a score, CSI of each feature, with the usual verdicts.

``PSI = sum((a_i - e_i) * ln(a_i / e_i))`` over bins fixed on the expected (baseline)
distribution's quantiles; ``a_i`` and ``e_i`` are the shares of the actual and expected
populations in bin ``i``. Missing values get a bin of their own. CSI is the same index applied
to one feature.

A verdict rests on evidence: below ``min_rows`` current values it is ``insufficient`` (the PSI
is still computed, but one decision against a training population says nothing of drift).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt

__all__ = ["STABLE_BELOW", "WATCH_BELOW", "Stability", "Verdict", "psi", "psi_table"]

#: Conventional thresholds: under 0.10 stable, 0.10 to 0.25 watch, over 0.25 act.
STABLE_BELOW = 0.10
WATCH_BELOW = 0.25

# A bin empty on one side would make ln(a/e) infinite; a tiny share keeps PSI finite and large.
_FLOOR = 1e-4


class Verdict(StrEnum):
    STABLE = "stable"
    WATCH = "watch"
    ACT = "act"
    INSUFFICIENT = "insufficient"  # too few rows (or bads) for any of the others


def _verdict(value: float, n: int, min_rows: int) -> Verdict:
    if n < min_rows:
        return Verdict.INSUFFICIENT
    if value < STABLE_BELOW:
        return Verdict.STABLE
    return Verdict.WATCH if value < WATCH_BELOW else Verdict.ACT


@dataclass(frozen=True)
class Stability:
    """PSI of one variable with its bins: edges, baseline shares and current shares; ``n`` is
    the number of current values the verdict rests on."""

    name: str
    psi: float
    verdict: Verdict
    n: int
    edges: tuple[float, ...]
    expected_share: tuple[float, ...]
    actual_share: tuple[float, ...]


def _edges(expected: npt.NDArray[np.float64], bins: int) -> npt.NDArray[np.float64]:
    finite = expected[np.isfinite(expected)]
    if finite.size == 0:
        return np.array([], dtype=np.float64)
    inner = np.unique(np.quantile(finite, np.linspace(0, 1, bins + 1)[1:-1]))
    return inner.astype(np.float64)


def _shares(
    values: npt.NDArray[np.float64], edges: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    missing = ~np.isfinite(values)
    index = np.searchsorted(edges, values[~missing], side="right")
    counts = np.bincount(index, minlength=edges.size + 1).astype(np.float64)
    counts = np.append(counts, missing.sum())
    return counts / max(values.size, 1)


def psi(
    expected: npt.ArrayLike,
    actual: npt.ArrayLike,
    *,
    bins: int = 10,
    name: str = "score",
    min_rows: int = 0,
) -> Stability:
    """PSI of ``actual`` against the baseline ``expected``, on ``bins`` quantile bins of it;
    the verdict is ``insufficient`` when ``actual`` has fewer than ``min_rows`` values."""
    if bins < 2:
        raise ValueError(f"PSI needs at least 2 bins, got {bins}")
    base = np.asarray(expected, dtype=np.float64)
    now = np.asarray(actual, dtype=np.float64)
    if base.size == 0 or now.size == 0:
        raise ValueError("PSI needs values on both sides")
    edges = _edges(base, bins)
    e, a = _shares(base, edges), _shares(now, edges)
    e_f, a_f = np.maximum(e, _FLOOR), np.maximum(a, _FLOOR)
    value = float(np.sum((a_f - e_f) * np.log(a_f / e_f)))
    return Stability(
        name=name,
        psi=value,
        verdict=_verdict(value, now.size, min_rows),
        n=int(now.size),
        edges=tuple(float(x) for x in edges),
        expected_share=tuple(float(x) for x in e),
        actual_share=tuple(float(x) for x in a),
    )


def psi_table(
    expected: Mapping[str, npt.ArrayLike],
    actual: Mapping[str, npt.ArrayLike],
    *,
    bins: int = 10,
    min_rows: int = 0,
) -> list[Stability]:
    """CSI of every variable present on both sides, worst first (``min_rows`` as in ``psi``)."""
    common = [name for name in expected if name in actual]
    found = [psi(expected[n], actual[n], bins=bins, name=n, min_rows=min_rows) for n in common]
    return sorted(found, key=lambda s: s.psi, reverse=True)
