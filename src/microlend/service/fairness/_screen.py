"""The fairness screen on merchant records: which applications, decided how, grouped by what.

The applications are those of the model's out-of-time test window (it never learned from
them). Each is rated with its features as of its date and decided by the policy through
``decide_application``, the path of the backtest and of ``underwrite``, as for a merchant that
owes nothing (a screen of the model and the policy, not of one book's history). Its outcome is
known when it was funded and its loan's performance window ended before the data's end.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from microlend.data import Dataset
from microlend.errors import ArtifactError, ConfigError
from microlend.features import CATALOG, application_spine, build_features
from microlend.models import ModelArtifact
from microlend.money import Money
from microlend.monitoring import (
    MIN_GROUP_APPLICATIONS,
    FairnessScreen,
    fairness_screen,
    screened_groups,
)
from microlend.policy import CreditRequest, Decision, Exposure, Policy
from microlend.scoring import ScoreScale, rate
from microlend.service.decisions import Application, decide_application, lending_currency
from microlend.service.rating import PERFORMANCE_WINDOW, Progress, check_feature_catalog, quiet

__all__ = ["fairness_on_records"]

_KEYS = ("application_id", "merchant_id", "as_of")
_MISSING = "(missing)"
_STEP = "features, ratings and decisions of the test window's applications"


def fairness_on_records(
    artifact: ModelArtifact,
    dataset: Dataset,
    policy: Policy,
    *,
    attribute: str,
    minimum: int = MIN_GROUP_APPLICATIONS,
    scale: ScoreScale | None = None,
    progress: Progress = quiet,
) -> FairnessScreen:
    """Screen the model and ``policy`` by the merchants column ``attribute`` on the
    applications of the model's test window; groups need ``minimum`` applications, and a
    calibration verdict or an AUC the policy's minimum of defaults."""
    groups = _groups(dataset, attribute)  # a wrong column is refused before any work
    check_feature_catalog(artifact)
    currency = lending_currency(dataset, policy)
    applications = _test_window(dataset, artifact)
    merchant_ids = pd.Series(applications["merchant_id"].to_numpy(zero_copy_only=False))
    group = merchant_ids.map(groups).fillna(_MISSING).to_numpy(str)
    # Too few groups of the minimum are refused before features, ratings and decisions.
    screened_groups(group, attribute=attribute, minimum=minimum)
    progress(_STEP, 0.0)
    built = build_features(dataset, application_spine(applications)).to_pandas()
    model = artifact.model
    ratings = rate(model, built.set_index("application_id"), CATALOG, scale, currency=currency)
    catalogued = [c for c in built.columns if c not in _KEYS]
    exposure = Exposure.none(currency)
    decisions = []
    days = applications["applied_at"].cast(pa.date32()).to_pylist()
    requested = applications["requested_amount"].to_pylist()
    for i, (values, rating) in enumerate(
        zip(built[catalogued].to_dict("records"), ratings.ratings, strict=True)
    ):
        asked = requested[i]
        request = CreditRequest(
            str(built["application_id"].iloc[i]),
            str(built["merchant_id"].iloc[i]),
            None if asked is None else Money(asked, currency),
        )
        features = {str(k): float(v) for k, v in values.items()}
        application = Application(request, days[i], features, rating)
        decision, _ = decide_application(application, policy, exposure=exposure, model_version="")
        decisions.append(decision)
    progress(_STEP, 1.0)
    table = pd.DataFrame(
        {
            "group": group,
            "pd": ratings.table["pd"].to_numpy(np.float64),
            "approved": [bool(d.offers) for d in decisions],
            "price": [_price(d) for d in decisions],
            "defaulted": _outcomes(dataset, built["application_id"]),
            "true_pd": _true_pd(dataset, built["application_id"]),
        }
    )
    return fairness_screen(
        table,
        built[list(model.feature_names_)],
        attribute=attribute,
        labels={spec.name: spec.label or spec.name for spec in CATALOG},
        minimum=minimum,
        min_bads=policy.minimum_sample.calibration_bads,
    )


def _groups(dataset: Dataset, attribute: str) -> pd.Series:
    merchants = dataset.table("merchants")
    usable = [c for c in merchants.column_names if c not in ("merchant_id", "onboarded_at")]
    if attribute not in usable:
        raise ConfigError(
            f"the merchants table has no column {attribute!r} to screen by: "
            f"use one of {', '.join(usable)}"
        )
    frame = merchants.select(["merchant_id", attribute]).to_pandas()
    values = frame[attribute].astype("string").astype(object)
    return pd.Series(values.to_numpy(), index=frame["merchant_id"].to_numpy(str))


def _test_window(dataset: Dataset, artifact: ModelArtifact) -> pa.Table:
    window = artifact.metadata.test_window
    if window is None:
        raise ArtifactError("this model was not trained on merchant records (no test_window)")
    table = dataset.table("applications")
    later = table["applied_at"].to_pandas() >= pd.Timestamp(window.start)
    chosen = table.filter(pa.array(later.to_numpy(bool)))
    if not len(chosen):
        raise ConfigError(f"the records hold no application from {window.start:%Y-%m-%d} on")
    return chosen.sort_by([("applied_at", "ascending"), ("application_id", "ascending")])


def _price(decision: Decision) -> float:
    """The APR of the offer closest to the amount asked for (the backtest's choice): one
    price for either product, unlike an annual rate beside a fee rate."""
    if not decision.offers:
        return float("nan")
    asked = decision.requested_amount
    offer = (
        decision.offers[0]
        if asked is None
        else min(decision.offers, key=lambda o: abs(o.amount.amount - asked.amount))
    )
    return float(offer.apr)


def _outcomes(dataset: Dataset, application_ids: pd.Series) -> np.ndarray:
    """1 or 0 where the application's loan ran its performance window before the data's
    end, NaN otherwise (declined, unfunded, or too recent to know)."""
    loans = dataset.table("loans").select(["loan_id", "application_id", "disbursed_at"])
    outcomes = dataset.table("outcomes").select(["loan_id", "defaulted"])
    joined = loans.to_pandas().merge(outcomes.to_pandas(), on="loan_id", how="inner")
    matured = joined["disbursed_at"] + PERFORMANCE_WINDOW <= pd.Timestamp(dataset.end)
    known = joined.loc[matured].set_index("application_id")["defaulted"].astype(np.float64)
    return application_ids.map(known).to_numpy(np.float64)


def _true_pd(dataset: Dataset, application_ids: pd.Series) -> np.ndarray:
    """The simulator's true PD of each application (NaN in real records, which lack it)."""
    if not dataset.has("truth"):
        return np.full(len(application_ids), np.nan)
    truth = dataset.table("truth").select(["application_id", "true_pd"]).to_pandas()
    known = truth.set_index("application_id")["true_pd"].astype(np.float64)
    return application_ids.map(known).to_numpy(np.float64)
