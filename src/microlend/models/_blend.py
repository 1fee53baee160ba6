"""A blend of the boosted PD model and the linear one, averaged on the logit scale.

``margin = intercept_ + slope_ * (weight_ * boosted margin + (1 - weight_) * linear margin)``
and ``PD = sigmoid(margin)``. The two parts' raw margins are averaged, then one Platt
scaling (``slope_``, ``intercept_``), learnt from out-of-fold margins, calibrates the mix. As
both margins split exactly into per-feature terms, so does the blend's: ``contributions`` is
the same weighted sum of the parts' contributions, scaled by ``slope_``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.linear_model import LogisticRegression

from microlend.errors import ArtifactError, ModelError
from microlend.models._checks import binary_target, check_rows, require_fitted
from microlend.models._crossfit import Fold, fold_aucs, make_folds
from microlend.models._linear import LinearPD
from microlend.models._pd_model import PDModel
from microlend.models._predict import MarginPDMixin

__all__ = ["BlendPD"]

FloatArray = npt.NDArray[np.float64]

_LEARNED = ("boosted_", "linear_", "weight_", "slope_", "intercept_")


class BlendPD(MarginPDMixin, ClassifierMixin, BaseEstimator):  # type: ignore[misc]  # sklearn is untyped
    """The logit-scale average of a ``PDModel`` and a ``LinearPD`` (a scikit-learn classifier).

    ``boosted`` / ``linear``: the two parts' settings, as unfitted estimators (defaults when
    None). ``weights``: the boosted part's shares of the margin tried; the one with the best
    mean AUC on the folds is kept (``weight_``). ``fit`` cross-fits both parts on
    ``folds`` stratified folds (time-ordered with ``time``) and learns the Platt scaling from
    the mixed out-of-fold margins; model selection instead ``combine``s parts it already
    cross-fitted.
    """

    def __init__(
        self,
        *,
        boosted: PDModel | None = None,
        linear: LinearPD | None = None,
        weights: Sequence[float] = (0.5,),
        folds: int = 5,
        random_state: int = 0,
    ) -> None:
        self.boosted = boosted
        self.linear = linear
        self.weights = weights
        self.folds = folds
        self.random_state = random_state

    def fit(
        self, rows: pd.DataFrame, y: npt.ArrayLike, *, time: pd.Series | None = None
    ) -> BlendPD:
        rows = check_rows(rows)
        target = binary_target(y, len(rows))
        folds = make_folds(target, folds=self.folds, time=time, random_state=self.random_state)
        self.cross_fit(rows, target, folds)
        return self

    def cross_fit(self, rows: pd.DataFrame, y: npt.ArrayLike, folds: Sequence[Fold]) -> FloatArray:
        """Fit both parts on all rows; return the blend's out-of-fold margins."""
        target = np.asarray(y, dtype=np.int64)
        boosted: PDModel = clone(self.boosted) if self.boosted is not None else PDModel()
        linear: LinearPD = clone(self.linear) if self.linear is not None else LinearPD()
        boosted_margins = boosted.cross_fit(rows, target, folds)
        linear_margins = linear.cross_fit(rows, target, folds)
        return self.combine(boosted, boosted_margins, linear, linear_margins, target, folds)

    def combine(
        self,
        boosted: PDModel,
        boosted_margins: FloatArray,
        linear: LinearPD,
        linear_margins: FloatArray,
        y: npt.NDArray[np.int64],
        folds: Sequence[Fold],
    ) -> FloatArray:
        """Take two fitted parts and their out-of-fold margins on ``folds``; keep the weight
        whose mix has the best mean AUC on the folds (the first of equals), learn the Platt
        scaling of that mix, and return the blend's out-of-fold margins (NaN where the parts
        have none)."""
        weights = [float(w) for w in self.weights]
        if not weights or not all(0.0 <= w <= 1.0 for w in weights):
            raise ModelError(f"weights must lie within [0, 1], not {self.weights}")
        self.boosted_, self.linear_ = boosted, linear
        self.feature_names_ = list(boosted.feature_names_)
        self.classes_ = np.array([0, 1], dtype=np.int64)
        mixes = [w * boosted_margins + (1.0 - w) * linear_margins for w in weights]
        aucs = [float(fold_aucs(m, y, folds).mean()) for m in mixes]
        best = int(np.argmax(aucs))
        self.weight_, mix = weights[best], mixes[best]
        scored = np.isfinite(mix)
        platt = LogisticRegression(C=1e6).fit(mix[scored].reshape(-1, 1), y[scored])
        self.slope_ = float(platt.coef_[0, 0])
        self.intercept_ = float(platt.intercept_[0])
        return np.asarray(self.intercept_ + self.slope_ * mix, dtype=np.float64)

    # -- use ------------------------------------------------------------------------------

    def raw_margin(self, rows: pd.DataFrame, /) -> FloatArray:
        """The blend's log-odds of default."""
        require_fitted(self, _LEARNED, "blend")
        mix = self.weight_ * self.boosted_.raw_margin(rows)
        mix = mix + (1.0 - self.weight_) * self.linear_.raw_margin(rows)
        return np.asarray(self.intercept_ + self.slope_ * mix, dtype=np.float64)

    def contributions(self, rows: pd.DataFrame, /) -> pd.DataFrame:
        """Each feature's additive share of ``raw_margin``, plus ``base``: the parts'
        contributions mixed and scaled as their margins are."""
        require_fitted(self, _LEARNED, "blend")
        boosted = self.boosted_.contributions(rows)
        linear = self.linear_.contributions(rows)[boosted.columns]
        mixed = self.slope_ * (self.weight_ * boosted + (1.0 - self.weight_) * linear)
        mixed["base"] = mixed["base"] + self.intercept_
        return mixed

    # -- saving ---------------------------------------------------------------------------

    def settings(self) -> dict[str, Any]:
        """model.json's settings: the weight and the folds, with each part's settings."""
        return {
            "weights": list(self.weights),
            "folds": self.folds,
            "random_state": self.random_state,
            "boosted": (self.boosted_ if hasattr(self, "boosted_") else PDModel()).settings(),
            "linear": (self.linear_ if hasattr(self, "linear_") else LinearPD()).settings(),
        }

    def to_dict(self) -> dict[str, Any]:
        """The blend's own numbers (the parts are saved in their own files)."""
        require_fitted(self, _LEARNED, "blend")
        return {
            "weights": list(self.weights),
            "weight": self.weight_,
            "folds": self.folds,
            "random_state": self.random_state,
            "slope": self.slope_,
            "intercept": self.intercept_,
        }

    @classmethod
    def from_parts(cls, data: Mapping[str, Any], boosted: PDModel, linear: LinearPD) -> BlendPD:
        """A fitted blend from its saved numbers and its loaded parts (no pickle)."""
        try:
            blend = cls(
                boosted=PDModel(**boosted.settings()),
                linear=LinearPD(**linear.settings()),
                weights=tuple(float(w) for w in data["weights"]),
                folds=int(data["folds"]),
                random_state=int(data["random_state"]),
            )
            blend.weight_ = float(data["weight"])
            blend.slope_ = float(data["slope"])
            blend.intercept_ = float(data["intercept"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ArtifactError(f"blend: malformed ({exc!r})") from exc
        if boosted.feature_names_ != linear.feature_names_:
            raise ArtifactError("blend: its two parts have different features")
        blend.boosted_, blend.linear_ = boosted, linear
        blend.feature_names_ = list(boosted.feature_names_)
        blend.classes_ = np.array([0, 1], dtype=np.int64)
        return blend
