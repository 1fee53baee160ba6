"""The merchant's page through FastAPI's TestClient: what it shows (score, sub-scores explained,
reasons, suggestions, offers, loans, charts), and accepting an offer from it under the rules of
the api's accept (single use, expiry, limit, idempotency, CSRF, only the merchant itself)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from markupsafe import escape
from sqlalchemy import Engine

from decision_support import made_decision, offer_of
from microlend.dashboard import DashboardContext, dashboard_router
from microlend.dashboard._charts import merchant_sales_chart
from microlend.features import Dimension
from microlend.ledger import FixedInstalmentTerms, ShareOfSalesTerms
from microlend.money import Money, format_money
from microlend.policy import (
    CreditRequest,
    Exposure,
    decide,
    default_policy,
    notice_for,
    percent,
)
from microlend.scoring import Change, Improvement, Reason
from microlend.service import (
    Role,
    cancel_loan,
    charge_off_loan,
    create_api_key,
    disburse,
    end_of_day,
    fund_book,
    loan_view,
    merchant_view,
    post_payment,
    record_decision,
)
from microlend.service.portfolio._merchant import DIMENSIONS
from microlend.store import (
    DecisionInputs,
    DecisionRecord,
    LoanBookCommands,
    MerchantRecord,
    in_transaction,
)
from microlend.types import MerchantId

DAY = date(2025, 3, 3)
FIXED = FixedInstalmentTerms(annual_rate=Decimal("0.24"), count=6)
SHARE = ShareOfSalesTerms(fee_rate=Decimal("0.10"), holdback_rate=Decimal("0.20"))
REASON = "your refunds are high: 12.0 % of orders over the last 90 days"
SUGGESTION = "lower your refunds from 12.0 % to 4.0 % of orders"
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass
class Today:
    day: date = DAY

    def __call__(self) -> date:
        return self.day


@dataclass(frozen=True)
class Book:
    engine: Engine
    today: Today
    keys: dict[str, str]
    app: FastAPI


def _decision(
    decision_id: str,
    merchant: str = "M1",
    *,
    as_of: date = DAY,
    limit: str = "1300.00",
    sales: float | None = 5210.4,
) -> DecisionRecord:
    """An approval of two offers (fixed instalments, share of sales) with a reason and a
    suggestion, the merchant's 30-day sales ``sales``."""
    record = made_decision(
        decision_id,
        merchant,
        as_of=as_of,
        offers=[offer_of("1300.00", FIXED), offer_of("1300.00", SHARE)],
        limit=limit,
        features={"gmv_30d": sales},
    )
    change = Change("refund_rate_90d", 0.12, 0.04, SUGGESTION)
    rating = replace(
        record.rating,
        reasons=(Reason("refund_rate_90d", 0.4, 0.12, REASON),),
        improvements=(Improvement((change,), 0.02, 731, "A", 0.2),),
    )
    return replace(record, rating=rating)


@pytest.fixture
def book(request: pytest.FixtureRequest, book_maker: Callable[[str], Engine]) -> Book:
    """The dashboard on a SQLite book; ``indirect`` parametrisation with "postgresql" moves it."""
    engine = book_maker(getattr(request, "param", "sqlite"))
    onboarded = datetime(2024, 1, 1, tzinfo=UTC)
    records = [MerchantRecord(MerchantId(m), "toys", "north", onboarded) for m in ("M1", "M2")]
    in_transaction(engine, lambda session: LoanBookCommands(session).add_merchants(records))
    fund_book(engine, Money(Decimal(1_000_000), "USD"), DAY, "capital")
    record_decision(engine, _decision("D0", as_of=DAY - timedelta(days=60), sales=4100.0))
    record_decision(engine, _decision("D1"))
    record_decision(engine, _decision("D2", "M2"))
    keys = {
        "officer": create_api_key(engine, Role.RISK_OFFICER),
        "M1": create_api_key(engine, Role.MERCHANT, "M1"),
        "servicing": create_api_key(engine, Role.SERVICING),
    }
    today = Today()
    app = FastAPI()
    app.include_router(dashboard_router(DashboardContext(engine, "USD", today)))
    return Book(engine, today, keys, app)


