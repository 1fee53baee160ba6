"""Preparing a lender's own applicant table for the PD model, and saying what was done.

``TablePreparer`` learns, per column, whether it is an id, a date, a number (possibly written
as text), a category or useless (constant, free text) or dangerous (leaking the outcome). Every
such judgement is a ``Finding``; nothing is dropped silently.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from microlend.errors import ArtifactError, DataContractError, NotFittedError, Violation
from microlend.models._crossfit import auc
from microlend.models._frame import is_categorical
from microlend.models._parse import parse_dates, parse_text_numbers

__all__ = ["POST_OUTCOME_WORDS", "ColumnPlan", "Finding", "TablePreparer"]

log = logging.getLogger(__name__)

#: Name fragments of columns recorded after the loan's outcome was known (loan-tape style).
POST_OUTCOME_WORDS = (
    "recover", "chargeoff", "charge_off", "charged_off", "writeoff", "write_off", "written_off",
    "collection", "last_pymnt", "last_payment", "total_rec", "out_prncp", "outcome",
)  # fmt: skip
OTHER = "__other__"
_ID = re.compile(r"(?:^|[^a-z])id(?:[^a-z]|$)|[a-z]id$")


@dataclass(frozen=True)
class Finding:
    """What the preparer decided about one column, and why. ``dropped``: not a feature."""

    column: str
    kind: str  # id | time | constant | leak | text | parsed
    message: str
    dropped: bool


@dataclass(frozen=True)
class ColumnPlan:
    """How one kept column becomes a feature: ``number``, ``text_number`` or ``category``."""

    name: str
    kind: str
    levels: tuple[str, ...] = ()


def _normalise(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


class TablePreparer:
    """Turns a raw applicant table into model features (scikit-learn's estimator contract).

    ``target``: the outcome's column name, for recognising columns named after it.
    ``leak_auc``: a column that alone separates outcomes better than this is a leak.
    ``min_parsed_share``: a text column is numeric when this share of its values parse.
    ``max_levels`` / ``min_level_count``: categories keep their most frequent levels seen at
    least ``min_level_count`` times; the rest pool into ``__other__``.
    """

    def __init__(
        self,
        *,
        target: str | None = None,
        leak_auc: float = 0.97,
        min_parsed_share: float = 0.95,
        max_levels: int = 50,
        min_level_count: int = 10,
    ) -> None:
        self.target = target
        self.leak_auc = leak_auc
        self.min_parsed_share = min_parsed_share
        self.max_levels = max_levels
        self.min_level_count = min_level_count

    def fit(self, rows: pd.DataFrame, y: npt.ArrayLike) -> TablePreparer:
        target = np.asarray(y).astype(np.int64)
        self.findings_: list[Finding] = []
        self.time_column_: str | None = None
        plans: list[ColumnPlan] = []
        for name in map(str, rows.columns):
            plan = self._judge(name, rows[name], target)
            if plan is not None:
                plans.append(plan)
        self.columns_ = plans
        self.feature_names_ = [p.name for p in plans]
        for finding in self.findings_:
            log.info("%s: %s", finding.column, finding.message)
        return self

    def _note(self, column: str, kind: str, message: str, *, dropped: bool = True) -> None:
        self.findings_.append(Finding(column, kind, message, dropped))

    def _judge(self, name: str, column: pd.Series, y: npt.NDArray[np.int64]) -> ColumnPlan | None:
        if self._is_time(name, column):
            return None
        if _ID.search(name.lower()) and column.notna().all() and column.is_unique:
            self._note(name, "id", "an identifier (unique per row): not a feature")
            return None
        leak_word = self._leaky_name(name)
        if leak_word:
            self._note(name, "leak", f"named like {leak_word}: known only after the outcome")
            return None
        plan = self._plan(name, column)
        if plan is None:
            return None
        values = _apply(plan, column)
        if values.nunique(dropna=True) <= 1:
            self._note(name, "constant", "holds a single value: carries no information")
            return None
        alone = _single_auc(values, y)
        if alone > self.leak_auc:
            self._note(name, "leak", f"alone separates the outcomes (AUC {alone:.3f}): a leak")
            return None
        return plan

    def _is_time(self, name: str, column: pd.Series) -> bool:
        if not (is_categorical(column) or pd.api.types.is_datetime64_any_dtype(column.dtype)):
            return False
        stamps, share = parse_dates(column)
        if share < self.min_parsed_share or stamps.notna().sum() == 0:
            return False
        if self.time_column_ is None:
            self.time_column_ = name
            self._note(name, "time", "dates: used for the out-of-time split, not as a feature")
        else:
            self._note(name, "time", "dates: not a feature (the time is taken from another)")
        return True

    def _leaky_name(self, name: str) -> str | None:
        normal = _normalise(name)
        if self.target and _normalise(self.target) and _normalise(self.target) in normal:
            return f"the target {self.target!r}"
        lowered = name.lower()
        return next((f"{w!r}" for w in POST_OUTCOME_WORDS if w in lowered), None)

    def _plan(self, name: str, column: pd.Series) -> ColumnPlan | None:
        if not is_categorical(column):
            return ColumnPlan(name, "number")
        _, share = parse_text_numbers(column)
        if share >= self.min_parsed_share:
            self._note(name, "parsed", "numbers written as text: parsed", dropped=False)
            return ColumnPlan(name, "text_number")
        counts = column.dropna().astype(str).value_counts()
        if counts.size > self.max_levels and counts.size > 0.5 * len(column):
            self._note(name, "text", f"free text ({counts.size} distinct values): not a feature")
            return None
        frequent = counts[counts >= self.min_level_count].index[: self.max_levels]
        return ColumnPlan(name, "category", tuple(sorted(map(str, frequent))))

    def transform(self, rows: pd.DataFrame) -> pd.DataFrame:
        """The model features of ``rows``: numbers as float64 (NaN kept), categories with levels."""
        if not hasattr(self, "columns_"):
            raise NotFittedError("the table preparer is not fitted: call fit first")
        missing = [p.name for p in self.columns_ if p.name not in rows.columns]
        if missing:
            raise DataContractError(
                [Violation("table", None, name, "column missing") for name in missing]
            )
        columns = {p.name: _apply(p, rows[p.name]) for p in self.columns_}
        return pd.DataFrame(columns, index=rows.index)

    def fit_transform(self, rows: pd.DataFrame, y: npt.ArrayLike) -> pd.DataFrame:
        return self.fit(rows, y).transform(rows)

    def time_values(self, rows: pd.DataFrame) -> pd.Series | None:
        """The time column of ``rows`` as UTC timestamps, or None when the table has none."""
        if self.time_column_ is None or self.time_column_ not in rows.columns:
            return None
        stamps, _ = parse_dates(rows[self.time_column_])
        return stamps

    def to_dict(self) -> dict[str, Any]:
        return {
            "settings": {
                "target": self.target,
                "leak_auc": self.leak_auc,
                "min_parsed_share": self.min_parsed_share,
                "max_levels": self.max_levels,
                "min_level_count": self.min_level_count,
            },
            "time_column": self.time_column_,
            "columns": [
                {"name": p.name, "kind": p.kind, "levels": list(p.levels)} for p in self.columns_
            ],
            "findings": [asdict(f) for f in self.findings_],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TablePreparer:
        try:
            preparer = cls(**data["settings"])
            preparer.time_column_ = data["time_column"]
            preparer.columns_ = [
                ColumnPlan(c["name"], c["kind"], tuple(c["levels"])) for c in data["columns"]
            ]
            preparer.findings_ = [Finding(**f) for f in data["findings"]]
        except (KeyError, TypeError) as exc:
            raise ArtifactError(f"preparer: malformed ({exc!r})") from exc
        preparer.feature_names_ = [p.name for p in preparer.columns_]
        return preparer


def _apply(plan: ColumnPlan, column: pd.Series) -> pd.Series:
    if plan.kind == "number":
        return pd.to_numeric(column, errors="coerce").astype(np.float64)
    if plan.kind == "text_number":
        return parse_text_numbers(column)[0]
    # Codes by lookup, not pandas' text conversion of every row (a tenth of a selection's time).
    present = column.notna().to_numpy()
    position = {level: i for i, level in enumerate(plan.levels)}
    other = len(plan.levels)
    text = column.astype(str).to_numpy(dtype=object)
    codes = np.fromiter((position.get(v, other) for v in text), dtype=np.intp, count=text.size)
    levels = [*plan.levels, OTHER]
    return pd.Series(
        pd.Categorical.from_codes(
            np.where(present, codes, -1).astype(np.intp), categories=pd.Index(levels)
        ),
        index=column.index,
    )


def _single_auc(values: pd.Series, y: npt.NDArray[np.int64]) -> float:
    """How well one column alone ranks the outcomes, either way round, missing at either end."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        rate = pd.Series(y, index=values.index).groupby(values, observed=True).mean()
        score = values.map(rate).astype(np.float64)
    else:
        score = values
    number = score.to_numpy(dtype=np.float64)
    finite = number[np.isfinite(number)]
    if finite.size == 0:
        return 0.5
    best = 0.5
    for fill in (finite.min() - 1.0, finite.max() + 1.0):
        found = auc(y, np.where(np.isfinite(number), number, fill))
        best = max(best, found, 1.0 - found)
    return best
