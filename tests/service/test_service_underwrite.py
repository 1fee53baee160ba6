"""Underwriting one application from the records, stored, and replayed to the same decision."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from microlend.data import Dataset
from microlend.errors import ConfigError
from microlend.money import Money
from microlend.policy import CreditRequest, default_policy
from microlend.service import fit_rating, replay_application, underwrite_application
from microlend.service._underwrite import decision_id_for
from microlend.store import (
    LoanBookCommands,
    LoanBookQueries,
    MerchantRecord,
    create_engine_for,
    migrate,
)
from microlend.types import MerchantId


def test_an_underwritten_application_is_stored_and_replays_to_the_same_decision(
    small_market: Dataset, tmp_path: Path
) -> None:
    fit = fit_rating(small_market)
    engine = create_engine_for(f"sqlite:///{tmp_path / 'book.sqlite'}")
    migrate(engine)
    merchants = small_market.table("merchants").slice(0, 5).to_pylist()
    with Session(engine) as session, session.begin():
        LoanBookCommands(session).add_merchants(
            [
                MerchantRecord(
                    MerchantId(m["merchant_id"]), m["category"], m["region"], m["onboarded_at"]
                )
                for m in merchants
            ]
        )
    policy = default_policy()
    as_of = date(2024, 6, 1)
    decisions = [
        underwrite_application(
            engine,
            small_market,
            CreditRequest(f"app-{i}", m["merchant_id"], Money(Decimal("3000"), "USD")),
            as_of=as_of,
            model=fit.model,
            model_version="test-model",
            policy=policy,
        )
        for i, m in enumerate(merchants)
    ]
    for decision in decisions:
        assert decision.as_of == as_of
        assert decision.model_version == "test-model"
        with Session(engine) as session:
            stored = LoanBookQueries(session).decision(decision_id_for(decision.application_id))
        assert set(fit.model.feature_names_) <= set(stored.feature_values)
        assert stored.score["score"] == decision.score
        replay = replay_application(engine, stored.decision_id, fit.model, policy)
        assert replay.same, (replay.stored, replay.replayed)
    other = dataclasses.replace(policy, version="other", digest="0" * 64)
    with pytest.raises(ConfigError, match="was made under policy"):
        replay_application(engine, decision_id_for("app-0"), fit.model, other)
