"""The catalog is complete, consistent and matches what the builder produces."""

from __future__ import annotations

import math

import pytest
from features_data import AS_OF, tables

from microlend.features import CATALOG, Dimension, build_features, feature_names, spec
from microlend.features.catalog import Unit


def test_catalog_has_at_least_forty_uniquely_named_features() -> None:
    names = feature_names()
    assert len(names) >= 40
    assert len(set(names)) == len(names)


def test_every_entry_is_fully_described() -> None:
    for feature in CATALOG:
        assert feature.direction in {-1, 0, 1}, feature.name
        assert isinstance(feature.dimension, Dimension), feature.name
        assert feature.meaning, feature.name
        assert isinstance(feature.unit, Unit), feature.name
        for template in feature.wording.templates():
            assert not template.endswith("."), feature.name  # it completes a sentence


def test_every_dimension_has_features() -> None:
    assert {f.dimension for f in CATALOG} == set(Dimension)


@pytest.mark.parametrize("name", ["tenure_days", "days_since_first_sale", "prior_loans"])
def test_what_the_merchant_cannot_change_is_not_actionable(name: str) -> None:
    assert not spec(name).actionable


@pytest.mark.parametrize(
    "name",
    ["refund_rate_90d", "late_shipment_rate_90d", "rating_mean_180d", "active_days_share_90d"],
)
def test_what_the_merchant_controls_is_actionable(name: str) -> None:
    assert spec(name).actionable


def test_spec_of_an_unknown_name_raises_key_error() -> None:
    with pytest.raises(KeyError):
        spec("no_such_feature")


def test_builder_produces_exactly_the_catalog_in_catalog_order() -> None:
    out = build_features(tables(), as_of=AS_OF)
    assert out.column_names == ["merchant_id", "as_of", *feature_names()]
    for name in feature_names():
        assert str(out.schema.field(name).type) == "double", name
    # defined somewhere: each feature has at least one non-NaN value on the tiny marketplace
    for name in feature_names():
        assert any(not math.isnan(v) for v in out[name].to_pylist()), name


def test_actionable_features_say_plainly_what_to_change() -> None:
    actionable = [f for f in CATALOG if f.actionable]
    assert len(actionable) >= 5
    for feature in actionable:
        assert feature.label.startswith(("your ", "the ")), feature.name
        assert feature.direction != 0, feature.name
        assert not feature.name.startswith(("gmv_", "peer_", "prior_", "orders_")), feature.name
