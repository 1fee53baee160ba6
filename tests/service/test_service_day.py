"""One business day closed (``close_business_day``): run twice it changes nothing; stopped by a
real failure it resumes after the steps done; the day's settlements reach a loan once."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from daily_support import START
from microlend.data import BatchReceipt, batches, load_store
from microlend.errors import ArtifactError, DataContractError
from microlend.features import store_features
from microlend.ledger import Account, ShareOfSalesTerms, TransactionKind
from microlend.models import load_artifact
from microlend.money import Money
from microlend.policy import default_policy
from microlend.service import (
    DayReport,
    RatingFit,
    accept_decision_offer,
    close_business_day,
    disburse,
    fund_book,
    loan_view,
    prequalified_offers,
    save_rating,
    take_snapshot,
    underwrite,
)
from microlend.service.daily import STEPS
from microlend.store import (
    Base,
    DaySteps,
    PrequalifiedOffer,
    create_engine_for,
    in_transaction,
    migrate,
)

AT = datetime(2025, 1, 2, tzinfo=UTC)
_POSTINGS = Base.metadata.tables["postings"]


@dataclass(frozen=True)
class Platform:
    inbox: Path
    model: Path


@pytest.fixture(scope="module")
def platform(
    daily_inbox: Path, small_fit: RatingFit, tmp_path_factory: pytest.TempPathFactory
) -> Platform:
    return Platform(daily_inbox, save_rating(small_fit, tmp_path_factory.mktemp("day") / "model"))


@pytest.fixture
def book(tmp_path: Path) -> Iterator[Engine]:
    engine = create_engine_for(f"sqlite:///{tmp_path / 'book.db'}")
    migrate(engine)
    yield engine
    engine.dispose()


@dataclass(frozen=True)
class Closed:
    """A store and a SQLite book as a business day's close left them (``folder``), with what
    the close reported and kept. A day's close takes seconds (rating and monitoring the
    market), so each is closed once per module and each test works on its own copy."""

    folder: Path
    report: DayReport
    batches: tuple[BatchReceipt, ...]
    offers: list[PrequalifiedOffer]
    postings: int

    def copy(self, into: Path) -> tuple[Path, Engine]:
        """A copy of the store and the book in ``into``: the store's path, the book's engine."""
        shutil.copytree(self.folder, into)
        return into / "platform.duckdb", create_engine_for(f"sqlite:///{into / 'book.db'}")


def _closed(platform: Platform, previous: Path | None, folder: Path, day: date) -> Closed:
    """Close ``day`` on a copy of ``previous`` (``None``: a new store and book) in ``folder``."""
    if previous is None:
        folder.mkdir(parents=True)
    else:
        shutil.copytree(previous, folder)
    engine = create_engine_for(f"sqlite:///{folder / 'book.db'}")
    try:
        migrate(engine)
        store = folder / "platform.duckdb"
        report = _close(platform, store, engine, day)
        return Closed(
            folder, report, batches(store), prequalified_offers(engine, day), _postings(engine)
        )
    finally:
        engine.dispose()  # the file is copied whole: no connection left open on it


@pytest.fixture(scope="module")
def opened(platform: Platform, tmp_path_factory: pytest.TempPathFactory) -> Closed:
    """The first business day closed on a new store and book: the history and START's batch."""
    return _closed(platform, None, tmp_path_factory.mktemp("opened") / "day", START)


def _close(
    platform: Platform,
    store: Path,
    engine: Engine,
    day: date,
    *,
    inbox: Path | None = None,
    model: Path | None = None,
) -> DayReport:
    return close_business_day(
        store,
        engine,
        model or platform.model,
        default_policy(),
        day,
        at=AT,
        inbox=inbox or platform.inbox,
    )


def _postings(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(_POSTINGS)) or 0)


def test_a_day_run_twice_changes_nothing_the_second_time(
    platform: Platform, opened: Closed, tmp_path: Path
) -> None:
    first = opened.report
    assert first.resumed == ()
    assert list(first.steps) == list(STEPS)
    assert [b["batch"] for b in first.steps["ingest"]["batches"]] == ["history", str(START)]
    assert first.steps["close_store"] == {"closed_through": str(START)}
    assert first.steps["rate"]["merchants"] > 0
    assert len(opened.offers) == first.steps["offers"]["offers"] > 0
    store, book = opened.copy(tmp_path / "day")

    try:
        again = _close(platform, store, book, START)

        assert again.resumed == STEPS
        assert again.steps == first.steps
        assert batches(store) == opened.batches
        assert prequalified_offers(book, START) == opened.offers
        assert _postings(book) == opened.postings
    finally:
        book.dispose()