@pytest.fixture
def client(book: Book) -> Iterator[TestClient]:
    with TestClient(book.app, follow_redirects=False) as opened:
        yield opened


def _log_in(client: TestClient, key: str) -> None:
    form = client.get("/login")
    token = _CSRF.search(form.text)
    assert token is not None
    answer = client.post("/login", data={"key": key, "csrf": token[1], "next": ""})
    assert answer.status_code == 303


def _page(client: TestClient) -> httpx.Response:
    page = client.get("/merchants/M1")
    assert page.status_code == 200
    return page


def _accept(client: TestClient, offer: str = "1", decision: str = "D1") -> httpx.Response:
    token = _CSRF.search(_page(client).text)
    assert token is not None
    data = {"csrf": token[1], "decision": decision, "offer": offer}
    answer: httpx.Response = client.post("/merchants/M1/accept", data=data)
    return answer


def test_every_dimension_is_explained_in_plain_words() -> None:
    assert set(DIMENSIONS) == set(Dimension)
    assert all(title and meaning and "_" not in meaning for title, meaning in DIMENSIONS.values())


def test_the_merchant_reads_its_score_explained_its_reasons_and_what_would_raise_it(
    book: Book, client: TestClient
) -> None:
    _log_in(client, book.keys["M1"])
    text = _page(client).text
    assert '<span id="score">700</span>' in text
    for title, meaning in DIMENSIONS.values():
        assert title in text
        assert str(escape(meaning)) in text
    assert REASON in text
    told = f"{SUGGESTION}, if nothing else changes: your score would be about <b>731</b> (A)."
    assert told in text
    assert text.count('class="primary accept"') == 2  # an Accept button per offer
    assert 'href="/dashboard' not in text  # no risk officer's navigation
    assert 'href="/merchants/M1">Your page' in text


def test_the_score_and_sales_charts_have_a_point_per_decision(
    book: Book, client: TestClient
) -> None:
    _log_in(client, book.keys["M1"])
    text = _page(client).text
    score = re.search(r'data-chart="score-history" data-points="(\d+)"', text)
    sales = re.search(r'data-chart="sales-history" data-points="(\d+)"', text)
    assert score is not None
    assert sales is not None
    assert (score[1], sales[1]) == ("2", "2")
    assert f'data-x="{DAY - timedelta(days=60)}" data-y="4100"' in text
    assert "sales (USD)" in text  # the axis names its currency
    record_decision(book.engine, _decision("D3", as_of=DAY + timedelta(days=1), sales=None))
    assert 'data-x="2025-03-04" data-y="700"' in _page(client).text  # the score, no sales


def test_sales_not_known_are_left_out_and_none_says_no_data_yet(book: Book) -> None:
    record_decision(book.engine, _decision("E1", "M2", sales=None))
    view = merchant_view(book.engine, "M2", DAY)
    assert [p.sales_30d for p in view.history] == [Decimal("5210.40"), None]
    assert 'data-points="1"' in str(merchant_sales_chart(view))
    chart = str(merchant_sales_chart(replace(view, history=view.history[1:])))
    assert 'data-points="0"' in chart
    assert "No data yet" in chart


def test_accepting_an_offer_creates_the_loan_once_and_shows_it(
    book: Book, client: TestClient
) -> None:
    _log_in(client, book.keys["M1"])
    answer = _accept(client)
    assert answer.status_code == 303
    location = answer.headers["location"]
    match = re.fullmatch(r"/merchants/M1\?accepted=([\w-]+)#loans", location)
    assert match is not None
    loan_id = match[1]
    assert loan_view(book.engine, loan_id, DAY).loan.status == "accepted"
    page = client.get(location.split("#")[0])
    assert f"loan <b>{loan_id}</b> of 1,300.00 USD" in page.text
    assert f'id="loan-{loan_id}"' in page.text
    assert 'class="primary accept"' not in page.text  # one decision, one loan
    again = _accept(client)  # the same form sent twice: the same loan, nothing more
    assert again.headers["location"] == location
    other = _accept(client, offer="2")
    assert other.status_code == 409
    assert "You have already accepted one of these offers" in other.text
    assert len(merchant_view(book.engine, "M1", DAY).loans) == 1


