"""The session's fitted rating (``small_fit``) saved once (with its improver), for the serving
commands."""

from __future__ import annotations

from pathlib import Path

import pytest

from microlend.service import RatingFit, save_rating


@pytest.fixture(scope="session")
def cli_model_dir(small_fit: RatingFit, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli") / "model"
    return save_rating(small_fit, folder)
