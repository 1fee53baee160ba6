"""Bring your own table: train and evaluate the PD recipe on any applicant-level table.

The recipe is ``TablePreparer`` (ids, dates, text-coded numbers, categories, constant and
leaking columns, each reported) followed by ``SelectedModel``: four candidates (a regularised
logistic regression, a WoE scorecard, LightGBM sized to the data and their blend) compared on
five folds of the training rows, the chosen one kept. A date column, when there is one, makes
those folds time-ordered; otherwise they are stratified random samples.

``cross_validate`` measures the recipe as a whole: preparer and selection refit inside each of
five outer folds (nested cross-validation), with every candidate's AUC on the same outer folds.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd
from sklearn.model_selection import StratifiedKFold

from microlend.errors import ConfigError, DataContractError, NotFoundError, Violation
from microlend.models._artifacts import ModelArtifact, file_sha256
from microlend.models._calibration_tests import Banding, CalibrationTests, calibration_tests
from microlend.models._crossfit import auc
from microlend.models._evaluation import Evaluation, evaluate
from microlend.models._metadata import ModelMetadata, TableFacts, Window
from microlend.models._preparer import Finding, TablePreparer
from microlend.models._selection import CandidateScore, SelectedModel, Selection, TableModel

__all__ = [
    "CrossValidation",
    "LabelledTable",
    "TableEvaluation",
    "TableFit",
    "cross_validate",
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
    """The fitted recipe, what the preparer found and how the model was chosen."""

    preparer: TablePreparer
    selected: SelectedModel
    findings: tuple[Finding, ...]
    time_column: str | None
    metadata: ModelMetadata

    @property
    def model(self) -> TableModel:
        """The chosen candidate, fitted on all the training rows."""
        return self.selected.model_

    @property
    def selection(self) -> Selection:
        return self.selected.selection_


def fit_table(
    table: LabelledTable, *, random_state: int = 0, data_path: Path | None = None
) -> TableFit:
    """Prepare the table and choose and fit the model; ``metadata`` is ready for ``save_model``."""
    preparer = TablePreparer(target=table.target).fit(table.features, table.y)
    time = preparer.time_values(table.features)
    usable = time.notna().to_numpy() if time is not None else np.ones(table.y.size, dtype=bool)
    rows = preparer.transform(table.features)[usable]
    selected = SelectedModel(random_state=random_state)
    selected.fit(rows, table.y[usable], time=time[usable] if time is not None else None)
    facts = TableFacts(
        source=table.source,
        target=table.target,
        rows=int(usable.sum()),
        bad_rate=float(table.y[usable].mean()),
        time_column=preparer.time_column_,
        holdout_auc=None,
        findings=tuple(f"{f.column}: {f.message}" for f in preparer.findings_),
    )
    metadata = ModelMetadata(
        training_window=None
        if time is None
        else Window(time.min().to_pydatetime(), time.max().to_pydatetime()),
        data_sha256=None if data_path is None else file_sha256(Path(data_path)),
        table=facts,
    )
    return TableFit(preparer, selected, tuple(preparer.findings_), preparer.time_column_, metadata)


@dataclass(frozen=True)
class CrossValidation:
    """The recipe refit on each of ``len(folds)`` stratified outer folds and tested on the
    fold it never saw: ``auc`` the mean of ``folds`` (the chosen model's AUC in each), ``std``
    their spread, ``candidates`` every candidate's AUC on the same folds and ``chosen`` which
    candidate each fold's selection chose."""

    auc: float
    std: float
    folds: tuple[float, ...]
    candidates: tuple[CandidateScore, ...]
    chosen: tuple[str, ...]


def cross_validate(
    table: LabelledTable, *, folds: int = 5, random_state: int = 0
) -> CrossValidation:
    """Nested cross-validation: preparer and selection refit inside each outer fold."""
    chosen_aucs: list[float] = []
    by_candidate: dict[str, list[float]] = {}
    chosen: list[str] = []
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=random_state)
    for train, test in splitter.split(table.features, table.y):
        part = LabelledTable(
            table.source, table.target, table.features.iloc[train], table.y[train], 0
        )
        fitted = fit_table(part, random_state=random_state)
        rows = fitted.preparer.transform(table.features.iloc[test])
        outcomes = table.y[test]
        for name, candidate in fitted.selected.fitted_.items():
            by_candidate.setdefault(name, []).append(auc(outcomes, candidate.predict_pd(rows)))
        chosen.append(fitted.selection.chosen)
        chosen_aucs.append(by_candidate[fitted.selection.chosen][-1])
    candidates = tuple(
        CandidateScore(name, float(np.mean(aucs)), float(np.std(aucs)), tuple(aucs))
        for name, aucs in by_candidate.items()
    )
    return CrossValidation(
        float(np.mean(chosen_aucs)),
        float(np.std(chosen_aucs)),
        tuple(chosen_aucs),
        candidates,
        tuple(chosen),
    )


@dataclass(frozen=True)
class TableEvaluation:
    """A saved model on a labelled table: its metrics, calibration tests and nested
    cross-validation, with the rows as the model saw them and their PDs (for whatever is
    computed next)."""

    evaluation: Evaluation
    calibration_tests: CalibrationTests | None
    unlabelled: int
    cross_validation: CrossValidation | None
    rows: pd.DataFrame
    pd: npt.NDArray[np.float64]

    @property
    def cv_auc(self) -> tuple[float, float] | None:
        """Mean and standard deviation of the recipe's AUC over the outer folds."""
        cv = self.cross_validation
        return None if cv is None else (cv.auc, cv.std)


def evaluate_table(
    artifact: ModelArtifact,
    table: LabelledTable,
    *,
    cross_validate_recipe: bool = True,
    banding: Banding | None = None,
) -> TableEvaluation:
    """A saved model's metrics on a labelled table; when the model's time column is not in
    the table, also the recipe's nested ``cross_validation``; with a ``banding``, the
    validator's ``calibration_tests`` by its bands."""
    if artifact.preparer is None:
        raise ConfigError("this model was not trained from a table (--table): it has no preparer")
    rows = artifact.preparer.transform(table.features)
    pd_ = artifact.predictor.predict_pd(rows)
    tests = None if banding is None else calibration_tests(table.y, pd_, banding)
    # Random folds would mix the future into training: a dated table is not cross-validated.
    has_time = artifact.preparer.time_values(table.features) is not None
    cv = cross_validate(table) if cross_validate_recipe and not has_time else None
    return TableEvaluation(evaluate(table.y, pd_), tests, table.unlabelled, cv, rows, pd_)