def test_an_expired_offer_has_no_button_and_is_refused_on_the_page(
    book: Book, client: TestClient
) -> None:
    _log_in(client, book.keys["M1"])
    token = _CSRF.search(_page(client).text)
    assert token is not None
    book.today.day = DAY + timedelta(days=8)  # the offers stood seven days
    page = _page(client).text
    assert "These offers expired on 2025-03-10" in page
    assert 'class="primary accept"' not in page
    answer = client.post(
        "/merchants/M1/accept", data={"csrf": token[1], "decision": "D1", "offer": "1"}
    )
    assert answer.status_code == 409
    assert "These offers have expired: apply again for a new decision." in answer.text
    assert merchant_view(book.engine, "M1", book.today.day).loans == ()


def test_an_offer_over_the_granted_limit_is_refused_in_plain_words(
    book: Book, client: TestClient
) -> None:
    record_decision(book.engine, _decision("D9", limit="1000.00"))
    _log_in(client, book.keys["M1"])
    answer = _accept(client, decision="D9")
    assert answer.status_code == 409
    assert "past the limit this decision granted" in answer.text
    assert 'id="score"' in answer.text  # the page itself, with the message
    assert merchant_view(book.engine, "M1", DAY).loans == ()


def test_another_merchants_decision_or_a_missing_offer_is_not_found(
    book: Book, client: TestClient
) -> None:
    _log_in(client, book.keys["M1"])
    for decision, offer in (("D2", "1"), ("D1", "3"), ("D1", "x"), ("nope", "1")):
        answer = _accept(client, offer=offer, decision=decision)
        assert answer.status_code == 404, (decision, offer)
        assert "That offer is not on your page any more" in answer.text
    assert merchant_view(book.engine, "M1", DAY).loans == ()
    assert merchant_view(book.engine, "M2", DAY).loans == ()


def test_a_form_without_the_sessions_token_is_refused(book: Book, client: TestClient) -> None:
    _log_in(client, book.keys["M1"])
    for token in ("", "forged"):
        data = {"csrf": token, "decision": "D1", "offer": "1"}
        assert client.post("/merchants/M1/accept", data=data).status_code == 403
    assert merchant_view(book.engine, "M1", DAY).loans == ()


def test_a_risk_officer_reads_the_page_but_cannot_accept_for_the_merchant(
    book: Book, client: TestClient
) -> None:
    _log_in(client, book.keys["officer"])
    page = _page(client).text
    assert 'class="primary accept"' not in page
    assert "Only the merchant can accept an offer" in page
    assert 'href="/dashboard">Back to the dashboard' in page
    answer = _accept(client)
    assert answer.status_code == 403
    assert "no other key can accept it on the merchant&#39;s behalf" in answer.text
    assert merchant_view(book.engine, "M1", DAY).loans == ()


def test_a_loan_shows_its_balance_next_payment_payoff_and_history(
    book: Book, client: TestClient
) -> None:
    _log_in(client, book.keys["M1"])
    loan_id = _accept(client).headers["location"].split("=")[1].split("#")[0]
    disburse(book.engine, loan_id, DAY, "dis")
    paid_on = DAY + timedelta(days=31)
    post_payment(book.engine, loan_id, Money(Decimal("100.00"), "USD"), paid_on, "pay")
    book.today.day = paid_on
    state = loan_view(book.engine, loan_id, paid_on).state
    shown = merchant_view(book.engine, "M1", paid_on).loans[0]
    assert (shown.outstanding, shown.payoff, shown.next_due_on) == (
        state.outstanding_total,
        state.payoff,
        state.next_due_on,
    )
    assert shown.next_payment is not None
    assert shown.next_payment > 0
    assert [(m.kind, m.amount) for m in shown.history] == [
        ("disbursement", Decimal("-1300.00")),
        ("repayment", Decimal("100.00")),
    ]
    text = _page(client).text
    for amount in (state.outstanding_total, state.payoff, shown.next_payment):
        assert format_money(amount, "USD") in text
    assert f"Next payment, due {state.next_due_on}" in text
    assert "paid out to you" in text
    assert "your payment" in text


