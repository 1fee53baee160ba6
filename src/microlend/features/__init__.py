"""Point-in-time merchant features: catalog, windows, peers and the builder.

``build_features`` computes, for each row of a spine of (keys..., merchant_id, as_of), the
catalogued features from events strictly before ``as_of`` 00:00 UTC, as one Ibis expression;
``store_features`` the same from a platform store's daily aggregates.
"""

from microlend.features._builder import FeaturePlan, build_features, plan_features
from microlend.features._sources import DailyRecords
from microlend.features._spark import SparkFeatures, spark_features, spark_session, spark_tables
from microlend.features._spine import application_spine, merchant_spine
from microlend.features._stored import store_features
from microlend.features.catalog import (
    CATALOG,
    CATALOG_VERSION,
    Dimension,
    FeatureSpec,
    feature_names,
    spec,
)

__all__ = [
    "CATALOG",
    "CATALOG_VERSION",
    "DailyRecords",
    "Dimension",
    "FeaturePlan",
    "FeatureSpec",
    "SparkFeatures",
    "application_spine",
    "build_features",
    "feature_names",
    "merchant_spine",
    "plan_features",
    "spark_features",
    "spark_session",
    "spark_tables",
    "spec",
    "store_features",
]
