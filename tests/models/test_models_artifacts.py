"""Artefacts: save then load predicts the same; any altered or missing file is refused."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd
import pytest
from models_support import linear_truth

from microlend.errors import ArtifactError, ConfigError
from microlend.models import (
    ModelMetadata,
    PDModel,
    Scorecard,
    SelectedModel,
    Window,
    load_artifact,
    load_model,
    save_model,
)

Data = tuple[pd.DataFrame, npt.NDArray[np.int64], pd.Series]
META = ModelMetadata(
    training_window=Window(datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 6, 16, tzinfo=UTC)),
    data_sha256="ab" * 32,
)


@pytest.fixture
def saved(tmp_path: Path, fitted_model: PDModel) -> Path:
    return save_model(fitted_model, tmp_path / "model", META)


def test_load_predicts_exactly_as_saved(
    saved: Path, fitted_model: PDModel, risk_data: Data
) -> None:
    rows = risk_data[0].iloc[:500]
    loaded = load_model(saved)
    np.testing.assert_array_equal(loaded.predict_pd(rows), fitted_model.predict_pd(rows))
    pd.testing.assert_frame_equal(loaded.contributions(rows), fitted_model.contributions(rows))
    assert loaded.feature_names_ == fitted_model.feature_names_
    assert loaded.monotone == fitted_model.monotone


def test_metadata_records_features_versions_and_hashes(saved: Path) -> None:
    manifest = json.loads((saved / "model.json").read_text())
    assert manifest["metadata"] == {
        "training_window": {"from": "2024-01-01T00:00:00+00:00", "to": "2024-06-16T00:00:00+00:00"},
        "data_sha256": "ab" * 32,
    }
    assert load_artifact(saved).metadata == META
    assert [f["name"] for f in manifest["features"]] == ["late", "sales", "noise", "segment"]
    assert manifest["features"][3]["categories"] == ["a", "b", "c"]
    assert set(manifest["files"]) == {"booster.txt", "calibrator.json"}
    assert "lightgbm" in manifest["libraries"]
    assert not list(saved.parent.glob(".model*")), "no staging folder is left behind"


@pytest.mark.parametrize("name", ["booster.txt", "calibrator.json"])
def test_one_changed_byte_is_refused(saved: Path, name: str) -> None:
    path = saved / name
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(ArtifactError, match=f"{name}: altered"):
        load_model(saved)


@pytest.mark.parametrize("name", ["booster.txt", "model.json"])
def test_a_missing_file_is_refused(saved: Path, name: str) -> None:
    (saved / name).unlink()
    with pytest.raises(ArtifactError, match=f"{name}: missing"):
        load_model(saved)


def test_another_major_version_is_refused(saved: Path) -> None:
    manifest = json.loads((saved / "model.json").read_text())
    manifest["libraries"]["lightgbm"] = "3.3.5"
    (saved / "model.json").write_text(json.dumps(manifest))
    with pytest.raises(ArtifactError, match=r"lightgbm 3\.3\.5"):
        load_model(saved)


def test_a_different_feature_list_is_refused(saved: Path) -> None:
    manifest = json.loads((saved / "model.json").read_text())
    manifest["features"] = manifest["features"][::-1]
    (saved / "model.json").write_text(json.dumps(manifest))
    with pytest.raises(ArtifactError, match="features"):
        load_model(saved)


def test_existing_folder_needs_overwrite(saved: Path, fitted_model: PDModel) -> None:
    with pytest.raises(ConfigError, match="exists"):
        save_model(fitted_model, saved, META)
    save_model(fitted_model, saved, ModelMetadata(n_train=2), overwrite=True)
    assert load_artifact(saved).metadata == ModelMetadata(n_train=2)


def test_the_challenger_travels_as_json(
    tmp_path: Path, fitted_model: PDModel, risk_data: Data
) -> None:
    rows, y, _ = risk_data
    card = Scorecard().fit(rows, y)
    folder = save_model(fitted_model, tmp_path / "m", META, challenger=card)
    artifact = load_artifact(folder)
    assert artifact.challenger is not None
    np.testing.assert_array_equal(artifact.challenger.predict_pd(rows), card.predict_pd(rows))
    assert "scorecard.json" in artifact.files


@pytest.fixture(scope="module")
def chosen_among() -> tuple[SelectedModel, pd.DataFrame]:
    table = linear_truth(600, seed=8)
    rows = table.drop(columns="bad")
    rows["region"] = pd.Categorical(rows["region"])
    return SelectedModel().fit(rows, table["bad"].to_numpy()), rows


@pytest.mark.parametrize("kind", ["linear", "scorecard", "lightgbm", "blend"])
def test_every_candidate_kind_round_trips(
    tmp_path: Path, chosen_among: tuple[SelectedModel, pd.DataFrame], kind: str
) -> None:
    selected, rows = chosen_among
    model = selected.fitted_[kind]
    folder = save_model(model, tmp_path / kind, META, selection=selected.selection_)
    artifact = load_artifact(folder)
    assert artifact.kind == kind
    assert json.loads((folder / "model.json").read_text())["kind"] == kind
    np.testing.assert_array_equal(artifact.predictor.predict_pd(rows), model.predict_pd(rows))
    pd.testing.assert_frame_equal(artifact.predictor.contributions(rows), model.contributions(rows))
    assert artifact.selection == selected.selection_
    if kind == "lightgbm":
        assert artifact.model is artifact.predictor
    else:
        with pytest.raises(ArtifactError, match=f"a {kind} model chosen on a table"):
            artifact.model  # noqa: B018


def test_a_model_of_format_1_still_loads(
    saved: Path, fitted_model: PDModel, risk_data: Data
) -> None:
    """Before kinds, model.json had format 1 and no kind: a LightGBM model."""
    manifest = json.loads((saved / "model.json").read_text())
    assert (manifest["format"], manifest["kind"]) == (2, "lightgbm")
    manifest["format"] = 1
    del manifest["kind"]
    (saved / "model.json").write_text(json.dumps(manifest))
    artifact = load_artifact(saved)
    assert artifact.kind == "lightgbm"
    assert artifact.selection is None
    rows = risk_data[0].iloc[:100]
    np.testing.assert_array_equal(artifact.model.predict_pd(rows), fitted_model.predict_pd(rows))


def test_an_unknown_kind_is_refused(saved: Path) -> None:
    manifest = json.loads((saved / "model.json").read_text())
    manifest["kind"] = "forest"
    (saved / "model.json").write_text(json.dumps(manifest))
    with pytest.raises(ArtifactError, match="unknown kind of model 'forest'"):
        load_artifact(saved)
