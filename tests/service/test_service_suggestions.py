"""What would raise it, proven, and the notice of every decline: both stored with each decision
by every path that stores one (the api's snapshot, the records), reproduced by replay, and kept
by the model's own files (the improver fitted on its training matrix)."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from microlend.data import Dataset
from microlend.errors import ArtifactError, NotFoundError
from microlend.features import CATALOG
from microlend.models import load_artifact
from microlend.money import Money
from microlend.policy import CreditRequest, Decision, NoticeKind, default_policy
from microlend.scoring import TOP_REASONS, Improver, ScoreScale, rate
from microlend.service import (
    FeatureSnapshot,
    RatingFit,
    decision_notice,
    improver_of,
    latest_notice,
    replay_decision,
    save_rating,
    sync_merchants,
    take_snapshot,
    underwrite,
    underwrite_application,
)
from microlend.service.decisions import decision_id_for
from microlend.store import DecisionRecord, LoanBookQueries, create_engine_for, migrate

SCALE = ScoreScale()
SPECS = {spec.name: spec for spec in CATALOG}
POLICY = default_policy()
#: Enough merchants that some are declined, some offered less and some raised by a change.
MERCHANTS = 60


@pytest.fixture(scope="module")
def snapshot(small_fit: RatingFit, small_market: Dataset) -> FeatureSnapshot:
    return take_snapshot(
        small_fit.model, small_market, small_market.end.date(), improver=small_fit.improver
    )


@pytest.fixture(scope="module")
def book(small_market: Dataset, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = create_engine_for(f"sqlite:///{tmp_path_factory.mktemp('notices') / 'book.db'}")
    migrate(engine)
    sync_merchants(engine, small_market)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def decided(book: Engine, snapshot: FeatureSnapshot) -> list[DecisionRecord]:
    """One online decision each for the first merchants, asking for a large amount: declines,
    counter-offers and full approvals among them."""
    records = []
    for merchant_id in list(snapshot.ratings)[:MERCHANTS]:
        decision = underwrite(
            book,
            snapshot,
            POLICY,
            merchant_id=merchant_id,
            model_version="test-model",
            requested_amount=Decimal("20000"),
        )
        with Session(book) as session:
            records.append(LoanBookQueries(session).decision(decision.application_id))
    return records


def _rated_again(
    small_fit: RatingFit, record: DecisionRecord, changed: dict[str, float]
) -> tuple[int, str]:
    values = {k: math.nan if v is None else v for k, v in record.feature_values.items()}
    row = pd.DataFrame([values | changed], index=[record.merchant_id])
    rating = rate(small_fit.model, row, CATALOG, SCALE, currency=POLICY.currency).ratings[0]
    return rating.score, rating.band


def test_applying_a_stored_suggestion_gives_the_promised_score(
    small_fit: RatingFit, decided: list[DecisionRecord]
) -> None:
    proven = 0
    for record in decided:
        for improvement in record.rating.improvements:
            changed = {c.feature: c.after for c in improvement.changes}
            for change in improvement.changes:
                spec = SPECS[change.feature]
                assert spec.actionable, change.feature
                # Moved toward safety: down when more is riskier, up when less is.
                assert np.sign(change.before - change.after) == spec.direction, change
                assert record.feature_values[change.feature] == change.before
            score, band = _rated_again(small_fit, record, changed)
            assert (score, band) == (improvement.score, improvement.band)
            assert SCALE.band_rank(score) > SCALE.band_rank(record.rating.score)
            proven += 1
    merchants = sum(bool(r.rating.improvements) for r in decided)
    assert merchants >= 10, f"only {merchants} merchants had a suggestion"
    assert proven >= merchants


def test_every_decline_and_counter_offer_stores_its_notice(
    decided: list[DecisionRecord],
) -> None:
    kinds = []
    for record in decided:
        decision, notice = record.decision, record.notice
        if not decision.approved:
            assert notice is not None
            assert notice.kind is NoticeKind.DECLINE
            assert [r.code for r in notice.reasons] == [
                r.code for r in decision.reasons[:TOP_REASONS]
            ]
            assert 1 <= len(notice.reasons) <= TOP_REASONS
        elif max(o.amount.amount for o in decision.offers) < Decimal("20000"):
            assert notice is not None
            assert notice.kind is NoticeKind.COUNTER_OFFER
            assert notice.counter_offer is not None
            assert notice.counter_offer.startswith("you asked for 20,000.00 USD; ")
        else:
            assert notice is None
            continue
        assert notice.date == decision.as_of
        assert notice.lender == POLICY.notice.lender
        assert POLICY.notice.contact in notice.right
        assert [s.text for s in notice.suggestions] == [i.text for i in record.rating.improvements]
        kinds.append(notice.kind)
    assert NoticeKind.DECLINE in kinds
    assert NoticeKind.COUNTER_OFFER in kinds


def test_replay_gives_the_same_suggestions_and_notice(
    book: Engine, small_fit: RatingFit, decided: list[DecisionRecord]
) -> None:
    with_notice = [r for r in decided if r.notice is not None]
    for record in [*with_notice[:8], *[r for r in decided if r.rating.improvements][:4]]:
        replay = replay_decision(
            book, record.decision_id, small_fit.model, POLICY, improver=small_fit.improver
        )
        assert replay.same, record.decision_id
        assert replay.replayed_notice == record.notice
        assert replay.replayed_record.rating.improvements == record.rating.improvements
    # Without the model's improver the suggestions are not reproduced, and replay says so.
    suggested = next(r for r in decided if r.rating.improvements)
    bare = replay_decision(book, suggested.decision_id, small_fit.model, POLICY, improver=None)
    assert bare.stored == bare.replayed
    assert not bare.same


def test_a_decision_from_the_records_stores_suggestions_and_replays(
    small_market: Dataset, small_fit: RatingFit, book: Engine, snapshot: FeatureSnapshot
) -> None:
    on = small_market.end.date()
    suggested = 0
    for i, merchant_id in enumerate(list(snapshot.ratings)[:12]):
        decision = underwrite_application(
            book,
            small_market,
            CreditRequest(f"rec-{i}", merchant_id, Money(Decimal("20000"), "USD")),
            as_of=on,
            model=small_fit.model,
            improver=small_fit.improver,
            model_version="test-model",
            policy=POLICY,
        )
        with Session(book) as session:
            record = LoanBookQueries(session).decision(decision_id_for(decision.application_id))
        # The records' features as of the data's end are the snapshot's: the same suggestions.
        online = snapshot.ratings[merchant_id]
        assert [i.text for i in record.rating.improvements] == [i.text for i in online.improvements]
        assert (record.notice is None) == (
            decision.approved and max(o.amount.amount for o in decision.offers) >= 20000
        )
        suggested += bool(record.rating.improvements)
    assert suggested > 0


def test_the_improver_is_saved_with_the_model_and_suggests_the_same(
    small_fit: RatingFit, small_market: Dataset, snapshot: FeatureSnapshot, tmp_path: Path
) -> None:
    folder = save_rating(small_fit, tmp_path / "model")
    artifact = load_artifact(folder)
    loaded = improver_of(artifact)
    assert loaded is not None
    assert loaded.to_dict() == small_fit.improver.to_dict()
    again = take_snapshot(artifact.model, small_market, snapshot.as_of, improver=loaded)
    # As JSON: a missing value is NaN, which equals nothing, not even itself.
    assert {k: r.to_dict() for k, r in again.ratings.items()} == {
        k: r.to_dict() for k, r in snapshot.ratings.items()
    }
    # The ladders are the training matrix's, not today's population's.
    assert loaded.to_dict() == Improver(CATALOG).fit(small_fit.train.features).to_dict()
    assert loaded.to_dict() != Improver(CATALOG).fit(snapshot.rows).to_dict()
    saved = json.loads((folder / "improver.json").read_text())
    saved["steps"] = 5
    (folder / "improver.json").write_text(json.dumps(saved))
    with pytest.raises(ArtifactError, match="altered"):
        load_artifact(folder)


def test_a_model_saved_without_an_improver_suggests_nothing(
    small_fit: RatingFit, small_market: Dataset, tmp_path: Path
) -> None:
    from microlend.models import save_model

    artifact = load_artifact(save_model(small_fit.model, tmp_path / "bare", small_fit.metadata))
    assert improver_of(artifact) is None
    bare = take_snapshot(artifact.model, small_market, small_market.end.date(), improver=None)
    assert not any(r.improvements for r in bare.ratings.values())


def test_notices_are_read_by_decision_and_as_the_merchants_latest(
    book: Engine, small_market: Dataset, snapshot: FeatureSnapshot
) -> None:
    engine = create_engine_for(f"sqlite:///{Path(str(book.url.database)).parent / 'read.db'}")
    migrate(engine)
    sync_merchants(engine, small_market)
    candidates = list(snapshot.ratings)[:MERCHANTS]
    countered = next(
        m
        for m in candidates
        if _decide(engine, snapshot, m, "20000").approved and latest_notice(engine, m) is not None
    )
    stored = latest_notice(engine, countered)
    assert stored is not None
    assert stored.notice is not None
    assert stored.notice.kind is NoticeKind.COUNTER_OFFER
    assert stored.latest
    assert stored.approved
    assert decision_notice(engine, stored.decision_id) == stored
    # A newer decision with no notice (all that was asked for) leaves the older notice the
    # latest one, no longer the merchant's current decision.
    newer = _decide(engine, snapshot, countered, "1000")
    assert newer.approved
    found = latest_notice(engine, countered)
    assert found is not None
    assert found.decision_id == stored.decision_id
    assert not found.latest
    full = decision_notice(engine, newer.application_id)
    assert full.notice is None
    assert full.approved
    assert full.latest
    untouched = list(snapshot.ratings)[MERCHANTS]
    assert latest_notice(engine, untouched) is None
    with pytest.raises(NotFoundError):
        latest_notice(engine, "no-such-merchant")
    with pytest.raises(NotFoundError):
        decision_notice(engine, "dec_unknown")
    engine.dispose()


def _decide(engine: Engine, snapshot: FeatureSnapshot, merchant_id: str, asked: str) -> Decision:
    return underwrite(
        engine,
        snapshot,
        POLICY,
        merchant_id=merchant_id,
        model_version="test-model",
        requested_amount=Decimal(asked),
    )


def test_the_notice_dates_come_from_the_decision_not_the_clock(
    decided: list[DecisionRecord],
) -> None:
    for record in decided:
        if record.notice is not None:
            assert record.notice.date == record.as_of
            assert record.notice.date.isoformat() in record.notice.right
            assert isinstance(record.notice.date, date)
