"""A regularised logistic regression on one-hot and binned inputs: a table's linear candidate.

Each numeric feature enters three ways: its value (clipped to the training's 1st-99th
percentiles, a missing one at the training median), a missing indicator, and one-hot quantile
bins (so a bend or a step costs no tree). Each categorical feature enters one-hot by level,
plus a missing indicator; a level unseen in training enters as none of them. All columns are
standardised before the L2-penalised fit, so the penalty weighs every column alike, and the
coefficients are stored back on the original scale as plain numbers (JSON, no pickle).

``PD = sigmoid(margin)``; ``contributions`` splits the margin exactly into one term per
feature (its columns' coefficients times their distance from the training mean) and ``base``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression

from microlend.errors import ArtifactError, ModelError
from microlend.models._binning import quantile_edges
from microlend.models._checks import binary_target, check_rows, require_fitted
from microlend.models._crossfit import Fold, fold_aucs, make_folds
from microlend.models._frame import is_categorical, level_index, present_levels
from microlend.models._predict import MarginPDMixin

__all__ = ["LinearPD", "LinearTerm"]

log = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float64]

_LEARNED = ("terms_", "intercept_", "feature_names_", "bin_weight_")


@dataclass(frozen=True)
class LinearTerm:
    """One feature's columns in the regression and their coefficients.

    Numeric: columns ``value``, ``missing``, then, when it has ``edges``, one per bin (bin
    ``i`` holds ``edges[i-1] <= x < edges[i]``). Categorical: one per level, then ``missing``.
    ``mean``: each column's training mean, the point its contribution is measured from.
    """

    name: str
    kind: str  # "numeric" | "categorical"
    coef: tuple[float, ...]
    mean: tuple[float, ...]
    low: float = 0.0
    high: float = 0.0
    fill: float = 0.0
    edges: tuple[float, ...] = ()
    levels: tuple[str, ...] = ()

    def columns(self, column: pd.Series) -> FloatArray:
        """The term's design columns for ``column`` (rows by columns)."""
        if self.kind == "categorical":
            index = level_index(column, self.levels)
            missing = column.isna().to_numpy()
            onehot = index[:, None] == np.arange(len(self.levels))
            return np.column_stack([onehot, missing]).astype(np.float64)
        values = pd.to_numeric(column, errors="coerce").to_numpy(dtype=np.float64)
        missing = ~np.isfinite(values)
        value = np.clip(np.where(missing, self.fill, values), self.low, self.high)
        if not self.edges:
            return np.column_stack([value, missing]).astype(np.float64)
        index = np.searchsorted(np.asarray(self.edges), value, side="right")
        bins = (index[:, None] == np.arange(len(self.edges) + 1)) & ~missing[:, None]
        return np.column_stack([value, missing, bins]).astype(np.float64)

    @property
    def width(self) -> int:
        """How many design columns the term has."""
        if self.kind == "categorical":
            return len(self.levels) + 1
        return 2 + (len(self.edges) + 1 if self.edges else 0)

    def weights(self, bin_weight: float) -> FloatArray:
        """Each design column's weight against the penalty: ``bin_weight`` for a bin."""
        if self.kind == "categorical":
            return np.ones(len(self.levels) + 1)
        bins = len(self.edges) + 1 if self.edges else 0
        return np.concatenate([np.ones(2), np.full(bins, bin_weight)])

    def contribution(self, column: pd.Series) -> FloatArray:
        """The term's share of the margin for each row of ``column``."""
        centred = self.columns(column) - np.asarray(self.mean)
        return np.asarray(centred @ np.asarray(self.coef), dtype=np.float64)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LinearTerm:
        return cls(
            name=str(data["name"]),
            kind=str(data["kind"]),
            coef=tuple(float(v) for v in data["coef"]),
            mean=tuple(float(v) for v in data["mean"]),
            low=float(data["low"]),
            high=float(data["high"]),
            fill=float(data["fill"]),
            edges=tuple(float(v) for v in data["edges"]),
            levels=tuple(str(v) for v in data["levels"]),
        )


@dataclass(frozen=True)
class _Fit:
    """One regression on standardised columns:
    ``margin = intercept + ((x - mean) / scale) @ coef``."""

    mean: FloatArray
    scale: FloatArray
    coef: FloatArray
    intercept: float

    def margin(self, design: FloatArray) -> FloatArray:
        return np.asarray(self.intercept + ((design - self.mean) / self.scale) @ self.coef)


