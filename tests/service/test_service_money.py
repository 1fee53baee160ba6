"""A book in a currency of three places (KWD) and one of none (JPY), from funding to end of day.

The book stored two places once: a KWD policy loaded but none of its amounts could be stored,
and JPY amounts were written with two places. Each amount now has its own currency's places
everywhere: in the book, in the stored decision, in receipts, in every text of money.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from importlib import resources

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from microlend.features.catalog import Dimension
from microlend.ledger import Account
from microlend.money import Money, currency_exponent, to_text
from microlend.policy import CreditRequest, Policy, parse_policy
from microlend.scoring import Rating
from microlend.service import (
    Receipt,
    accept_decision_offer,
    disburse,
    end_of_day,
    fund_book,
    post_payment,
)
from microlend.service.decisions import Application, decide_and_store
from microlend.store import LoanBookCommands, LoanBookQueries, MerchantRecord, in_transaction
from microlend.types import MerchantId

DAY = date(2025, 3, 3)
#: A healthy merchant: past every knock-out, with about 28,000 of net sales a month.
FEATURES: dict[str, float | None] = {
    "tenure_days": 400.0,
    "days_since_last_sale": 1.0,
    "gmv_90d": 90_000.0,
    "gmv_growth_90d": 0.05,
    "prior_defaults": 0.0,
}
RATING = Rating(
    key="M1",
    pd=0.02,
    score=780,
    band="excellent",
    sub_scores=dict.fromkeys(Dimension, 780),
    reasons=(),
    improvements=(),
)


def policy_in(currency: str) -> Policy:
    """The default policy with its amounts read in ``currency``."""
    text = resources.files("microlend.policy").joinpath("default.toml").read_text("utf-8")
    return parse_policy(text.replace('currency = "USD"', f'currency = "{currency}"'))


def places(text: str) -> int:
    return len(text.partition(".")[2])


def _decide(engine: Engine, policy: Policy, requested: str) -> str:
    currency = policy.currency
    request = CreditRequest("app-1", "M1", Money.exact(requested, currency))
    application = Application(request, DAY, FEATURES, RATING, from_records=False)
    decision = decide_and_store(engine, application, policy, model_version="test")
    assert decision.approved, decision.reasons
    body = decision.to_dict()
    offer = body["offers"][0]
    exponent = currency_exponent(currency)
    for text in (offer["amount"], offer["fee"], offer["total_cost"], offer["total_repayable"]):
        assert places(text) == exponent, text
    assert places(body["requested_amount"]) == exponent
    return decision.application_id


@pytest.mark.parametrize(
    ("currency", "requested", "payment"),
    [("KWD", "2500.000", "321.987"), ("JPY", "25000", "3219")],
)
def test_a_book_lends_and_collects_in_its_currencys_places(
    engine: Engine, currency: str, requested: str, payment: str
) -> None:
    policy = policy_in(currency)
    merchant = MerchantRecord(MerchantId("M1"), "toys", "north", datetime(2024, 1, 1, tzinfo=UTC))
    in_transaction(engine, lambda s: LoanBookCommands(s).add_merchant(merchant))
    funded = fund_book(engine, Money.exact("1000000", currency), DAY, "capital")
    decision_id = _decide(engine, policy, requested)
    accepted = accept_decision_offer(
        engine, decision_id=decision_id, offer_number=1, business_date=DAY, idempotency_key="a"
    )
    assert accepted.loan_id is not None
    lent = disburse(engine, accepted.loan_id, DAY, "d")
    paid = post_payment(engine, accepted.loan_id, Money.exact(payment, currency), DAY, "p")
    later = DAY + timedelta(days=45)
    report = end_of_day(engine, later)
    assert report.loans_aged == 1
    exponent = currency_exponent(currency)
    for receipt in (funded, accepted, lent, paid):
        _check_receipt(receipt, currency, exponent)
    assert paid.to_json()["amount"] == payment
    assert Decimal(lent.to_json()["amount"]) == Decimal(requested)
    with Session(engine) as session:
        queries = LoanBookQueries(session)
        assert queries.trial_balance() == 0
        balances = queries.balances(currency)
        assert all(places(str(b)) == exponent for b in balances.values()), balances
        assert balances[Account.CASH] == Decimal(1_000_000) - Decimal(requested) + Decimal(payment)
        assert balances[Account.INTEREST_RECEIVABLE] > 0  # accrued by end of day
        postings = [p for t in queries.all_transactions() for p in t.postings]
        assert all(str(p.amount) == to_text(p.amount, currency) for p in postings)
        loan = queries.loan(accepted.loan_id)
        assert str(loan.principal) == requested


def _check_receipt(receipt: Receipt, currency: str, exponent: int) -> None:
    body = receipt.to_json()
    assert body["currency"] == currency
    assert places(body["amount"]) == exponent, body
    assert places(body["overpayment"]) == exponent, body
    assert Receipt.from_json(body) == receipt
