"""Calibration of a raw probability into a PD: isotonic or Platt, stored as plain numbers.

The learned state is a handful of floats (isotonic knots or the two Platt coefficients), so it
round-trips through JSON exactly and predicts the same after loading; no pickle anywhere.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss
from sklearn.model_selection import StratifiedKFold

from microlend.errors import ArtifactError, ModelError, NotFittedError

__all__ = ["PD_FLOOR", "CalibrationMethod", "Calibrator", "choose_calibration"]

CalibrationMethod = Literal["auto", "isotonic", "platt"]

#: No PD is ever exactly 0 or 1: a step of an isotonic fit may reach either on a small sample,
#: and the score's log-odds would then be infinite.
PD_FLOOR = 1e-5

FloatArray = npt.NDArray[np.float64]


def _logit(p: FloatArray) -> FloatArray:
    q = np.clip(p, 1e-12, 1 - 1e-12)
    return np.asarray(np.log(q / (1 - q)), dtype=np.float64)


def _isotonic_knots(p: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Knots at the centre of each isotonic step, joined by straight lines.

    Interpolating between step centres, rather than jumping at step edges, smooths the fit:
    it varies less with the sample and keeps distinct scores distinct, at no cost to
    monotonicity (centres and levels both increase).
    """
    iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(p, y)
    fitted = np.asarray(iso.predict(p), dtype=np.float64)
    levels, block = np.unique(fitted, return_inverse=True)
    centres = np.bincount(block, weights=p) / np.bincount(block)
    return centres.astype(np.float64), levels.astype(np.float64)


def choose_calibration(p: FloatArray, y: npt.NDArray[np.int64]) -> CalibrationMethod:
    """Isotonic or Platt, whichever has the lower Brier score in 5-fold cross-validation.

    Isotonic regression bends to any monotone shape but needs many defaults to be steady;
    Platt's two parameters are steady on few. Letting the hold-out decide avoids a calibration
    that is worse than none on a small sample.
    """
    folds = min(5, int(np.bincount(y).min()))
    if folds < 2:
        return "platt"
    losses: dict[CalibrationMethod, float] = {}
    for method in ("platt", "isotonic"):
        pred = np.empty_like(p)
        splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
        for fit_part, test_part in splitter.split(p, y):
            part = Calibrator(method).fit(p[fit_part], y[fit_part])
            pred[test_part] = part.predict(p[test_part])
        losses[method] = float(brier_score_loss(y, pred))
    return min(losses, key=losses.__getitem__)


class Calibrator:
    """Maps a model's raw probability to a calibrated PD.

    ``isotonic``: sklearn's isotonic regression, smoothed into straight lines between the
    centres of its steps (``knots_x_`` / ``knots_y_``), flat beyond the ends.
    ``platt``: ``sigmoid(slope_ * logit(p) + intercept_)``.
    ``auto``: whichever of the two has the lower cross-validated Brier score on the data
    (``method_`` records the choice). All are non-decreasing, so monotone constraints of the
    model survive calibration.
    """

    def __init__(self, method: CalibrationMethod = "auto") -> None:
        self.method = method

    def fit(self, raw: npt.ArrayLike, y: npt.ArrayLike) -> Calibrator:
        p = np.asarray(raw, dtype=np.float64)
        target = np.asarray(y, dtype=np.float64)
        if p.shape != target.shape or p.size == 0:
            raise ModelError("calibration needs as many outcomes as probabilities, at least one")
        self.method_: CalibrationMethod = self.method
        if self.method == "auto":
            self.method_ = choose_calibration(p, target.astype(np.int64))
        if self.method_ == "isotonic":
            self.knots_x_, self.knots_y_ = _isotonic_knots(p, target)
        elif self.method_ == "platt":
            # A large C: Platt scaling is a two-parameter fit, no regularisation is wanted.
            lr = LogisticRegression(C=1e6)
            lr.fit(_logit(p).reshape(-1, 1), target.astype(int))
            self.slope_ = float(lr.coef_[0, 0])
            self.intercept_ = float(lr.intercept_[0])
        else:
            raise ModelError(f"unknown calibration {self.method!r}: use auto, isotonic or platt")
        return self

    def predict(self, raw: npt.ArrayLike) -> FloatArray:
        """Calibrated PDs, kept within [PD_FLOOR, 1 - PD_FLOOR]."""
        p = np.asarray(raw, dtype=np.float64)
        if not hasattr(self, "method_"):
            raise NotFittedError("the calibrator is not fitted")
        if self.method_ == "isotonic":
            pd_ = np.interp(p, self.knots_x_, self.knots_y_)
        else:
            pd_ = 1.0 / (1.0 + np.exp(-(self.slope_ * _logit(p) + self.intercept_)))
        return np.asarray(np.clip(pd_, PD_FLOOR, 1 - PD_FLOOR), dtype=np.float64)

    def to_dict(self) -> dict[str, Any]:
        if self.method_ == "isotonic":
            return {
                "method": "isotonic",
                "x": self.knots_x_.tolist(),
                "y": self.knots_y_.tolist(),
            }
        return {"method": "platt", "slope": self.slope_, "intercept": self.intercept_}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Calibrator:
        try:
            method = data["method"]
            calibrator = cls(method)
            calibrator.method_ = method
            if method == "isotonic":
                calibrator.knots_x_ = np.asarray(data["x"], dtype=np.float64)
                calibrator.knots_y_ = np.asarray(data["y"], dtype=np.float64)
                if calibrator.knots_x_.shape != calibrator.knots_y_.shape:
                    raise ArtifactError("calibrator: isotonic knots of unequal length")
            elif method == "platt":
                calibrator.slope_ = float(data["slope"])
                calibrator.intercept_ = float(data["intercept"])
            else:
                raise ArtifactError(f"calibrator: unknown method {method!r}")
        except (KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, ArtifactError):
                raise
            raise ArtifactError(f"calibrator: malformed ({exc})") from exc
        return calibrator
