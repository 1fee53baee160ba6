"""Model selection on a table: four candidates compared on the same folds of the training rows.

The candidates: ``linear`` (``LinearPD``, a regularised logistic regression on
one-hot and binned inputs), ``scorecard`` (a WoE scorecard on fast monotone bins),
``lightgbm`` (the monotone ``PDModel`` with settings sized to the data by
``lightgbm_settings``) and ``blend`` (``BlendPD``, the logit-scale average of the last two
parts). Each is cross-fitted on the same folds (stratified, or time-ordered when the rows have
a time); its figure is the mean AUC of its out-of-fold margins over the folds. The chosen one
is the first in ``PREFERENCE`` whose figure is within ``tolerance`` of the best. Every candidate
ends fitted
on all the rows, so an evaluation can score each on rows none of them saw.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from microlend.errors import ArtifactError, ModelError
from microlend.models._blend import BlendPD
from microlend.models._checks import binary_target, check_rows, require_fitted
from microlend.models._crossfit import fold_aucs, make_folds
from microlend.models._linear import LinearPD
from microlend.models._pd_model import PDModel
from microlend.models._predict import PredictMixin
from microlend.models._scorecard import Scorecard

__all__ = [
    "CANDIDATES",
    "PREFERENCE",
    "CandidateScore",
    "SelectedModel",
    "Selection",
    "TableModel",
    "lightgbm_settings",
]

log = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float64]

#: The candidates, as they are listed.
CANDIDATES = ("linear", "scorecard", "lightgbm", "blend")
#: Who wins a near-tie: the linear model, then LightGBM, then their blend, and the scorecard
#: last. The table's scorecard is a coarser linear model on the same kind of bins (one WoE a
#: feature instead of a coefficient a bin): it must beat the others outright, since on 1,000
#: rows it won the inner folds by chance often enough to cost the nested AUC 0.004 to 0.013
#: on two of ten benchmark tables (preferred second, it met the goal on 8 of 10; last, on 9).
PREFERENCE = ("linear", "lightgbm", "blend", "scorecard")

_LEARNED = ("selection_", "fitted_", "model_")


class TableModel(Protocol):
    """What every candidate offers once fitted: PDs, the margin they come from, and the
    margin split exactly into one term per feature plus ``base``."""

    @property
    def feature_names_(self) -> Sequence[str]: ...

    def predict_pd(self, rows: pd.DataFrame, /) -> FloatArray: ...

    def raw_margin(self, rows: pd.DataFrame, /) -> FloatArray: ...

    def contributions(self, rows: pd.DataFrame, /) -> pd.DataFrame: ...

    def settings(self) -> dict[str, Any]: ...


def lightgbm_settings(rows: int, bads: int) -> dict[str, Any]:
    """``PDModel`` settings sized to a table of ``rows`` rows of which ``bads`` are the rarer
    outcome: the fewer the bads, the shallower the trees, the larger the leaves and the
    stronger the penalty. One thread: on tables this small a second one costs more in waiting
    than it saves, and on a shared 2-core box it made each round 10 to 100 times slower.

    ========================  ======  =====  ==========  ======  ====
    bads                      leaves  depth  min leaf    L2      rate
    ========================  ======  =====  ==========  ======  ====
    under 300                 4       2      20          10      0.05
    300 to 2,999              8       3      30          10      0.05
    3,000 or more             15      6      50          5       0.04
    ========================  ======  =====  ==========  ======  ====
    """
    if bads < 300:
        shape: dict[str, Any] = {"num_leaves": 4, "max_depth": 2, "min_child_samples": 20}
        shape |= {"lambda_l2": 10.0, "learning_rate": 0.05}
    elif bads < 3000:
        shape = {"num_leaves": 8, "max_depth": 3, "min_child_samples": 30}
        shape |= {"lambda_l2": 10.0, "learning_rate": 0.05}
    else:
        shape = {"num_leaves": 15, "max_depth": 6, "min_child_samples": 50}
        shape |= {"lambda_l2": 5.0, "learning_rate": 0.04}
    del rows  # the rule reads the bads: they, not the rows, bound what a leaf can learn
    return shape | {"max_rounds": 1000, "early_stopping_rounds": 50, "n_jobs": 1}


@dataclass(frozen=True)
class CandidateScore:
    """One candidate's cross-validated AUC: the mean over the folds, their spread and each."""

    name: str
    auc: float
    std: float
    folds: tuple[float, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "auc": self.auc, "std": self.std, "folds": list(self.folds)}


