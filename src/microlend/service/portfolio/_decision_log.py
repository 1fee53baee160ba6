"""The decision log of the risk officer's pages: every stored decision with its reasons,
filtered, searched by merchant, sorted and paged, and the decline reasons counted by month;
the CSV export reads the same rows. One decision in full (its stored inputs) is
``decision_record``; its replay is ``decisions.replay_decision``, which the page calls.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from microlend.ledger import Product
from microlend.policy import DecisionReason
from microlend.scoring import ScoreScale
from microlend.service.portfolio._table import (
    PER_PAGE,
    TablePage,
    band_rank,
    keeps,
    page_of,
    sorted_rows,
)
from microlend.store import DecisionRecord, LoanBookQueries, PortfolioQueries

__all__ = [
    "DecisionLine",
    "DecisionLog",
    "DecisionQuery",
    "DecisionSort",
    "Outcome",
    "ReasonCount",
    "decision_lines",
    "decision_log",
    "decision_record",
]


class Outcome(StrEnum):
    APPROVED = "approved"
    DECLINED = "declined"


class DecisionSort(StrEnum):
    """The columns the decision log sorts by (the query parameter's values)."""

    DECISION = "decision"
    DECIDED = "decided"
    MERCHANT = "merchant"
    OUTCOME = "outcome"
    SCORE = "score"
    BAND = "band"
    OFFERED = "offered"


@dataclass(frozen=True)
class DecisionQuery:
    """Which decisions, in which order (the latest first unless asked otherwise): a filter left
    ``None`` keeps all. ``reason``: a reason's code (a rule's, or a score reason's feature);
    ``month``: ``YYYY-MM`` of the decision; ``product``: one of the offers' products;
    ``merchant``: a part of the merchant's id, in any case."""

    outcome: Outcome | None = None
    reason: str | None = None
    band: str | None = None
    product: Product | None = None
    month: str | None = None
    merchant: str = ""
    sort: DecisionSort = DecisionSort.DECIDED
    descending: bool = True
    page: int = 1


@dataclass(frozen=True)
class DecisionLine:
    """One decision of the log. ``offered``: its largest offer (none on a decline);
    ``requested``: what was asked for (none: the whole limit)."""

    decision_id: str
    merchant_id: str
    as_of: date
    outcome: Outcome
    score: int
    band: str
    currency: str
    requested: Decimal | None
    offered: Decimal | None
    products: tuple[str, ...]
    reasons: tuple[DecisionReason, ...]
    model_version: str
    policy_version: str

    @property
    def month(self) -> str:
        return f"{self.as_of.year:04d}-{self.as_of.month:02d}"


@dataclass(frozen=True)
class ReasonCount:
    """How many declines of ``month`` gave reason ``code``."""

    month: str
    code: str
    declines: int


@dataclass(frozen=True)
class DecisionLog:
    """A page of the log; the decline reasons of every decision the query keeps, by month;
    and the reason codes and months of the whole log (the filters' choices)."""

    page: TablePage[DecisionLine]
    reasons_by_month: tuple[ReasonCount, ...]
    codes: tuple[str, ...]
    months: tuple[str, ...]


def _line(record: DecisionRecord) -> DecisionLine:
    decision = record.decision
    offered = max((offer.amount.amount for offer in decision.offers), default=None)
    requested = decision.requested_amount
    return DecisionLine(
        decision_id=record.decision_id,
        merchant_id=decision.merchant_id,
        as_of=decision.as_of,
        outcome=Outcome.APPROVED if decision.approved else Outcome.DECLINED,
        score=decision.score,
        band=decision.band,
        currency=decision.currency,
        requested=None if requested is None else requested.amount,
        offered=offered,
        products=tuple(dict.fromkeys(offer.product.value for offer in decision.offers)),
        reasons=decision.reasons,
        model_version=decision.model_version,
        policy_version=decision.policy_version,
    )


def _keeps(query: DecisionQuery, line: DecisionLine) -> bool:
    if query.reason is not None and query.reason not in {r.code for r in line.reasons}:
        return False
    if query.product is not None and query.product.value not in line.products:
        return False
    wanted = [(query.outcome, line.outcome), (query.band, line.band), (query.month, line.month)]
    return keeps(wanted, query.merchant, line.merchant_id)


def _sort_key(sort: DecisionSort, scale: ScoreScale) -> Callable[[DecisionLine], Any]:
    rank = band_rank(scale.band_order)
    keys: dict[DecisionSort, Callable[[DecisionLine], Any]] = {
        DecisionSort.DECISION: lambda x: x.decision_id,
        DecisionSort.DECIDED: lambda x: x.as_of,
        DecisionSort.MERCHANT: lambda x: x.merchant_id,
        DecisionSort.OUTCOME: lambda x: x.outcome.value,
        DecisionSort.SCORE: lambda x: x.score,
        DecisionSort.BAND: lambda x: rank(x.band),
        DecisionSort.OFFERED: lambda x: x.offered,
    }
    return keys[sort]


def _all_lines(engine: Engine) -> list[DecisionLine]:
    with Session(engine) as session:
        return [_line(record) for record in PortfolioQueries(session).decisions()]


def decision_lines(
    engine: Engine, query: DecisionQuery, scale: ScoreScale | None = None
) -> tuple[list[DecisionLine], list[DecisionLine]]:
    """The decisions ``query`` keeps, in its order, and every decision of the log."""
    every = _all_lines(engine)
    kept = [line for line in every if _keeps(query, line)]
    key = _sort_key(query.sort, scale or ScoreScale())
    ordered = sorted_rows(kept, key, descending=query.descending, tie=lambda x: x.decision_id)
    return ordered, every


def _reasons_by_month(lines: list[DecisionLine]) -> tuple[ReasonCount, ...]:
    counts: Counter[tuple[str, str]] = Counter(
        (line.month, reason.code)
        for line in lines
        if line.outcome is Outcome.DECLINED
        for reason in line.reasons
    )
    return tuple(ReasonCount(m, code, n) for (m, code), n in sorted(counts.items()))


def decision_log(
    engine: Engine,
    query: DecisionQuery,
    scale: ScoreScale | None = None,
    per_page: int = PER_PAGE,
) -> DecisionLog:
    """Page ``query.page`` of the decisions ``query`` keeps, with their decline reasons by
    month."""
    lines, every = decision_lines(engine, query, scale)
    return DecisionLog(
        page=page_of(lines, query.page, per_page),
        reasons_by_month=_reasons_by_month(lines),
        codes=tuple(sorted({r.code for line in every for r in line.reasons})),
        months=tuple(sorted({line.month for line in every})),
    )


def decision_record(engine: Engine, decision_id: str) -> DecisionRecord:
    """Decision ``decision_id`` as stored, inputs and all (``NotFoundError`` when absent)."""
    with Session(engine) as session:
        return LoanBookQueries(session).decision(decision_id)
