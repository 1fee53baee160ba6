"""Bring your own table: train and evaluate the PD recipe on any applicant-level table.

The recipe is ``TablePreparer`` (ids, dates, text-coded numbers, categories, constant and
leaking columns, each reported) followed by ``PDModel``. A date column, when there is one,
makes the model's hold-out out-of-time; otherwise it is a stratified random sample.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

from microlend.errors import ConfigError, DataContractError, NotFoundError, Violation
from microlend.models._artifacts import ModelArtifact, file_sha256
from microlend.models._calibration_tests import Banding, CalibrationTests, calibration_tests
from microlend.models._evaluation import Evaluation, evaluate
from microlend.models._metadata import ModelMetadata, TableFacts, Window
from microlend.models._pd_model import PDModel
from microlend.models._preparer import Finding, TablePreparer

__all__ = [
    "LabelledTable",
    "TableEvaluation",
    "TableFit",
    "cross_validated_auc",
    "evaluate_table",
    "fit_table",
    "labelled_table",
    "read_table",
]

log = logging.getLogger(__name__)

_TRUE = frozenset({"1", "1.0", "true", "yes", "y", "t"})
_FALSE = frozenset({"0", "0.0", "false", "no", "n", "f"})


def read_table(path: Path) -> pd.DataFrame:
    """A CSV or Parquet file as a DataFrame (text stays text; parsing is the preparer's job)."""
    path = Path(path)
    if not path.is_file():
        raise NotFoundError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return pd.read_csv(path, low_memory=False)
    if suffix in (".parquet", ".pq"):
        return pd.read_parquet(path)
    raise ConfigError(f"{path}: the table must be a .csv or .parquet file")


@dataclass(frozen=True)
class LabelledTable:
    """A table split into its candidate features and its 0/1 outcome (1 = bad)."""

    source: str
    target: str
    features: pd.DataFrame
    y: npt.NDArray[np.int64]
    unlabelled: int


def labelled_table(
    frame: pd.DataFrame, target: str, *, positive: str | None = None, source: str = "table"
) -> LabelledTable:
    """Check the table and code its target 0/1; rows without an outcome are set aside."""
    if target not in frame.columns:
        shown = ", ".join(map(str, list(frame.columns)[:20]))
        raise ConfigError(f"{source}: no target column {target!r} (columns: {shown})")
    if frame.empty:
        raise DataContractError([Violation(source, None, None, "the table has no rows")])
    labelled = frame[frame[target].notna()]
    y = _code_target(labelled[target], positive, source, target)
    if np.unique(y).size < 2:
        only = "bad" if y.size and y[0] == 1 else "good"
        message = f"the target holds only one class ({only}): a PD model needs both"
        raise DataContractError([Violation(source, None, target, message)])
    unlabelled = len(frame) - len(labelled)
    if unlabelled:
        log.warning("%s: %d rows without %r set aside", source, unlabelled, target)
    features = labelled.drop(columns=[target]).reset_index(drop=True)
    return LabelledTable(source, target, features, y, unlabelled)


def _code_target(
    column: pd.Series, positive: str | None, source: str, target: str
) -> npt.NDArray[np.int64]:
    text = column.astype(str).str.strip()
    if positive is not None:
        if not (text == positive).any():
            found = sorted(text.unique().tolist())[:10]
            raise ConfigError(f"{source}: target {target!r} never equals {positive!r} ({found})")
        return (text == positive).to_numpy().astype(np.int64)
    lowered = text.str.lower()
    values = set(lowered.unique().tolist())
    if not values <= _TRUE | _FALSE:
        found = sorted(text.unique().tolist())[:10]
        raise ConfigError(
            f"{source}: target {target!r} is not 0/1 (values {found}); "
            "name the bad outcome with --positive"
        )
    return lowered.isin(_TRUE).to_numpy().astype(np.int64)


@dataclass(frozen=True)
class TableFit:
    """The fitted recipe and what the preparer found."""

    preparer: TablePreparer
    model: PDModel
    findings: tuple[Finding, ...]
    time_column: str | None
    metadata: ModelMetadata


def fit_table(
    table: LabelledTable, *, random_state: int = 0, data_path: Path | None = None
) -> TableFit:
    """Prepare the table and fit the PD model; ``metadata`` is ready for ``save_model``."""
    preparer = TablePreparer(target=table.target).fit(table.features, table.y)
    time = preparer.time_values(table.features)
    usable = time.notna().to_numpy() if time is not None else np.ones(table.y.size, dtype=bool)
    rows = preparer.transform(table.features)[usable]
    model = PDModel(random_state=random_state)
    model.fit(rows, table.y[usable], time=time[usable] if time is not None else None)
    facts = TableFacts(
        source=table.source,
        target=table.target,
        rows=int(usable.sum()),
        bad_rate=float(table.y[usable].mean()),
        time_column=preparer.time_column_,
        holdout_auc=model.holdout_auc_,
        findings=tuple(f"{f.column}: {f.message}" for f in preparer.findings_),
    )
    metadata = ModelMetadata(
        training_window=None
        if time is None
        else Window(time.min().to_pydatetime(), time.max().to_pydatetime()),
        data_sha256=None if data_path is None else file_sha256(Path(data_path)),
        table=facts,
    )
    return TableFit(preparer, model, tuple(preparer.findings_), preparer.time_column_, metadata)


def cross_validated_auc(
    table: LabelledTable, *, folds: int = 5, random_state: int = 0
) -> tuple[float, float]:
    """Mean and standard deviation of the AUC over stratified folds, the whole recipe per fold."""
    aucs = []
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=random_state)
    for train, test in splitter.split(table.features, table.y):
        part = LabelledTable(
            table.source, table.target, table.features.iloc[train], table.y[train], 0
        )
        fitted = fit_table(part, random_state=random_state)
        rows = fitted.preparer.transform(table.features.iloc[test])
        aucs.append(float(roc_auc_score(table.y[test], fitted.model.predict_pd(rows))))
    return float(np.mean(aucs)), float(np.std(aucs))


@dataclass(frozen=True)
class TableEvaluation:
    """A saved model on a labelled table: its metrics, calibration tests and cross-validated
    AUC, with the rows as the model saw them and their PDs (for whatever is computed next)."""

    evaluation: Evaluation
    calibration_tests: CalibrationTests | None
    unlabelled: int
    cv_auc: tuple[float, float] | None  # mean and standard deviation over the folds
    rows: pd.DataFrame
    pd: npt.NDArray[np.float64]


def evaluate_table(
    artifact: ModelArtifact,
    table: LabelledTable,
    *,
    cross_validate: bool = True,
    banding: Banding | None = None,
) -> TableEvaluation:
    """A saved model's metrics on a labelled table; with no date column, also ``cv_auc``; with
    a ``banding``, the validator's ``calibration_tests`` by its bands."""
    if artifact.preparer is None:
        raise ConfigError("this model was not trained from a table (--table): it has no preparer")
    rows = artifact.preparer.transform(table.features)
    pd_ = artifact.model.predict_pd(rows)
    tests = None if banding is None else calibration_tests(table.y, pd_, banding)
    has_time = TablePreparer().fit(table.features, table.y).time_column_ is not None
    cv = cross_validated_auc(table) if cross_validate and not has_time else None
    return TableEvaluation(evaluate(table.y, pd_), tests, table.unlabelled, cv, rows, pd_)
