"""Features are exact: built twice, or with one thread against four, every bit is the same.

A float sum depends on the order its terms arrive in, and a parallel DuckDB adds them in a new
order on each run; the builder sums money as decimals (and counts as integers) and turns a
total into float64 only once it is complete, so no order can show.
"""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from microlend.data import Dataset
from microlend.features import application_spine, build_features, feature_names

#: More threads than the machine has cores still splits the scans: the order of a parallel
#: sum changes from run to run however many cores there are. Four threads twice: a run and its
#: rerun; four and one: a parallel order against the sequential one.
TWICE, PARALLEL_AND_SEQUENTIAL = (4, 4), (4, 1)


def _bits(table: pa.Table) -> dict[str, bytes]:
    """Every feature column's float64 bit patterns (NaN included), and the keys as text."""
    out = {name: table[name].to_numpy().astype(np.float64).tobytes() for name in feature_names()}
    out["merchant_id"] = "\n".join(table["merchant_id"].to_pylist()).encode()
    return out


def _builds(market: Dataset, threads: tuple[int, ...], **spine: object) -> list[dict[str, bytes]]:
    return [
        _bits(build_features(market, backend=ibis.duckdb.connect(threads=n), **spine))  # type: ignore[arg-type]
        for n in threads
    ]


@pytest.fixture(scope="module")
def one_month(small_market: Dataset) -> pa.Table:
    """Applications of one month (one peer day: the peers' reference is built once)."""
    spine = application_spine(small_market.table("applications"))
    months = pd.to_datetime(spine["as_of"].to_pandas()).dt.to_period("M")
    middle = months.iloc[len(months) // 2]
    return spine.filter(pa.array((months == middle).to_numpy()))


def test_features_at_application_dates_are_exact(
    small_market: Dataset, one_month: pa.Table
) -> None:
    assert one_month.num_rows > 50
    first, *others = _builds(small_market, TWICE, spine=one_month)
    for other in others:
        differing = [name for name in first if first[name] != other[name]]
        assert differing == []
    gmv = np.frombuffer(first["gmv_90d"], dtype=np.float64)
    assert (gmv > 0).sum() > 50  # the sums compared are not all empty


def test_features_of_every_merchant_at_one_date_are_exact(small_market: Dataset) -> None:
    as_of = pc.max(small_market.table("applications")["applied_at"]).as_py().date()
    first, *others = _builds(small_market, PARALLEL_AND_SEQUENTIAL, as_of=as_of)
    for other in others:
        differing = [name for name in first if first[name] != other[name]]
        assert differing == []
