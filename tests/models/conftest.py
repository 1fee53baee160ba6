"""Fixtures of the models tests: one monotone PD model fitted once for the session."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd
import pytest
from models_support import DIRECTIONS, risk_frame

from microlend.models import PDModel


@pytest.fixture(scope="session")
def risk_data() -> tuple[pd.DataFrame, npt.NDArray[np.int64], pd.Series]:
    return risk_frame(4000, seed=0)


@pytest.fixture(scope="session")
def fitted_model(risk_data: tuple[pd.DataFrame, npt.NDArray[np.int64], pd.Series]) -> PDModel:
    rows, y, time = risk_data
    return PDModel(monotone=DIRECTIONS).fit(rows, y, time=time)
