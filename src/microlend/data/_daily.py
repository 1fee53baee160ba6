"""Per-merchant daily aggregates: the event tables reduced to one row per merchant and day.

The feature builder applies its trailing windows to these rows, never to the raw events
(``features/_windows.py``, ``features/_quality.py``): a year of orders collapses to at most
365 rows per merchant. They are defined once, here, as Ibis expressions, for their two users:
the builder reduces a folder's records with them (on DuckDB and on Spark alike), and the
platform store keeps them current, reducing each batch inside the transaction that stores it
(``_store_daily``), so features as of a new day read days, not two years of orders.

They live in ``data``, not in ``features``, because the store needs them and ``data`` may not
import ``features`` (the layers of docs/architecture.md). A hook passed down to ``ingest`` from
above would let a caller of ``ingest`` forget it and leave a store's aggregates stale.

Every aggregate merges: the rows of one key from two batches combine into the row the records
of both give (sums add, a first day takes the earlier), so a store holds exactly the rows one
reduction of all its records gives. Sums stay exact: money as decimals, counts as integers.
The event day is ``floor(epoch seconds / 86400)``, so "strictly before as-of 00:00 UTC" is
``day < as_of``. Ibis is imported when first used: loading records does not need it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import ibis.expr.types as ir

__all__ = ["AGGREGATES", "Aggregate", "daily_aggregates", "day_start", "event_day"]

_SECONDS_PER_DAY = 86_400
# Durations in seconds, to the microsecond (the contract's timestamps' resolution).
_SECONDS = "decimal(38, 6)"


def event_day(moment: ir.TimestampValue) -> ir.IntegerValue:
    """Epoch day of a UTC timestamp (portable: no time-zone setting of the backend involved)."""
    return (moment.epoch_seconds() // _SECONDS_PER_DAY).cast("int32")


def day_start(day: int) -> ir.TimestampScalar:
    """00:00 UTC of an epoch day, as a literal comparable with the contract's timestamps."""
    import ibis

    moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(days=day)
    return ibis.literal(moment, type="timestamp('UTC')")


@dataclass(frozen=True)
class Aggregate:
    """One aggregate: the contract table it reduces, its key (one row per key), the key
    columns that are never null and find the rows a batch adds to (``locate``), and its
    reduction. Every value column merges by addition except the ``firsts``, by minimum."""

    source: str
    keys: tuple[str, ...]
    locate: tuple[str, ...]
    reduce: Callable[[ir.Table], ir.Table]
    firsts: tuple[str, ...] = ()


def _orders(orders: ir.Table) -> ir.Table:
    """GMV (exact decimal) and orders not cancelled, and cancelled orders."""
    dated = orders.mutate(day=event_day(orders.created_at), live=orders.status != "cancelled")
    return dated.group_by("merchant_id", "day").aggregate(
        gmv=dated.amount.sum(where=dated.live),
        orders=dated.count(where=dated.live),
        cancelled=dated.count(where=~dated.live),
    )


def _live_days(orders: ir.Table) -> ir.Table:
    live = orders.filter(orders.status != "cancelled")
    return live.mutate(day=event_day(live.created_at))


def _buyers(orders: ir.Table) -> ir.Table:
    """Spend and orders (not cancelled) of each buyer with the merchant, per day."""
    live = _live_days(orders)
    return live.group_by("merchant_id", "buyer_id", "day").aggregate(
        spend=live.amount.sum(), orders=live.count()
    )


def _buyer_first(orders: ir.Table) -> ir.Table:
    """The day of each buyer's first order (not cancelled) with the merchant."""
    live = _live_days(orders)
    return live.group_by("merchant_id", "buyer_id").aggregate(first_day=live.day.min())


def _refunds(refunds: ir.Table) -> ir.Table:
    dated = refunds.mutate(day=event_day(refunds.refunded_at))
    return dated.group_by("merchant_id", "day").aggregate(
        n=dated.count(), amount=dated.amount.sum()
    )


