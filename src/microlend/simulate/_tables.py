"""The simulated marketplace as contract tables: required columns first, in canonical types."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from microlend.data import arrow_schema
from microlend.simulate._arrow import constant, ids, money, timestamps
from microlend.simulate._calendar import CATEGORIES, REGIONS
from microlend.simulate._config import SimulationConfig
from microlend.simulate._groups import GROUP_COLUMN, GROUP_NAMES
from microlend.simulate._lending import PRODUCT_TERMS, Lending
from microlend.simulate._orders import DAY, STATUSES, Orders
from microlend.simulate._settlements import Settlements
from microlend.simulate._traits import Traits

__all__ = ["build_tables"]

Ints = NDArray[np.int64]
Lookup = Callable[[Ints], pa.Array]


def _table(name: str, columns: Mapping[str, pa.Array]) -> pa.Table:
    """The contract's columns in its order and types, then the extra columns."""
    schema = arrow_schema(name)
    fields = list(schema) + [
        pa.field(key, columns[key].type) for key in columns if key not in schema.names
    ]
    return pa.Table.from_arrays([columns[f.name] for f in fields], schema=pa.schema(fields))


def _width(count: int) -> int:
    return max(6, len(str(max(count - 1, 0))))


def build_tables(
    config: SimulationConfig,
    traits: Traits,
    orders: Orders,
    settlements: Settlements,
    lending: Lending,
) -> dict[str, pa.Table]:
    """Every table of the contract plus ``truth``."""
    epoch = int(config.start_at.timestamp())
    merchant_ids = ids("M", np.arange(traits.count), _width(traits.count))

    def merchant(index: Ints) -> pa.Array:
        return pc.take(merchant_ids, pa.array(index, pa.int64()))

    order_ids = ids("O", np.arange(len(orders.merchant)), _width(len(orders.merchant)))

    def order(index: Ints) -> pa.Array:
        return pc.take(order_ids, pa.array(index, pa.int64()))

    shipped = np.flatnonzero(orders.shipped)
    tables = {
        "merchants": _table(
            "merchants",
            {
                "merchant_id": merchant_ids,
                "category": pc.take(pa.array([c.name for c in CATEGORIES]), traits.category),
                "region": pc.take(pa.array([r for r, _ in REGIONS]), traits.region),
                "onboarded_at": timestamps(epoch, traits.onboard_day * DAY + 9 * 3600),
            }
            | _groups(traits),
        ),
        "orders": _table(
            "orders",
            {
                "order_id": order_ids,
                "merchant_id": merchant(orders.merchant),
                "buyer_id": _buyer_ids(orders, _width(traits.count)),
                "created_at": timestamps(epoch, orders.created),
                "amount": money(orders.amount),
                "currency": constant(config.currency, len(orders.merchant)),
                "status": pc.take(pa.array(STATUSES), orders.status),
            },
        ),
        "refunds": _table(
            "refunds",
            {
                "order_id": order(orders.refund_order),
                "merchant_id": merchant(orders.merchant[orders.refund_order]),
                "refunded_at": timestamps(epoch, orders.refund_at),
                "amount": money(orders.refund_amount),
            },
        ),
        "reviews": _table(
            "reviews",
            {
                "order_id": order(orders.review_order),
                "merchant_id": merchant(orders.merchant[orders.review_order]),
                "created_at": timestamps(epoch, orders.review_at),
                "rating": pa.array(orders.rating, pa.int64()),
            },
        ),
        "shipments": _table(
            "shipments",
            {
                "order_id": order(shipped),
                "merchant_id": merchant(orders.merchant[shipped]),
                "promised_at": timestamps(epoch, orders.promised_at[shipped]),
                "shipped_at": timestamps(epoch, orders.shipped_at[shipped], nullable=True),
                "delivered_at": timestamps(epoch, orders.delivered_at[shipped], nullable=True),
            },
        ),
        "settlements": _settlement_table(epoch, settlements, merchant),
    }
    return tables | _lending_tables(config, traits, lending, merchant, epoch)


def _groups(traits: Traits) -> dict[str, pa.Array]:
    """The optional owner group column, an extra merchants column as a lender's would be."""
    if traits.group is None:
        return {}
    return {GROUP_COLUMN: pc.take(pa.array(GROUP_NAMES), pa.array(traits.group, pa.int64()))}


def _buyer_ids(orders: Orders, width: int) -> pa.Array:
    merchant = pc.utf8_lpad(
        pc.cast(pa.array(orders.merchant), pa.string()), width=width, padding="0"
    )
    number = pc.cast(pa.array(orders.buyer), pa.string())
    return pc.binary_join_element_wise("B", merchant, "-", number, "")


def _settlement_table(epoch: int, s: Settlements, merchant: Lookup) -> pa.Table:
    order = np.lexsort((s.merchant, s.settled_at))  # payouts in time order
    return _table(
        "settlements",
        {
            "merchant_id": merchant(s.merchant[order]),
            "settled_at": timestamps(epoch, s.settled_at[order]),
            "gross": money(s.gross[order]),
            "fees": money(s.fees[order]),
            "net": money(s.net[order]),
        },
    )


def _lending_tables(
    config: SimulationConfig, traits: Traits, lending: Lending, merchant: Lookup, epoch: int
) -> dict[str, pa.Table]:
    apps = len(lending.merchant)
    app_ids = ids("A", np.arange(apps), _width(apps))
    funded = np.flatnonzero(lending.funded)
    loan_ids = ids("L", np.arange(len(funded)), _width(len(funded)))
    products = pa.array([product for product, _ in PRODUCT_TERMS])
    terms = pa.array([text for _, text in PRODUCT_TERMS])
    m = lending.merchant
    day = lending.applied_at // DAY
    return {
        "applications": _table(
            "applications",
            {
                "application_id": app_ids,
                "merchant_id": merchant(m),
                "applied_at": timestamps(epoch, lending.applied_at),
                "requested_amount": money(lending.requested),
                "funded": pa.array(lending.funded),
            },
        ),
        "loans": _table(
            "loans",
            {
                "loan_id": loan_ids,
                "application_id": pc.take(app_ids, pa.array(funded)),
                "merchant_id": merchant(m[funded]),
                "disbursed_at": timestamps(epoch, lending.disbursed_at),
                "principal": money(lending.principal),
                "product": pc.take(products, pa.array(lending.terms)),
                "terms": pc.take(terms, pa.array(lending.terms)),
                "currency": constant(config.currency, len(funded)),
            },
        ),
        "outcomes": _table(
            "outcomes",
            {
                "loan_id": loan_ids,
                "defaulted": pa.array(lending.defaulted),
                "default_at": timestamps(epoch, lending.default_at, nullable=True),
                "matured": pa.array(lending.matured),
                "observed_until": timestamps(epoch, lending.observed_until),
            },
        ),
        "truth": _table(
            "truth",
            {
                "application_id": app_ids,
                "true_pd": pa.array(lending.true_pd, pa.float64()),
                "merchant_id": merchant(m),
                "funded": pa.array(lending.funded),
                "fraud": pa.array(traits.fraud[m]),
                "quality": pa.array(traits.quality[m]),
                "stability": pa.array(traits.stability[m]),
                "growth": pa.array(traits.growth[m]),
                "size": pa.array(traits.size[m]),
                "tenure_days": pa.array(day - traits.onboard_day[m]),
            },
        ),
    }
