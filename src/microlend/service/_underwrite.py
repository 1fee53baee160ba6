"""Underwriting: features as of a date -> rating -> policy decision, stored so it can be replayed.

A decision is stored with every model feature value (not only those the policy reads), the
rating, the exposure and the versions of the model and the policy. ``replay_application`` rebuilds
the rating from those stored values with the same model and decides again under the same
policy: a sound record gives an equal ``Decision``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import numpy as np
import pandas as pd
import pyarrow as pa
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from microlend.data import Dataset
from microlend.errors import ConfigError
from microlend.features import CATALOG, build_features
from microlend.money import Money
from microlend.policy import CreditRequest, Decision, Exposure, Policy, decide
from microlend.scoring import Rating, RiskModel, ScoreScale, rate
from microlend.service._lending import record_decision
from microlend.service._lending_receipts import transaction_id
from microlend.store import (
    Base,
    DecisionRecord,
    LoanBookQueries,
    LoanStatus,
    in_transaction,
    state_of,
)
from microlend.types import ApplicationId, MerchantId

__all__ = [
    "ApplicationReplay",
    "book_exposure",
    "decision_id_for",
    "decision_record",
    "rate_rows",
    "replay_application",
    "underwrite_application",
]

_LOANS = Base.metadata.tables["loans"]


def decision_id_for(application_id: str) -> str:
    """The decision's id, derived from its application: deciding it again names the same one."""
    return transaction_id(f"decision:{application_id}")


def rate_rows(
    model: RiskModel, rows: pd.DataFrame, scale: ScoreScale | None = None
) -> list[Rating]:
    """Ratings of ``rows`` (model features as columns), without the "what would raise it"
    search: a decision needs the PD, the score, the band and the reasons only."""
    return rate(model, rows, CATALOG, scale)


def decision_record(
    decision: Decision, features: Mapping[str, float], rating: Rating
) -> DecisionRecord:
    """The stored form of ``decision``: every feature the model read, the rating, the result."""
    return DecisionRecord(
        decision_id=decision_id_for(decision.application_id),
        merchant_id=MerchantId(decision.merchant_id),
        application_id=ApplicationId(decision.application_id),
        as_of=decision.as_of,
        policy_version=decision.policy_version,
        model_version=decision.model_version,
        inputs={
            "requested_amount": _text(decision.requested_amount),
            "currency": decision.currency,
            "exposure": {
                "outstanding": str(decision.exposure.outstanding.amount),
                "days_past_due": decision.exposure.days_past_due,
            },
            "policy_digest": decision.policy_digest,
        },
        feature_values={name: _json_float(value) for name, value in features.items()},
        score=rating.to_dict(),
        result=decision.to_dict(),
    )


def underwrite_application(
    engine: Engine,
    dataset: Dataset,
    request: CreditRequest,
    *,
    as_of: date,
    model: RiskModel,
    model_version: str,
    policy: Policy,
    scale: ScoreScale | None = None,
) -> Decision:
    """Decide on ``request`` as of ``as_of`` and store the decision (the merchant must be in
    the book). Features see only the records before ``as_of``; the exposure is the book's."""
    spine = pa.table(
        {
            "application_id": [request.application_id],
            "merchant_id": [request.merchant_id],
            "as_of": pa.array([as_of], pa.date32()),
        }
    )
    built = build_features(dataset, spine).to_pandas()
    rows = built.set_index("application_id")[list(model.feature_names_)]
    features = {name: float(value) for name, value in built.iloc[0].items() if _is_feature(name)}
    rating = rate_rows(model, rows, scale)[0]
    exposure = book_exposure(engine, request.merchant_id, policy.currency, as_of)
    decision = decide(
        request,
        rating,
        features,
        policy,
        exposure=exposure,
        as_of=as_of,
        model_version=model_version,
    )
    model_inputs = {name: features[name] for name in model.feature_names_}
    record_decision(engine, decision_record(decision, model_inputs, rating))
    return decision


def book_exposure(engine: Engine, merchant_id: str, currency: str, as_of: date) -> Exposure:
    """What ``merchant_id`` owes on its active loans as of ``as_of``, and its worst lateness."""

    def read(session: Session) -> Exposure:
        queries = LoanBookQueries(session)
        owed, worst = Decimal(0), 0
        for loan_id in _active_loans(session, merchant_id):
            loan = queries.loan(loan_id)
            if loan.currency != currency:
                continue
            state = state_of(loan, queries.loan_transactions(loan_id), as_of)
            owed += state.outstanding_total
            worst = max(worst, state.days_past_due)
        return Exposure(Money(owed, currency), worst)

    return in_transaction(engine, read)


@dataclass(frozen=True)
class ApplicationReplay:
    """A stored decision and the one made again from its stored inputs."""

    stored: Decision
    replayed: Decision

    @property
    def same(self) -> bool:
        return self.stored == self.replayed


def replay_application(
    engine: Engine,
    decision_id: str,
    model: RiskModel,
    policy: Policy,
    scale: ScoreScale | None = None,
) -> ApplicationReplay:
    """Decide again from the stored features with ``model`` and ``policy`` (which must be the
    version and digest the decision names)."""
    record = in_transaction(engine, lambda s: LoanBookQueries(s).decision(decision_id))
    stored = Decision.from_dict(record.result)
    if (policy.version, policy.digest) != (stored.policy_version, stored.policy_digest):
        raise ConfigError(
            f"decision {decision_id} was made under policy {stored.policy_version!r} "
            f"({stored.policy_digest[:12]}), not {policy.version!r} ({policy.digest[:12]})"
        )
    features = {k: math.nan if v is None else float(v) for k, v in record.feature_values.items()}
    missing = [name for name in model.feature_names_ if name not in features]
    if missing:
        raise ConfigError(f"decision {decision_id} did not store the model's features {missing}")
    rows = pd.DataFrame([features], index=[stored.application_id])[list(model.feature_names_)]
    rating = rate_rows(model, rows, scale)[0]
    replayed = decide(
        CreditRequest(stored.application_id, stored.merchant_id, stored.requested_amount),
        rating,
        features,
        policy,
        exposure=stored.exposure,
        as_of=record.as_of,
        model_version=record.model_version,
    )
    return ApplicationReplay(stored=stored, replayed=replayed)


def _active_loans(session: Session, merchant_id: str) -> list[str]:
    query = select(_LOANS.c.id).where(
        _LOANS.c.merchant_id == merchant_id, _LOANS.c.status == LoanStatus.ACTIVE.value
    )
    return list(session.scalars(query.order_by(_LOANS.c.id)))


def _is_feature(name: object) -> bool:
    return name not in ("application_id", "merchant_id", "as_of")


def _json_float(value: float) -> float | None:
    return None if value is None or np.isnan(value) else float(value)


def _text(money: Money | None) -> str | None:
    return None if money is None else str(money.amount)
