"""The backtest on a small simulated marketplace: a sound book, selection, share-of-sales
collections from settlements only, determinism, and two policies compared."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pandas as pd
import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from microlend.data import Dataset
from microlend.ledger import Product, TransactionKind, flows_apr, realised_cash_flows
from microlend.policy import Policy, default_policy
from microlend.service import (
    BacktestResult,
    RatingFit,
    backtest,
    backtest_start,
    loan_view,
    replay_decision,
)
from microlend.store import (
    LoanBookQueries,
    LoanStatus,
    PortfolioQueries,
    create_engine_for,
    migrate,
)

COLLECTIONS = {TransactionKind.REPAYMENT, TransactionKind.HOLDBACK}


@pytest.fixture(scope="module")
def new_book(tmp_path_factory: pytest.TempPathFactory) -> Callable[[], Engine]:
    folder = tmp_path_factory.mktemp("books")
    made: list[Engine] = []

    def make() -> Engine:
        engine = create_engine_for(f"sqlite:///{folder / f'book{len(made)}.sqlite'}")
        migrate(engine)
        made.append(engine)
        return engine

    return make


def strict_policy() -> Policy:
    return dataclasses.replace(default_policy(), min_score=680, version="strict-680")


@pytest.fixture(scope="module")
def run(
    small_market: Dataset, small_fit: RatingFit, new_book: Callable[[], Engine]
) -> tuple[list[BacktestResult], list[Engine]]:
    # The last four months keep the suite fast and still see loans repaid and written off.
    start = max(
        backtest_start(small_fit.metadata), (small_market.end - pd.DateOffset(months=4)).date()
    )
    engines = [new_book(), new_book()]
    results = backtest(
        small_market,
        small_fit.model,
        [default_policy(), strict_policy()],
        engines,
        improver=small_fit.improver,
        start=start,
        model_version="test-model",
    )
    return results, engines


def test_the_book_balances_to_zero(run: tuple[list[BacktestResult], list[Engine]]) -> None:
    results, engines = run
    for result, engine in zip(results, engines, strict=True):
        assert result.loans > 0
        assert result.trial_balance == 0
        with Session(engine) as session:
            assert LoanBookQueries(session).trial_balance() == 0


def test_funded_loans_are_safer_than_the_applications(
    run: tuple[list[BacktestResult], list[Engine]],
) -> None:
    result = run[0][0]
    assert result.applications_true_pd is not None
    assert result.funded_true_pd is not None
    assert result.funded_true_pd < result.applications_true_pd
    assert result.default_rate < result.applications_true_pd


def test_share_of_sales_loans_are_repaid_by_settlement_holdbacks_only(
    run: tuple[list[BacktestResult], list[Engine]],
) -> None:
    with Session(run[1][0]) as session:
        queries = LoanBookQueries(session)
        loans = [
            loan
            for status in (LoanStatus.ACTIVE, LoanStatus.REPAID, LoanStatus.WRITTEN_OFF)
            for loan in queries.loans(status, limit=100_000)
            if loan.product is Product.SHARE_OF_SALES
        ]
        collections = [
            t
            for loan in loans
            for t in queries.loan_transactions(loan.loan_id)
            if t.kind in COLLECTIONS
        ]
    assert loans
    assert collections
    assert all(t.kind is TransactionKind.HOLDBACK for t in collections)
    assert all(t.idempotency_key.startswith("settlement:") for t in collections)


def test_the_states_kept_in_memory_are_those_the_stored_postings_give(
    run: tuple[list[BacktestResult], list[Engine]],
) -> None:
    """The backtest sums each loan's postings as it goes; the book's own postings, read back
    and serviced from scratch (the one read of a loan), must give every loan the same status
    and ageing."""
    result, engine = run[0][0], run[1][0]
    with Session(engine) as session:
        queries = LoanBookQueries(session)
        loans = [loan for status in LoanStatus for loan in queries.loans(status, limit=100_000)]
    assert any(loan.status is LoanStatus.ACTIVE for loan in loans)
    for loan in loans:
        aged_on = loan.ageing.aged_on
        assert aged_on is not None
        view = loan_view(engine, loan.loan_id, aged_on)
        state = view.state
        assert (loan.ageing.days_past_due, loan.ageing.bucket, loan.ageing.covenant) == (
            state.days_past_due,
            state.bucket,
            state.covenant,
        )
        if state.written_off:
            assert loan.status is LoanStatus.WRITTEN_OFF
        else:
            assert loan.status is (LoanStatus.REPAID if view.owed_total == 0 else LoanStatus.ACTIVE)
        if loan.status is LoanStatus.ACTIVE:
            assert aged_on == result.end
        # Recorded as it was repaid, from the flows the book holds; none on any other loan.
        flows = realised_cash_flows(view.transactions, loan.loan_id)
        realised = flows_apr(flows) if loan.status is LoanStatus.REPAID else None
        assert loan.realised_apr == realised


def test_the_backtest_decisions_replay_to_the_same_decisions(
    small_fit: RatingFit, run: tuple[list[BacktestResult], list[Engine]]
) -> None:
    engine = run[1][0]
    with Session(engine) as session:
        decisions = PortfolioQueries(session).decisions()
    assert any(d.decision.approved for d in decisions)
    for record in decisions[:: max(1, len(decisions) // 15)]:
        replay = replay_decision(
            engine,
            record.decision_id,
            small_fit.model,
            default_policy(),
            improver=small_fit.improver,
        )
        assert replay.same, record.decision_id


def test_the_backtest_stores_suggestions_and_a_notice_for_every_decline(
    run: tuple[list[BacktestResult], list[Engine]],
) -> None:
    with Session(run[1][0]) as session:
        decisions = PortfolioQueries(session).decisions()
    declined = [d for d in decisions if not d.decision.approved]
    assert declined
    for record in declined:
        assert record.notice is not None, record.decision_id
        assert record.notice.date == record.as_of
    assert any(d.rating.improvements for d in decisions)


def test_a_stricter_cut_off_funds_less(run: tuple[list[BacktestResult], list[Engine]]) -> None:
    default, strict = run[0]
    assert strict.policy_version == "strict-680"
    assert strict.loans < default.loans
    assert strict.funded_amount < default.funded_amount
    assert strict.approval_rate < default.approval_rate


def test_the_same_backtest_twice_gives_the_same_results(
    small_market: Dataset,
    small_fit: RatingFit,
    new_book: Callable[[], Engine],
    run: tuple[list[BacktestResult], list[Engine]],
) -> None:
    first = run[0][0]
    again = backtest(
        small_market,
        small_fit.model,
        [default_policy()],
        [new_book()],
        improver=small_fit.improver,
        start=first.start,
        model_version="test-model",
    )[0]
    assert again.to_dict() == first.to_dict()


def test_a_book_that_is_not_empty_is_refused(
    small_market: Dataset, small_fit: RatingFit, run: tuple[list[BacktestResult], list[Engine]]
) -> None:
    from microlend.errors import ConfigError

    with pytest.raises(ConfigError, match="not empty"):
        backtest(
            small_market,
            small_fit.model,
            [default_policy()],
            [run[1][0]],
            improver=small_fit.improver,
            start=run[0][0].start,
            model_version="test-model",
        )
