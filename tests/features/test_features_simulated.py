"""On the simulated marketplace: features as of D equal those of a snapshot taken at D."""

from __future__ import annotations

import math
from datetime import date

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from microlend.dates import as_of_instant
from microlend.features import build_features, feature_names, merchant_spine
from microlend.simulate import SimulationConfig, simulate

AS_OF = date(2024, 2, 14)

# table -> its event time (a shipment exists from its order's time, see _snapshot)
EVENTS = {
    "orders": "created_at",
    "refunds": "refunded_at",
    "reviews": "created_at",
    "settlements": "settled_at",
    "loans": "disbursed_at",
}


def _snapshot(tables: dict[str, pa.Table], day: date) -> dict[str, pa.Table]:
    """What the platform's records held at ``day`` 00:00 UTC: later events erased."""
    cut = pa.scalar(as_of_instant(day), pa.timestamp("us", tz="UTC"))
    out = dict(tables)
    for name, when in EVENTS.items():
        out[name] = tables[name].filter(pc.less(tables[name][when], cut))
    # a shipment (and its promise) exists once its order is placed; shipping and delivery
    # times are known only once they happened
    shipments = tables["shipments"]
    shipments = shipments.filter(pc.is_in(shipments["order_id"], out["orders"]["order_id"]))
    for column in ("shipped_at", "delivered_at"):
        values = shipments[column]
        erased = pc.if_else(pc.less(values, cut), values, pa.scalar(None, values.type))
        shipments = shipments.set_column(shipments.schema.get_field_index(column), column, erased)
    out["shipments"] = shipments
    outcomes = tables["outcomes"]
    known = pc.fill_null(pc.less(outcomes["default_at"], cut), False)
    out["outcomes"] = outcomes.set_column(1, "defaulted", known)
    return out


@pytest.fixture(scope="module")
def market() -> dict[str, pa.Table]:
    return dict(simulate(SimulationConfig(merchants=80, months=15, seed=11)).tables)


def _values(table: pa.Table) -> list[list[float]]:
    return [table[n].to_pylist() for n in feature_names()]


def test_features_equal_those_of_a_snapshot_taken_at_as_of(market) -> None:
    full = build_features(market, as_of=AS_OF)
    snap = build_features(_snapshot(market, AS_OF), as_of=AS_OF)
    assert full["merchant_id"].to_pylist() == snap["merchant_id"].to_pylist()
    for name, a, b in zip(feature_names(), _values(full), _values(snap), strict=True):
        assert a == pytest.approx(b, nan_ok=True), name


def test_one_row_per_merchant_with_most_features_defined(market) -> None:
    out = build_features(market, as_of=AS_OF)
    expected = merchant_spine(market["merchants"], AS_OF)["merchant_id"].to_pylist()
    assert out["merchant_id"].to_pylist() == expected
    defined = [n for n in feature_names() if any(not math.isnan(v) for v in out[n].to_pylist())]
    assert len(defined) >= 40
