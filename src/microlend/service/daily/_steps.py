"""The steps of one business day, each a function of the day's ``DayInputs`` returning its
report as JSON values. Each is safe to run again after it was interrupted: ingestion is once per
batch, closing the store's day is closing it again, rating is pure, the offers replace the
date's, collections and end of day post under keys named by the date, monitoring is pure."""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from microlend.data import Dataset, batches, close_day, ingest, load_store, read_store
from microlend.errors import ArtifactError, NotFoundError
from microlend.features import store_features
from microlend.models import ModelArtifact, load_artifact
from microlend.policy import CreditRequest, Policy, decide
from microlend.service.backtest import model_version
from microlend.service.daily._collect import collect_settlements
from microlend.service.decisions import lending_currency
from microlend.service.lending import end_of_day, exposure_in, sync_merchants
from microlend.service.portfolio import book_population, monitor_on_records
from microlend.service.rating import FeatureSnapshot, take_snapshot
from microlend.store import DaySteps, PrequalifiedOffer, in_transaction

__all__ = ["STEPS", "DayInputs", "run_step"]

#: The steps of a business day, in order.
STEPS = ("ingest", "close_store", "rate", "offers", "collect", "end_of_day", "monitor")
_DATED = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass
class DayInputs:
    """What a business day is closed with; the records, the model and the ratings are read once,
    when a step first needs them (a resumed day may need none)."""

    store: Path
    engine: Engine
    model: Path
    policy: Policy
    day: date
    inbox: Path | None
    at: datetime
    _artifact: ModelArtifact | None = field(default=None, repr=False)
    _dataset: Dataset | None = field(default=None, repr=False)
    _snapshot: FeatureSnapshot | None = field(default=None, repr=False)

    def artifact(self) -> ModelArtifact:
        if self._artifact is None:
            self._artifact = load_artifact(self.model)
        return self._artifact

    def dataset(self) -> Dataset:
        if self._dataset is None:
            self._dataset = load_store(self.store)
        return self._dataset

    def snapshot(self) -> FeatureSnapshot:
        """Every merchant rated as of the next day, from the store's daily aggregates."""
        if self._snapshot is None:
            as_of = self.day + timedelta(days=1)
            built = store_features(self.store, as_of=as_of).to_pandas()
            rows = built.set_index("merchant_id").drop(columns=["as_of"])
            currency = lending_currency(self.dataset(), self.policy)
            model = self.artifact().model
            self._snapshot = take_snapshot(
                model, self.dataset(), as_of, improver=None, rows=rows, currency=currency
            )
        return self._snapshot


def closed_through(store: Path) -> date | None:
    """The store's last closed day (``None`` for a store not made yet)."""
    if not store.exists():
        return None
    with read_store(store) as con:
        rows = con.execute("SELECT closed_through FROM store.store_state").fetchall()
    closed: date | None = rows[0][0] if rows else None
    return closed


def _ingest(inputs: DayInputs) -> dict[str, Any]:
    """Every batch folder waiting in the inbox: any not named by a date first (a history), in
    name order, on the first day that finds it (once: by its hash, and a folder already
    ingested is not read again); then those named by a date
    (``YYYY-MM-DD``, a day's export) up to the day, in order, each waiting for its day (one on
    or before the store's closed day can bring nothing more)."""
    if inputs.inbox is None:
        return {"batches": []}
    if not inputs.inbox.is_dir():
        raise NotFoundError(f"no inbox folder at {inputs.inbox}")
    closed = closed_through(inputs.store)
    # A folder once ingested is not read again (reading it would find its batch stored).
    stored = {r.source for r in batches(inputs.store)} if inputs.store.exists() else set()
    done = []
    waiting = [p for p in inputs.inbox.iterdir() if p.is_dir() and not p.name.startswith(".")]
    # Undated folders (a history) first, then the days in order.
    for folder in sorted(waiting, key=lambda p: (bool(_DATED.match(p.name)), p.name)):
        if _DATED.match(folder.name):
            when = date.fromisoformat(folder.name)
            if when > inputs.day or (closed is not None and when <= closed):
                continue
        if str(folder) in stored:
            continue
        receipt = ingest(inputs.store, folder, at=inputs.at)
        rows = sum(receipt.rows.values())
        done.append({"batch": folder.name, "batch_id": receipt.batch_id, "rows": rows})
    return {"batches": done}


