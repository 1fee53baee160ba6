"""Online decisions: underwrite a merchant from a feature snapshot and store the decision with
all it was made from; replay it; name its merchant.

Deciding, storing and replaying are ``_decide``'s one path, shared with the decisions made from
the records (``underwrite_application``, the backtest): only the features come from elsewhere.
``replay_decision`` rates the stored inputs again and decides again under the given policy, so a
changed model or policy shows as a different answer.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from microlend.models import PDModel
from microlend.money import Money
from microlend.policy import CreditRequest, Decision, Policy
from microlend.service.decisions._decide import Application, decide_and_store, replay
from microlend.service.rating import FeatureSnapshot
from microlend.store import (
    LoanBookQueries,
)

__all__ = ["Replay", "decision_merchant", "replay_decision", "underwrite"]


def underwrite(
    engine: Engine,
    snapshot: FeatureSnapshot,
    policy: Policy,
    *,
    merchant_id: str,
    model_version: str,
    requested_amount: Decimal | None = None,
) -> Decision:
    """Decide on an application of ``merchant_id`` as of the snapshot's date and store it
    (``_decisions.decide_and_store``, as ``underwrite_application`` does with features from the
    records); the decision's ``application_id`` is the stored decision's id."""
    features = snapshot.numbers_of(merchant_id)
    requested = None if requested_amount is None else Money(requested_amount, policy.currency)
    application = Application(
        CreditRequest(f"dec_{uuid.uuid4().hex}", merchant_id, requested),
        snapshot.as_of,
        features,
        snapshot.ratings[merchant_id],
        from_records=False,
    )
    return decide_and_store(engine, application, policy, model_version=model_version)


@dataclass(frozen=True)
class Replay:
    """A stored decision beside the one its stored inputs give now."""

    stored: dict[str, Any]
    replayed: dict[str, Any]

    @property
    def same(self) -> bool:
        return _canonical(self.stored) == _canonical(self.replayed)


def _canonical(body: dict[str, Any]) -> str:
    return json.dumps(body, sort_keys=True, default=str)


def replay_decision(
    engine: Engine, decision_id: str, model: PDModel, policy: Policy, *, model_version: str
) -> Replay:
    """Rate and decide decision ``decision_id`` again from its stored inputs with ``model``
    (as ``model_version``) and ``policy``: a changed model or policy shows as a difference."""
    with Session(engine) as session:
        record = LoanBookQueries(session).decision(decision_id)
    recomputed = replay(record, model, policy, model_version=model_version)
    return Replay(stored=dict(record.result), replayed=recomputed.to_dict())


def decision_merchant(engine: Engine, decision_id: str) -> str:
    """The merchant a stored decision is about."""
    with Session(engine) as session:
        return LoanBookQueries(session).decision(decision_id).merchant_id