def _design(shapes: Sequence[LinearTerm], rows: pd.DataFrame) -> FloatArray:
    return np.hstack([shape.columns(rows[shape.name]) for shape in shapes])


def _kept(shapes: Sequence[LinearTerm], weight: float) -> npt.NDArray[np.bool_]:
    """The full design's columns a weight uses: all, or all but the bins when it is 0."""
    return np.concatenate(
        [s.weights(1.0) != 0.0 if weight else s.weights(0.0) != 0.0 for s in shapes]
    )


def _weights(shapes: Sequence[LinearTerm], weight: float) -> FloatArray:
    kept = [s.weights(weight) for s in shapes]
    return np.concatenate([w[w != 0.0] for w in kept])


class LinearPD(MarginPDMixin, ClassifierMixin, BaseEstimator):  # type: ignore[misc]  # sklearn is untyped
    """Regularised logistic regression on one-hot and binned inputs (a scikit-learn classifier).

    ``c``: the inverse of the L2 penalty on standardised columns (smaller is stronger).
    ``max_bins`` / ``min_share``: each numeric feature's quantile bins, at most ``max_bins``
    of at least ``min_share`` of the rows. ``clip``: values beyond the ``clip`` and
    ``1 - clip`` training quantiles count as those quantiles (one outlier cannot swing a slope).
    """

    def __init__(
        self,
        *,
        c: float = 0.1,
        max_bins: int = 6,
        min_share: float = 0.05,
        clip: float = 0.01,
        bin_weights: Sequence[float] = (0.0, 0.3),
        folds: int = 5,
        random_state: int = 0,
        max_iter: int = 1000,
    ) -> None:
        self.c = c
        self.max_bins = max_bins
        self.min_share = min_share
        self.clip = clip
        self.bin_weights = bin_weights
        self.folds = folds
        self.random_state = random_state
        self.max_iter = max_iter

    def fit(
        self, rows: pd.DataFrame, y: npt.ArrayLike, *, time: pd.Series | None = None
    ) -> LinearPD:
        """Learn from feature rows and 0/1 outcomes; with several ``bin_weights``, the one
        with the best AUC on ``folds`` folds (time-ordered with ``time``) is kept."""
        rows = check_rows(rows)
        target = binary_target(y, len(rows))
        if len(self.bin_weights) == 1:
            return self._fit_weighted(rows, target, float(self.bin_weights[0]))
        folds = make_folds(target, folds=self.folds, time=time, random_state=self.random_state)
        self.cross_fit(rows, target, folds)
        return self

    def cross_fit(self, rows: pd.DataFrame, y: npt.ArrayLike, folds: Sequence[Fold]) -> FloatArray:
        """Choose the bins' weight by the mean AUC on ``folds``, fit with it on all ``rows``,
        and return each row's margin from a model fitted on the other rows of its fold (NaN
        where no fold tests it). A fold's columns are built once for every weight tried."""
        rows = check_rows(rows)
        target = binary_target(y, len(rows))
        weights = [float(w) for w in self.bin_weights]
        if not weights:
            raise ModelError("bin_weights is empty: give at least one weight")
        margins = {w: np.full(target.size, np.nan) for w in weights}
        for train, test in folds:
            shapes = self._shapes(rows.iloc[train])
            learnt = _design(shapes, rows.iloc[train])
            tested = _design(shapes, rows.iloc[test])
            for weight in weights:
                keep = _kept(shapes, weight)
                fit = self._regress(learnt[:, keep], target[train], _weights(shapes, weight))
                margins[weight][test] = fit.margin(tested[:, keep])
        aucs = [float(fold_aucs(margins[w], target, folds).mean()) for w in weights]
        best = weights[int(np.argmax(aucs))]  # the first of equals: the fewer bins
        self._fit_weighted(rows, target, best)
        return margins[best]

    def _fit_weighted(
        self, rows: pd.DataFrame, target: npt.NDArray[np.int64], weight: float
    ) -> LinearPD:
        self.classes_ = np.array([0, 1], dtype=np.int64)
        self.feature_names_ = [str(c) for c in rows.columns]
        self.bin_weight_ = weight
        shapes = self._shapes(rows)
        if weight == 0.0:
            shapes = [replace(shape, edges=()) for shape in shapes]
        design = _design(shapes, rows)
        fit = self._regress(design, target, _weights(shapes, weight))
        coef = fit.coef / fit.scale
        self.intercept_ = fit.intercept
        self.terms_: list[LinearTerm] = []
        start = 0
        for shape in shapes:
            stop = start + shape.width
            self.terms_.append(
                replace(
                    shape,
                    coef=tuple(coef[start:stop].tolist()),
                    mean=tuple(fit.mean[start:stop].tolist()),
                )
            )
            start = stop
        log.info("linear model: %d columns from %d features", design.shape[1], len(shapes))
        return self

    def _regress(
        self, design: FloatArray, target: npt.NDArray[np.int64], weights: FloatArray
    ) -> _Fit:
        """The penalised regression on standardised columns; a column of weight ``w`` is
        penalised as if ``1 / w`` times its size."""
        mean = design.mean(axis=0)
        scale = design.std(axis=0)
        scale[scale == 0.0] = 1.0
        # A bin's column is shrunk harder than a value's: the slope carries a linear truth,
        # and the bins only its bends (weighted alike, 60 bins drown 10 slopes on 1,000 rows).
        scale = scale / weights
        regression = LogisticRegression(C=self.c, max_iter=self.max_iter)
        regression.fit((design - mean) / scale, target)
        return _Fit(mean, scale, regression.coef_[0], float(regression.intercept_[0]))

    def _shapes(self, rows: pd.DataFrame) -> list[LinearTerm]:
        return [self._shape(str(name), rows[name]) for name in rows.columns]

    def _shape(self, name: str, column: pd.Series) -> LinearTerm:
        """The term's columns learnt from training (coefficients still empty)."""
        if is_categorical(column):
            return LinearTerm(name, "categorical", (), (), levels=tuple(present_levels(column)))
        values = pd.to_numeric(column, errors="coerce").to_numpy(dtype=np.float64)
        present = values[np.isfinite(values)]
        if present.size == 0:
            return LinearTerm(name, "numeric", (), ())
        low, high = np.quantile(present, [self.clip, 1.0 - self.clip])
        edges = quantile_edges(present, max_bins=self.max_bins, min_share=self.min_share)
        return LinearTerm(
            name,
            "numeric",
            (),
            (),
            low=float(low),
            high=float(high),
            fill=float(np.median(present)),
            edges=tuple(edges.tolist()),
        )

    # -- use ------------------------------------------------------------------------------

    def _check(self, rows: pd.DataFrame) -> None:
        require_fitted(self, _LEARNED, "linear model")
        missing = [name for name in self.feature_names_ if name not in rows.columns]
        if missing:
            raise ModelError(f"the rows lack features the model needs: {', '.join(missing)}")

    def contributions(self, rows: pd.DataFrame, /) -> pd.DataFrame:
        """Each feature's additive share of the log-odds of default, plus ``base``: each row
        sums to ``raw_margin``. A feature at its training mean contributes 0."""
        self._check(rows)
        terms = {t.name: t.contribution(rows[t.name]) for t in self.terms_}
        frame = pd.DataFrame(terms, index=rows.index, columns=self.feature_names_)
        frame["base"] = self.intercept_
        return frame

    def raw_margin(self, rows: pd.DataFrame, /) -> FloatArray:
        """The log-odds of default."""
        self._check(rows)
        margin = np.full(len(rows), self.intercept_)
        for term in self.terms_:
            margin += term.contribution(rows[term.name])
        return margin

    # -- saving ---------------------------------------------------------------------------

    def settings(self) -> dict[str, Any]:
        """``get_params()``: model.json's settings."""
        values: dict[str, Any] = self.get_params(deep=False)
        return values

    def to_dict(self) -> dict[str, Any]:
        require_fitted(self, _LEARNED, "linear model")
        return {
            "settings": self.settings(),
            "features": self.feature_names_,
            "intercept": self.intercept_,
            "bin_weight": self.bin_weight_,
            "terms": [asdict(t) for t in self.terms_],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LinearPD:
        try:
            model = cls(**data["settings"])
            model.feature_names_ = [str(n) for n in data["features"]]
            model.intercept_ = float(data["intercept"])
            model.bin_weight_ = float(data["bin_weight"])
            model.terms_ = [LinearTerm.from_dict(t) for t in data["terms"]]
        except (KeyError, TypeError, ValueError) as exc:
            raise ArtifactError(f"linear model: malformed ({exc!r})") from exc
        if [t.name for t in model.terms_] != model.feature_names_:
            raise ArtifactError("linear model: terms and features differ")
        model.classes_ = np.array([0, 1], dtype=np.int64)
        return model
