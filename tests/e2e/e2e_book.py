"""A small lending book for the browser tests.

The book is filled by the lending use cases: decisions from the fitted model and the default
policy spread over the last year of the records, the first offer of each approval accepted and
disbursed, half the loans repaid a little every month, end of day at every month end.
``log_in`` is how a browser opens the pages on it: the login form, with a key.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode

import pandas as pd
import pytest
import uvicorn
from fastapi import FastAPI
from playwright.sync_api import Page
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from microlend.data import Dataset
from microlend.features import CATALOG
from microlend.money import Money
from microlend.policy import CreditRequest, Exposure, decide, default_policy
from microlend.scoring import Improver, rate
from microlend.service import (
    RatingFit,
    StabilityBaseline,
    accept_offer,
    baseline_from_fit,
    book_exposure,
    disburse,
    end_of_day,
    fund_book,
    merchant_features,
    post_payment,
    record_decision,
)
from microlend.store import (
    DecisionInputs,
    DecisionRecord,
    LoanBookCommands,
    LoanBookQueries,
    LoanStatus,
    MerchantRecord,
    create_engine_for,
    in_transaction,
    migrate,
)
from microlend.types import MerchantId

MERCHANTS = 40
#: Merchants whose offers stand on the pages' date: one per viewport that accepts one.
OPEN_OFFERS = 2
ONBOARDED = datetime(2020, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Served:
    """Where the pages answer, on which book, and a risk officer's and the first merchant's
    keys to log in with; ``offers``: merchants whose latest decision's offers stand today (with
    reasons and a suggestion), each with its own key, one for each browser test that accepts."""

    url: str
    engine: Engine
    loan_ids: tuple[str, ...]
    merchant_ids: tuple[str, ...]
    officer_key: str
    merchant_key: str
    offers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Filled:
    """The book ``fill_book`` made: its engine, today's business date, its loans and merchants,
    the model's baseline, and the merchants with offers open today."""

    engine: Engine
    today: date
    loan_ids: list[str]
    merchant_ids: list[str]
    baseline: StabilityBaseline
    open_offers: list[str]


def _month_ends(start: date, end: date) -> list[date]:
    found = pd.date_range(start, end, freq="ME")
    return [stamp.date() for stamp in found]


def fill_book(small_market: Dataset, fit: RatingFit, tmp: Path) -> Filled:
    end = small_market.end.date()
    start = end - timedelta(days=365)
    rows = merchant_features(small_market, start)
    chosen = rows.index[:MERCHANTS]
    improver = Improver(CATALOG).fit(rows)
    ratings = rate(
        fit.model, rows.loc[chosen], CATALOG, currency=small_market.currency(), improver=improver
    ).ratings
    policy = default_policy()
    engine = create_engine_for(f"sqlite:///{tmp / 'book.db'}")
    migrate(engine)
    fund_book(engine, Money(Decimal("10000000"), policy.currency), start, "fund")
    loans: list[str] = []
    merchants = [str(m) for m in chosen]
    for index, (merchant_id, rating) in enumerate(zip(merchants, ratings, strict=True)):
        as_of = start + timedelta(days=15 * index % 330)
        record = MerchantRecord(MerchantId(merchant_id), "toys", "north", ONBOARDED)
        in_transaction(engine, lambda s, r=record: LoanBookCommands(s).add_merchant(r))
        features = {k: (None if pd.isna(v) else float(v)) for k, v in rows.loc[merchant_id].items()}
        request = CreditRequest(f"app-{index}", merchant_id, None)
        decision = decide(
            request,
            rating,
            features,
            policy,
            exposure=Exposure.none(policy.currency),
            as_of=as_of,
            model_version="e2e",
        )
        record_decision(
            engine,
            DecisionRecord(
                decision_id=f"dec-{index}",
                application_id=None,
                decision=decision,
                rating=rating,
                inputs=DecisionInputs.of(decision),
                feature_values=features,
            ),
        )
        if not decision.offers:
            continue
        accepted = accept_offer(
            engine,
            merchant_id=MerchantId(merchant_id),
            offer=decision.offers[0],
            business_date=as_of,
            idempotency_key=f"acc-{index}",
            decision_id=f"dec-{index}",
        )
        assert accepted.loan_id is not None
        disburse(engine, accepted.loan_id, as_of, f"dis-{index}")
        loans.append(accepted.loan_id)
    for month_end in _month_ends(start, end):
        for loan_id in loans[::2]:
            if _active(engine, loan_id, month_end):
                payment = Money(Decimal("400.00"), policy.currency)
                post_payment(engine, loan_id, payment, month_end, f"pay-{loan_id}-{month_end}")
        end_of_day(engine, month_end)
    opened = _open_offers(engine, small_market, fit, improver, merchants[1:], end)
    return Filled(engine, end, loans, merchants, baseline_from_fit(fit), opened)


def _open_offers(
    engine: Engine,
    market: Dataset,
    fit: RatingFit,
    improver: Improver,
    candidates: list[str],
    today: date,
) -> list[str]:
    """A second decision, as of ``today``, for the first ``OPEN_OFFERS`` of ``candidates``
    that it approves with reasons and a suggestion: their offers stand on the pages' date."""
    rows = merchant_features(market, today).loc[candidates]
    ratings = rate(fit.model, rows, CATALOG, currency=market.currency(), improver=improver)
    policy = default_policy()
    opened: list[str] = []
    for merchant_id, rating in zip(candidates, ratings.ratings, strict=True):
        features = {k: (None if pd.isna(v) else float(v)) for k, v in rows.loc[merchant_id].items()}
        exposure = book_exposure(engine, merchant_id, policy.currency, today)
        request = CreditRequest(f"app-open-{merchant_id}", merchant_id, None)
        decision = decide(
            request, rating, features, policy, exposure=exposure, as_of=today, model_version="e2e"
        )
        if not (decision.offers and rating.reasons and rating.improvements):
            continue
        inputs = DecisionInputs.of(decision)
        record = DecisionRecord(f"open-{merchant_id}", None, decision, rating, inputs, features)
        record_decision(engine, record)
        opened.append(merchant_id)
        if len(opened) == OPEN_OFFERS:
            return opened
    raise AssertionError(f"fewer than {OPEN_OFFERS} merchants with offers and a suggestion")


def _active(engine: Engine, loan_id: str, on: date) -> bool:
    with Session(engine) as session:
        loan = LoanBookQueries(session).loan(loan_id)
    return (
        loan.status is LoanStatus.ACTIVE
        and loan.disbursed_on is not None
        and (loan.disbursed_on < on)
    )


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """``app`` served by uvicorn in a thread on a free loopback port, for as long as the block
    runs: its base url. Waits for uvicorn's own ``started`` flag, not for a fixed time."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            pytest.fail("uvicorn did not start", pytrace=False)
        threading.Event().wait(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def log_in(page: Page, url: str, key: str, then: str = "") -> None:
    """Log in on the login form with ``key`` (then open ``then`` when given)."""
    page.goto(f"{url}/login" + (f"?{urlencode({'next': then})}" if then else ""))
    page.fill("#key", key)
    with page.expect_navigation():
        page.click("#log-in")
