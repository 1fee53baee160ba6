"""The PD model: gradient boosting (LightGBM) with monotone constraints, then calibration.

``PD = calibrator(sigmoid(margin))`` where ``margin`` is the booster's raw log-odds, which
``contributions`` splits exactly into one term per feature plus ``base``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

import lightgbm as lgb
import numpy as np
import numpy.typing as npt
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

from microlend.errors import ModelError
from microlend.models._calibration import CalibrationMethod, Calibrator
from microlend.models._checks import binary_target, check_rows, require_fitted
from microlend.models._crossfit import Fold
from microlend.models._frame import as_model_frame, learn_categories
from microlend.models._predict import PredictMixin
from microlend.models._split import holdout_split

__all__ = ["PDModel"]

log = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float64]


#: What ``fit`` learns; a model lacking any of it is not fitted.
_LEARNED = ("booster_", "calibrator_", "feature_names_", "categories_", "best_iteration_")


class PDModel(PredictMixin, ClassifierMixin, BaseEstimator):  # type: ignore[misc]  # sklearn is untyped
    """A calibrated, monotone gradient-boosting PD model, a scikit-learn binary classifier.

    Settings are the ``__init__`` arguments (``get_params``/``set_params``/``clone`` work on
    them); ``predict_pd`` is ``predict_proba``'s column of class 1 (default).

    ``monotone`` maps a feature to its known direction: +1 higher is riskier (the PD may only
    rise with it), -1 higher is safer, 0 or absent unconstrained. Constraints use LightGBM's
    ``basic`` method by default: it over-constrains a little but is the one that holds strictly
    (the looser ``intermediate``/``advanced`` methods have reported violations).

    ``fit`` holds out ``validation_share`` of the rows (the latest ones when ``time`` is given,
    else a stratified sample): trees grow on the rest and the hold-out picks the tree count by
    early stopping. Then, with ``refit`` (the default), the final booster grows on *all* rows
    with that count scaled to the larger sample, and the calibrator learns from cross-fitted
    scores (each row scored by a booster of ``calibration_folds`` that never saw it): no row is
    spent only on choosing a number, which matters when defaults are few. Without ``refit`` the
    early-stopped booster is kept and the hold-out fits the calibrator. Either way calibration
    never sees a score of a row the scoring booster learned from.
    ``calibration``: ``isotonic``, ``platt``, or ``auto`` (the one with the lower
    cross-validated Brier score; isotonic needs many defaults to be steady).
    ``n_jobs``: LightGBM's threads, a fixed count (never "all cores"): with it the same rows
    and settings give the same booster bit for bit, on any machine of the same build.
    """

    def __init__(
        self,
        *,
        learning_rate: float = 0.04,
        num_leaves: int = 15,
        max_depth: int = 6,
        min_child_samples: int = 50,
        feature_fraction: float = 0.8,
        bagging_fraction: float = 0.8,
        lambda_l2: float = 5.0,
        max_rounds: int = 2000,
        early_stopping_rounds: int = 100,
        monotone: Mapping[str, int] | None = None,
        monotone_method: str = "basic",
        calibration: CalibrationMethod = "auto",
        validation_share: float = 0.2,
        refit: bool = True,
        calibration_folds: int = 5,
        random_state: int = 0,
        n_jobs: int = 2,
    ) -> None:
        self.learning_rate = learning_rate
        self.num_leaves = num_leaves
        self.max_depth = max_depth
        self.min_child_samples = min_child_samples
        self.feature_fraction = feature_fraction
        self.bagging_fraction = bagging_fraction
        self.lambda_l2 = lambda_l2
        self.max_rounds = max_rounds
        self.early_stopping_rounds = early_stopping_rounds
        self.monotone = monotone
        self.monotone_method = monotone_method
        self.calibration = calibration
        self.validation_share = validation_share
        self.refit = refit
        self.calibration_folds = calibration_folds
        self.random_state = random_state
        self.n_jobs = n_jobs

    # -- learning -------------------------------------------------------------------------

    def fit(
        self, rows: pd.DataFrame, y: npt.ArrayLike, *, time: pd.Series | None = None
    ) -> PDModel:
        """Learn from feature rows, 0/1 outcomes ``y`` (1 = default) and optional ``time``."""
        rows = check_rows(rows)
        target = binary_target(y, len(rows))
        frame = self._learn_columns(rows)
        train, held = holdout_split(
            target, share=self.validation_share, time=time, random_state=self.random_state
        )
        stopped = self._grow(frame, target, train, held=held)
        self.stopped_at_ = int(stopped.best_iteration) or stopped.current_iteration()
        raw_held = _probability(stopped, frame.iloc[held], self.stopped_at_)
        self.holdout_auc_ = float(roc_auc_score(target[held], raw_held))
        self.n_train_, self.n_holdout_ = int(train.size), int(held.size)
        if self.refit:
            rounds = max(1, round(self.stopped_at_ * target.size / train.size))
            scores = self._cross_fitted(frame, target, rounds)
            self.booster_ = self._grow(frame, target, np.arange(target.size), rounds=rounds)
            self.best_iteration_ = rounds
            self.calibrator_ = Calibrator(self.calibration).fit(scores, target)
        else:
            self.booster_, self.best_iteration_ = stopped, self.stopped_at_
            self.calibrator_ = Calibrator(self.calibration).fit(raw_held, target[held])
        log.info(
            "PD model: %d trees, out-of-time hold-out AUC %.4f on %d rows",
            self.best_iteration_,
            self.holdout_auc_,
            held.size,
        )
        return self

    def _learn_columns(self, rows: pd.DataFrame) -> pd.DataFrame:
        """Learn the features and their categories; ``rows`` as the booster sees them."""
        if not isinstance(self.n_jobs, int) or self.n_jobs < 1:
            raise ModelError(f"n_jobs must be a whole number of threads >= 1, not {self.n_jobs!r}")
        self.classes_ = np.array([0, 1], dtype=np.int64)
        self.feature_names_ = [str(c) for c in rows.columns]
        self.categories_ = learn_categories(rows)
        self.categorical_ = list(self.categories_)
        return as_model_frame(rows, self.feature_names_, self.categories_)

    def cross_fit(self, rows: pd.DataFrame, y: npt.ArrayLike, folds: Sequence[Fold]) -> FloatArray:
        """Fit with the tree count chosen by cross-validation on ``folds`` instead of a hold-out;
        return each row's out-of-fold raw margin (NaN where no fold tests it).

        One booster a fold grows until the folds' mean log-loss has not improved for
        ``early_stopping_rounds`` (LightGBM's ``cv``); the final booster grows on all rows with
        that count scaled to the larger sample, and the calibrator learns from the folds'
        out-of-fold scores. Model selection compares candidates on these very folds, so the
        boosters that choose the tree count also give the candidate's figure: no booster is
        grown only to be calibrated.
        """
        rows = check_rows(rows)
        target = binary_target(y, len(rows))
        frame = self._learn_columns(rows)
        data = lgb.Dataset(
            frame,
            label=target,
            categorical_feature=self.categorical_ or "auto",
            free_raw_data=False,
        )
        result = lgb.cv(
            self.lgb_params(),
            data,
            num_boost_round=self.max_rounds,
            folds=list(folds),
            callbacks=[lgb.early_stopping(self.early_stopping_rounds, verbose=False)],
            return_cvbooster=True,
        )
        boosters = result["cvbooster"]
        assert isinstance(boosters, lgb.CVBooster), "return_cvbooster gives the boosters"
        self.stopped_at_ = int(boosters.best_iteration)
        margins = np.full(target.size, np.nan)
        for booster, (_, test) in zip(boosters.boosters, folds, strict=True):
            raw = booster.predict(frame.iloc[test], num_iteration=self.stopped_at_, raw_score=True)
            margins[test] = np.asarray(raw, dtype=np.float64)
        learnt = float(np.mean([train.size for train, _ in folds]))
        rounds = max(1, round(self.stopped_at_ * target.size / learnt))
        self.booster_ = self._grow(frame, target, np.arange(target.size), rounds=rounds)
        self.best_iteration_ = rounds
        scored = np.isfinite(margins)
        self.calibrator_ = Calibrator(self.calibration).fit(
            1.0 / (1.0 + np.exp(-margins[scored])), target[scored]
        )
        log.info("PD model: %d trees chosen by %d-fold cross-validation", rounds, len(folds))
        return margins

    def lgb_params(self) -> dict[str, Any]:
        """The LightGBM parameters this model trains with (monotone constraints included)."""
        constraints = self._constraints()
        params: dict[str, Any] = {
            "objective": "binary",
            "metric": "binary_logloss",
            "learning_rate": self.learning_rate,
            "num_leaves": self.num_leaves,
            "max_depth": self.max_depth,
            "min_child_samples": self.min_child_samples,
            "feature_fraction": self.feature_fraction,
            "bagging_fraction": self.bagging_fraction,
            "bagging_freq": 1,
            "lambda_l2": self.lambda_l2,
            # Categories: pooled rare levels and smoothing keep small groups from overfitting.
            "min_data_per_group": 50,
            "cat_smooth": 10.0,
            # Reproducible bit for bit: one seed for every random choice, a fixed thread count,
            # LightGBM's deterministic mode, and the histogram layout fixed (left to itself
            # LightGBM times row- and column-wise on each run and may pick either).
            "seed": self.random_state,
            "deterministic": True,
            "force_col_wise": True,
            "num_threads": self.n_jobs,
            "verbosity": -1,
        }
        if any(constraints):
            params["monotone_constraints"] = constraints
            params["monotone_constraints_method"] = self.monotone_method
        return params

    def _constraints(self) -> list[int]:
        wanted = dict(self.monotone or {})
        unknown = sorted(set(wanted) - set(self.feature_names_))
        if unknown:
            log.info("monotone directions for absent features ignored: %s", ", ".join(unknown))
        constraints = []
        for name in self.feature_names_:
            direction = int(wanted.get(name, 0))
            if direction not in (-1, 0, 1):
                raise ModelError(f"monotone direction of {name!r} must be -1, 0 or +1")
            # A category has no order, so no direction applies to it.
            constraints.append(0 if name in self.categories_ else direction)
        return constraints

    def _grow(
        self,
        frame: pd.DataFrame,
        target: npt.NDArray[np.int64],
        rows: npt.NDArray[np.intp],
        *,
        held: npt.NDArray[np.intp] | None = None,
        rounds: int | None = None,
    ) -> lgb.Booster:
        """A booster on ``rows``: early-stopped on ``held``, or of exactly ``rounds`` trees."""

        def dataset(part: npt.NDArray[np.intp], reference: lgb.Dataset | None) -> lgb.Dataset:
            return lgb.Dataset(
                frame.iloc[part],
                label=target[part],
                categorical_feature=self.categorical_ or "auto",
                reference=reference,
                free_raw_data=True,
            )

        train_set = dataset(rows, None)
        if held is None:
            return lgb.train(self.lgb_params(), train_set, num_boost_round=rounds or 1)
        return lgb.train(
            self.lgb_params(),
            train_set,
            num_boost_round=self.max_rounds,
            valid_sets=[dataset(held, train_set)],
            callbacks=[lgb.early_stopping(self.early_stopping_rounds, verbose=False)],
        )

    def _cross_fitted(
        self, frame: pd.DataFrame, target: npt.NDArray[np.int64], rounds: int
    ) -> FloatArray:
        """Each row's raw probability from a booster grown without it (stratified folds)."""
        folds = min(self.calibration_folds, int(np.bincount(target).min()))
        if folds < 2:
            raise ModelError("cross-fitted calibration needs 2 defaults and 2 non-defaults")
        scores = np.empty(target.size, dtype=np.float64)
        splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=self.random_state)
        for fit_part, score_part in splitter.split(frame, target):
            booster = self._grow(frame, target, fit_part, rounds=rounds)
            scores[score_part] = _probability(booster, frame.iloc[score_part], rounds)
        return scores

    # -- use ------------------------------------------------------------------------------

    def _frame(self, rows: pd.DataFrame) -> pd.DataFrame:
        require_fitted(self, _LEARNED, "PD model")
        return as_model_frame(rows, self.feature_names_, self.categories_)

    def _raw_probability(self, frame: pd.DataFrame) -> FloatArray:
        return _probability(self.booster_, frame, self.best_iteration_)

    def raw_margin(self, rows: pd.DataFrame, /) -> FloatArray:
        """The booster's raw log-odds of default, before calibration."""
        raw = self.booster_.predict(
            self._frame(rows), num_iteration=self.best_iteration_, raw_score=True
        )
        return np.asarray(raw, dtype=np.float64)

    def predict_pd(self, rows: pd.DataFrame, /) -> FloatArray:
        """Calibrated PDs: ``calibrator_(sigmoid(raw_margin(rows)))``."""
        raw = self._raw_probability(self._frame(rows))
        return self.calibrator_.predict(raw)

    def contributions(self, rows: pd.DataFrame, /) -> pd.DataFrame:
        """Each feature's additive share of the raw log-odds of default, plus ``base``.

        Exact (TreeSHAP, LightGBM's ``pred_contrib``): each row sums to ``raw_margin``, and
        ``PD = calibrator_(sigmoid(row sum))``. Positive values push the PD up.
        """
        frame = self._frame(rows)
        values = self.booster_.predict(frame, num_iteration=self.best_iteration_, pred_contrib=True)
        return pd.DataFrame(
            np.asarray(values, dtype=np.float64),
            index=rows.index,
            columns=[*self.feature_names_, "base"],
        )

    @classmethod
    def from_parts(
        cls,
        booster: lgb.Booster,
        calibrator: Calibrator,
        *,
        feature_names: Sequence[str],
        categories: Mapping[str, Sequence[str]],
        best_iteration: int,
        settings: Mapping[str, Any],
    ) -> PDModel:
        """A fitted model from its saved parts (used by ``load_model``; no pickle)."""
        model = cls(**settings)
        model.booster_ = booster
        model.calibrator_ = calibrator
        model.feature_names_ = list(feature_names)
        model.categories_ = {name: list(levels) for name, levels in categories.items()}
        model.categorical_ = list(model.categories_)
        model.best_iteration_ = best_iteration
        model.classes_ = np.array([0, 1], dtype=np.int64)
        return model

    def settings(self) -> dict[str, Any]:
        """``get_params()`` JSON-ready (the monotone mapping as a plain dict): model.json's."""
        values: dict[str, Any] = self.get_params(deep=False)
        values["monotone"] = dict(self.monotone) if self.monotone is not None else None
        return values


def _probability(booster: lgb.Booster, frame: pd.DataFrame, rounds: int) -> FloatArray:
    return np.asarray(booster.predict(frame, num_iteration=rounds), dtype=np.float64)
