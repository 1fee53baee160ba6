"""A stored decision is typed in Python and keeps the JSON the book has always held: books
written before read back whole, and a decision written now stores the same documents as before.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, insert, text
from sqlalchemy.orm import Session

from microlend.features.catalog import Dimension
from microlend.money import Money
from microlend.policy import CreditRequest, Decision, Exposure, decide, default_policy
from microlend.scoring import Change, Improvement, Rating, Reason
from microlend.store import (
    Base,
    DecisionInputs,
    DecisionRecord,
    LoanBookCommands,
    LoanBookQueries,
    MerchantRecord,
    in_transaction,
)
from microlend.types import MerchantId

AS_OF = date(2025, 3, 1)
DECISIONS = Base.metadata.tables["decisions"]
DOCUMENTS = ("inputs", "feature_values", "score", "result")
FEATURES: dict[str, float | None] = {
    "tenure_days": 400.0,
    "days_since_last_sale": 1.0,
    "gmv_90d": 30_000.0,
    "gmv_growth_90d": 0.1,
    "prior_defaults": 0.0,
    "avg_rating_180d": None,
}
RATING = Rating(
    key="M1",
    pd=0.021,
    score=731,
    band="A",
    sub_scores=dict.fromkeys(Dimension, 731),
    reasons=(Reason("gmv_growth_90d", 0.4, 0.1, "your sales fell"),),
    improvements=(
        Improvement((Change("refund_rate_90d", 0.08, 0.04, "refund less"),), 0.015, 760, "A", 0.2),
    ),
)


def _decision(requested: str | None = "2000.00") -> Decision:
    money = None if requested is None else Money(Decimal(requested), "USD")
    return decide(
        CreditRequest("dec_1", "M1", money),
        RATING,
        FEATURES,
        default_policy(),
        exposure=Exposure(Money(Decimal("150.25"), "USD"), 3),
        as_of=AS_OF,
        model_version="pd-test",
    )


def _old_documents(decision: Decision) -> dict[str, Any]:
    """The documents as the code before typed records wrote them (``decision_record``)."""
    requested = decision.requested_amount
    return {
        "inputs": {
            "requested_amount": None if requested is None else str(requested.amount),
            "currency": decision.currency,
            "exposure": {
                "outstanding": str(decision.exposure.outstanding.amount),
                "days_past_due": decision.exposure.days_past_due,
            },
            "policy_digest": decision.policy_digest,
        },
        "feature_values": {
            k: None if v is None or math.isnan(v) else float(v) for k, v in FEATURES.items()
        },
        "score": RATING.to_dict(),
        "result": decision.to_dict(),
    }


def _insert_old(engine: Engine, decision_id: str, decision: Decision, **documents: Any) -> None:
    row = {
        "id": decision_id,
        "merchant_id": decision.merchant_id,
        "application_id": None,
        "as_of": decision.as_of,
        "policy_version": decision.policy_version,
        "model_version": decision.model_version,
        "expires_on": decision.expires_on,
        **(_old_documents(decision) | documents),
    }

    def unit(session: Session) -> None:
        session.execute(insert(DECISIONS), [row])

    in_transaction(engine, unit)


def _seed(engine: Engine) -> None:
    merchant = MerchantRecord(MerchantId("M1"), "toys", "north", datetime(2024, 1, 1, tzinfo=UTC))
    in_transaction(engine, lambda s: LoanBookCommands(s).add_merchant(merchant))


def _read(engine: Engine, decision_id: str) -> DecisionRecord:
    with Session(engine) as session:
        return LoanBookQueries(session).decision(decision_id)


def _stored_text(engine: Engine, decision_id: str) -> tuple[Any, ...]:
    """The documents as the database holds them: the text itself on SQLite (byte for byte),
    JSONB values on PostgreSQL (which keeps no text)."""
    query = text(f"SELECT {', '.join(DOCUMENTS)} FROM decisions WHERE id = :id")
    with engine.connect() as connection:
        return tuple(connection.execute(query, {"id": decision_id}).one())


def test_a_decision_written_before_reads_back_typed(engine: Engine) -> None:
    _seed(engine)
    decision = _decision()
    _insert_old(engine, "D-old", decision)
    record = _read(engine, "D-old")
    assert record.decision == decision
    assert record.rating == RATING
    assert record.inputs == DecisionInputs(
        CreditRequest("dec_1", "M1", Money(Decimal("2000.00"), "USD")),
        Exposure(Money(Decimal("150.25"), "USD"), 3),
        default_policy().digest,
    )
    assert record.feature_values == FEATURES
    assert (record.merchant_id, record.as_of, record.expires_on) == (
        "M1",
        AS_OF,
        decision.expires_on,
    )


def test_a_decision_written_now_stores_the_documents_written_before(engine: Engine) -> None:
    _seed(engine)
    decision = _decision()
    _insert_old(engine, "D-old", decision)
    record = DecisionRecord("D-new", None, decision, RATING, DecisionInputs.of(decision), FEATURES)
    in_transaction(engine, lambda s: LoanBookCommands(s).add_decision(record))
    assert _stored_text(engine, "D-new") == _stored_text(engine, "D-old")
    assert _read(engine, "D-new") == record


def test_the_first_online_decisions_read_back(engine: Engine) -> None:
    """The api's first decisions stored inputs without a currency, and categorical features
    as text (no model reads them back)."""
    _seed(engine)
    decision = _decision(requested=None)
    old = _old_documents(decision)
    inputs = {k: v for k, v in old["inputs"].items() if k != "currency"}
    values = old["feature_values"] | {"category": "toys"}
    _insert_old(engine, "D-first", decision, inputs=inputs, feature_values=values)
    record = _read(engine, "D-first")
    assert record.inputs.request.requested_amount is None
    assert record.inputs.exposure == Exposure(Money(Decimal("150.25"), "USD"), 3)
    assert record.feature_values == FEATURES
    assert record.decision == decision


@pytest.mark.parametrize("requested", ["2000.00", None])
def test_inputs_follow_the_decision(requested: str | None) -> None:
    decision = _decision(requested)
    inputs = DecisionInputs.of(decision)
    assert inputs.request.requested_amount == decision.requested_amount
    assert inputs.exposure == decision.exposure
    assert inputs.policy_digest == decision.policy_digest
