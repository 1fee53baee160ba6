"""The session's fitted rating (``small_fit``) saved once, for the serving commands."""

from __future__ import annotations

from pathlib import Path

import pytest

from microlend.models import save_model
from microlend.service import RatingFit


@pytest.fixture(scope="session")
def cli_model_dir(small_fit: RatingFit, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli") / "model"
    return save_model(small_fit.model, folder, small_fit.metadata)
