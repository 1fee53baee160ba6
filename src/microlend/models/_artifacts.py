"""The layout of a model directory, and saving a model into one as plain files, never pickle.

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
hash), library versions and the sha256 of every other file. Loading (``_loading``) verifies
all of it.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any, Protocol

from microlend.errors import ArtifactError, ConfigError, NotFittedError
from microlend.models._blend import BlendPD
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
    "library_versions",
    "save_model",
]

#: Version of this directory layout. 2 added ``kind`` and ``selection``; a loader reads 1 and 2.
FORMAT = 2
READABLE = (1, 2)
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


def library_versions() -> dict[str, str]:
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
        "libraries": library_versions(),
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
