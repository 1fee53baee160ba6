"""One decision path: an application's features and rating -> the policy's decision -> its audit.

However the features were found (the records as of the application's date, for the backtest and
``underwrite_application``; the business date's feature snapshot, for the api's ``underwrite``),
a decision is made by ``decide_application`` and stored as the ``DecisionRecord`` it returns:
the request, the exposure, every feature value it was made from, the rating (what would raise
the score included), the result, its notice (of a decline or a counter-offer), and the model and
policy versions. ``replay`` decides a stored record again from those stored values with a given
model, its improver and a policy: a sound record, the same model and the same policy give an
equal decision, the same suggestions and the same notice.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from microlend.errors import ConfigError
from microlend.features import CATALOG
from microlend.policy import CreditRequest, Decision, Exposure, Notice, Policy, decide, notice_for
from microlend.scoring import Improver, Rating, RiskModel, ScoreScale, rate
from microlend.service.lending import exposure_in, transaction_id
from microlend.store import DecisionInputs, DecisionRecord, LoanBookCommands, in_transaction
from microlend.types import ApplicationId

__all__ = [
    "Application",
    "decide_and_store",
    "decide_application",
    "decision_id_for",
    "decision_record",
    "replay",
]


def decision_id_for(application_id: str) -> str:
    """The decision's id, derived from its application: deciding it again names the same one."""
    return transaction_id(f"decision:{application_id}")


@dataclass(frozen=True)
class Application:
    """What a decision is made from: the request, its date, the merchant's feature values as of
    that date (NaN or ``None`` when missing) and its rating.

    ``from_records``: an application of the records, whose id names its decision (through
    ``decision_id_for``); otherwise one made online, whose id is the decision's own.
    """

    request: CreditRequest
    as_of: date
    features: Mapping[str, float | None]
    rating: Rating
    from_records: bool = True

    @property
    def decision_id(self) -> str:
        application_id = self.request.application_id
        return decision_id_for(application_id) if self.from_records else application_id


def decide_application(
    application: Application, policy: Policy, *, exposure: Exposure, model_version: str
) -> tuple[Decision, DecisionRecord]:
    """The policy's decision on ``application`` and the record that stores it, with its notice."""
    decision = decide(
        application.request,
        application.rating,
        application.features,
        policy,
        exposure=exposure,
        as_of=application.as_of,
        model_version=model_version,
    )
    notice = notice_for(decision, application.rating, policy)
    return decision, decision_record(decision, application, notice)


def decide_and_store(
    engine: Engine, application: Application, policy: Policy, *, model_version: str
) -> Decision:
    """Decide on ``application`` with the book's exposure as of its date and store it, in one
    transaction under the merchant's lock: the stored exposure is the book's when the decision
    was stored (the merchant must be in the book), and it supersedes the merchant's earlier
    decisions."""
    request = application.request

    def unit(session: Session) -> Decision:
        commands = LoanBookCommands(session)
        commands.supersede(request.merchant_id, application.decision_id)
        exposure = exposure_in(
            session,
            request.merchant_id,
            policy.currency,
            application.as_of,
            accrue_in_pause=policy.accrue_in_pause,
        )
        decision, record = decide_application(
            application, policy, exposure=exposure, model_version=model_version
        )
        commands.add_decision(record)
        return decision

    return in_transaction(engine, unit)


def decision_record(
    decision: Decision, application: Application, notice: Notice | None
) -> DecisionRecord:
    """The stored form of ``decision``: its inputs, every feature value, the rating, the
    notice."""
    return DecisionRecord(
        decision_id=application.decision_id,
        application_id=(
            ApplicationId(decision.application_id) if application.from_records else None
        ),
        decision=decision,
        rating=application.rating,
        inputs=DecisionInputs.of(decision),
        feature_values=application.features,
        notice=notice,
    )


def replay(
    record: DecisionRecord,
    model: RiskModel,
    policy: Policy,
    *,
    improver: Improver | None,
    model_version: str,
    scale: ScoreScale | None = None,
) -> DecisionRecord:
    """Decide ``record`` again: rate its stored feature values with ``model`` (``improver``: the
    one saved with it) and decide under ``policy`` with its stored request and exposure, as
    ``model_version``; the record that decision would store."""
    features = {
        name: math.nan if value is None else value for name, value in record.feature_values.items()
    }
    missing = [name for name in model.feature_names_ if name not in features]
    if missing:
        raise ConfigError(
            f"decision {record.decision_id} did not store the model's features {missing}"
        )
    rows = pd.DataFrame([features], index=[record.merchant_id])[list(model.feature_names_)]
    rated = rate(model, rows, CATALOG, scale, currency=policy.currency, improver=improver)
    application = Application(
        record.inputs.request,
        record.as_of,
        features,
        rated.ratings[0],
        from_records=record.application_id is not None,
    )
    _, replayed = decide_application(
        application, policy, exposure=record.inputs.exposure, model_version=model_version
    )
    return replayed
