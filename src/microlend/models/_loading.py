"""Loading a model directory (its layout: ``_artifacts``), verified: every file's sha256, the
library versions it was saved with, and that each part's features are model.json's."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import lightgbm as lgb

from microlend.errors import ArtifactError
from microlend.models._artifacts import (
    BLEND_FILE,
    BOOSTER_FILE,
    CALIBRATOR_FILE,
    IMPROVER_FILE,
    KINDS,
    LINEAR_FILE,
    MODEL_FILE,
    PREPARER_FILE,
    READABLE,
    SCORECARD_FILE,
    ModelArtifact,
    file_sha256,
    library_versions,
)
from microlend.models._blend import BlendPD
from microlend.models._calibration import Calibrator
from microlend.models._linear import LinearPD
from microlend.models._metadata import ModelMetadata
from microlend.models._pd_model import PDModel
from microlend.models._preparer import TablePreparer
from microlend.models._scorecard import Scorecard
from microlend.models._selection import Selection, TableModel

__all__ = ["load_artifact", "load_model"]

T = TypeVar("T")


def load_model(directory: Path) -> PDModel:
    """The LightGBM PD model saved in ``directory``, after every check of ``load_artifact``."""
    return load_artifact(directory).model


def load_artifact(directory: Path) -> ModelArtifact:
    """Read and verify a model directory; ``ArtifactError`` names what is missing or altered."""
    directory = Path(directory)
    manifest = _read_manifest(directory)
    files: dict[str, str] = manifest["files"]
    kind = str(manifest.get("kind", "lightgbm"))
    if kind not in KINDS:
        raise ArtifactError(f"{directory / MODEL_FILE}: unknown kind of model {kind!r}")
    for required in KINDS[kind]:
        if required not in files:
            raise ArtifactError(f"{directory / MODEL_FILE}: lists no {required}")
    for name, expected in files.items():
        path = directory / name
        if not path.is_file():
            raise ArtifactError(f"{path}: missing")
        if file_sha256(path) != expected:
            raise ArtifactError(f"{path}: altered since it was saved (sha256 differs)")
    _check_versions(directory, manifest["libraries"])
    predictor = _read_predictor(directory, manifest, kind)
    challenger = None
    if kind != "scorecard":
        challenger = _optional(directory, files, SCORECARD_FILE, Scorecard.from_dict)
    selection = manifest.get("selection")
    return ModelArtifact(
        predictor=predictor,
        metadata=_metadata(directory, manifest["metadata"]),
        challenger=challenger,
        preparer=_optional(directory, files, PREPARER_FILE, TablePreparer.from_dict),
        files=files,
        improver=_optional(directory, files, IMPROVER_FILE, _document),
        libraries={str(k): str(v) for k, v in manifest["libraries"].items()},
        selection=None if selection is None else Selection.from_dict(selection),
    )


def _read_manifest(directory: Path) -> dict[str, Any]:
    path = directory / MODEL_FILE
    if not path.is_file():
        raise ArtifactError(f"{path}: missing (is {directory} a saved model?)")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ArtifactError(f"{path}: not valid JSON ({exc})") from exc
    if not isinstance(manifest, dict) or manifest.get("format") not in READABLE:
        readable = " or ".join(map(str, READABLE))
        raise ArtifactError(f"{path}: not a microlend model of format {readable}")
    for key in ("features", "files", "libraries", "settings", "best_iteration", "metadata"):
        if key not in manifest:
            raise ArtifactError(f"{path}: lacks {key!r}")
    return manifest


def _metadata(directory: Path, data: object) -> ModelMetadata:
    if not isinstance(data, dict):
        raise ArtifactError(f"{directory / MODEL_FILE}: metadata is not an object")
    try:
        return ModelMetadata.from_dict(data)
    except ArtifactError as exc:
        raise ArtifactError(f"{directory / MODEL_FILE}: {exc}") from exc


def _check_versions(directory: Path, saved: Mapping[str, str]) -> None:
    current = library_versions()
    for name, version in saved.items():
        now = current.get(name)
        if now is None or now.split(".")[0] != str(version).split(".")[0]:
            raise ArtifactError(
                f"{directory}: saved with {name} {version}, but {name} {now} is installed "
                "(major versions differ)"
            )


def _read_predictor(directory: Path, manifest: Mapping[str, Any], kind: str) -> TableModel:
    names = [f["name"] for f in manifest["features"]]
    if kind == "scorecard":
        card = Scorecard.from_dict(_load_json(directory / SCORECARD_FILE))
        return _same_features(directory, card, names)
    if kind == "linear":
        linear = LinearPD.from_dict(_load_json(directory / LINEAR_FILE))
        return _same_features(directory, linear, names)
    settings = manifest["settings"]
    boosted_settings = settings["boosted"] if kind == "blend" else settings
    boosted = _read_boosted(directory, manifest, boosted_settings)
    if kind == "lightgbm":
        return boosted
    linear = LinearPD.from_dict(_load_json(directory / LINEAR_FILE))
    blend = BlendPD.from_parts(_load_json(directory / BLEND_FILE), boosted, linear)
    return _same_features(directory, blend, names)


def _same_features(directory: Path, model: T, names: list[str]) -> T:
    found = list(getattr(model, "feature_names_", []))
    if found != names:
        raise ArtifactError(
            f"{directory}: the model's features {found} differ from model.json's {names}"
        )
    return model


def _read_boosted(
    directory: Path, manifest: Mapping[str, Any], settings: Mapping[str, Any]
) -> PDModel:
    try:
        booster = lgb.Booster(model_file=str(directory / BOOSTER_FILE))
    except lgb.basic.LightGBMError as exc:
        raise ArtifactError(f"{directory / BOOSTER_FILE}: unreadable ({exc})") from exc
    names = [f["name"] for f in manifest["features"]]
    if booster.feature_name() != names:
        raise ArtifactError(
            f"{directory}: the booster's features {booster.feature_name()} differ from "
            f"model.json's {names}"
        )
    calibrator = Calibrator.from_dict(_load_json(directory / CALIBRATOR_FILE))
    categories = {f["name"]: f["categories"] for f in manifest["features"] if f["categories"]}
    try:
        return PDModel.from_parts(
            booster,
            calibrator,
            feature_names=names,
            categories=categories,
            best_iteration=int(manifest["best_iteration"]),
            settings=settings,
        )
    except TypeError as exc:  # settings this version of PDModel does not know
        raise ArtifactError(f"{directory / MODEL_FILE}: settings do not fit ({exc})") from exc


def _document(data: Any) -> Mapping[str, Any]:
    if not isinstance(data, dict):
        raise ArtifactError(f"{IMPROVER_FILE}: not a JSON object")
    return data


def _load_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ArtifactError(f"{path}: not valid JSON ({exc})") from exc


def _optional(
    directory: Path, files: Mapping[str, str], name: str, build: Callable[[Any], T]
) -> T | None:
    return build(_load_json(directory / name)) if name in files else None
