"""``build_features``: point-in-time features for every row of a spine, on any Ibis backend.

The whole computation is one lazy Ibis expression executed once on ``backend`` (an embedded
DuckDB unless told otherwise); nothing in it is DuckDB-only SQL, so another Ibis backend such as
Spark runs the same expression. Only the spine and the small merchants table pass through
Arrow in Python.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import ibis
import ibis.expr.types as ir
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from microlend.errors import ConfigError
from microlend.features._assemble import Inputs, derive, groups_of, widen
from microlend.features._peers import BASE_FEATURES, peer_percentiles
from microlend.features._sources import (
    DailyRecords,
    HasTables,
    Source,
    Sources,
    prepare_sources,
)
from microlend.features._spine import epoch_days, merchant_spine, normalise_spine
from microlend.features.catalog import feature_names

__all__ = ["FeaturePlan", "build_features", "plan_features", "records_day"]

log = logging.getLogger(__name__)


def build_features(
    tables: Mapping[str, Source] | HasTables | DailyRecords,
    spine: pa.Table | None = None,
    *,
    as_of: date | None = None,
    features: Sequence[str] | None = None,
    backend: ibis.BaseBackend | None = None,
) -> pa.Table:
    """Features of each spine row as of its own date, seeing only events strictly before it.

    ``tables``: contract tables by name (Arrow tables or Ibis tables of ``backend``), a
    ``Dataset``, or a store's ``DailyRecords`` (``store_features`` reads them from a store).
    ``spine``: rows of (key columns..., ``merchant_id``, ``as_of``); or leave it out and give
    ``as_of`` for every merchant onboarded before that date. ``features``: a subset of the
    catalog (default: all of it). Returns the spine's columns, then the features
    in catalog order as float64 (NaN where undefined), one row per spine row, in spine order.
    """
    con = backend if backend is not None else ibis.duckdb.connect()
    plan = plan_features(tables, spine, as_of=as_of, features=features, backend=con)
    if plan.expr is None:
        empty = pa.table({n: pa.array([], pa.float64()) for n in plan.names})
        return _assemble(plan.spine, empty, plan.names)
    log.info("building %d features for %d spine rows", len(plan.names), plan.spine.num_rows)
    result = con.to_pyarrow(plan.expr).sort_by("_row")
    return _assemble(plan.spine, result, plan.names)


@dataclass(frozen=True)
class FeaturePlan:
    """The normalised spine, the selected feature names and the lazy expression computing them.

    ``expr`` holds ``_row`` (the spine row's position) and the features; None for an empty
    spine. Executing it is the caller's choice: collected to Arrow by ``build_features``,
    written by the engine itself on Spark.
    """

    spine: pa.Table
    names: list[str]
    expr: ir.Table | None


def plan_features(
    tables: Mapping[str, Source] | HasTables | DailyRecords,
    spine: pa.Table | None = None,
    *,
    as_of: date | None = None,
    features: Sequence[str] | None = None,
    backend: ibis.BaseBackend,
) -> FeaturePlan:
    """``build_features``' expression on ``backend``, not yet executed (same arguments)."""
    given = tables if isinstance(tables, Mapping | DailyRecords) else tables.tables
    sources = prepare_sources(given, backend)
    spine = normalise_spine(_spine_of(sources.merchants, spine, as_of))
    names = _selected(features)
    if spine.num_rows == 0:
        return FeaturePlan(spine, names, None)
    days = epoch_days(spine["as_of"])
    facts = _merchant_facts(sources.merchants, records_day(sources, backend))
    keys = _keys(spine["merchant_id"], days, facts)
    groups = groups_of(names)
    every_group = groups | (groups_of(BASE_FEATURES) if "peers" in groups else set())
    peer_days = _month_start_days(days)
    inputs = Inputs(sources, every_group, int(peer_days.min()), int(days.max()))
    peers = _peers(keys, days, facts, inputs) if "peers" in groups else None
    expr = derive(widen(keys, groups, inputs, _one_day(days)), names, peers)
    return FeaturePlan(spine, names, expr)


def _spine_of(merchants: pa.Table, spine: pa.Table | None, as_of: date | None) -> pa.Table:
    if (spine is None) == (as_of is None):
        raise ConfigError("give either a spine or an as_of date, not both and not neither")
    return spine if spine is not None else merchant_spine(merchants, as_of)  # type: ignore[arg-type]


def _selected(features: Sequence[str] | None) -> list[str]:
    catalog = feature_names()
    if features is None:
        return list(catalog)
    unknown = sorted(set(features) - set(catalog))
    if unknown:
        raise ConfigError(f"not in the feature catalog: {', '.join(unknown)}")
    wanted = set(features)
    return [name for name in catalog if name in wanted]


def _one_day(days: np.ndarray) -> int | None:
    """The as-of day of every row, when all rows share it."""
    first = int(days[0])
    return first if bool((days == first).all()) else None


def _month_start_days(days: np.ndarray) -> np.ndarray:
    months = days.astype("datetime64[D]").astype("datetime64[M]")
    return months.astype("datetime64[D]").astype(np.int32)


def records_day(sources: Sources, backend: ibis.BaseBackend) -> int | None:
    """The epoch day of the first order in the records (None when there is none): the start
    of the data, before which no window can see anything, whenever the merchant joined.

    It is a fact of the export, not an event: a window as of any date is cut at it, and a date
    before it sees nothing (``history_days`` is 0), so no later record is seen through it.
    """
    return sources.first_order_day(backend)


def _merchant_facts(merchants: pa.Table, records: int | None) -> pa.Table:
    """Category, onboarding day and the day each merchant's records begin (``start_day``):
    its onboarding or the records' first day, whichever is later (epoch days)."""
    micros = merchants["onboarded_at"].cast(pa.int64()).to_numpy(zero_copy_only=False)
    onboard = (micros // 86_400_000_000).astype(np.int32)
    start = onboard if records is None else np.maximum(onboard, np.int32(records))
    return pa.table(
        {
            "merchant_id": merchants["merchant_id"].cast(pa.string()),
            "category": merchants["category"].cast(pa.string()),
            "onboard_day": onboard,
            "start_day": start.astype(np.int32),
            "records_day": pa.array([records] * len(onboard), pa.int32()),
        }
    )


def _keys(merchant_id: pa.Array, days: np.ndarray, facts: pa.Table) -> ir.Table:
    """A builder spine: position, merchant, as-of and peer day (epoch days), merchant facts."""
    keys = pa.table(
        {
            "_row": np.arange(len(days), dtype=np.int64),
            "merchant_id": merchant_id,
            "asof_day": days.astype(np.int32),
            "peer_day": _month_start_days(days),
        }
    )
    joined = keys.join(facts, "merchant_id", join_type="left outer")
    return ibis.memtable(joined)


def _reference_keys(peer_days: np.ndarray, facts: pa.Table) -> ir.Table:
    """Every merchant onboarded before each peer day, as of that day: the peers' spine."""
    onboard = facts["onboard_day"].to_numpy()
    chosen = [(np.flatnonzero(onboard < day), day) for day in np.unique(peer_days)]
    index = np.concatenate([i for i, _ in chosen] or [np.empty(0, np.int64)])
    days = np.concatenate([np.full(len(i), day, np.int32) for i, day in chosen] or [index])
    return _keys(facts["merchant_id"].take(index), days, facts)


def _peers(keys: ir.Table, spine_days: np.ndarray, facts: pa.Table, inputs: Inputs) -> ir.Table:
    base = list(BASE_FEATURES)
    needs = groups_of(base)
    target = derive(widen(keys, needs, inputs, _one_day(spine_days)), base).join(keys, "_row")
    peer_days = np.unique(_month_start_days(spine_days))
    ref_keys = _reference_keys(peer_days, facts)
    wide = widen(ref_keys, needs, inputs, _one_day(peer_days))
    reference = derive(wide, base).join(ref_keys, "_row")
    return peer_percentiles(target, reference)


def _assemble(spine: pa.Table, result: pa.Table, names: list[str]) -> pa.Table:
    if result.num_rows != spine.num_rows:
        raise RuntimeError(f"{result.num_rows} feature rows for {spine.num_rows} spine rows")
    out = spine
    for name in names:
        values = pc.fill_null(result[name].cast(pa.float64()), float("nan"))
        out = out.append_column(pa.field(name, pa.float64()), values)
    return out
