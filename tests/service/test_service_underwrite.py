"""Underwriting: from the records and from the api's snapshot, one decision path, stored, and
replayed to the same decision."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from microlend.data import Dataset
from microlend.errors import ConfigError
from microlend.money import Money
from microlend.policy import CreditRequest, default_policy
from microlend.service import (
    RatingFit,
    replay_decision,
    take_snapshot,
    underwrite,
    underwrite_application,
)
from microlend.service.decisions import decision_id_for
from microlend.store import (
    DecisionRecord,
    LoanBookCommands,
    LoanBookQueries,
    MerchantRecord,
    create_engine_for,
    migrate,
)
from microlend.types import MerchantId

AS_OF = date(2024, 6, 1)


def _book(small_market: Dataset, path: Path, merchants: list[dict[str, object]]) -> Engine:
    engine = create_engine_for(f"sqlite:///{path}")
    migrate(engine)
    with Session(engine) as session, session.begin():
        LoanBookCommands(session).add_merchants(
            [
                MerchantRecord(
                    MerchantId(str(m["merchant_id"])),
                    str(m["category"]),
                    str(m["region"]),
                    m["onboarded_at"],  # type: ignore[arg-type]
                )
                for m in merchants
            ]
        )
    return engine


def _close(value: float | None) -> object:
    return None if value is None else pytest.approx(value, rel=1e-9, abs=1e-12)


def _stored(engine: Engine, decision_id: str) -> DecisionRecord:
    with Session(engine) as session:
        return LoanBookQueries(session).decision(decision_id)


def test_an_underwritten_application_is_stored_and_replays_to_the_same_decision(
    small_market: Dataset, small_fit: RatingFit, tmp_path: Path
) -> None:
    merchants = small_market.table("merchants").slice(0, 5).to_pylist()
    engine = _book(small_market, tmp_path / "book.sqlite", merchants)
    policy = default_policy()
    decisions = [
        underwrite_application(
            engine,
            small_market,
            CreditRequest(f"app-{i}", m["merchant_id"], Money(Decimal("3000"), "USD")),
            as_of=AS_OF,
            model=small_fit.model,
            improver=small_fit.improver,
            model_version="test-model",
            policy=policy,
        )
        for i, m in enumerate(merchants)
    ]
    for decision in decisions:
        assert decision.as_of == AS_OF
        assert decision.model_version == "test-model"
        stored = _stored(engine, decision_id_for(decision.application_id))
        assert stored.application_id == decision.application_id
        assert set(small_fit.model.feature_names_) <= set(stored.feature_values)
        assert stored.decision == decision
        assert stored.rating.score == decision.score
        replay = replay_decision(
            engine, stored.decision_id, small_fit.model, policy, improver=small_fit.improver
        )
        assert replay.same, (replay.stored, replay.replayed)
        assert replay.stored == decision
    # Under another policy a difference would say nothing about the record: refused.
    for other in (
        dataclasses.replace(policy, version="other"),
        dataclasses.replace(policy, digest="0" * 64),
    ):
        with pytest.raises(ConfigError, match="was made under policy"):
            replay_decision(engine, decision_id_for("app-0"), small_fit.model, other, improver=None)


def test_the_snapshot_and_the_records_decide_through_one_path(
    small_market: Dataset, small_fit: RatingFit, tmp_path: Path
) -> None:
    """Same merchant, same date: the api's snapshot and the records give the same features, so
    the one decision path gives the same decision and the same stored audit; either replay
    reads either record."""
    # Seven merchants, two of them onboarded after AS_OF: five compared (each costs seconds).
    merchants = small_market.table("merchants").slice(0, 7).to_pylist()
    engine = _book(small_market, tmp_path / "book.sqlite", merchants)
    policy = default_policy()
    snapshot = take_snapshot(small_fit.model, small_market, AS_OF, improver=small_fit.improver)
    compared = 0
    for i, m in enumerate(merchants):
        merchant_id = str(m["merchant_id"])
        if merchant_id not in snapshot.ratings:  # onboarded after the date
            continue
        online = underwrite(
            engine,
            snapshot,
            policy,
            merchant_id=merchant_id,
            model_version="test-model",
            requested_amount=Decimal("3000"),
        )
        recorded = underwrite_application(
            engine,
            small_market,
            CreditRequest(f"app-{i}", merchant_id, Money(Decimal("3000"), "USD")),
            as_of=AS_OF,
            model=small_fit.model,
            improver=small_fit.improver,
            model_version="test-model",
            policy=policy,
        )
        assert online.application_id.startswith("dec_")
        assert dataclasses.replace(online, application_id=recorded.application_id) == recorded
        online_record = _stored(engine, online.application_id)
        record = _stored(engine, decision_id_for(recorded.application_id))
        assert online_record.application_id is None
        # The snapshot's batch over every merchant and the one-row spine may add in another
        # order: the same features to the last bits.
        assert online_record.feature_values.keys() == record.feature_values.keys()
        for name, value in record.feature_values.items():
            assert online_record.feature_values[name] == _close(value), name
        # The request's id names the application: the stored decision's own, or the records'.
        assert online_record.inputs.request.application_id == online.application_id
        assert online_record.inputs == dataclasses.replace(
            record.inputs, request=online_record.inputs.request
        )
        # The rating's key names the row it was made from: the merchant or the application.
        assert dataclasses.replace(online_record.rating, key=record.rating.key) == record.rating
        for stored in (online_record, record):
            assert replay_decision(
                engine, stored.decision_id, small_fit.model, policy, improver=small_fit.improver
            ).same
        renamed = replay_decision(
            engine,
            record.decision_id,
            small_fit.model,
            policy,
            improver=small_fit.improver,
            model_version="another-model",
        )
        assert not renamed.same
        assert renamed.replayed.model_version == "another-model"
        compared += 1
    assert compared >= 5
