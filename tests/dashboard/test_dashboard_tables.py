"""The loans table and the decision log through FastAPI's TestClient: sort, filter, search,
paging, CSV export with the same rows, query parameters refused with a clear page, the decision
page's stored inputs, labels from the catalog, and the login in front of all of them."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from decision_support import made_decision, offer_of
from microlend.dashboard import DashboardContext, dashboard_router
from microlend.dashboard._labels import feature_label, reason_label
from microlend.features import CATALOG
from microlend.ledger import FixedInstalmentTerms, ShareOfSalesTerms
from microlend.money import Money
from microlend.policy import DecisionReason, ReasonSource
from microlend.service import (
    Role,
    accept_offer,
    create_api_key,
    disburse,
    fund_book,
    record_decision,
)
from microlend.service.portfolio._table import page_of
from microlend.store import DecisionRecord, LoanBookCommands, MerchantRecord, in_transaction
from microlend.types import MerchantId

DAY = date(2025, 6, 30)
FIXED = FixedInstalmentTerms(annual_rate=Decimal("0.24"), count=6)
SHARE = ShareOfSalesTerms(fee_rate=Decimal("0.10"), holdback_rate=Decimal("0.20"))
MERCHANTS = ("shop-a", "shop-b", "store-c", "store-d")
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')
LOW_RATING = DecisionReason(ReasonSource.SCORE, "rating_mean_180d", "your rating is low", None, 2.1)
SMALL = DecisionReason(ReasonSource.POLICY, "limit_below_minimum", "your limit is too small")


def _decision(
    number: int, merchant: str, as_of: date, amount: str | None, band: str
) -> DecisionRecord:
    """An approval of ``amount`` (fixed instalments on even numbers, share of sales on odd)
    or, without an amount, a decline for a low rating and a small limit."""
    offers = [] if amount is None else [offer_of(amount, FIXED if number % 2 == 0 else SHARE)]
    record = made_decision(
        f"D{number:03d}",
        merchant,
        as_of=as_of,
        offers=offers,
        limit=None if amount is None else "100000.00",
        score=500 + 10 * number,
        features={"gmv_30d": 1000.0 + number, "refund_rate_90d": None},
    )
    reasons = (LOW_RATING, SMALL) if amount is None else ()
    decision = replace(record.decision, band=band, reasons=reasons)
    return replace(record, decision=decision, rating=replace(record.rating, band=band))


@dataclass(frozen=True)
class Book:
    engine: Engine
    keys: dict[str, str]
    app: FastAPI
    loans: dict[str, str]  # loan id -> merchant


@pytest.fixture
def book(book_maker: Callable[[str], Engine]) -> Book:
    """Four merchants; eight approvals (amounts 1,000 to 8,000, two products, two bands,
    disbursed in May and June) each taken as a loan; four declines."""
    engine = book_maker("sqlite")
    records = [
        MerchantRecord(MerchantId(m), "toys", "north", datetime(2024, 1, 1, tzinfo=UTC))
        for m in MERCHANTS
    ]
    in_transaction(engine, lambda session: LoanBookCommands(session).add_merchants(records))
    fund_book(engine, Money(Decimal(1_000_000), "USD"), date(2025, 1, 1), "capital")
    loans: dict[str, str] = {}
    for number in range(12):
        merchant = MERCHANTS[number % 4]
        as_of = date(2025, 5, 1) + timedelta(days=5 * number)
        amount = None if number >= 8 else f"{1000 * (number + 1)}.00"
        record = _decision(number, merchant, as_of, amount, "good" if number < 4 else "fair")
        record_decision(engine, record)
        if amount is None:
            continue
        accepted = accept_offer(
            engine,
            merchant_id=MerchantId(merchant),
            offer=record.decision.offers[0],
            business_date=as_of,
            idempotency_key=f"accept-{number}",
            decision_id=record.decision_id,
        )
        assert accepted.loan_id is not None
        if number != 7:  # one loan stays accepted, not disbursed
            disburse(engine, accepted.loan_id, as_of, f"disburse-{number}")
        loans[accepted.loan_id] = merchant
    keys = {
        "officer": create_api_key(engine, Role.RISK_OFFICER),
        "merchant": create_api_key(engine, Role.MERCHANT, MERCHANTS[0]),
    }
    app = FastAPI()
    app.include_router(dashboard_router(DashboardContext(engine, "USD", lambda: DAY)))
    return Book(engine, keys, app, loans)


def _log_in(app: FastAPI, key: str) -> TestClient:
    client = TestClient(app, follow_redirects=False)
    form = client.get("/login")
    token = _CSRF.search(form.text)
    assert token is not None
    answer = client.post("/login", data={"key": key, "csrf": token[1], "next": ""})
    assert answer.status_code == 303
    return client


@pytest.fixture
def officer(book: Book) -> Iterator[TestClient]:
    with _log_in(book.app, book.keys["officer"]) as client:
        yield client


_LOAN_ROW = re.compile(r'<tr class="loan" data-loan="([^"]+)">')
_DECISION_ROW = re.compile(r'<tr class="decision" data-decision="([^"]+)">')


def _amounts(page: httpx.Response) -> list[Decimal]:
    return [
        Decimal(a)
        for a in re.findall(r'data-amount="([^"]+)">[^<]*</td><td class="date"', page.text)
    ]


def _csv_rows(answer: httpx.Response) -> list[dict[str, str]]:
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert "attachment" in answer.headers["content-disposition"]
    return list(csv.DictReader(io.StringIO(answer.text)))


def test_the_loans_table_sorts_by_any_column_both_ways(book: Book, officer: TestClient) -> None:
    page = officer.get("/dashboard/loans")
    assert page.status_code == 200
    assert _LOAN_ROW.findall(page.text) == sorted(book.loans)
    rising = _amounts(officer.get("/dashboard/loans", params={"sort": "principal"}))
    assert rising == sorted(rising)
    assert len(rising) == 8
    falling = officer.get("/dashboard/loans", params={"sort": "principal", "order": "desc"})
    assert _amounts(falling) == sorted(rising, reverse=True)
    # The sorted column's header links to the other direction and says which way it runs.
    assert 'aria-sort="descending"' in falling.text
    assert "sort=principal&amp;order=asc" in falling.text


def test_the_loans_table_filters_and_searches(book: Book, officer: TestClient) -> None:
    def ids(**params: str) -> set[str]:
        page = officer.get("/dashboard/loans", params=params)
        assert page.status_code == 200, page.text
        return set(_LOAN_ROW.findall(page.text))

    assert len(ids(status="active")) == 7
    assert len(ids(status="accepted")) == 1
    assert len(ids(product="share_of_sales")) == 4
    assert len(ids(band="good")) == 4
    assert len(ids(band="poor")) == 0
    assert len(ids(vintage="2025-05")) + len(ids(vintage="2025-06")) == 7
    assert len(ids(dpd="current")) == 8
    searched = ids(merchant="STORE")
    assert searched == {loan for loan, m in book.loans.items() if m.startswith("store")}
    both = ids(merchant="store", product="fixed_instalment")
    assert both
    assert both < searched
    # An empty value is "any": what the filter form sends for an unset choice.
    assert len(ids(status="", merchant="")) == 8
    empty = officer.get("/dashboard/loans", params={"band": "poor"})
    assert "No loans match these filters" in empty.text


def test_amounts_are_right_aligned_with_separators(officer: TestClient) -> None:
    page = officer.get("/dashboard/loans", params={"sort": "principal", "order": "desc"})
    assert '<td class="num" data-amount="8000.00">8,000.00 USD</td>' in page.text


def test_the_loans_export_has_the_filtered_rows_in_the_tables_order(
    book: Book, officer: TestClient
) -> None:
    params = {"product": "fixed_instalment", "sort": "principal", "order": "desc", "page": "1"}
    page = officer.get("/dashboard/loans", params=params)
    rows = _csv_rows(officer.get("/dashboard/loans.csv", params=params))
    assert [row["loan_id"] for row in rows] == _LOAN_ROW.findall(page.text)
    assert [row["principal"] for row in rows] == ["7000.00", "5000.00", "3000.00", "1000.00"]
    assert {row["product"] for row in rows} == {"fixed_instalment"}
    assert set(rows[0]) >= {"loan_id", "merchant_id", "band", "vintage", "outstanding"}
    assert all(re.fullmatch(r"\d+\.\d\d", row["outstanding"]) for row in rows)
    # The page links to this export with its filters.
    assert "/dashboard/loans.csv?product=fixed_instalment&amp;sort=principal" in page.text


@pytest.mark.parametrize(
    ("query", "status", "says"),
    [
        ("sort=colour", 422, "sort 'colour' is not one of"),
        ("status=lost", 422, "status 'lost' is not one of"),
        ("band=B", 422, "band 'B' is not one of: excellent"),
        ("vintage=2025-13", 422, "is not a month written YYYY-MM"),
        ("page=0", 422, "page '0' is not a whole number"),
        ("page=two", 422, "page 'two'"),
        ("order=up", 422, "order 'up' is not one of: asc, desc"),
        ("after=L1", 400, "This table has no parameter 'after'"),
        ("status=active&status=repaid", 400, "given more than once"),
    ],
)
def test_a_bad_query_parameter_is_refused_with_a_page_saying_which(
    officer: TestClient, query: str, status: int, says: str
) -> None:
    for path in ("/dashboard/loans", "/dashboard/loans.csv"):
        answer = officer.get(f"{path}?{query}")
        assert answer.status_code == status, (path, answer.text)
        assert answer.headers["content-type"].startswith("text/html")
        assert says in answer.text.replace("&#39;", "'"), answer.text


def test_the_decision_log_filters_by_outcome_reason_and_merchant(
    book: Book, officer: TestClient
) -> None:
    page = officer.get("/dashboard/decisions")
    assert page.status_code == 200
    # The latest first, every decision with its reasons in words.
    assert _DECISION_ROW.findall(page.text) == [f"D{n:03d}" for n in reversed(range(12))]
    assert reason_label("rating_mean_180d") in page.text
    declined = officer.get("/dashboard/decisions", params={"outcome": "declined"})
    assert _DECISION_ROW.findall(declined.text) == ["D011", "D010", "D009", "D008"]
    by_reason = officer.get("/dashboard/decisions", params={"reason": "limit_below_minimum"})
    assert len(_DECISION_ROW.findall(by_reason.text)) == 4
    mine = officer.get("/dashboard/decisions", params={"merchant": "shop-b", "sort": "score"})
    assert _DECISION_ROW.findall(mine.text) == ["D009", "D005", "D001"]
    rising = officer.get(
        "/dashboard/decisions", params={"merchant": "shop-b", "sort": "score", "order": "asc"}
    )
    assert _DECISION_ROW.findall(rising.text) == ["D001", "D005", "D009"]
    unknown = officer.get("/dashboard/decisions", params={"outcome": "maybe"})
    assert unknown.status_code == 422
    assert "outcome &#39;maybe&#39; is not one of: approved, declined" in unknown.text


def test_the_decision_log_charts_decline_reasons_by_month(officer: TestClient) -> None:
    page = officer.get("/dashboard/decisions")
    chart = re.search(r'<svg[^>]*data-chart="decline-reasons"[^>]*data-points="(\d+)"', page.text)
    assert chart is not None, page.text
    # The four declines, all in June 2025, give two reasons each: a point per reason.
    assert int(chart[1]) == 2
    assert "Jun 2025" in page.text
    assert "Limit below minimum" in page.text
    none = officer.get("/dashboard/decisions", params={"outcome": "approved"})
    assert '<text class="empty"' in none.text
    assert "No data yet" in none.text


def test_the_decision_log_pages_and_exports_every_page(book: Book, officer: TestClient) -> None:
    for number in range(12, 60):
        as_of = date(2025, 7, 1) + timedelta(days=number % 20)
        record_decision(book.engine, _decision(number, "shop-a", as_of, None, "weak"))
    first = officer.get("/dashboard/decisions", params={"sort": "decision", "order": "asc"})
    assert len(_DECISION_ROW.findall(first.text)) == 50
    assert 'data-pages="2"' in first.text
    assert "Decisions 1&ndash;50 of 60" in first.text
    assert "/dashboard/decisions?sort=decision&amp;order=asc&amp;page=2" in first.text
    second = officer.get(
        "/dashboard/decisions", params={"sort": "decision", "order": "asc", "page": "2"}
    )
    assert _DECISION_ROW.findall(second.text) == [f"D{n:03d}" for n in range(50, 60)]
    rows = _csv_rows(
        officer.get("/dashboard/decisions.csv", params={"sort": "decision", "order": "asc"})
    )
    assert [row["decision_id"] for row in rows] == [f"D{n:03d}" for n in range(60)]
    assert rows[0]["offered"] == "1000.00"
    assert rows[0]["outcome"] == "approved"
    assert rows[59]["reasons"] == "rating_mean_180d;limit_below_minimum"
    # A page past the last shows the last.
    past = officer.get("/dashboard/decisions", params={"page": "9"})
    assert 'data-page="2"' in past.text


def test_a_decision_page_shows_its_stored_inputs_with_catalog_labels(
    officer: TestClient,
) -> None:
    log = officer.get("/dashboard/decisions")
    assert 'href="/dashboard/decisions/D003"' in log.text
    page = officer.get("/dashboard/decisions/D003")
    assert page.status_code == 200
    assert '<span id="decision-id">D003</span>' in page.text
    assert feature_label("gmv_30d") in page.text
    assert ">1003<" in page.text
    assert feature_label("refund_rate_90d") in page.text
    assert ">missing<" in page.text
    assert "4,000.00 USD" in page.text  # its offer
    # This app was given no model: the page says replay is not available, not a 500.
    assert "cannot be replayed here" in page.text
    assert officer.get("/dashboard/decisions/D999").status_code == 404
    assert officer.get("/dashboard/decisions/no%20such").status_code == 404


def test_the_tables_need_a_risk_officers_session(book: Book) -> None:
    paths = [
        "/dashboard/loans",
        "/dashboard/loans.csv",
        "/dashboard/decisions",
        "/dashboard/decisions.csv",
        "/dashboard/decisions/D001",
    ]
    with TestClient(book.app, follow_redirects=False) as anonymous:
        for path in paths:
            answer = anonymous.get(path)
            assert answer.status_code == 303
            assert answer.headers["location"].startswith("/login")
    with _log_in(book.app, book.keys["merchant"]) as merchant:
        for path in paths:
            assert merchant.get(path).status_code == 403, path


def test_labels_come_from_the_catalog() -> None:
    assert feature_label("gmv_30d") == "Sales (GMV, not cancelled) over the last 30 days"
    assert feature_label("rating_trend_90d").startswith("Mean rating of the last 90 days")
    assert feature_label("not_a_feature") == "not a feature"
    # A meaning naming another feature (a peer percentile's) names it in words too.
    assert [spec.name for spec in CATALOG if "_" in feature_label(spec.name)] == []
    assert reason_label("score_below_minimum") == "Score below minimum"
    assert reason_label("refund_rate_90d") == feature_label("refund_rate_90d")


def test_a_page_past_the_end_is_the_last_and_an_empty_table_has_one_page() -> None:
    assert page_of(list(range(120)), 3, 50).rows == tuple(range(100, 120))
    last = page_of(list(range(120)), 7, 50)
    assert (last.page, last.pages, last.first, last.last) == (3, 3, 101, 120)
    empty = page_of(list[int](), 1, 50)
    assert (empty.pages, empty.first, empty.last, empty.rows) == (1, 0, 0, ())
