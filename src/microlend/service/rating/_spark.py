"""Batch scoring on Spark: the saved model applied in parallel, next to the data.

The model travels to the executors as text (LightGBM's model string and the calibrator's
JSON, broadcast once), never as a pickle of live objects, and is rebuilt there once per
partition. Each partition is scored by ``score_rows``, through ``batch_table``, the code the
DuckDB path runs, so both engines give the same PDs, scores, sub-scores and reasons.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd
import pyarrow as pa

from microlend.data import one_currency, read_manifest
from microlend.features import spark_features, spark_tables
from microlend.models import Calibrator, PDModel
from microlend.service.rating._scoring import batch_table

__all__ = ["BatchResult", "ModelParts", "score_on_spark", "score_rows", "score_spark_frame"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ModelParts:
    """A fitted ``PDModel`` as plain data: what is shipped to Spark's executors."""

    booster: str
    calibrator: Mapping[str, Any]
    feature_names: Sequence[str]
    categories: Mapping[str, Sequence[str]]
    best_iteration: int
    settings: Mapping[str, Any]

    @classmethod
    def of(cls, model: PDModel) -> ModelParts:
        return cls(
            booster=model.booster_.model_to_string(),
            calibrator=model.calibrator_.to_dict(),
            feature_names=list(model.feature_names_),
            categories={k: list(v) for k, v in model.categories_.items()},
            best_iteration=int(model.best_iteration_),
            settings=model.settings(),
        )

    def model(self) -> PDModel:
        return PDModel.from_parts(
            lgb.Booster(model_str=self.booster),
            Calibrator.from_dict(dict(self.calibrator)),
            feature_names=self.feature_names,
            categories=self.categories,
            best_iteration=self.best_iteration,
            settings=self.settings,
        )


def _currency(data: Path, orders: Any) -> str:
    """The platform's currency: the folder manifest's, else the orders' (one Spark query)."""
    manifest = read_manifest(data)
    if manifest is not None and manifest.currency is not None:
        return manifest.currency
    codes = orders.select("currency").distinct().to_pyarrow().column("currency")
    return one_currency(codes.to_pylist(), data)


def score_rows(
    model: PDModel,
    rows: pd.DataFrame,
    currency: str,
    references: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """PD, score, band, sub-scores and the top reasons of feature rows (amounts in
    ``currency``).

    ``rows``: ``merchant_id``, ``as_of`` and the feature columns. Returns ``merchant_id``,
    ``as_of``, then the score columns, one row per input row, in its order.
    """
    keyed = rows.set_index("merchant_id")
    features, dates = keyed.drop(columns=["as_of"]), keyed["as_of"].tolist()
    return batch_table(model, features, dates, currency, references=references)


def _scored_schema(model: PDModel, names: Sequence[str], currency: str) -> pa.Schema:
    """The Arrow schema of ``score_rows``' output, learnt by scoring one blank row here."""
    blank = pd.DataFrame({"merchant_id": ["-"], "as_of": [date(1970, 1, 1)]})
    blank = blank.assign(**dict.fromkeys(names, np.nan))
    sample = score_rows(model, blank, currency)
    schema = pa.Schema.from_pandas(sample, preserve_index=False)
    # A reason's code and wording may be absent in one row and present in another: always
    # text (its value is always a float, NaN when absent).
    fields = [
        pa.field(f.name, pa.string())
        if f.name.startswith("reason_") and not f.name.endswith("_value")
        else f
        for f in schema
    ]
    return pa.schema(fields).remove_metadata()


def _partition_scorer(
    broadcast: Any, currency: str, references: Mapping[str, float] | None
) -> Callable[[Iterator[pd.DataFrame]], Iterator[pd.DataFrame]]:
    def score_partition(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        model = broadcast.value.model()  # once per partition, not per batch
        for batch in batches:
            yield score_rows(model, batch, currency, references)

    return score_partition


def score_spark_frame(
    session: Any,
    model: PDModel,
    frame: Any,
    currency: str,
    *,
    references: Mapping[str, float] | None = None,
) -> Any:
    """Scores of a Spark DataFrame of features (``merchant_id``, ``as_of``, features), lazily;
    reasons show amounts in ``currency`` and lie beyond ``references`` (see ``batch_table``)."""
    from pyspark.sql.pandas.types import from_arrow_schema

    names = [c for c in frame.columns if c not in ("merchant_id", "as_of")]
    schema = from_arrow_schema(_scored_schema(model, names, currency))
    broadcast = session.sparkContext.broadcast(ModelParts.of(model))
    # A plain dict travels to the executors with the scorer.
    plain = None if references is None else dict(references)
    scorer = _partition_scorer(broadcast, currency, plain)
    return frame.mapInPandas(scorer, schema)


@dataclass(frozen=True)
class BatchResult:
    """What a Spark batch wrote: rows scored and how many fell in each band."""

    rows: int
    bands: Mapping[str, int]


def score_on_spark(
    session: Any,
    model: PDModel,
    data: Path,
    as_of: date,
    out: Path,
    *,
    features_out: Path | None = None,
    references: Mapping[str, float] | None = None,
) -> BatchResult:
    """Score every merchant of a Parquet data folder as of ``as_of`` on Spark, to ``out``.

    Features are built by Spark from the folder's files and scored where they lie; ``out``
    (and ``features_out``, the features themselves, if given) are Parquet folders. Only the
    band counts come back to the driver.
    """
    tables = spark_tables(session, data)
    currency = _currency(data, tables["orders"])
    built = spark_features(session, tables, as_of)
    frame = built.frame
    if features_out is not None:
        frame.write.mode("overwrite").parquet(str(features_out))
        frame = session.read.parquet(str(features_out))  # score the written features: no rebuild
    scored = score_spark_frame(session, model, frame, currency, references=references)
    scored.write.mode("overwrite").parquet(str(out))
    counts = session.read.parquet(str(out)).groupBy("band").count().collect()
    bands = {str(row["band"]): int(row["count"]) for row in counts}
    log.info("spark: %d merchants scored as of %s -> %s", sum(bands.values()), as_of, out)
    return BatchResult(rows=sum(bands.values()), bands=bands)