def test_each_offer_shows_its_disclosure_side_by_side(book: Book, client: TestClient) -> None:
    policy = default_policy()
    features: dict[str, float | None] = {
        "tenure_days": 400.0,
        "days_since_last_sale": 1.0,
        "gmv_30d": 10_000.0,
        "gmv_90d": 30_000.0,
        "gmv_growth_90d": 0.1,
        "settlement_net_90d": 27_000.0,  # what a share-of-sales offer is estimated from
        "prior_defaults": 0.0,
    }
    rating = replace(_decision("X").rating, pd=0.02, score=736, band="good")
    decision = decide(
        CreditRequest("app-9", "M2", None),
        rating,
        features,
        policy,
        exposure=Exposure.none(policy.currency),
        as_of=DAY,
        model_version="test",
    )
    assert len(decision.offers) > 1
    inputs = DecisionInputs.of(decision)
    record_decision(book.engine, DecisionRecord("D8", None, decision, rating, inputs, features))
    key = create_api_key(book.engine, Role.MERCHANT, "M2")
    _log_in(client, key)
    text = client.get("/merchants/M2").text
    cards = text.split('<article class="card offer"')[1:]
    assert len(cards) == len(decision.offers)
    for card, offer in zip(cards, decision.offers, strict=True):
        told = offer.disclosure
        assert told is not None
        for words in (told.title, told.payments, told.apr_basis, told.covenant, told.prepayment):
            assert str(escape(words)) in card
        assert f"{100 * told.estimated_apr:.1f} %" in card
        assert f"about {told.estimated_term_days} days" in card
        assert format_money(told.total_repayable, told.currency) in card
        if told.payment is not None:
            assert format_money(told.payment, told.currency) in card
        else:
            assert told.holdback_rate is not None
            assert f'<dd class="payment">{percent(told.holdback_rate)}</dd>' in card
        assert 'class="primary accept"' in card


def test_offers_superseded_by_a_newer_decision_are_refused_on_the_page(
    book: Book, client: TestClient
) -> None:
    _log_in(client, book.keys["M1"])
    token = _CSRF.search(_page(client).text)
    assert token is not None
    record_decision(book.engine, _decision("D5"))  # a new application since the page was read
    data = {"csrf": token[1], "decision": "D1", "offer": "1"}
    answer = client.post("/merchants/M1/accept", data=data)
    assert answer.status_code == 409
    assert "These offers were replaced by a newer decision" in answer.text
    assert 'name="decision" value="D5"' in answer.text  # the newer offers, ready to accept
    assert merchant_view(book.engine, "M1", DAY).loans == ()


def test_a_repaid_loan_shows_the_apr_it_really_cost(book: Book, client: TestClient) -> None:
    _log_in(client, book.keys["M1"])
    loan_id = _accept(client).headers["location"].split("=")[1].split("#")[0]
    disburse(book.engine, loan_id, DAY, "dis")
    paid_on = DAY + timedelta(days=40)
    payoff = loan_view(book.engine, loan_id, paid_on).state.payoff
    post_payment(book.engine, loan_id, Money(payoff, "USD"), paid_on, "payoff")
    book.today.day = paid_on
    record = loan_view(book.engine, loan_id, paid_on).loan
    assert record.status == "repaid"
    assert record.realised_apr is not None
    shown = merchant_view(book.engine, "M1", paid_on).loans[0]
    assert shown.realised_apr == record.realised_apr
    assert f"{100 * record.realised_apr:.1f} % a year" in _page(client).text


def test_a_decline_links_to_its_notice(book: Book, client: TestClient) -> None:
    _log_in(client, book.keys["M1"])
    assert 'id="notice-link"' not in _page(client).text  # offered what it asked for
    declined = made_decision("D6", "M1", as_of=DAY)
    notice = notice_for(declined.decision, declined.rating, default_policy())
    assert notice is not None
    record_decision(book.engine, replace(declined, notice=notice))
    page = _page(client).text
    assert 'id="declined"' in page
    assert '<a href="/merchants/M1/notice">Read the notice of this decision</a>' in page
    shown = client.get("/merchants/M1/notice")
    assert shown.status_code == 200
    assert 'data-decision="D6"' in shown.text
    # Offers below the amount asked for come with a notice too (its words are the policy's).
    record_decision(book.engine, replace(_decision("D7"), notice=notice))
    page = _page(client).text
    assert 'class="primary accept"' in page
    assert "These offers are below the amount you asked for" in page


