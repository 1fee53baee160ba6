"""The feature catalog as scoring reads it: a name -> FeatureSpec map, tolerant of strangers.

A model trained on any applicant-level table may use features the catalog does not know. Such a
feature still gets a reason (worded from its name) but no dimension and is never actionable, so
it can neither sway a sub-score nor be suggested as something to change.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence

from microlend.features.catalog import FeatureSpec

__all__ = ["Catalog", "index_catalog", "warn_uncatalogued"]

logger = logging.getLogger(__name__)

#: What scoring accepts as a catalog: ``CATALOG`` itself or a name -> spec map.
Catalog = Mapping[str, FeatureSpec] | Iterable[FeatureSpec]


def index_catalog(catalog: Catalog) -> dict[str, FeatureSpec]:
    """The catalog keyed by feature name, whichever of the two accepted shapes it came in."""
    if isinstance(catalog, Mapping):
        return dict(catalog)
    return {feature.name: feature for feature in catalog}


def warn_uncatalogued(specs: Mapping[str, FeatureSpec], names: Sequence[str]) -> None:
    """Log which model features the catalog lacks (they get generic wording, no dimension)."""
    missing = [name for name in names if name not in specs]
    if missing:
        logger.warning("features not in the catalog get generic reasons: %s", ", ".join(missing))
