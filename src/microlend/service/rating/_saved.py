"""A rating model on disk: the PD model with its challenger and its improver, saved together
and read back, so every path that rates a merchant suggests the same changes."""

from __future__ import annotations

from pathlib import Path

from microlend.features import CATALOG
from microlend.models import ModelArtifact, ModelMetadata, save_model
from microlend.scoring import Improver
from microlend.service.rating._training import RatingFit

__all__ = ["improver_of", "save_rating"]


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
    if artifact.improver is None:
        return None
    return Improver.from_dict(artifact.improver, CATALOG)