#: What a form or a path may carry that is no offer and no id: a superscript two and an
#: Arabic-Indic one (both ``str.isdigit``), a NUL (PostgreSQL refuses it in any text), a number
#: past Python's int limit, a leading zero (another idempotency key for offer 1).
_ODD_OFFERS = ("\u00b2", "\u0661", "1\x00", "9" * 5000, "01", "-1", " 1")
_ODD_IDS = ("D1\x00", "D\u0661", "D1;x", "a" * 300, "")


@pytest.mark.parametrize("book", ["sqlite", "postgresql"], indirect=True)
def test_odd_bytes_on_the_form_or_in_a_path_are_not_found(book: Book, client: TestClient) -> None:
    _log_in(client, book.keys["M1"])
    for offer in _ODD_OFFERS:
        answer = _accept(client, offer=offer)
        assert answer.status_code == 404, repr(offer[:10])
        assert "That offer is not on your page any more" in answer.text
    for decision in _ODD_IDS:
        answer = _accept(client, decision=decision)
        assert answer.status_code == 404, repr(decision[:10])
    for path in ("/merchants/M1%00", "/merchants/M1%00/notice", "/merchants/M%D9%A1"):
        answer = client.get(path)
        assert answer.status_code == 404, path
        assert "<h1>Not found</h1>" in answer.text
    token = _CSRF.search(_page(client).text)
    assert token is not None
    data = {"csrf": token[1], "decision": "D1", "offer": "1"}
    assert client.post("/merchants/M1%00/accept", data=data).status_code == 404
    assert merchant_view(book.engine, "M1", DAY).loans == ()
    assert _accept(client).status_code == 303  # the plain form still works after them all


def test_no_search_for_improvements_says_nothing_of_them(book: Book, client: TestClient) -> None:
    _log_in(client, book.keys["M1"])
    none_found = "No simple change that you control would raise it by a band."
    bare = replace(_decision("D3"), rating=replace(_decision("D3").rating, improvements=()))
    record_decision(book.engine, bare)  # not searched (no improver): nothing may be said
    text = _page(client).text
    assert none_found not in text
    assert "What would raise it" not in text
    searched = replace(bare, decision_id="D4", rating=replace(bare.rating, searched=True))
    record_decision(
        book.engine, replace(searched, decision=replace(bare.decision, application_id="D4"))
    )
    assert none_found in _page(client).text  # searched, and nothing found: that is said


def test_the_pd_is_worded_as_the_label_is_defined(book: Book, client: TestClient) -> None:
    _log_in(client, book.keys["M1"])
    text = _page(client).text
    assert "would default within the 12 months after a loan is paid out to you" in text
    assert "would not be repaid within a year" not in text


def test_a_late_loan_counts_its_arrears_once(book: Book, client: TestClient) -> None:
    _log_in(client, book.keys["M1"])
    loan_id = _accept(client).headers["location"].split("=")[1].split("#")[0]
    disburse(book.engine, loan_id, DAY, "dis")
    late = DAY + timedelta(days=40)  # the first instalment missed, the second not yet due
    book.today.day = late
    view = loan_view(book.engine, loan_id, late)
    first, second = view.schedule[0], view.schedule[1]
    shown = merchant_view(book.engine, "M1", late).loans[0]
    assert shown.due_now == view.state.amount_due > 0
    assert shown.next_due_on == second.due_on
    assert shown.next_payment == second.total  # the next instalment only, not the arrears again
    assert shown.due_now + shown.next_payment < 2 * first.total + second.total
    text = _page(client).text
    assert format_money(second.total, "USD") in text


