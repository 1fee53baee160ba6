"""The challenger: a WoE logistic scorecard (binned features + logistic regression).

optbinning's optimal binning (``binning="optimal"``, the records' challenger) or the fast
monotone quantile bins of ``_binning`` (``"quantile"``, a table's candidate) find each
feature's bins; their weights of evidence (WoE = ln(share of goods /
share of bads), so a higher WoE is safer) are kept here as plain numbers and applied by this
module, so a scorecard saved as JSON predicts exactly as the fitted one.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression

from microlend.errors import ArtifactError, ModelError
from microlend.models._binning import FeatureBins, category_bins, numeric_bins
from microlend.models._checks import binary_target, check_rows, require_fitted
from microlend.models._crossfit import Fold, cross_fit
from microlend.models._frame import is_categorical
from microlend.models._predict import PredictMixin

__all__ = ["FeatureBins", "Scorecard"]

log = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float64]


#: What ``fit`` learns; a scorecard lacking any of it is not fitted.
_LEARNED = ("bins_", "coef_", "intercept_", "feature_names_")


class Scorecard(PredictMixin, ClassifierMixin, BaseEstimator):  # type: ignore[misc]  # sklearn is untyped
    """WoE logistic scorecard on the same features as the PD model (a scikit-learn classifier).

    Features with an information value under ``min_iv`` are left out of the regression (their
    IV is still reported in ``iv_``). Points use the usual scale: ``pdo`` points double the
    odds of good, and odds of ``base_odds`` score ``base_score``.
    """

    def __init__(
        self,
        *,
        min_iv: float = 0.02,
        max_n_bins: int = 8,
        c: float = 10.0,
        pdo: float = 20.0,
        base_score: float = 600.0,
        base_odds: float = 50.0,
        binning: str = "optimal",
    ) -> None:
        self.min_iv = min_iv
        self.max_n_bins = max_n_bins
        self.c = c
        self.pdo = pdo
        self.base_score = base_score
        self.base_odds = base_odds
        self.binning = binning

    def fit(self, rows: pd.DataFrame, y: npt.ArrayLike) -> Scorecard:
        rows = check_rows(rows)
        target = binary_target(y, len(rows))
        self.classes_ = np.array([0, 1], dtype=np.int64)
        names = [str(c) for c in rows.columns]
        # A column with fewer than two values seen cannot be binned; it carries no information.
        binnable = [n for n in names if rows[n].nunique(dropna=True) >= 2]
        categorical = [n for n in binnable if is_categorical(rows[n])]
        if self.binning == "optimal":
            bins = _optimal_bins(rows, target, binnable, categorical, self.max_n_bins)
        elif self.binning == "quantile":
            bins = [
                category_bins(n, rows[n], target)
                if n in categorical
                else numeric_bins(n, rows[n], target, max_bins=self.max_n_bins)
                for n in binnable
            ]
        else:
            raise ModelError(f"unknown binning {self.binning!r}: use optimal or quantile")
        self.iv_ = dict.fromkeys(names, 0.0) | {b.name: b.iv for b in bins}
        self.bins_ = {b.name: b for b in bins if b.iv >= self.min_iv}
        if not self.bins_:
            raise ModelError(f"no feature reaches the minimum information value {self.min_iv}")
        self.feature_names_ = names
        regression = LogisticRegression(C=self.c, max_iter=1000)
        regression.fit(self._woe(rows), target)
        self.coef_ = {n: float(c) for n, c in zip(self.bins_, regression.coef_[0], strict=True)}
        self.intercept_ = float(regression.intercept_[0])
        log.info("scorecard: %d of %d features selected by IV", len(self.bins_), len(names))
        return self

    @property
    def selected_(self) -> list[str]:
        return list(self.bins_)

    def _woe(self, rows: pd.DataFrame) -> FloatArray:
        missing = [n for n in self.bins_ if n not in rows.columns]
        if missing:
            raise ModelError(f"the rows lack features the scorecard needs: {', '.join(missing)}")
        return np.column_stack([b.transform(rows[n]) for n, b in self.bins_.items()])

    def raw_margin(self, rows: pd.DataFrame, /) -> FloatArray:
        """The log-odds of default: ``intercept_`` plus each selected feature's coefficient
        times its WoE."""
        require_fitted(self, _LEARNED, "scorecard")
        coef = np.array([self.coef_[n] for n in self.bins_])
        return np.asarray(self._woe(rows) @ coef + self.intercept_, dtype=np.float64)

    def predict_pd(self, rows: pd.DataFrame, /) -> FloatArray:
        """``sigmoid(raw_margin(rows))``: the regression on WoE is its own calibration."""
        margin = self.raw_margin(rows)
        return np.asarray(1.0 / (1.0 + np.exp(-margin)), dtype=np.float64)

    def contributions(self, rows: pd.DataFrame, /) -> pd.DataFrame:
        """Each feature's term of ``raw_margin`` (coefficient times WoE; 0 for a feature left
        out by IV) and ``base`` (the intercept): each row sums to the margin exactly."""
        require_fitted(self, _LEARNED, "scorecard")
        terms = pd.DataFrame(0.0, index=rows.index, columns=[*self.feature_names_, "base"])
        for name, bins in self.bins_.items():
            terms[name] = self.coef_[name] * bins.transform(rows[name])
        terms["base"] = self.intercept_
        return terms

    def cross_fit(self, rows: pd.DataFrame, y: npt.ArrayLike, folds: Sequence[Fold]) -> FloatArray:
        """Fit on all ``rows``; return each row's margin from a scorecard fitted on the other
        rows of its fold (NaN where no fold tests it)."""
        return cross_fit(self, rows, y, folds)

    def settings(self) -> dict[str, Any]:
        """``get_params()``: model.json's settings when a table chose the scorecard."""
        values: dict[str, Any] = self.get_params(deep=False)
        return values

    def points_table(self) -> pd.DataFrame:
        """Points of every bin of every selected feature; a row's score is the sum of its points.

        ``score = offset - factor * logit(PD)`` with ``factor = pdo / ln 2`` and
        ``offset = base_score - factor * ln(base_odds)``; the intercept and offset are shared
        equally among the features.
        """
        require_fitted(self, _LEARNED, "scorecard")
        factor = self.pdo / np.log(2.0)
        offset = self.base_score - factor * np.log(self.base_odds)
        k = len(self.bins_)
        rows = []
        for name, bins in self.bins_.items():
            labels = [*bins.labels, "Missing"]
            for label, woe in zip(labels, [*bins.woe, bins.missing_woe], strict=True):
                share = self.coef_[name] * woe + self.intercept_ / k
                points = offset / k - factor * share
                rows.append((name, label, woe, self.coef_[name], points))
        return pd.DataFrame(rows, columns=["feature", "bin", "woe", "coefficient", "points"])

    def to_dict(self) -> dict[str, Any]:
        require_fitted(self, _LEARNED, "scorecard")
        return {
            "settings": self.get_params(deep=False),
            "features": self.feature_names_,
            "iv": self.iv_,
            "bins": [asdict(b) for b in self.bins_.values()],
            "coefficients": self.coef_,
            "intercept": self.intercept_,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Scorecard:
        try:
            card = cls(**data["settings"])
            card.feature_names_ = list(data["features"])
            card.iv_ = {str(k): float(v) for k, v in data["iv"].items()}
            card.bins_ = {b.name: b for b in map(FeatureBins.from_dict, data["bins"])}
            card.coef_ = {str(k): float(v) for k, v in data["coefficients"].items()}
            card.intercept_ = float(data["intercept"])
            card.classes_ = np.array([0, 1], dtype=np.int64)
        except (KeyError, TypeError, ValueError) as exc:
            raise ArtifactError(f"scorecard: malformed ({exc!r})") from exc
        if set(card.coef_) != set(card.bins_):
            raise ArtifactError("scorecard: coefficients and bins name different features")
        return card


def _optimal_bins(
    rows: pd.DataFrame,
    target: npt.NDArray[np.int64],
    binnable: list[str],
    categorical: list[str],
    max_n_bins: int,
) -> list[FeatureBins]:
    from optbinning import BinningProcess  # deferred: optbinning takes seconds to import

    frame = rows[binnable].copy()
    for name in categorical:
        frame[name] = frame[name].astype(object).where(frame[name].notna(), np.nan)
    process = BinningProcess(binnable, categorical_variables=categorical, max_n_bins=max_n_bins)
    with warnings.catch_warnings():
        # optbinning's own table building trips a pandas deprecation; nothing of ours.
        warnings.filterwarnings("ignore", module=r"optbinning\.")
        process.fit(frame, target)
        return [_extract(process.get_binned_variable(n), n, n in categorical) for n in binnable]


def _extract(binning: Any, name: str, categorical: bool) -> FeatureBins:
    """The bins of one fitted ``OptimalBinning`` as plain numbers."""
    table = binning.binning_table.build()
    body = table.drop(index="Totals")
    labels = [str(v) for v in body["Bin"]]
    woe = body["WoE"].astype(float).tolist()
    special, missing = labels.index("Special"), labels.index("Missing")
    regular = [i for i in range(len(labels)) if i not in (special, missing)]
    common = {
        "name": name,
        "labels": tuple(labels[i] for i in regular),
        "woe": tuple(woe[i] for i in regular),
        "missing_woe": woe[missing],
        "iv": float(table.loc["Totals", "IV"]),
    }
    if categorical:
        groups = tuple(tuple(str(v) for v in g) for g in binning.splits)
        return FeatureBins(kind="categorical", groups=groups, **common)
    return FeatureBins(kind="numeric", splits=tuple(float(s) for s in binning.splits), **common)
