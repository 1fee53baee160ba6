"""The challenger: a WoE logistic scorecard (optbinning's optimal binning + logistic regression).

optbinning finds each feature's bins; their weights of evidence (WoE = ln(share of goods /
share of bads), so a higher WoE is safer) are kept here as plain numbers and applied by this
module, so a scorecard saved as JSON predicts exactly as the fitted one.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression

from microlend.errors import ArtifactError, ModelError
from microlend.models._checks import binary_target, check_rows, require_fitted
from microlend.models._frame import is_categorical

__all__ = ["FeatureBins", "Scorecard"]

log = logging.getLogger(__name__)

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
            lookup = {level: woe[i] for i, group in enumerate(self.groups) for level in group}
            out = np.array([lookup.get(str(v), 0.0) for v in column], dtype=np.float64)
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


#: What ``fit`` learns; a scorecard lacking any of it is not fitted.
_LEARNED = ("bins_", "coef_", "intercept_", "feature_names_")


class Scorecard(ClassifierMixin, BaseEstimator):  # type: ignore[misc]  # sklearn is untyped
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
    ) -> None:
        self.min_iv = min_iv
        self.max_n_bins = max_n_bins
        self.c = c
        self.pdo = pdo
        self.base_score = base_score
        self.base_odds = base_odds

    def fit(self, rows: pd.DataFrame, y: npt.ArrayLike) -> Scorecard:
        from optbinning import BinningProcess  # deferred: optbinning takes seconds to import

        rows = check_rows(rows)
        target = binary_target(y, len(rows))
        self.classes_ = np.array([0, 1], dtype=np.int64)
        names = [str(c) for c in rows.columns]
        # A column with fewer than two values seen cannot be binned; it carries no information.
        binnable = [n for n in names if rows[n].nunique(dropna=True) >= 2]
        categorical = [n for n in binnable if is_categorical(rows[n])]
        frame = rows[binnable].copy()
        for name in categorical:
            frame[name] = frame[name].astype(object).where(frame[name].notna(), np.nan)
        process = BinningProcess(
            binnable, categorical_variables=categorical, max_n_bins=self.max_n_bins
        )
        with warnings.catch_warnings():
            # optbinning's own table building trips a pandas deprecation; nothing of ours.
            warnings.filterwarnings("ignore", module=r"optbinning\.")
            process.fit(frame, target)
            bins = [_extract(process.get_binned_variable(n), n, n in categorical) for n in binnable]
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

    def predict_pd(self, rows: pd.DataFrame, /) -> FloatArray:
        require_fitted(self, _LEARNED, "scorecard")
        coef = np.array([self.coef_[n] for n in self.bins_])
        margin = self._woe(rows) @ coef + self.intercept_
        return np.asarray(1.0 / (1.0 + np.exp(-margin)), dtype=np.float64)

    def predict_proba(self, rows: pd.DataFrame, /) -> FloatArray:
        """scikit-learn's view of ``predict_pd``: columns P(repaid), P(default)."""
        pd_ = self.predict_pd(rows)
        return np.column_stack([1.0 - pd_, pd_])

    def predict(self, rows: pd.DataFrame, /) -> npt.NDArray[np.int64]:
        """1 (default) where the PD is at least one half, else 0 (for scikit-learn tools)."""
        return (self.predict_pd(rows) >= 0.5).astype(np.int64)

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
