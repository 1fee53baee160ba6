"""Peer-relative features: percentiles within category and size band lie in [0, 1] and rank."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pyarrow as pa
import pytest
from features_data import table, ts

from microlend.features import build_features

AS_OF = date(2024, 7, 1)  # a month start: the peers' snapshot is the as-of date itself
PEERS = ["peer_refund_rate_pct", "peer_growth_pct", "peer_rating_pct", "peer_volatility_pct"]


def _marketplace() -> dict[str, pa.Table]:
    """Five 'gadgets' sellers of equal size whose refunds per order are 0, .1, .2, .3, .4.

    Plus one much larger 'gadgets' seller and a lone 'books' seller.
    """
    merchants, orders, refunds = [], [], []
    sizes = {f"g{k}": 10 for k in range(5)} | {"big": 100, "lone": 10}
    for merchant, n_orders in sizes.items():
        category = "books" if merchant == "lone" else "gadgets"
        merchants.append(
            {
                "merchant_id": merchant,
                "category": category,
                "region": "EU",
                "onboarded_at": ts("2023-01-01"),
            }
        )
        for i in range(n_orders):
            oid = f"{merchant}-{i}"
            created = ts("2024-06-01") + timedelta(days=i % 20)
            orders.append(
                {
                    "order_id": oid,
                    "merchant_id": merchant,
                    "buyer_id": f"b{i}",
                    "created_at": created,
                    "amount": Decimal("10"),
                    "currency": "EUR",
                    "status": "completed",
                }
            )
            if merchant.startswith("g") and i < int(merchant[1]):
                refunds.append(
                    {
                        "order_id": oid,
                        "merchant_id": merchant,
                        "refunded_at": created,
                        "amount": Decimal("10"),
                    }
                )
    return {
        "merchants": table("merchants", merchants),
        "orders": table("orders", orders),
        "refunds": table("refunds", refunds),
    }


@pytest.fixture(scope="module")
def peers() -> dict[str, dict[str, float]]:
    out = build_features(_marketplace(), as_of=AS_OF, features=[*PEERS, "refund_rate_90d"])
    return {row["merchant_id"]: row for row in out.to_pylist()}


def test_refund_rate_percentile_ranks_equal_sized_peers(peers) -> None:
    got = [peers[f"g{k}"]["peer_refund_rate_pct"] for k in range(5)]
    # mid-rank percentiles among the five equal-sized peers: (k + 1/2) / 5
    assert got == pytest.approx([0.1, 0.3, 0.5, 0.7, 0.9])


def test_percentiles_lie_in_the_unit_interval(peers) -> None:
    for row in peers.values():
        for name in PEERS:
            value = row[name]
            assert value != value or 0.0 <= value <= 1.0, (row["merchant_id"], name)


def test_a_seller_alone_in_its_group_sits_in_the_middle(peers) -> None:
    assert peers["lone"]["peer_refund_rate_pct"] == 0.5
    assert peers["big"]["peer_refund_rate_pct"] == 0.5  # the only one of its size band


def test_no_reviews_means_no_rating_percentile(peers) -> None:
    assert all(row["peer_rating_pct"] != row["peer_rating_pct"] for row in peers.values())
