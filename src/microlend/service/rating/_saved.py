"""A rating model on disk: the PD model with its challenger and its improver, saved together
and read back, so every path that rates a merchant suggests the same changes."""

from __future__ import annotations

from pathlib import Path

from microlend.errors import ArtifactError
from microlend.features import CATALOG, CATALOG_VERSION
from microlend.models import ModelArtifact, ModelMetadata, save_model
from microlend.scoring import Improver
from microlend.service.rating._training import RatingFit

__all__ = ["check_feature_catalog", "improver_of", "save_rating"]


def save_rating(
    fit: RatingFit,
    directory: Path,
    *,
    metadata: ModelMetadata | None = None,
    overwrite: bool = False,
) -> Path:
    """Save ``fit``'s PD model with its scorecard challenger and its improver in ``directory``
    (``metadata``: the fit's own unless given, e.g. stamped with the training's time)."""
    return save_model(
        fit.model,
        directory,
        fit.metadata if metadata is None else metadata,
        challenger=fit.scorecard,
        improver=fit.improver,
        overwrite=overwrite,
    )


def improver_of(artifact: ModelArtifact) -> Improver | None:
    """The improver saved with the model, under today's feature catalog; ``None`` when the
    model was saved without one (then no decision made with it suggests anything)."""
    check_feature_catalog(artifact)
    if artifact.improver is None:
        return None
    return Improver.from_dict(artifact.improver, CATALOG)


def check_feature_catalog(artifact: ModelArtifact) -> None:
    """Refuse a model trained on merchant records whose features meant something else: fed
    today's features, it would rate every merchant on values it never learnt from."""
    metadata = artifact.metadata
    if metadata.kind != "merchant_records":
        return  # a lender's table: its columns are the lender's, not the catalog's
    trained_on = metadata.feature_catalog or 1  # the version was first recorded with 2
    if trained_on != CATALOG_VERSION:
        raise ArtifactError(
            f"this model was trained on version {trained_on} of the feature catalog, but this "
            f"microlend computes version {CATALOG_VERSION} (features changed meaning): "
            "retrain it with `microlend train --data`"
        )
