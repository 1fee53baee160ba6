"""Batch scoring on Spark (local mode) against the DuckDB path, on the simulator's data.

One Spark run builds the features from the data folder's Parquet files and scores them; every
feature and every score must equal DuckDB's: counts exactly, floats within 1e-9 relative, NaN
equal to NaN, reasons word for word. Spark that cannot start fails these tests: it never skips.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from microlend.data import load_dataset
from microlend.features import CATALOG, build_features
from microlend.models import PDModel
from microlend.scoring import Improver
from microlend.service import BatchResult, ModelParts, score_merchants, score_on_spark

AS_OF = date(2024, 2, 1)
RTOL = 1e-9


@dataclass(frozen=True)
class Run:
    data: Path
    model: PDModel
    references: dict[str, float]
    result: BatchResult
    features: pd.DataFrame
    scores: pd.DataFrame


@pytest.fixture(scope="session")
def spark_run(spark: Any, spark_market_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Run:
    rows = build_features(load_dataset(spark_market_dir), as_of=AS_OF).to_pandas()
    features = rows.set_index("merchant_id").drop(columns=["as_of"])
    # Any fitted model will do: parity, not accuracy, is under test.
    defaulted = np.random.default_rng(0).random(len(features)) < 0.25
    model = PDModel(max_rounds=40, min_child_samples=10).fit(features, defaulted)
    # The training medians a reason's value must lie beyond, as a saved model carries them.
    references = Improver(CATALOG).fit(features).references_
    folder = tmp_path_factory.mktemp("spark_run")
    out, features_out = folder / "scores.parquet", folder / "features.parquet"
    result = score_on_spark(
        spark, model, spark_market_dir, AS_OF, out, features_out=features_out, references=references
    )
    return Run(
        data=spark_market_dir,
        model=model,
        references=references,
        result=result,
        features=pq.read_table(features_out).to_pandas(),
        scores=pq.read_table(out).to_pandas(),
    )


def assert_same_frames(duck: pd.DataFrame, spark: pd.DataFrame) -> None:
    assert list(spark.columns) == list(duck.columns)
    duck = duck.sort_values("merchant_id").reset_index(drop=True)
    spark = spark.sort_values("merchant_id").reset_index(drop=True)
    assert spark["merchant_id"].tolist() == duck["merchant_id"].tolist()
    for column in duck.columns:
        left, right = duck[column], spark[column]
        if pd.api.types.is_float_dtype(left):
            np.testing.assert_allclose(
                right.to_numpy(), left.to_numpy(), rtol=RTOL, atol=0, err_msg=column
            )
        else:
            assert (
                right.astype(object).where(right.notna(), None).tolist()
                == left.astype(object).where(left.notna(), None).tolist()
            ), column


def test_every_feature_on_spark_equals_duckdb(spark_run: Run) -> None:
    duck = build_features(load_dataset(spark_run.data), as_of=AS_OF).to_pandas()
    assert len(duck) > 250
    assert_same_frames(duck, spark_run.features)


def test_every_score_and_reason_on_spark_equals_duckdb(spark_run: Run) -> None:
    data = load_dataset(spark_run.data)
    duck = score_merchants(spark_run.model, data, AS_OF, references=spark_run.references)
    assert_same_frames(duck, spark_run.scores)
    # Reasons are given, and only beyond the medians: without them the batch words others.
    assert duck["reason_1"].notna().any()
    bare = score_merchants(spark_run.model, data, AS_OF)
    assert not bare["reason_1"].equals(duck["reason_1"])


def test_band_counts_come_back_from_the_written_scores(spark_run: Run) -> None:
    counts = spark_run.scores["band"].value_counts().to_dict()
    assert spark_run.result.bands == counts
    assert spark_run.result.rows == len(spark_run.scores)


def test_the_model_shipped_as_text_predicts_as_the_original(spark_run: Run) -> None:
    rebuilt = ModelParts.of(spark_run.model).model()
    rows = spark_run.features.set_index("merchant_id").drop(columns=["as_of"])
    np.testing.assert_array_equal(rebuilt.predict_pd(rows), spark_run.model.predict_pd(rows))
