"""Fixtures of the scoring tests (the helpers they build on are in ``scoring_support``)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd
import pytest
from scoring_support import CATALOG, merchants

from microlend.models import PDModel
from microlend.scoring import Improver


@pytest.fixture(scope="session")
def training() -> tuple[pd.DataFrame, npt.NDArray[np.int64]]:
    return merchants(3000, seed=7)


@pytest.fixture(scope="session")
def model(training: tuple[pd.DataFrame, npt.NDArray[np.int64]]) -> PDModel:
    """The project's own PD model: monotone per the catalog, calibrated on a hold-out."""
    rows, y = training
    directions = {spec.name: int(spec.direction) for spec in CATALOG}
    return PDModel(monotone=directions, random_state=0).fit(rows, y)


@pytest.fixture(scope="session")
def applicants() -> pd.DataFrame:
    return merchants(300, seed=11)[0]


@pytest.fixture(scope="session")
def improver(training: tuple[pd.DataFrame, npt.NDArray[np.int64]]) -> Improver:
    """The improver fitted once on the training rows; tests read it and never change it."""
    return Improver(CATALOG).fit(training[0])
