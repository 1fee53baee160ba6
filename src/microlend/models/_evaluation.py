"""Discrimination and calibration of PDs against observed outcomes: pure computation.

AUC and its Gini (``2 * AUC - 1``), KS (the largest gap between the cumulative score
distributions of bads and goods), Brier score, and a calibration table by decile of PD.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from sklearn.metrics import brier_score_loss, roc_auc_score, roc_curve

from microlend.errors import ModelError

__all__ = ["CalibrationBin", "Evaluation", "evaluate"]


@dataclass(frozen=True)
class CalibrationBin:
    """One decile of predicted PD: its size, mean predicted PD and observed default rate."""

    decile: int
    n: int
    mean_pd: float
    observed: float


@dataclass(frozen=True)
class Evaluation:
    """How well PDs rank and how well they are calibrated, on ``n`` labelled rows."""

    n: int
    bad_rate: float
    mean_pd: float
    auc: float
    gini: float
    ks: float
    brier: float
    calibration: tuple[CalibrationBin, ...]
    oracle_auc: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: numbers and a list of decile records."""
        values = asdict(self)
        values["calibration"] = [asdict(b) for b in self.calibration]
        return values


def evaluate(
    y_true: npt.ArrayLike,
    pd_: npt.ArrayLike,
    *,
    true_pd: npt.ArrayLike | None = None,
    bins: int = 10,
) -> Evaluation:
    """Evaluate PDs ``pd_`` against 0/1 outcomes ``y_true`` (1 = default).

    ``true_pd`` (known only on simulated data) gives ``oracle_auc``: the best AUC any model could
    reach on these outcomes.
    """
    y = _outcomes(y_true)
    p = _probabilities(pd_, y.size, "pd")
    auc = float(roc_auc_score(y, p))
    fpr, tpr, _ = roc_curve(y, p)
    oracle = None
    if true_pd is not None:
        oracle = float(roc_auc_score(y, _probabilities(true_pd, y.size, "true_pd")))
    return Evaluation(
        n=int(y.size),
        bad_rate=float(y.mean()),
        mean_pd=float(p.mean()),
        auc=auc,
        gini=2.0 * auc - 1.0,
        ks=float(np.max(tpr - fpr)),
        brier=float(brier_score_loss(y, p)),
        calibration=calibration_table(y, p, bins=bins),
        oracle_auc=oracle,
    )


def calibration_table(
    y: npt.NDArray[np.int64], p: npt.NDArray[np.float64], *, bins: int = 10
) -> tuple[CalibrationBin, ...]:
    """Rows sorted by PD and cut into ``bins`` groups of (nearly) equal size."""
    order = np.argsort(p, kind="stable")
    groups = np.array_split(order, min(bins, p.size))
    return tuple(
        CalibrationBin(
            decile=i + 1, n=int(g.size), mean_pd=float(p[g].mean()), observed=float(y[g].mean())
        )
        for i, g in enumerate(groups)
    )


def _outcomes(y_true: npt.ArrayLike) -> npt.NDArray[np.int64]:
    y = np.asarray(y_true)
    if y.ndim != 1 or y.size == 0:
        raise ModelError("evaluation needs a non-empty one-dimensional array of outcomes")
    values = set(np.unique(y).tolist())
    if not values <= {0, 1}:
        raise ModelError(f"outcomes must be 0/1 (1 = default), found {sorted(values)[:5]}")
    if len(values) < 2:
        raise ModelError("outcomes hold only one class: AUC and KS are undefined")
    return y.astype(np.int64)


def _probabilities(values: npt.ArrayLike, size: int, name: str) -> npt.NDArray[np.float64]:
    p = np.asarray(values, dtype=np.float64)
    if p.shape != (size,):
        raise ModelError(f"{name} has shape {p.shape}, expected ({size},)")
    if not np.all(np.isfinite(p)) or p.min() < 0.0 or p.max() > 1.0:
        raise ModelError(f"{name} must be finite probabilities within [0, 1]")
    return p