def _close_store(inputs: DayInputs) -> dict[str, Any]:
    return {"closed_through": close_day(inputs.store, inputs.day).isoformat()}


def _rate(inputs: DayInputs) -> dict[str, Any]:
    known = sync_merchants(inputs.engine, inputs.dataset())
    snapshot = inputs.snapshot()
    ratings = list(snapshot.ratings.values())
    scores = [r.score for r in ratings]
    return {
        "as_of": snapshot.as_of.isoformat(),
        "merchants": len(ratings),
        "merchants_in_records": known,
        "mean_pd": _number(sum(r.pd for r in ratings) / len(ratings)) if ratings else None,
        "mean_score": _number(sum(scores) / len(scores)) if scores else None,
    }


def _offers(inputs: DayInputs) -> dict[str, Any]:
    """The merchants the policy would approve today (no amount asked: its whole menu), with the
    largest amount on offer; stored in place of the date's, with the step, in one transaction."""
    snapshot, policy, day = inputs.snapshot(), inputs.policy, inputs.day
    version = model_version(inputs.artifact())
    merchants = sorted(snapshot.ratings)

    def unit(session: Session) -> dict[str, Any]:
        offers = []
        for merchant in merchants:
            rating = snapshot.ratings[merchant]
            decision = decide(
                CreditRequest(f"prequalify:{day}:{merchant}", merchant),
                rating,
                snapshot.numbers_of(merchant),
                policy,
                exposure=exposure_in(session, merchant, policy.currency, day),
                as_of=snapshot.as_of,
                model_version=version,
            )
            if decision.approved:
                amount = max(offer.amount.amount for offer in decision.offers)
                offers.append(
                    PrequalifiedOffer(day, merchant, amount, policy.currency, rating.score)
                )
        total = sum((o.amount for o in offers), Decimal(0))
        report = {"merchants": len(merchants), "offers": len(offers), "amount": str(total)}
        steps = DaySteps(session)
        steps.replace_offers(day, offers)
        steps.record(day, "offers", report)
        return report

    return in_transaction(inputs.engine, unit)


def _collect(inputs: DayInputs) -> dict[str, Any]:
    return collect_settlements(inputs.engine, inputs.store, inputs.day)


def _end_of_day(inputs: DayInputs) -> dict[str, Any]:
    closed = end_of_day(inputs.engine, inputs.day, accrue_in_pause=inputs.policy.accrue_in_pause)
    report = asdict(closed)
    report["business_date"] = closed.business_date.isoformat()
    report["buckets"] = {str(bucket): n for bucket, n in closed.buckets.items()}
    return report


def _monitor(inputs: DayInputs) -> dict[str, Any]:
    """The model's drift and calibration verdicts (``monitor_on_records``), on the book's
    decisions when it holds some; alerts are the variables to watch or act on. Records that
    cannot give a verdict (no applications on one side of the training window) say why."""
    found = book_population(inputs.engine)
    try:
        result = monitor_on_records(
            inputs.artifact(),
            inputs.dataset(),
            current=found if len(found) else None,
            minimum=inputs.policy.minimum_sample,
        )
    except ArtifactError as error:
        return {"verdict": None, "reason": str(error), "alerts": []}
    stabilities = [result.score, *result.features]
    return {
        "verdict": result.verdict.value,
        "calibration": result.calibrated.verdict.value,
        "current_population": result.current,
        "n_current": result.n_current,
        "psi": {s.name: _number(s.psi) for s in stabilities},
        "alerts": [
            {"variable": s.name, "verdict": s.verdict.value}
            for s in stabilities
            if s.verdict.value in ("watch", "act")
        ],
    }


def _number(value: float) -> float | None:
    """A float as JSON holds it: NaN (no value) as null."""
    return None if math.isnan(value) else round(float(value), 6)


_STEPS = {
    "ingest": _ingest,
    "close_store": _close_store,
    "rate": _rate,
    "offers": _offers,
    "collect": _collect,
    "end_of_day": _end_of_day,
    "monitor": _monitor,
}


def run_step(inputs: DayInputs, step: str) -> dict[str, Any]:
    """Run ``step`` and record it done with its report (the offers' step records itself, in
    the transaction of its offers)."""
    report = _STEPS[step](inputs)
    if step != "offers":
        in_transaction(inputs.engine, lambda s: DaySteps(s).record(inputs.day, step, report))
    return report
