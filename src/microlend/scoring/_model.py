"""What scoring needs of a PD model: a structural type, so any model with these members fits."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np
import numpy.typing as npt
import pandas as pd

from microlend.errors import ModelError

__all__ = ["RiskModel", "model_inputs"]


class RiskModel(Protocol):
    """A fitted PD model.

    ``predict_pd`` gives calibrated PDs. ``contributions`` gives per-row contributions to the raw
    log-odds of default (LightGBM's ``pred_contrib``): one column per feature plus ``base``; each
    row sums to the raw margin, and PD is a calibration of ``sigmoid(margin)``.
    """

    @property
    def feature_names_(self) -> Sequence[str]: ...

    def predict_pd(self, rows: pd.DataFrame, /) -> npt.NDArray[np.float64]: ...

    def contributions(self, rows: pd.DataFrame, /) -> pd.DataFrame: ...


def model_inputs(model: RiskModel, rows: pd.DataFrame) -> pd.DataFrame:
    """``rows`` cut to the model's features in its order; ``ModelError`` if any is absent."""
    names = list(model.feature_names_)
    missing = [name for name in names if name not in rows.columns]
    if missing:
        raise ModelError(f"the rows lack features the model needs: {', '.join(missing)}")
    return rows.loc[:, names]
