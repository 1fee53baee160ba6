"""A model fitted once on the small simulated marketplace and saved, for the serving commands."""

from __future__ import annotations

from pathlib import Path

import pytest

from microlend.data import Dataset
from microlend.models import save_model
from microlend.service import RatingFit, fit_rating


@pytest.fixture(scope="session")
def cli_fit(small_market: Dataset) -> RatingFit:
    return fit_rating(small_market)


@pytest.fixture(scope="session")
def cli_model_dir(cli_fit: RatingFit, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli") / "model"
    return save_model(cli_fit.model, folder, cli_fit.metadata)
