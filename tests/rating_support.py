"""A real PD model that counts what scoring asks of it: a thin wrapper, not a mock.

Every call goes to the wrapped model (LightGBM and its calibrator do the work); the wrapper only
counts the model passes (``predict_pd``) and the TreeSHAP passes (``contributions``), so a test
can check that a batch is rated with one of each.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

from microlend.scoring import RiskModel


class Counted:
    """``model`` itself, with ``calls`` counting ``predict_pd`` and ``contributions``."""

    def __init__(self, model: RiskModel) -> None:
        self.model = model
        self.calls: Counter[str] = Counter()

    @property
    def feature_names_(self) -> Sequence[str]:
        return self.model.feature_names_

    def predict_pd(self, rows: pd.DataFrame, /) -> npt.NDArray[np.float64]:
        self.calls["predict_pd"] += 1
        return self.model.predict_pd(rows)

    def contributions(self, rows: pd.DataFrame, /) -> pd.DataFrame:
        self.calls["contributions"] += 1
        return self.model.contributions(rows)
