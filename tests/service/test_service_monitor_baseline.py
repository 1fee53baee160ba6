"""The monitor's training baseline is built once per model and records (``_stability``): a
day's monitoring with the kept baseline equals the one built from scratch, as it was before
the baseline was kept (every labelled application's features rebuilt, split at the window)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine

from daily_support import START
from microlend.data import Dataset, load_store
from microlend.models import ModelArtifact, load_artifact
from microlend.monitoring import calibration_by_band
from microlend.policy import default_policy
from microlend.scoring import ScoreScale
from microlend.service import RatingFit, close_business_day, save_rating
from microlend.service.portfolio._stability import (
    Population,
    StabilityBaseline,
    baseline_on_records,
    book_population,
    forget_baselines,
    monitor_model,
    monitor_on_records,
)
from microlend.service.rating import STABILITY_FEATURES, feature_importance, labelled_applications
from microlend.store import create_engine_for, migrate

AT = datetime(2025, 1, 2, tzinfo=UTC)


def _from_scratch(artifact: ModelArtifact, dataset: Dataset, current: Population) -> str:
    """The monitor as it was before the baseline was kept: one labelling, split at the window."""
    window = artifact.metadata.training_window
    assert window is not None
    labelled = labelled_applications(dataset)
    later = (labelled.applied_at > pd.Timestamp(window.end)).to_numpy()
    train, after = labelled.take(~later), labelled.take(later)
    model, scale = artifact.model, ScoreScale()
    scores = np.asarray(scale.score(model.predict_pd(train.features)), np.float64)
    top = tuple(n for n, _ in feature_importance(model, train.features)[:STABILITY_FEATURES])
    baseline = StabilityBaseline(Population("training", scores, train.features), top)
    calibration = calibration_by_band(model.predict_pd(after.features), after.defaulted, scale)
    minimum = default_policy().minimum_sample
    return json.dumps(monitor_model(baseline, current, calibration, minimum).to_dict())


@pytest.fixture(scope="module")
def closed(
    daily_inbox: Path, small_fit: RatingFit, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path, Engine, dict[str, object]]:
    """Two business days closed in one process (the second one monitors with the kept
    baseline): the store, the model, the book and the second day's monitor report."""
    folder = tmp_path_factory.mktemp("monitor")
    model = save_rating(small_fit, folder / "model")
    engine = create_engine_for(f"sqlite:///{folder / 'book.db'}")
    migrate(engine)
    store = folder / "platform.duckdb"
    forget_baselines()
    for day in (START, START + timedelta(days=1)):
        report = close_business_day(
            store, engine, model, default_policy(), day, at=AT, inbox=daily_inbox
        )
    return store, model, engine, dict(report.steps["monitor"])


def test_a_days_monitor_with_the_kept_baseline_equals_one_from_scratch(
    closed: tuple[Path, Path, Engine, dict[str, object]],
) -> None:
    store, model, engine, report = closed
    artifact, dataset = load_artifact(model), load_store(store)
    found = book_population(engine)
    current = found if len(found) else None
    assert report["verdict"] is not None, report
    forget_baselines()
    fresh = monitor_on_records(artifact, dataset, current=current)
    again = monitor_on_records(artifact, dataset, current=current)
    expected = _from_scratch(artifact, dataset, current or _after(artifact, dataset))
    assert json.dumps(fresh.to_dict()) == expected
    assert json.dumps(again.to_dict()) == expected
    assert report["verdict"] == fresh.verdict.value
    assert report["psi"] == {
        s.name: None if np.isnan(s.psi) else round(float(s.psi), 6)
        for s in (fresh.score, *fresh.features)
    }


def _after(artifact: ModelArtifact, dataset: Dataset) -> Population:
    """The applications after the training window, as ``monitor_on_records`` names them."""
    window = artifact.metadata.training_window
    assert window is not None
    labelled = labelled_applications(dataset)
    after = labelled.take((labelled.applied_at > pd.Timestamp(window.end)).to_numpy())
    scores = ScoreScale().score(artifact.model.predict_pd(after.features))
    return Population("applications after training", np.asarray(scores, np.float64), after.features)


def test_the_baseline_is_built_once_per_model_and_records(
    closed: tuple[Path, Path, Engine, dict[str, object]],
) -> None:
    store, model, _, _ = closed
    artifact, dataset = load_artifact(model), load_store(store)
    forget_baselines()
    first = baseline_on_records(artifact, dataset)
    assert baseline_on_records(artifact, dataset) is first
    forget_baselines()
    rebuilt = baseline_on_records(artifact, dataset)
    assert rebuilt is not first
    assert np.array_equal(rebuilt.population.scores, first.population.scores)
    pd.testing.assert_frame_equal(rebuilt.population.features, first.population.features)
