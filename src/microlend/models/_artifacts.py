"""Saving and loading a model as plain files, never pickle.

A model directory holds the model's own files, by its ``kind`` (model.json's):

- ``lightgbm`` (every model of format 1): ``booster.txt`` (LightGBM's own text format) and
  ``calibrator.json``;
- ``linear``: ``linear.json`` (the regression's terms and coefficients);
- ``scorecard``: ``scorecard.json`` (bins, WoE and coefficients);
- ``blend``: the two parts' files (``booster.txt``, ``calibrator.json``, ``linear.json``) and
  ``blend.json`` (the weight and the Platt scaling of the mix);

optionally ``scorecard.json`` beside a ``lightgbm`` model (the challenger), ``preparer.json``
(a table's preparation) and ``improver.json`` (what scoring's ``Improver`` learned from the
training matrix: "what would raise it" is then the same wherever the model rates), and
``model.json``: format, kind, features, settings, a table's ``selection`` (every candidate's
cross-validated AUC and the choice), the training's ``ModelMetadata`` (windows, metrics, data
hash), library versions and the sha256 of every other file. Loading verifies all of it.
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
from microlend.models._blend import BlendPD
from microlend.models._calibration import Calibrator
from microlend.models._checks import require_fitted
from microlend.models._linear import LinearPD
from microlend.models._metadata import ModelMetadata
from microlend.models._pd_model import PDModel
from microlend.models._preparer import TablePreparer
from microlend.models._scorecard import Scorecard
from microlend.models._selection import Selection, TableModel

__all__ = [
    "FORMAT",
    "KINDS",
    "ModelArtifact",
    "SavedPart",
    "file_sha256",
    "kind_of",
    "load_artifact",
    "load_model",
    "save_model",
]

T = TypeVar("T")

#: Version of this directory layout. 2 added ``kind`` and ``selection``; a loader reads 1 and 2.
FORMAT = 2
_READABLE = (1, 2)
MODEL_FILE = "model.json"
BOOSTER_FILE = "booster.txt"
CALIBRATOR_FILE = "calibrator.json"
SCORECARD_FILE = "scorecard.json"
LINEAR_FILE = "linear.json"
BLEND_FILE = "blend.json"
PREPARER_FILE = "preparer.json"
IMPROVER_FILE = "improver.json"
#: The kinds of model a directory can hold, and the files each needs.
KINDS: Mapping[str, tuple[str, ...]] = {
    "lightgbm": (BOOSTER_FILE, CALIBRATOR_FILE),
    "linear": (LINEAR_FILE,),
    "scorecard": (SCORECARD_FILE,),
    "blend": (BOOSTER_FILE, CALIBRATOR_FILE, LINEAR_FILE, BLEND_FILE),
}
#: Libraries whose major version must match between saving and loading.
LIBRARIES = ("lightgbm", "scikit-learn", "numpy", "pandas", "optbinning")


class SavedPart(Protocol):
    """A part saved beside the model that this layer does not read: its plain JSON data."""

    def to_dict(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class ModelArtifact:
    """Everything a model directory holds, verified. ``predictor``: the model, of ``kind``;
    ``model``: the same when it is the LightGBM ``PDModel`` that merchant records need.
    ``selection``: a table's candidates and choice (None for records and older tables).
    ``improver``: the data of the improver fitted with the model (scoring's
    ``Improver.from_dict`` reads it); ``None`` when the model was saved without one.
    ``libraries``: the versions it was saved with."""

    predictor: TableModel
    metadata: ModelMetadata
    challenger: Scorecard | None = None
    preparer: TablePreparer | None = None
    files: Mapping[str, str] = field(default_factory=dict)
    improver: Mapping[str, Any] | None = None
    libraries: Mapping[str, str] = field(default_factory=dict)
    selection: Selection | None = None

    @property
    def kind(self) -> str:
        return kind_of(self.predictor)

    @property
    def model(self) -> PDModel:
        """The LightGBM PD model; ``ArtifactError`` when a table chose another kind."""
        if not isinstance(self.predictor, PDModel):
            raise ArtifactError(
                f"this model is a {self.kind} model chosen on a table, not the LightGBM PD model "
                "that merchant records are rated with"
            )
        return self.predictor


def kind_of(model: object) -> str:
    """The ``kind`` model.json records for ``model``."""
    for kind, cls in (
        ("lightgbm", PDModel),
        ("linear", LinearPD),
        ("scorecard", Scorecard),
        ("blend", BlendPD),
    ):
        if isinstance(model, cls):
            return kind
    raise ArtifactError(f"cannot save a {type(model).__name__}: not a model of this package")


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
    model: TableModel,
    directory: Path,
    metadata: ModelMetadata,
    *,
    challenger: Scorecard | None = None,
    preparer: TablePreparer | None = None,
    improver: SavedPart | None = None,
    selection: Selection | None = None,
    overwrite: bool = False,
) -> Path:
    """Write a fitted model to ``directory`` atomically (a temporary folder, then a rename).

    ``model``: a ``PDModel``, or the ``LinearPD``, ``Scorecard`` or ``BlendPD`` a table chose
    (``selection`` records how). ``metadata`` records the training: its windows, metrics, the
    sha256 of the training data. ``improver``: what would raise a score, fitted on the same
    training matrix, saved with it. An existing ``directory`` is replaced only with
    ``overwrite``.
    """
    kind = kind_of(model)
    if kind == "scorecard" and challenger is not None:
        raise ArtifactError("a scorecard model has no scorecard challenger beside it")
    try:
        if isinstance(model, PDModel):
            require_fitted(model, ("booster_", "calibrator_"), "PD model")
        model.settings()
        model.feature_names_  # noqa: B018  # raises on an unfitted model
    except (NotFittedError, AttributeError) as exc:
        raise ArtifactError(f"cannot save an unfitted {kind} model") from exc
    directory = Path(directory)
    if directory.exists() and not overwrite:
        raise ConfigError(f"{directory} exists: choose another folder or overwrite it")
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}.", dir=directory.parent))
    try:
        files = _write_parts(staging, model, challenger, preparer, improver)
        manifest = _manifest(model, kind, files, metadata, selection)
        (staging / MODEL_FILE).write_text(_json(manifest), encoding="utf-8")
        _swap_in(staging, directory)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return directory


def _manifest(
    model: TableModel,
    kind: str,
    files: Mapping[str, str],
    metadata: ModelMetadata,
    selection: Selection | None,
) -> dict[str, Any]:
    boosted = _boosted_part(model)
    categories = {} if boosted is None else boosted.categories_
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "kind": kind,
        "features": [
            {"name": name, "categories": categories.get(name)} for name in model.feature_names_
        ],
        "best_iteration": None if boosted is None else boosted.best_iteration_,
        "settings": model.settings(),
        "libraries": _versions(),
        "files": dict(files),
        "metadata": metadata.to_dict(),
    }
    if selection is not None:
        manifest["selection"] = selection.to_dict()
    return manifest


def _boosted_part(model: object) -> PDModel | None:
    if isinstance(model, PDModel):
        return model
    if isinstance(model, BlendPD):
        return model.boosted_
    return None


def _write_parts(
    folder: Path,
    model: TableModel,
    challenger: Scorecard | None,
    preparer: TablePreparer | None,
    improver: SavedPart | None,
) -> dict[str, str]:
    boosted = _boosted_part(model)
    if boosted is not None:
        boosted.booster_.save_model(
            str(folder / BOOSTER_FILE), num_iteration=boosted.best_iteration_
        )
        _write(folder / CALIBRATOR_FILE, boosted.calibrator_.to_dict())
    if isinstance(model, LinearPD):
        _write(folder / LINEAR_FILE, model.to_dict())
    if isinstance(model, BlendPD):
        _write(folder / LINEAR_FILE, model.linear_.to_dict())
        _write(folder / BLEND_FILE, model.to_dict())
    if isinstance(model, Scorecard):
        _write(folder / SCORECARD_FILE, model.to_dict())
    optional = {SCORECARD_FILE: challenger, PREPARER_FILE: preparer, IMPROVER_FILE: improver}
    for name, part in optional.items():
        if part is not None:
            _write(folder / name, part.to_dict())
    return {p.name: file_sha256(p) for p in sorted(folder.iterdir())}


def _write(path: Path, data: Mapping[str, Any]) -> None:
    path.write_text(_json(data), encoding="utf-8")


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
    if not isinstance(manifest, dict) or manifest.get("format") not in _READABLE:
        readable = " or ".join(map(str, _READABLE))
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
    current = _versions()
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