def test_a_written_off_loan_says_so_and_shows_no_zero_balance(
    book: Book, client: TestClient
) -> None:
    _log_in(client, book.keys["M1"])
    loan_id = _accept(client).headers["location"].split("=")[1].split("#")[0]
    disburse(book.engine, loan_id, DAY, "dis")
    closed = DAY + timedelta(days=150)
    end_of_day(book.engine, closed)
    assert loan_view(book.engine, loan_id, closed).loan.status == "written_off"
    book.today.day = closed
    shown = merchant_view(book.engine, "M1", closed).loans[0]
    assert shown.written_off is not None
    assert shown.written_off >= Decimal("1300.00")
    card = _page(client).text.split(f'id="loan-{loan_id}"')[1]
    assert f"written off with <b>{format_money(shown.written_off, 'USD')}</b> left unpaid" in card
    assert "Left to repay" not in card
    assert "To pay it all off today" not in card


def test_a_charged_off_loan_says_what_was_left_and_that_payments_still_count(
    book: Book, client: TestClient
) -> None:
    _log_in(client, book.keys["M1"])
    loan_id = _accept(client).headers["location"].split("=")[1].split("#")[0]
    disburse(book.engine, loan_id, DAY, "dis")
    charge_off_loan(book.engine, loan_id, DAY, "off", reason="fraud suspected")
    shown = merchant_view(book.engine, "M1", DAY).loans[0]
    assert shown.status == "charged_off"
    assert shown.written_off is not None
    assert shown.written_off >= Decimal("1300.00")
    card = _page(client).text.split(f'id="loan-{loan_id}"')[1]
    assert f"charged off with <b>{format_money(shown.written_off, 'USD')}</b> left unpaid" in card
    assert "goes toward that unpaid amount" in card
    assert "Left to repay" not in card


def test_the_accepted_banner_is_for_a_loan_still_accepted(book: Book, client: TestClient) -> None:
    _log_in(client, book.keys["M1"])
    location = _accept(client).headers["location"].split("#")[0]
    assert 'id="accepted"' in client.get(location).text
    loan_id = location.split("=")[1]
    cancel_loan(book.engine, loan_id, DAY, "cancel")
    page = client.get(location)
    assert page.status_code == 200
    assert 'id="accepted"' not in page.text
    assert "You accepted the offer" not in page.text


def test_a_holdback_reads_the_same_in_the_title_and_on_the_card(
    book: Book, client: TestClient
) -> None:
    policy = default_policy()
    features: dict[str, float | None] = {
        "tenure_days": 400.0,
        "days_since_last_sale": 1.0,
        "gmv_30d": 10_000.0,
        "gmv_90d": 30_000.0,
        "gmv_growth_90d": 0.1,
        "settlement_net_90d": 27_000.0,
        "prior_defaults": 0.0,
    }
    rating = replace(_decision("X").rating, pd=0.02, score=736, band="good")
    decision = decide(
        CreditRequest("app-7", "M2", None),
        rating,
        features,
        policy,
        exposure=Exposure.none(policy.currency),
        as_of=DAY,
        model_version="test",
    )
    shares = [o for o in decision.offers if isinstance(o.terms, ShareOfSalesTerms)]
    assert shares
    odd = replace(shares[0].terms, holdback_rate=Decimal("0.0825"))
    told = shares[0].disclosure
    assert told is not None
    offer = replace(shares[0], terms=odd, disclosure=replace(told, holdback_rate=odd.holdback_rate))
    decision = replace(decision, offers=(offer,))
    inputs = DecisionInputs.of(decision)
    record_decision(book.engine, DecisionRecord("D8", None, decision, rating, inputs, features))
    _log_in(client, create_api_key(book.engine, Role.MERCHANT, "M2"))
    card = client.get("/merchants/M2").text.split('<article class="card offer"')[1]
    assert "8.25 %" in card
    assert "8.2 %" not in card.replace("8.25 %", "")


def test_servicing_reads_the_page_as_the_api_lets_it_but_cannot_accept(
    book: Book, client: TestClient
) -> None:
    _log_in(client, book.keys["servicing"])
    page = _page(client).text
    assert 'class="primary accept"' not in page
    assert "Only the merchant can accept an offer" in page
    assert client.get("/merchants/M1/notice").status_code == 200
    answer = _accept(client)
    assert answer.status_code == 403
    assert merchant_view(book.engine, "M1", DAY).loans == ()
