"""The scorecard as SQL gives the scorecard's own PDs and scores on DuckDB, PostgreSQL and Spark.

One real ``Scorecard``, fitted on synthetic merchants with missing values and a category, is
written by ``scorecard_sql_text`` (what ``microlend export --format sql`` writes) and run by each
engine on the same rows: ordinary merchants, every feature at each of its bin edges and just
below it, missing values (NULL), and a category never seen in training.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import duckdb
import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pytest
from scoring_support import merchants
from sqlalchemy import (
    Column,
    Connection,
    Float,
    Integer,
    MetaData,
    Table,
    Text,
    create_engine,
    insert,
)

from microlend.models import Scorecard
from microlend.scoring import ScoreScale, scorecard_sql_text
from microlend.settings import Settings

CATEGORIES = ("north", "south", "east")
VIEW = "microlend_sql_export_rows"


def _training(n: int, seed: int) -> tuple[pd.DataFrame, npt.NDArray[np.int64]]:
    """scoring_support's merchants, with ratings missing more often among defaults and a
    region whose last level is riskier: both carry evidence the scorecard bins."""
    rows, y = merchants(n, seed)
    rng = np.random.default_rng(seed)
    rows.loc[rng.random(n) < 0.04 + 0.12 * y, "avg_rating"] = np.nan
    risky = rng.random(n) < 0.2 + 0.3 * y
    rows["region"] = np.where(risky, "east", rng.choice(CATEGORIES[:2], n))
    rows.loc[rng.random(n) < 0.03, "region"] = None
    return rows, y


@pytest.fixture(scope="module")
def card() -> Scorecard:
    rows, y = _training(3000, seed=7)
    fitted = Scorecard().fit(rows, y)
    assert "region" in fitted.bins_, "the test needs a categorical feature in the scorecard"
    assert fitted.bins_["avg_rating"].missing_woe != 0.0
    return fitted


def _edge_rows(card: Scorecard, base: pd.Series) -> list[pd.Series]:
    """``base`` with one feature at a bin edge, just below it, missing, or an unseen level."""
    out: list[pd.Series] = []
    for name, bins in card.bins_.items():
        values: list[Any] = [None]
        if bins.kind == "numeric":
            values += [v for s in bins.splits for v in (s, float(np.nextafter(s, -np.inf)))]
        else:
            values += [*CATEGORIES, "west"]
        for value in values:
            row = base.copy()
            row[name] = value
            out.append(row)
    return out


@pytest.fixture(scope="module")
def rows(card: Scorecard) -> pd.DataFrame:
    ordinary = _training(400, seed=11)[0]
    table = pd.concat([ordinary, pd.DataFrame(_edge_rows(card, ordinary.iloc[0]))])
    table = table.reset_index(drop=True)
    numeric = [c for c in table.columns if c != "region"]
    table[numeric] = table[numeric].astype(np.float64)
    table.insert(0, "row_id", np.arange(len(table)))
    return table


@pytest.fixture(scope="module")
def select(card: Scorecard) -> str:
    sql = scorecard_sql_text(card, model="test")
    return f"SELECT row_id, {sql} FROM {VIEW} ORDER BY row_id"


@pytest.fixture(scope="module")
def expected(card: Scorecard, rows: pd.DataFrame) -> pd.DataFrame:
    pd_ = card.predict_pd(rows.drop(columns=["row_id"]))
    return pd.DataFrame({"pd": pd_, "score": ScoreScale().points(pd_)})


def _records(rows: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as plain Python values, NaN as None: what SQL calls NULL."""
    return [
        {k: None if isinstance(v, float) and np.isnan(v) else v for k, v in r.items()}
        for r in rows.to_dict("records")
    ]


def _check(result: pd.DataFrame, expected: pd.DataFrame) -> None:
    assert list(result["row_id"]) == list(range(len(expected)))
    got = result["pd"].astype(np.float64).to_numpy()
    assert np.abs(got - expected["pd"].to_numpy()).max() < 1e-9
    assert result["score"].astype(np.int64).tolist() == expected["score"].tolist()


def test_the_rows_reach_every_bin_and_the_missing_ones(card: Scorecard, rows: pd.DataFrame) -> None:
    # Each numeric bin is reached, from both sides of each edge, and so is the missing bin.
    features = rows.drop(columns=["row_id"])
    for name, bins in card.bins_.items():
        if bins.kind == "numeric":
            woe = set(bins.transform(features[name]).tolist())
            assert woe >= {*bins.woe, bins.missing_woe}, name
    assert features["region"].isna().any()
    assert "west" in set(features["region"])


def test_duckdb_gives_the_scorecards_pds_and_scores(
    select: str, rows: pd.DataFrame, expected: pd.DataFrame
) -> None:
    connection = duckdb.connect()
    connection.register(VIEW, pa.Table.from_pylist(_records(rows)))
    _check(connection.sql(select).df(), expected)


@pytest.fixture
def postgresql() -> Iterator[Connection]:
    """A connection to the test server; one that cannot be reached fails, never skips."""
    engine = create_engine(Settings.from_env().test_pg_url)
    try:
        connection = engine.connect()
    except Exception as error:
        pytest.fail(
            f"PostgreSQL at {Settings.from_env().test_pg_url} cannot be reached "
            f"({type(error).__name__}): start it or set MICROLEND_TEST_PG_URL; never skipped",
            pytrace=False,
        )
    with connection:
        yield connection
    engine.dispose()


def test_postgresql_gives_the_scorecards_pds_and_scores(
    postgresql: Connection, select: str, rows: pd.DataFrame, expected: pd.DataFrame
) -> None:
    columns = [Column("row_id", Integer), Column("region", Text)]
    columns += [Column(c, Float(53)) for c in rows.columns if c not in ("row_id", "region")]
    table = Table(VIEW, MetaData(), *columns, prefixes=["TEMPORARY"])  # gone with the session
    table.create(postgresql)
    postgresql.execute(insert(table), _records(rows))
    # The driver's own execution: SQLAlchemy's text() would read ":name" as a parameter.
    result = pd.DataFrame(postgresql.exec_driver_sql(select).mappings().all())
    _check(result, expected)


def test_spark_gives_the_scorecards_pds_and_scores(
    spark: Any, select: str, rows: pd.DataFrame, expected: pd.DataFrame
) -> None:
    from pyspark.sql.types import DoubleType, LongType, StringType, StructField, StructType

    fields = [StructField("row_id", LongType()), StructField("region", StringType())]
    numeric = [c for c in rows.columns if c not in ("row_id", "region")]
    fields += [StructField(c, DoubleType()) for c in numeric]
    records = _records(rows)
    data = [tuple(r[f.name] for f in fields) for r in records]
    spark.createDataFrame(data, StructType(fields)).createOrReplaceTempView(VIEW)
    try:
        result = spark.sql(select).toPandas()
    finally:
        spark.catalog.dropTempView(VIEW)
    _check(result, expected)
