"""The backtest: the marketplace's records replayed day by day through a policy into a loan book.

From ``start`` to the data's end: each day's applications are rated with features as of their
date (what would raise each score included, by the improver saved with the model) and decided
by the policy, each decision stored with its suggestions and its notice; a merchant takes the
offer closest to what it asked for, and the loan is disbursed that day; each settlement paid
out that day repays the merchant's loans (the holdback of a share-of-sales loan, what is due on
an instalment loan: the platform deducts repayments from payouts); then the day is closed
(interest, days past due, covenant, write-off at 90+ days past due). Several policies run on
the same days, each into its own book.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from microlend.data import Dataset
from microlend.dates import as_of_instant
from microlend.errors import ArtifactError, ConfigError
from microlend.features import CATALOG, application_spine, build_features
from microlend.ledger import Account
from microlend.models import ModelArtifact, ModelMetadata
from microlend.money import Money, round_money
from microlend.policy import CreditRequest, Decision, Offer, Policy
from microlend.scoring import Improver, Rating, RiskModel, ScoreScale, rate
from microlend.service.backtest._book import DayBook
from microlend.service.backtest._result import BacktestResult
from microlend.service.decisions import Application, decide_application, lending_currency
from microlend.service.lending import transaction_id
from microlend.service.rating import Progress, quiet
from microlend.store import (
    Base,
    LoanBookQueries,
    LoanRecord,
    LoanStatus,
    MerchantRecord,
    in_transaction,
)
from microlend.types import LoanId, MerchantId

__all__ = ["backtest", "backtest_start", "model_version"]

logger = logging.getLogger(__name__)

_ONE_DAY = timedelta(days=1)
_KEYS = ("application_id", "merchant_id", "as_of")
_TRANSACTIONS = Base.metadata.tables["transactions"]


def backtest_start(metadata: ModelMetadata) -> date:
    """The first day of the model's out-of-time test window: it never saw those outcomes."""
    if metadata.test_window is None:
        raise ArtifactError("this model records no test_window: give the backtest a start date")
    return metadata.test_window.start.date()


def model_version(artifact: ModelArtifact) -> str:
    """A short, stable name of a saved model: a digest of its files' digests."""
    text = json.dumps(dict(artifact.files), sort_keys=True)
    return "pd-" + hashlib.sha256(text.encode()).hexdigest()[:12]


def backtest(
    dataset: Dataset,
    model: RiskModel,
    policies: Sequence[Policy],
    engines: Sequence[Engine],
    *,
    improver: Improver | None,
    start: date,
    model_version: str,
    scale: ScoreScale | None = None,
    progress: Progress = quiet,
) -> list[BacktestResult]:
    """Replay ``dataset`` from ``start`` to its end under each policy, each into its own empty
    book (``engines``, migrated); one result per policy, in order. ``improver``: the one saved
    with ``model`` (``improver_of``)."""
    if not policies or len(policies) != len(engines):
        raise ConfigError("give one empty loan book for each policy")
    # Every policy must lend in the records' currency: checked before any work.
    (currency,) = {lending_currency(dataset, policy) for policy in policies}
    end = dataset.end.date()
    if not start < end:
        raise ConfigError(f"the backtest starts on {start}, not before the data's end {end}")
    progress("features and ratings of every application", 0.0)
    applications = _applications(dataset, start, end)
    features = build_features(dataset, application_spine(applications)).to_pandas()
    rater = _Rater(model, improver, scale, currency)
    by_day = _applications_by_day(applications, features, rater)
    progress("features and ratings of every application", 1.0)
    books = [DayBook(engine, currency) for engine in engines]
    merchants = _merchants(dataset)
    for engine, book in zip(engines, books, strict=True):
        _require_empty(engine)
        book.add_merchants(merchants)
    settlements = _settlements_by_day(dataset, start, end)
    days = (end - start).days
    for offset in range(days):
        day = start + timedelta(days=offset)
        for policy, book in zip(policies, books, strict=True):
            for application in by_day.get(day, ()):
                _decide(book, policy, application, day, model_version)
            for merchant_id, net in settlements.get(day, ()):
                book.collect(merchant_id, net, day)
            book.close_day(day)
        progress("day by day", (offset + 1) / days)
    last = end - _ONE_DAY
    truth = _true_pd(dataset, applications)
    results = []
    for policy, book, engine in zip(policies, books, engines, strict=True):
        book.finish(last)
        results.append(_result(policy, book, engine, start, last, truth))
    return results


