"""What every PD estimator answers the same way: scikit-learn's ``predict_proba`` and
``predict`` read off ``predict_pd``, and, for a model whose margin is already calibrated,
``predict_pd`` read off ``raw_margin``.

Mixins carry no settings and no ``__init__``, so ``BaseEstimator.get_params``, ``clone`` and
``check_is_fitted`` see only the estimator's own.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from microlend.models._calibration import PD_FLOOR

__all__ = ["MarginPDMixin", "PredictMixin"]

FloatArray = npt.NDArray[np.float64]


class PredictMixin:
    """``predict_proba`` and ``predict`` for an estimator that defines ``predict_pd``."""

    def predict_pd(self, rows: pd.DataFrame, /) -> FloatArray:
        raise NotImplementedError  # each estimator says how it reaches its PDs

    def predict_proba(self, rows: pd.DataFrame, /) -> FloatArray:
        """scikit-learn's view of ``predict_pd``: columns P(repaid), P(default)."""
        pd_ = self.predict_pd(rows)
        return np.column_stack([1.0 - pd_, pd_])

    def predict(self, rows: pd.DataFrame, /) -> npt.NDArray[np.int64]:
        """1 (default) where the PD is at least one half, else 0: only for scikit-learn tools;
        lending decisions use the PD itself."""
        return (self.predict_pd(rows) >= 0.5).astype(np.int64)


class MarginPDMixin(PredictMixin):
    """``predict_pd`` for an estimator whose ``raw_margin`` is its calibrated log-odds."""

    def raw_margin(self, rows: pd.DataFrame, /) -> FloatArray:
        raise NotImplementedError  # each estimator says how it reaches its margin

    def predict_pd(self, rows: pd.DataFrame, /) -> FloatArray:
        """``sigmoid(raw_margin(rows))``, kept within [PD_FLOOR, 1 - PD_FLOOR]."""
        pd_ = 1.0 / (1.0 + np.exp(-self.raw_margin(rows)))
        return np.asarray(np.clip(pd_, PD_FLOOR, 1.0 - PD_FLOOR), dtype=np.float64)