def test_a_real_failure_stops_the_day_and_a_rerun_resumes_after_the_steps_done(
    platform: Platform, book: Engine, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    shutil.copytree(platform.inbox / "history", inbox / "history")
    shutil.copytree(platform.inbox / str(START), inbox / str(START))
    # An unreadable batch: the day stops at ingestion, and nothing of the day is done.
    (inbox / str(START) / "orders.parquet").write_bytes(b"not parquet")
    store = tmp_path / "platform.duckdb"
    with pytest.raises(DataContractError) as failed:
        _close(platform, store, book, START, inbox=inbox)
    assert f"business day {START}, step ingest" in failed.value.__notes__
    # The history before it is stored (each batch is all or nothing); the bad one is not.
    assert [b.source for b in batches(store)] == [str(inbox / "history")]
    # The export is fixed; the model is not there: the day stops at rating, after two steps.
    shutil.rmtree(inbox / str(START))
    shutil.copytree(platform.inbox / str(START), inbox / str(START))
    with pytest.raises(ArtifactError) as missing:
        _close(platform, store, book, START, inbox=inbox, model=tmp_path / "no-model")
    assert f"business day {START}, step rate" in missing.value.__notes__

    done = _close(platform, store, book, START, inbox=inbox)

    assert done.resumed == ("ingest", "close_store")
    assert [b["batch"] for b in done.steps["ingest"]["batches"]] == [str(START)]
    assert len(batches(store)) == 2
    assert done.steps["end_of_day"]["business_date"] == str(START)


def _payout_day(inbox: Path) -> tuple[date, dict[str, list[Decimal]]]:
    """The first day after START with payouts, and each merchant's payouts that day."""
    day = START + timedelta(days=1)
    while not (inbox / str(day) / "settlements.parquet").exists():
        day += timedelta(days=1)
    table = pq.read_table(inbox / str(day) / "settlements.parquet")
    table = table.filter(pc.greater(table["net"], 0))
    nets: dict[str, list[Decimal]] = {}
    for merchant, net in zip(
        table["merchant_id"].to_pylist(), table["net"].to_pylist(), strict=True
    ):
        nets.setdefault(merchant, []).append(net)
    return day, nets


@pytest.fixture(scope="module")
def eve(platform: Platform, opened: Closed, tmp_path_factory: pytest.TempPathFactory) -> Closed:
    """The day before the first payout day after START closed, after START. The days between
    are not closed one by one: ingestion takes every batch up to the day and the store closes
    through it, and a day's close costs seconds, with no loan in the book to accrue."""
    payday, _ = _payout_day(platform.inbox)
    before = payday - timedelta(days=1)
    assert before > START, "the first payout after START is the day after it"
    return _closed(platform, opened.folder, tmp_path_factory.mktemp("eve") / "day", before)


@pytest.fixture
def eve_book(eve: Closed, tmp_path: Path) -> Iterator[tuple[Path, Engine]]:
    """A copy of ``eve``'s store and book, this test's own to close the payout day on."""
    store, engine = eve.copy(tmp_path / "day")
    yield store, engine
    engine.dispose()


def test_the_days_settlements_are_collected_once_into_the_loan(
    platform: Platform, eve: Closed, eve_book: tuple[Path, Engine]
) -> None:
    store, book = eve_book
    payday, nets = _payout_day(platform.inbox)
    before = payday - timedelta(days=1)
    assert eve.report.business_date == before
    assert eve.report.steps["close_store"] == {"closed_through": str(before)}
    invited = [o.merchant_id for o in prequalified_offers(book, before) if o.merchant_id in nets]
    assert invited, "no merchant invited yesterday is paid out today"
    merchant = invited[0]
    policy = default_policy()
    rows = store_features(store, as_of=payday).to_pandas()
    rows = rows.set_index("merchant_id").drop(columns=["as_of"])
    snapshot = take_snapshot(
        load_artifact(platform.model).model,
        load_store(store),
        payday,
        improver=None,
        rows=rows,
        currency="USD",
    )
    decision = underwrite(book, snapshot, policy, merchant_id=merchant, model_version="test")
    number = next(
        n for n, o in enumerate(decision.offers, 1) if isinstance(o.terms, ShareOfSalesTerms)
    )
    fund_book(book, Money(Decimal(1_000_000), "USD"), payday, "capital")
    loan = accept_decision_offer(
        book,
        decision_id=decision.application_id,
        offer_number=number,
        business_date=payday,
        idempotency_key="accept",
    )
    assert loan.loan_id is not None
    disburse(book, loan.loan_id, payday, "disburse")
    terms = decision.offers[number - 1].terms
    assert isinstance(terms, ShareOfSalesTerms)

    owed = loan_view(book, loan.loan_id, payday).owed_total

    closed = _close(platform, store, book, payday)
    postings = _postings(book)
    again = _close(platform, store, book, payday)

    view = loan_view(book, loan.loan_id, payday)
    held = [t for t in view.transactions if t.kind is TransactionKind.HOLDBACK]
    assert len(held) == len(nets[merchant])
    taken = sum(
        (p.amount for t in held for p in t.postings if p.account is Account.CASH), Decimal(0)
    )
    # Each payout's holdback, rounded to the cent: the loan's balance moves by exactly that.
    expected = terms.holdback_rate * sum(nets[merchant])
    assert abs(taken - expected) <= Decimal("0.01") * len(held)
    assert taken > 0
    assert view.owed_total == owed - taken
    assert closed.steps["collect"]["collections"] >= 1
    assert again.resumed == STEPS
    assert _postings(book) == postings


def test_the_steps_and_offers_of_a_day_are_kept_on_either_database(engine: Engine) -> None:
    report = {"batches": [{"batch": "history", "rows": 3}], "mean_pd": None, "amount": "1.50"}
    offer = PrequalifiedOffer(START, "M1", Decimal("1234.5600"), "USD", 712)

    def write(session: Session) -> None:
        steps = DaySteps(session)
        steps.record(START, "ingest", report)
        steps.replace_offers(START, [offer])
        steps.replace_offers(START, [offer])  # in place of the date's, not beside them

    in_transaction(engine, write)

    assert in_transaction(engine, lambda s: DaySteps(s).done(START)) == {"ingest": report}
    assert in_transaction(engine, lambda s: DaySteps(s).last_day()) == START
    assert prequalified_offers(engine, START) == [offer]
    assert prequalified_offers(engine, START + timedelta(days=1)) == []