@dataclass(frozen=True)
class _Applicant:
    """An application of the records with its features and rating (amounts in the records'
    currency, every policy's: each policy's request is made from it)."""

    application_id: str
    merchant_id: str
    requested: Decimal | None
    rating: Rating
    features: dict[str, float]


def _decide(book: DayBook, policy: Policy, applicant: _Applicant, day: date, version: str) -> None:
    asked = applicant.requested
    request = CreditRequest(
        applicant.application_id,
        applicant.merchant_id,
        None if asked is None else Money(asked, policy.currency),
    )
    application = Application(request, day, applicant.features, applicant.rating)
    decision, record = decide_application(
        application, policy, exposure=book.exposure(request.merchant_id), model_version=version
    )
    book.record_decision(record, approved=decision.approved)
    if decision.approved:
        book.open_loan(_loan(decision, _chosen(decision), record.decision_id, day), day)


def _chosen(decision: Decision) -> Offer:
    """The offer closest to the amount asked for; the first of the menu on a tie."""
    asked = decision.requested_amount
    if asked is None:
        return decision.offers[0]
    return min(decision.offers, key=lambda offer: abs(offer.amount.amount - asked.amount))


def _loan(decision: Decision, offer: Offer, decision_id: str, day: date) -> LoanRecord:
    return LoanRecord(
        loan_id=LoanId(transaction_id(f"loan:backtest:{decision.application_id}")),
        merchant_id=MerchantId(decision.merchant_id),
        decision_id=decision_id,
        terms=offer.terms,
        principal=offer.amount.amount,
        currency=offer.amount.currency,
        status=LoanStatus.ACTIVE,
        accepted_on=day,
        disbursed_on=day,
    )


def _result(
    policy: Policy,
    book: DayBook,
    engine: Engine,
    start: date,
    last: date,
    truth: Mapping[str, float],
) -> BacktestResult:
    def read(session: Session) -> tuple[Mapping[Account, Decimal], Decimal]:
        queries = LoanBookQueries(session)
        return queries.balances(policy.currency), queries.trial_balance()

    balances, trial = in_transaction(engine, read)
    tally = book.tally
    cost = policy.pricing.cost_of_funds * tally.principal_days / 365
    funded_pd = [truth[a] for a in tally.funded_applications if a in truth]
    return BacktestResult(
        policy_version=policy.version,
        start=start,
        end=last,
        currency=policy.currency,
        applications=tally.applications,
        approved=tally.approved,
        loans=tally.loans,
        funded_amount=tally.funded_amount,
        defaults=tally.written_off,
        repaid=tally.repaid,
        losses=balances[Account.WRITE_OFF_EXPENSE],
        fee_income=balances[Account.FEE_INCOME],
        interest_income=balances[Account.INTEREST_INCOME],
        cost_of_funds=round_money(cost, policy.currency),
        capital=balances[Account.CAPITAL],
        trial_balance=trial,
        applications_true_pd=float(np.mean(list(truth.values()))) if truth else None,
        funded_true_pd=float(np.mean(funded_pd)) if funded_pd else None,
    )


def _applications(dataset: Dataset, start: date, end: date) -> pa.Table:
    table = dataset.table("applications")
    when = table["applied_at"]
    kind = when.type
    inside = pc.and_(
        pc.greater_equal(when, pa.scalar(as_of_instant(start), kind)),
        pc.less(when, pa.scalar(as_of_instant(end), kind)),
    )
    chosen = table.filter(inside)
    return chosen.sort_by([("applied_at", "ascending"), ("application_id", "ascending")])


