"""What every PD estimator shares: scikit-learn's views of ``predict_pd`` (the mixins of
``models/_predict.py``) and the time of a time-ordered cut as integer ticks."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin, clone, is_classifier

from microlend.errors import ModelError
from microlend.models import PD_FLOOR
from microlend.models._predict import MarginPDMixin
from microlend.models._split import time_ticks


class _Margin(MarginPDMixin, ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """A fixed log-odds per row: the margin is the rows' ``margin`` column."""

    def __init__(self, *, shift: float = 0.0) -> None:
        self.shift = shift

    def raw_margin(self, rows: pd.DataFrame, /) -> npt.NDArray[np.float64]:
        return np.asarray(rows["margin"].to_numpy() + self.shift, dtype=np.float64)


def test_the_mixins_read_pd_proba_and_class_off_the_margin() -> None:
    rows = pd.DataFrame({"margin": [-100.0, -1.0, 0.0, 1.0, 100.0]})
    model = _Margin()
    pd_ = model.predict_pd(rows)
    expected = 1.0 / (1.0 + np.exp(-rows["margin"].to_numpy()))
    np.testing.assert_allclose(pd_, np.clip(expected, PD_FLOOR, 1.0 - PD_FLOOR))
    assert pd_.min() == PD_FLOOR
    assert pd_.max() == 1.0 - PD_FLOOR
    np.testing.assert_array_equal(model.predict_proba(rows), np.column_stack([1.0 - pd_, pd_]))
    np.testing.assert_array_equal(model.predict(rows), [0, 0, 1, 1, 1])
    assert model.predict(rows).dtype == np.int64


def test_the_mixins_add_no_settings() -> None:
    model = _Margin(shift=0.5)
    assert model.get_params() == {"shift": 0.5}
    assert clone(model).get_params() == {"shift": 0.5}
    assert is_classifier(model)


def test_time_ticks_are_utc_microseconds_with_ties_kept() -> None:
    stamps = ["2024-01-01 00:00Z", "2024-01-01 01:00+01:00", "2024-01-02 00:00Z"]
    time = pd.Series([pd.Timestamp(s) for s in stamps])
    ticks = time_ticks(time, 3)
    assert ticks.dtype == np.int64
    assert ticks[0] == ticks[1] == 1_704_067_200_000_000
    assert ticks[2] - ticks[0] == 86_400_000_000


def test_time_ticks_refuse_a_wrong_length_or_a_missing_time() -> None:
    with pytest.raises(ModelError, match="time has 2 values for 3 rows"):
        time_ticks(pd.Series(["2024-01-01", "2024-01-02"]), 3)
    with pytest.raises(ModelError, match="time has 1 missing values"):
        time_ticks(pd.Series(["2024-01-01", None]), 2)