@dataclass(frozen=True)
class Selection:
    """What was compared and what was chosen: saved with the model (model.json)."""

    chosen: str
    candidates: tuple[CandidateScore, ...]
    scheme: str  # "stratified" | "time-ordered"
    tolerance: float

    def score(self, name: str) -> CandidateScore:
        return next(c for c in self.candidates if c.name == name)

    def to_dict(self) -> dict[str, Any]:
        return {
            "chosen": self.chosen,
            "scheme": self.scheme,
            "tolerance": self.tolerance,
            # A list, not an object: model.json's keys are sorted, the candidates' order matters.
            "candidates": [c.to_dict() for c in self.candidates],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Selection:
        try:
            candidates = tuple(
                CandidateScore(
                    str(c["name"]),
                    float(c["auc"]),
                    float(c["std"]),
                    tuple(float(v) for v in c["folds"]),
                )
                for c in data["candidates"]
            )
            selection = cls(
                str(data["chosen"]), candidates, str(data["scheme"]), float(data["tolerance"])
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ArtifactError(f"selection: malformed ({exc!r})") from exc
        if selection.chosen not in {c.name for c in candidates}:
            raise ArtifactError(f"selection: the chosen {selection.chosen!r} is no candidate")
        return selection


def choose(scores: Sequence[CandidateScore], tolerance: float) -> str:
    """The first candidate in ``PREFERENCE`` whose AUC is within ``tolerance`` of the best."""
    best = max(s.auc for s in scores)
    ranked = sorted(scores, key=lambda s: PREFERENCE.index(s.name))
    return next(s.name for s in ranked if s.auc >= best - tolerance)


class SelectedModel(PredictMixin, ClassifierMixin, BaseEstimator):  # type: ignore[misc]  # sklearn is untyped
    """The candidates compared on ``folds`` folds of the training rows, the chosen one kept.

    ``candidates``: which of ``CANDIDATES`` to compare (``blend`` needs ``linear`` and
    ``lightgbm``). ``tolerance``: how much AUC a candidate earlier in ``PREFERENCE`` may give
    up and still be chosen. ``n_jobs``: threads for LightGBM and the linear algebra.

    Learns ``selection_`` (every candidate's figure and the choice), ``candidates_`` (the
    figures by name), ``fitted_`` (every candidate fitted on all rows) and ``model_`` (the
    chosen one), which ``predict_pd``, ``raw_margin`` and ``contributions`` use.
    """

    def __init__(
        self,
        *,
        candidates: Sequence[str] = CANDIDATES,
        folds: int = 5,
        tolerance: float = 0.002,
        random_state: int = 0,
        n_jobs: int = 1,
    ) -> None:
        self.candidates = candidates
        self.folds = folds
        self.tolerance = tolerance
        self.random_state = random_state
        self.n_jobs = n_jobs

    def fit(
        self, rows: pd.DataFrame, y: npt.ArrayLike, *, time: pd.Series | None = None
    ) -> SelectedModel:
        rows = check_rows(rows)
        target = binary_target(y, len(rows))
        wanted = [name for name in CANDIDATES if name in set(self.candidates)]
        unknown = sorted(set(self.candidates) - set(CANDIDATES))
        if unknown or not wanted:
            raise ModelError(f"unknown candidates {unknown}: choose among {list(CANDIDATES)}")
        if "blend" in wanted and not {"linear", "lightgbm"} <= set(wanted):
            raise ModelError("the blend needs the linear and the lightgbm candidates")
        folds = make_folds(target, folds=self.folds, time=time, random_state=self.random_state)
        with threadpool_limits(limits=self.n_jobs):
            fitted, margins = self._cross_fit(wanted, rows, target, folds)
        scores = []
        for name in wanted:
            aucs = fold_aucs(margins[name], target, folds)
            scores.append(
                CandidateScore(name, float(aucs.mean()), float(aucs.std()), tuple(aucs.tolist()))
            )
        scheme = "stratified" if time is None else "time-ordered"
        chosen = choose(scores, self.tolerance)
        self.selection_ = Selection(chosen, tuple(scores), scheme, self.tolerance)
        self.candidates_ = {s.name: s for s in scores}
        self.fitted_ = fitted
        self.model_: TableModel = fitted[chosen]
        self.classes_ = np.array([0, 1], dtype=np.int64)
        log.info(
            "selection on %d %s folds: %s; chosen %s",
            len(folds),
            scheme,
            ", ".join(f"{s.name} {s.auc:.4f}" for s in scores),
            chosen,
        )
        return self

    def _cross_fit(
        self,
        wanted: Sequence[str],
        rows: pd.DataFrame,
        target: npt.NDArray[np.int64],
        folds: list[tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]],
    ) -> tuple[dict[str, TableModel], dict[str, FloatArray]]:
        sized = lightgbm_settings(target.size, int(np.bincount(target).min()))
        sized["random_state"] = self.random_state
        linear = LinearPD()
        boosted = PDModel(**sized)
        parts: dict[str, Any] = {
            "linear": linear,
            "scorecard": Scorecard(binning="quantile"),
            "lightgbm": boosted,
        }
        fitted: dict[str, TableModel] = {}
        margins: dict[str, FloatArray] = {}
        for name in wanted:
            if name in parts:
                margins[name] = parts[name].cross_fit(rows, target, folds)
                fitted[name] = parts[name]
        if "blend" in wanted:
            blend = BlendPD(
                boosted=PDModel(**sized),
                linear=LinearPD(),
                folds=self.folds,
                random_state=self.random_state,
            )
            margins["blend"] = blend.combine(
                boosted, margins["lightgbm"], linear, margins["linear"], target, folds
            )
            fitted["blend"] = blend
        return fitted, margins

    # -- use: the chosen candidate ---------------------------------------------------------

    @property
    def chosen_(self) -> str:
        require_fitted(self, _LEARNED, "selected model")
        return self.selection_.chosen

    @property
    def feature_names_(self) -> Sequence[str]:
        require_fitted(self, _LEARNED, "selected model")
        return self.model_.feature_names_

    def predict_pd(self, rows: pd.DataFrame, /) -> FloatArray:
        require_fitted(self, _LEARNED, "selected model")
        return self.model_.predict_pd(rows)

    def raw_margin(self, rows: pd.DataFrame, /) -> FloatArray:
        require_fitted(self, _LEARNED, "selected model")
        return self.model_.raw_margin(rows)

    def contributions(self, rows: pd.DataFrame, /) -> pd.DataFrame:
        require_fitted(self, _LEARNED, "selected model")
        return self.model_.contributions(rows)