@dataclass(frozen=True)
class _Rater:
    """How the backtest rates: the model, its improver, the scale, the records' currency."""

    model: RiskModel
    improver: Improver | None
    scale: ScoreScale | None
    currency: str


def _applications_by_day(
    applications: pa.Table, features: pd.DataFrame, rater: _Rater
) -> dict[date, list[_Applicant]]:
    """Each day's applications with their features and ratings (``features`` is in the order
    of ``applications``, as ``build_features`` returns its spine's rows)."""
    rows = features.set_index("application_id")
    ratings = rate(
        rater.model,
        rows,
        CATALOG,
        rater.scale,
        currency=rater.currency,
        improver=rater.improver,
    ).ratings
    catalogued = [c for c in features.columns if c not in _KEYS]
    values: list[dict[str, float]] = [
        {str(k): float(v) for k, v in row.items()}
        for row in features[catalogued].to_dict("records")
    ]
    columns = zip(
        applications["application_id"].to_pylist(),
        applications["merchant_id"].to_pylist(),
        applications["requested_amount"].to_pylist(),
        pc.cast(applications["applied_at"], pa.date32()).to_pylist(),
        ratings,
        values,
        strict=True,
    )
    by_day: dict[date, list[_Applicant]] = defaultdict(list)
    for application_id, merchant_id, asked, day, rating, row in columns:
        by_day[day].append(_Applicant(application_id, merchant_id, asked, rating, row))
    return by_day


def _settlements_by_day(
    dataset: Dataset, start: date, end: date
) -> dict[date, list[tuple[str, Decimal]]]:
    """Each day's positive payouts by merchant, in the records' order."""
    table = dataset.table("settlements")
    when = table["settled_at"]
    kind = when.type
    inside = pc.and_(
        pc.and_(
            pc.greater_equal(when, pa.scalar(as_of_instant(start), kind)),
            pc.less(when, pa.scalar(as_of_instant(end), kind)),
        ),
        pc.greater(table["net"], pa.scalar(Decimal(0), table["net"].type)),
    )
    chosen = table.filter(inside).sort_by(
        [("settled_at", "ascending"), ("merchant_id", "ascending")]
    )
    days = pc.cast(chosen["settled_at"], pa.date32()).to_pylist()
    by_day: dict[date, list[tuple[str, Decimal]]] = defaultdict(list)
    for day, merchant, net in zip(
        days, chosen["merchant_id"].to_pylist(), chosen["net"].to_pylist(), strict=True
    ):
        by_day[day].append((merchant, net))
    return by_day


def _merchants(dataset: Dataset) -> list[MerchantRecord]:
    table = dataset.table("merchants").select(["merchant_id", "category", "region", "onboarded_at"])
    return [
        MerchantRecord(MerchantId(m), str(c), str(r), o)
        for m, c, r, o in zip(*(table[n].to_pylist() for n in table.column_names), strict=True)
    ]


def _true_pd(dataset: Dataset, applications: pa.Table) -> dict[str, float]:
    """The simulator's true PD of each application in the window (empty for real records)."""
    if not dataset.has("truth"):
        return {}
    truth = dataset.table("truth")
    wanted = pc.is_in(truth["application_id"], applications["application_id"])
    chosen = truth.filter(wanted)
    return dict(
        zip(chosen["application_id"].to_pylist(), chosen["true_pd"].to_pylist(), strict=True)
    )


def _require_empty(engine: Engine) -> None:
    def nothing_there(session: Session) -> bool:
        queries = LoanBookQueries(session)
        posted = session.scalar(select(_TRANSACTIONS.c.id).limit(1))
        return posted is None and not any(queries.loans(status, limit=1) for status in LoanStatus)

    if not in_transaction(engine, nothing_there):
        raise ConfigError(f"the loan book at {engine.url} is not empty: a backtest needs a new one")
