"""Online decisions: underwrite a merchant from a feature snapshot and store the decision with
all it was made from; name a stored decision's merchant.

Deciding and storing are ``_decide``'s one path, shared with the decisions made from the records
(``underwrite_application``, the backtest): only the features come from elsewhere. Replaying is
``_replay``'s, for every stored decision.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from microlend.errors import ConfigError
from microlend.money import Money
from microlend.policy import CreditRequest, Decision, Policy
from microlend.service.decisions._decide import Application, decide_and_store
from microlend.service.rating import FeatureSnapshot
from microlend.store import LoanBookQueries

__all__ = ["decision_merchant", "underwrite"]


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
    (``_decide.decide_and_store``, as ``underwrite_application`` does with features from the
    records); the decision's ``application_id`` is the stored decision's id."""
    if snapshot.currency != policy.currency:
        raise ConfigError(
            f"the feature snapshot is worded in {snapshot.currency}, but policy "
            f"{policy.version!r} lends in {policy.currency}"
        )
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


def decision_merchant(engine: Engine, decision_id: str) -> str:
    """The merchant a stored decision is about."""
    with Session(engine) as session:
        return LoanBookQueries(session).decision(decision_id).merchant_id
