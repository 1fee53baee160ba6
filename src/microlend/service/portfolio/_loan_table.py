"""The loans table of the risk officer's pages: every loan with its band and vintage, filtered,
searched by merchant, sorted by any column and paged; the CSV export reads the same rows.

A loan's band is its decision's (the band it was priced in); its vintage the month it was
disbursed; its days past due the last end of day's, shown as the delinquency bucket.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from microlend.ledger import Bucket, Product
from microlend.scoring import ScoreScale
from microlend.service.portfolio._overview import LoanSummary, loan_summaries
from microlend.service.portfolio._table import (
    PER_PAGE,
    TablePage,
    band_rank,
    keeps,
    month_of,
    page_of,
    sorted_rows,
)
from microlend.store import LoanStatus, PortfolioQueries

__all__ = ["LoanLine", "LoanQuery", "LoanSort", "LoanTable", "loan_lines", "loan_table"]


class LoanSort(StrEnum):
    """The columns the loans table sorts by (the query parameter's values)."""

    LOAN = "loan"
    MERCHANT = "merchant"
    PRODUCT = "product"
    BAND = "band"
    PRINCIPAL = "principal"
    DISBURSED = "disbursed"
    STATUS = "status"
    DAYS_PAST_DUE = "days_past_due"
    OUTSTANDING = "outstanding"


@dataclass(frozen=True)
class LoanQuery:
    """Which loans, in which order: every filter left ``None`` (or ``merchant`` empty) keeps
    all. ``vintage`` is ``YYYY-MM``; ``bucket`` the days past due's range; ``merchant`` a part
    of the merchant's id, in any case."""

    status: LoanStatus | None = None
    band: str | None = None
    product: Product | None = None
    vintage: str | None = None
    bucket: Bucket | None = None
    merchant: str = ""
    sort: LoanSort = LoanSort.LOAN
    descending: bool = False
    page: int = 1


@dataclass(frozen=True)
class LoanLine:
    """One row of the table: the loan's summary, its decision's band, its vintage."""

    loan: LoanSummary
    band: str | None
    vintage: str | None


@dataclass(frozen=True)
class LoanTable:
    """A page of the table, and the vintages the book holds (the filter's choices)."""

    page: TablePage[LoanLine]
    vintages: tuple[str, ...]


def _all_lines(engine: Engine) -> list[LoanLine]:
    with Session(engine) as session:
        portfolio = PortfolioQueries(session)
        loans = portfolio.loans()
        bands = {d.decision_id: d.rating.band for d in portfolio.decisions()}
        summaries = loan_summaries(session, loans)
    return [
        LoanLine(line, bands.get(str(loan.decision_id)), month_of(loan.disbursed_on))
        for loan, line in zip(loans, summaries, strict=True)
    ]


def _keeps(query: LoanQuery, line: LoanLine) -> bool:
    loan = line.loan
    wanted: list[tuple[object, object]] = [
        (query.status, loan.status),
        (query.band, line.band),
        (query.product, loan.product),
        (query.vintage, line.vintage),
        (query.bucket, loan.bucket),
    ]
    return keeps(wanted, query.merchant, loan.merchant_id)


def _sort_key(sort: LoanSort, scale: ScoreScale) -> Callable[[LoanLine], Any]:
    rank = band_rank(scale.band_order)
    keys: dict[LoanSort, Callable[[LoanLine], Any]] = {
        LoanSort.LOAN: lambda x: x.loan.loan_id,
        LoanSort.MERCHANT: lambda x: x.loan.merchant_id,
        LoanSort.PRODUCT: lambda x: x.loan.product,
        LoanSort.BAND: lambda x: rank(x.band),
        LoanSort.PRINCIPAL: lambda x: x.loan.principal,
        LoanSort.DISBURSED: lambda x: x.loan.disbursed_on,
        LoanSort.STATUS: lambda x: x.loan.status.value,
        LoanSort.DAYS_PAST_DUE: lambda x: x.loan.days_past_due,
        LoanSort.OUTSTANDING: lambda x: x.loan.outstanding,
    }
    return keys[sort]


def loan_lines(
    engine: Engine, query: LoanQuery, scale: ScoreScale | None = None
) -> tuple[list[LoanLine], tuple[str, ...]]:
    """Every loan ``query`` keeps, in its order, and the vintages of the whole book."""
    every = _all_lines(engine)
    kept = [line for line in every if _keeps(query, line)]
    key = _sort_key(query.sort, scale or ScoreScale())
    ordered = sorted_rows(kept, key, descending=query.descending, tie=lambda x: x.loan.loan_id)
    vintages = tuple(sorted({line.vintage for line in every if line.vintage is not None}))
    return ordered, vintages


def loan_table(
    engine: Engine, query: LoanQuery, scale: ScoreScale | None = None, per_page: int = PER_PAGE
) -> LoanTable:
    """Page ``query.page`` of the loans ``query`` keeps."""
    lines, vintages = loan_lines(engine, query, scale)
    return LoanTable(page_of(lines, query.page, per_page), vintages)