def _reviews(reviews: ir.Table) -> ir.Table:
    """Reviews, their stars and the 1-2 star ones, per day written."""
    dated = reviews.mutate(day=event_day(reviews.created_at))
    return dated.group_by("merchant_id", "day").aggregate(
        n=dated.count(), stars=dated.rating.sum(), low=dated.count(where=dated.rating <= 2)
    )


def _shipments(shipments: ir.Table) -> ir.Table:
    """Deliveries per promised day, by shipping day and lateness.

    Late is known at any as-of after the promise (arrived after it, or not arrived); "not
    shipped by as-of" depends on as-of itself, so the shipping day stays a key and the builder
    compares it with as-of.
    """
    s = shipments
    late = s.delivered_at.isnull() | (s.delivered_at > s.promised_at)
    dated = s.mutate(day=event_day(s.promised_at), ship_day=event_day(s.shipped_at), late=late)
    return dated.group_by("merchant_id", "day", "ship_day", "late").aggregate(n=dated.count())


def _deliveries(shipments: ir.Table) -> ir.Table:
    """Deliveries completed per day delivered, and their total shipping-to-delivery seconds."""
    s = shipments.filter(shipments.shipped_at.notnull() & shipments.delivered_at.notnull())
    # Seconds to the microsecond as a decimal, summed exactly, in days only once summed.
    seconds = s.delivered_at.epoch_seconds() - s.shipped_at.epoch_seconds()
    dated = s.mutate(day=event_day(s.delivered_at), transit=seconds.cast(_SECONDS))
    return dated.group_by("merchant_id", "day").aggregate(
        n=dated.count(), transit=dated.transit.sum()
    )


def _settlements(settlements: ir.Table) -> ir.Table:
    dated = settlements.mutate(day=event_day(settlements.settled_at))
    return dated.group_by("merchant_id", "day").aggregate(net=dated.net.sum())


_DAY = ("merchant_id", "day")

#: Every aggregate by the name a store keeps it under.
AGGREGATES: Mapping[str, Aggregate] = {
    "daily_orders": Aggregate("orders", _DAY, _DAY, _orders),
    "daily_buyers": Aggregate("orders", ("merchant_id", "buyer_id", "day"), _DAY, _buyers),
    "buyer_first": Aggregate(
        "orders",
        ("merchant_id", "buyer_id"),
        ("merchant_id", "buyer_id"),
        _buyer_first,
        firsts=("first_day",),
    ),
    "daily_refunds": Aggregate("refunds", _DAY, _DAY, _refunds),
    "daily_reviews": Aggregate("reviews", _DAY, _DAY, _reviews),
    "daily_shipments": Aggregate(
        "shipments", ("merchant_id", "day", "ship_day", "late"), _DAY, _shipments
    ),
    "daily_deliveries": Aggregate("shipments", _DAY, _DAY, _deliveries),
    "daily_settlements": Aggregate("settlements", _DAY, _DAY, _settlements),
}


def daily_aggregates(
    tables: Mapping[str, ir.Table], *, since: int | None = None, until: int | None = None
) -> dict[str, ir.Table]:
    """The aggregates of the contract tables given (Ibis tables), those whose source is there.

    ``since`` and ``until`` (epoch days) bound the days of ``daily_orders``, the reduction of
    the biggest table, to ``[since, until)``: the bound is on the raw timestamp, which lets an
    engine skip whole row groups of a Parquet file.
    """
    out: dict[str, ir.Table] = {}
    for name, aggregate in AGGREGATES.items():
        if aggregate.source not in tables:
            continue
        source = tables[aggregate.source]
        if name == "daily_orders":
            source = _bounded(source, since, until)
        out[name] = aggregate.reduce(source)
    return out


def _bounded(orders: ir.Table, since: int | None, until: int | None) -> ir.Table:
    if since is not None:
        orders = orders.filter(orders.created_at >= day_start(since))
    if until is not None:
        orders = orders.filter(orders.created_at < day_start(until))
    return orders
