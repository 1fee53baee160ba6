"""Spines: the rows features are computed for, as (key columns..., merchant_id, as_of).

A spine row asks "what did we know about this merchant just before ``as_of`` 00:00 UTC?". The
same builder serves scoring (every merchant as of one date) and training (each application at
the date it was made). Dates become whole days since 1970-01-01 UTC (``epoch days``) so that
window arithmetic is integer arithmetic, identical on every backend and free of time zones.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from microlend.dates import as_of_instant
from microlend.errors import ConfigError

__all__ = ["application_spine", "epoch_day", "epoch_days", "merchant_spine", "normalise_spine"]

_EPOCH = date(1970, 1, 1)


def epoch_day(day: date) -> int:
    """Whole days from 1970-01-01 to ``day``; events with an earlier epoch day are visible."""
    return (day - _EPOCH).days


def merchant_spine(merchants: pa.Table, as_of: date) -> pa.Table:
    """One row per merchant onboarded before ``as_of``: columns ``merchant_id`` and ``as_of``."""
    cutoff = pa.scalar(as_of_instant(as_of), type=merchants.schema.field("onboarded_at").type)
    known = merchants.filter(pc.less(merchants["onboarded_at"], cutoff))
    ids = known["merchant_id"].cast(pa.string())
    return pa.table({"merchant_id": ids, "as_of": pa.array([as_of] * len(ids), pa.date32())})


def application_spine(applications: pa.Table) -> pa.Table:
    """One row per application, as of the UTC date it was made (events of that day are unseen)."""
    return pa.table(
        {
            "application_id": applications["application_id"].cast(pa.string()),
            "merchant_id": applications["merchant_id"].cast(pa.string()),
            "as_of": applications["applied_at"].cast(pa.date32()),
        }
    )


def normalise_spine(spine: pa.Table) -> pa.Table:
    """The spine with ``as_of`` as a UTC ``date32`` (timestamps are cut to their UTC date)."""
    missing = [c for c in ("merchant_id", "as_of") if c not in spine.column_names]
    if missing:
        raise ConfigError(f"the spine lacks column(s) {missing}; it needs merchant_id and as_of")
    as_of = spine["as_of"]
    if not (pa.types.is_date(as_of.type) or pa.types.is_timestamp(as_of.type)):
        raise ConfigError(f"the spine's as_of must be a date or a timestamp, not {as_of.type}")
    if as_of.null_count or spine["merchant_id"].null_count:
        raise ConfigError("the spine's merchant_id and as_of must not be empty")
    index = spine.schema.get_field_index("as_of")
    spine = spine.set_column(index, "as_of", as_of.cast(pa.date32()))
    index = spine.schema.get_field_index("merchant_id")
    return spine.set_column(index, "merchant_id", spine["merchant_id"].cast(pa.string()))


def epoch_days(dates: pa.ChunkedArray) -> np.ndarray:
    """Epoch days of a ``date32`` column, as int32 (``date32`` is stored as exactly that)."""
    return np.asarray(dates.cast(pa.int32()).to_numpy(), dtype=np.int32)
