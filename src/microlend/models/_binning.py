"""Fast weight-of-evidence bins: quantile cuts merged until the bad rate is monotone.

optbinning's optimal binning solves a constraint program per feature (about a tenth of a
second each); model selection bins every feature once per fold, so the table's candidates
use this instead: at most ``max_bins`` quantile bins of at least ``min_share`` of the rows,
then adjacent bins pooled (isotonic regression of the bins' bad rates, rising or falling,
whichever fits better) until each bin is safer or riskier than the one before. Missing values
are a bin of their own; a category's levels are one bin each. WoE is smoothed (half a good
and half a bad added to each bin), so a bin without bads has a finite WoE.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from microlend.models._frame import level_index

__all__ = ["FeatureBins", "category_bins", "numeric_bins", "quantile_edges"]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class FeatureBins:
    """One feature's bins and their WoE.

    Numeric: bin ``i`` holds ``splits[i-1] <= x < splits[i]`` (open at both ends). Categorical:
    bin ``i`` holds the levels ``groups[i]``; an unseen level gets WoE 0 (no evidence).
    """

    name: str
    kind: str  # "numeric" | "categorical"
    labels: tuple[str, ...]
    woe: tuple[float, ...]
    missing_woe: float
    iv: float
    splits: tuple[float, ...] = ()
    groups: tuple[tuple[str, ...], ...] = ()

    def transform(self, column: pd.Series) -> FloatArray:
        """The WoE of each value of ``column``."""
        woe = np.asarray(self.woe, dtype=np.float64)
        missing = column.isna().to_numpy()
        if self.kind == "numeric":
            values = pd.to_numeric(column, errors="coerce").to_numpy(dtype=np.float64)
            index = np.searchsorted(np.asarray(self.splits), values, side="right")
            out = woe[np.minimum(index, woe.size - 1)]
        else:
            levels = [level for group in self.groups for level in group]
            by_level = [w for group, w in zip(self.groups, woe, strict=True) for _ in group]
            # An unseen level (index -1) takes the last entry: 0, no evidence.
            out = np.append(by_level, 0.0)[level_index(column, levels)]
        return np.where(missing, self.missing_woe, out)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FeatureBins:
        return cls(
            name=str(data["name"]),
            kind=str(data["kind"]),
            labels=tuple(data["labels"]),
            woe=tuple(float(v) for v in data["woe"]),
            missing_woe=float(data["missing_woe"]),
            iv=float(data["iv"]),
            splits=tuple(float(v) for v in data.get("splits", ())),
            groups=tuple(tuple(str(v) for v in g) for g in data.get("groups", ())),
        )


def quantile_edges(values: FloatArray, *, max_bins: int, min_share: float) -> FloatArray:
    """Interior cut points of at most ``max_bins`` bins of the present ``values``: bin ``i``
    holds ``edges[i-1] <= x < edges[i]``; a value repeated on many rows never straddles."""
    present = values[np.isfinite(values)]
    if present.size == 0:
        return np.empty(0, dtype=np.float64)
    bins = max(1, min(max_bins, int(1.0 / min_share)))
    cuts = np.unique(np.quantile(present, np.linspace(0.0, 1.0, bins + 1)[1:-1], method="lower"))
    # A cut at the smallest value would leave its bin empty (bins are closed on the left).
    cuts = cuts[cuts > present.min()]
    return np.asarray(cuts, dtype=np.float64)


def numeric_bins(
    name: str,
    column: pd.Series,
    y: npt.NDArray[np.int64],
    *,
    max_bins: int = 8,
    min_share: float = 0.05,
) -> FeatureBins:
    """Monotone WoE bins of a numeric column."""
    values = pd.to_numeric(column, errors="coerce").to_numpy(dtype=np.float64)
    present = np.isfinite(values)
    edges = quantile_edges(values, max_bins=max_bins, min_share=min_share)
    index = np.searchsorted(edges, values[present], side="right")
    bads = np.bincount(index, weights=y[present], minlength=edges.size + 1).astype(np.float64)
    counts = np.bincount(index, minlength=edges.size + 1).astype(np.float64)
    keep = _monotone_cuts(bads, counts)
    edges = edges[keep]
    index = np.searchsorted(edges, values[present], side="right")
    bads = np.bincount(index, weights=y[present], minlength=edges.size + 1).astype(np.float64)
    counts = np.bincount(index, minlength=edges.size + 1).astype(np.float64)
    woe, missing_woe, iv = _woe(bads, counts, y, present)
    bounds = ["-inf", *(f"{e:.6g}" for e in edges), "inf"]
    labels = tuple(f"[{lo}, {hi})" for lo, hi in pairwise(bounds))
    return FeatureBins(
        name=name,
        kind="numeric",
        labels=labels,
        woe=tuple(woe.tolist()),
        missing_woe=missing_woe,
        iv=iv,
        splits=tuple(edges.tolist()),
    )


def category_bins(name: str, column: pd.Series, y: npt.NDArray[np.int64]) -> FeatureBins:
    """One WoE bin per level of a categorical column (the preparer already pooled rare ones)."""
    present = column.notna().to_numpy()
    if isinstance(column.dtype, pd.CategoricalDtype):
        seen = sorted(
            {str(c) for c in column.cat.categories[np.unique(column.cat.codes.to_numpy()[present])]}
        )
        levels = np.asarray(seen, dtype=object)
        index = level_index(column, seen)[present]
    else:
        levels, index = np.unique(
            column[present].astype(str).to_numpy(dtype=str), return_inverse=True
        )
    bads = np.bincount(index, weights=y[present], minlength=levels.size).astype(np.float64)
    counts = np.bincount(index, minlength=levels.size).astype(np.float64)
    woe, missing_woe, iv = _woe(bads, counts, y, present)
    return FeatureBins(
        name=name,
        kind="categorical",
        labels=tuple(str(v) for v in levels),
        woe=tuple(woe.tolist()),
        missing_woe=missing_woe,
        iv=iv,
        groups=tuple((str(v),) for v in levels),
    )


def _monotone_cuts(bads: FloatArray, counts: FloatArray) -> npt.NDArray[np.bool_]:
    """Which interior cuts survive pooling the bins into a monotone bad rate."""
    if counts.size < 2:
        return np.zeros(0, dtype=bool)
    best: FloatArray | None = None
    best_error = np.inf
    rate = bads / np.maximum(counts, 1.0)
    for sign in (1.0, -1.0):
        fitted = sign * _pooled(sign * rate, counts)
        error = float(np.sum(counts * (rate - fitted) ** 2))
        if error < best_error:
            best, best_error = fitted, error
    assert best is not None
    return np.asarray(np.diff(best) != 0.0)


def _pooled(values: FloatArray, weights: FloatArray) -> FloatArray:
    """Pool adjacent violators: the non-decreasing fit of ``values`` closest in weighted
    squares (isotonic regression; a handful of bins, so a plain loop)."""
    blocks: list[list[float]] = []  # [weighted mean, weight, length]
    for value, weight in zip(values.tolist(), weights.tolist(), strict=True):
        blocks.append([value, weight, 1.0])
        while len(blocks) > 1 and blocks[-2][0] >= blocks[-1][0]:
            mean_b, weight_b, length_b = blocks.pop()
            mean_a, weight_a, length_a = blocks[-1]
            total = weight_a + weight_b
            mean = (mean_a * weight_a + mean_b * weight_b) / total if total else mean_a
            blocks[-1] = [mean, total, length_a + length_b]
    return np.repeat([b[0] for b in blocks], [int(b[2]) for b in blocks]).astype(np.float64)


def _woe(
    bads: FloatArray, counts: FloatArray, y: npt.NDArray[np.int64], present: npt.NDArray[np.bool_]
) -> tuple[FloatArray, float, float]:
    """Smoothed WoE of each bin, of the missing rows, and the feature's information value."""
    total_bads = float(y.sum())
    total_goods = float(y.size - total_bads)
    missing_bads = float(y[~present].sum())
    missing_count = float((~present).sum())
    all_bads = np.append(bads, missing_bads)
    all_goods = np.append(counts - bads, missing_count - missing_bads)
    good_share = (all_goods + 0.5) / (total_goods + 0.5 * all_goods.size)
    bad_share = (all_bads + 0.5) / (total_bads + 0.5 * all_bads.size)
    woe = np.log(good_share / bad_share)
    seen = np.append(counts > 0, missing_count > 0)
    iv = float(np.sum(((good_share - bad_share) * woe)[seen]))
    # No missing value in training: a missing one later carries no evidence.
    missing_woe = float(woe[-1]) if missing_count > 0 else 0.0
    return np.asarray(woe[:-1], dtype=np.float64), missing_woe, iv
