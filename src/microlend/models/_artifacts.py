"""Saving and loading a model as plain files, never pickle.

A model directory holds ``booster.txt`` (LightGBM's own text format), ``calibrator.json``,
optionally ``scorecard.json`` (the challenger), ``preparer.json`` (a table's preparation) and
``improver.json`` (what scoring's ``Improver`` learned from the training matrix: "what would
raise it" is then the same wherever the model rates), and ``model.json``: features, settings,
the training's ``ModelMetadata`` (windows, metrics, data hash), library versions and the sha256
of every other file. Loading verifies all of it.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any, Protocol, TypeVar

import lightgbm as lgb

from microlend.errors import ArtifactError, ConfigError, NotFittedError
from microlend.models._calibration import Calibrator
from microlend.models._checks import require_fitted
from microlend.models._metadata import ModelMetadata
from microlend.models._pd_model import PDModel
from microlend.models._preparer import TablePreparer
from microlend.models._scorecard import Scorecard

__all__ = [
    "FORMAT",
    "ModelArtifact",
    "SavedPart",
    "file_sha256",
    "load_artifact",
    "load_model",
    "save_model",
]

T = TypeVar("T")

#: Version of this directory layout; a loader refuses another.
FORMAT = 1
MODEL_FILE = "model.json"
BOOSTER_FILE = "booster.txt"
CALIBRATOR_FILE = "calibrator.json"
SCORECARD_FILE = "scorecard.json"
PREPARER_FILE = "preparer.json"
IMPROVER_FILE = "improver.json"
#: Libraries whose major version must match between saving and loading.
LIBRARIES = ("lightgbm", "scikit-learn", "numpy", "pandas", "optbinning")


class SavedPart(Protocol):
    """A part saved beside the model that this layer does not read: its plain JSON data."""

    def to_dict(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class ModelArtifact:
    """Everything a model directory holds, verified. ``improver``: the data of the improver
    fitted with the model (scoring's ``Improver.from_dict`` reads it); ``None`` when the model
    was saved without one. ``libraries``: the versions it was saved with."""

    model: PDModel
    metadata: ModelMetadata
    challenger: Scorecard | None = None
    preparer: TablePreparer | None = None
    files: Mapping[str, str] = field(default_factory=dict)
    improver: Mapping[str, Any] | None = None
    libraries: Mapping[str, str] = field(default_factory=dict)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _versions() -> dict[str, str]:
    return {name: importlib_metadata.version(name) for name in LIBRARIES}


def _json(data: Any) -> str:
    return json.dumps(data, indent=2, sort_keys=True, allow_nan=False) + "\n"


def save_model(
    model: PDModel,
    directory: Path,
    metadata: ModelMetadata,
    *,
    challenger: Scorecard | None = None,
    preparer: TablePreparer | None = None,
    improver: SavedPart | None = None,
    overwrite: bool = False,
) -> Path:
    """Write a fitted model to ``directory`` atomically (a temporary folder, then a rename).

    ``metadata`` records the training: its windows, metrics, the sha256 of the training data.
    ``improver``: what would raise a score, fitted on the same training matrix, saved with it.
    An existing ``directory`` is replaced only with ``overwrite``.
    """
    try:
        require_fitted(model, ("booster_", "calibrator_"), "PD model")
    except NotFittedError as exc:
        raise ArtifactError("cannot save an unfitted PD model") from exc
    directory = Path(directory)
    if directory.exists() and not overwrite:
        raise ConfigError(f"{directory} exists: choose another folder or overwrite it")
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", dir=directory.parent))
    try:
        files = _write_parts(staging, model, challenger, preparer, improver)
        manifest = {
            "format": FORMAT,
            "features": [
                {"name": name, "categories": model.categories_.get(name)}
                for name in model.feature_names_
            ],
            "best_iteration": model.best_iteration_,
            "settings": model.settings(),
            "libraries": _versions(),
            "files": files,
            "metadata": metadata.to_dict(),
        }
        (staging / MODEL_FILE).write_text(_json(manifest), encoding="utf-8")
        _swap_in(staging, directory)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return directory


def _write_parts(
    folder: Path,
    model: PDModel,
    challenger: Scorecard | None,
    preparer: TablePreparer | None,
    improver: SavedPart | None,
) -> dict[str, str]:
    model.booster_.save_model(str(folder / BOOSTER_FILE), num_iteration=model.best_iteration_)
    (folder / CALIBRATOR_FILE).write_text(_json(model.calibrator_.to_dict()), encoding="utf-8")
    optional = {SCORECARD_FILE: challenger, PREPARER_FILE: preparer, IMPROVER_FILE: improver}
    for name, part in optional.items():
        if part is not None:
            (folder / name).write_text(_json(part.to_dict()), encoding="utf-8")
    return {p.name: file_sha256(p) for p in sorted(folder.iterdir())}


def _swap_in(staging: Path, directory: Path) -> None:
    """Rename the finished folder into place; an old one is moved aside first, then removed."""
    if not directory.exists():
        staging.rename(directory)
        return
    retired = directory.with_name(f".{directory.name}.old")
    shutil.rmtree(retired, ignore_errors=True)
    directory.rename(retired)
    staging.rename(directory)
    shutil.rmtree(retired, ignore_errors=True)


def load_model(directory: Path) -> PDModel:
    """The PD model saved in ``directory``, after every check of ``load_artifact``."""
    return load_artifact(directory).model


def load_artifact(directory: Path) -> ModelArtifact:
    """Read and verify a model directory; ``ArtifactError`` names what is missing or altered."""
    directory = Path(directory)
    manifest = _read_manifest(directory)
    files: dict[str, str] = manifest["files"]
    for required in (BOOSTER_FILE, CALIBRATOR_FILE):
        if required not in files:
            raise ArtifactError(f"{directory / MODEL_FILE}: lists no {required}")
    for name, expected in files.items():
        path = directory / name
        if not path.is_file():
            raise ArtifactError(f"{path}: missing")
        if file_sha256(path) != expected:
            raise ArtifactError(f"{path}: altered since it was saved (sha256 differs)")
    _check_versions(directory, manifest["libraries"])
    model = _read_model(directory, manifest)
    return ModelArtifact(
        model=model,
        metadata=_metadata(directory, manifest["metadata"]),
        challenger=_optional(directory, files, SCORECARD_FILE, Scorecard.from_dict),
        preparer=_optional(directory, files, PREPARER_FILE, TablePreparer.from_dict),
        files=files,
        improver=_optional(directory, files, IMPROVER_FILE, _document),
        libraries={str(k): str(v) for k, v in manifest["libraries"].items()},
    )


def _read_manifest(directory: Path) -> dict[str, Any]:
    path = directory / MODEL_FILE
    if not path.is_file():
        raise ArtifactError(f"{path}: missing (is {directory} a saved model?)")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ArtifactError(f"{path}: not valid JSON ({exc})") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ArtifactError(f"{path}: not a microlend model of format {FORMAT}")
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
    current = _versions()
    for name, version in saved.items():
        now = current.get(name)
        if now is None or now.split(".")[0] != str(version).split(".")[0]:
            raise ArtifactError(
                f"{directory}: saved with {name} {version}, but {name} {now} is installed "
                "(major versions differ)"
            )


def _read_model(directory: Path, manifest: Mapping[str, Any]) -> PDModel:
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
            settings=manifest["settings"],
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
