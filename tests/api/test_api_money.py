"""Money through the api in a currency of three places (KWD) and one of none (JPY): every amount
answered has exactly its currency's places, and one sent with more is a 422 that says so."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from importlib import resources
from typing import Any

import pytest
from api_support import Served

from microlend.errors import ConfigError
from microlend.money import currency_exponent
from microlend.policy import Policy, parse_policy

#: Amounts are ASCII decimal text; the currency's places are checked per amount below.
_TEXT = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_MONEY_KEYS = frozenset(
    {"amount", "overpayment", "principal", "interest", "fee", "limit", "total_cost"}
    | {"total_repayable", "outstanding", "amount_due", "payoff", "requested_amount"}
    # An offer's disclosure.
    | {"amount_funded", "finance_charge", "payment", "estimated_daily_payment", "minimum_payment"}
)


def _policy_in(currency: str) -> Policy:
    text = resources.files("microlend.policy").joinpath("default.toml").read_text("utf-8")
    return parse_policy(text.replace('currency = "USD"', f'currency = "{currency}"'))


@pytest.fixture(params=["KWD", "JPY"])
def served_in(
    request: pytest.FixtureRequest, serve: Callable[..., AbstractContextManager[Served]]
) -> Iterator[Served]:
    """The api on a SQLite book under the default policy read in KWD or JPY."""
    with serve("sqlite", _policy_in(request.param)) as opened:
        yield opened


def _amounts(body: Any) -> Iterator[str]:
    """Every money amount in a response body, wherever it is nested."""
    if isinstance(body, dict):
        for key, value in body.items():
            if key in _MONEY_KEYS and isinstance(value, str):
                yield value
            else:
                yield from _amounts(value)
    elif isinstance(body, list):
        for item in body:
            yield from _amounts(item)


def _assert_places(body: Any, places: int) -> int:
    found = list(_amounts(body))
    for text in found:
        assert _TEXT.fullmatch(text), text
        assert len(text.partition(".")[2]) == places, (text, places)
    return len(found)


def _lend(served: Served) -> tuple[dict[str, Any], str]:
    """An approved decision and its first offer's loan, disbursed."""
    merchants = served.context.data.table("merchants").column("merchant_id").to_pylist()
    for merchant_id in merchants[:300]:
        answer = served.client.post(
            "/v1/applications", json={"merchant_id": merchant_id}, headers=served.headers("risk")
        )
        if answer.json()["approved"]:
            break
    decision: dict[str, Any] = answer.json()
    accept = served.client.post(
        "/v1/offers/accept",
        json={"decision_id": decision["decision_id"], "offer_number": 1},
        headers=served.headers("servicing", "accept-1"),
    )
    assert accept.status_code == 201, accept.text
    loan_id: str = accept.json()["loan_id"]
    paid = served.client.post(
        f"/v1/loans/{loan_id}/disburse", headers=served.headers("servicing", "disburse-1")
    )
    assert paid.status_code == 200, paid.text
    return decision, loan_id


def test_every_amount_answered_has_exactly_the_currencys_places(served_in: Served) -> None:
    served = served_in
    currency = served.context.policy.currency
    places = currency_exponent(currency)
    decision, loan_id = _lend(served)
    assert decision["currency"] == currency
    assert _assert_places(decision, places) >= 5
    payment = "12.345" if places == 3 else "12"
    paid = served.client.post(
        f"/v1/loans/{loan_id}/payments",
        json={"amount": payment, "currency": currency},
        headers=served.headers("servicing", "pay-1"),
    )
    assert paid.status_code == 200, paid.text
    assert paid.json()["amount"] == payment
    assert paid.json()["currency"] == currency
    _assert_places(paid.json(), places)
    loan = served.client.get(f"/v1/loans/{loan_id}", headers=served.headers("servicing"))
    assert loan.status_code == 200, loan.text
    assert _assert_places(loan.json(), places) >= 8
    page = served.client.get("/v1/loans", headers=served.headers("servicing"))
    _assert_places(page.json(), places)


def test_an_amount_with_more_places_than_its_currency_is_a_422_saying_so(
    served_in: Served,
) -> None:
    served = served_in
    currency = served.context.policy.currency
    places = currency_exponent(currency)
    _, loan_id = _lend(served)
    finer = "12.3456" if places == 3 else "12.5"
    answer = served.client.post(
        f"/v1/loans/{loan_id}/payments",
        json={"amount": finer, "currency": currency},
        headers=served.headers("servicing", "pay-finer"),
    )
    assert answer.status_code == 422, answer.text
    [error] = answer.json()["errors"]
    assert error["field"] == "amount"
    assert f"a {currency} amount has at most {places} decimal places" in error["message"]
    merchant = served.context.data.table("merchants").column("merchant_id")[0].as_py()
    asked = served.client.post(
        "/v1/applications",
        json={"merchant_id": merchant, "requested_amount": finer},
        headers=served.headers("risk"),
    )
    assert asked.status_code == 422, asked.text
    assert f"at most {places} decimal places" in asked.json()["errors"][0]["message"]


def test_an_amount_beyond_what_a_book_stores_is_a_422(served_in: Served) -> None:
    served = served_in
    answer = served.client.post(
        "/v1/loans/any/payments",
        json={"amount": "1" + "0" * 14, "currency": served.context.policy.currency},
        headers=served.headers("servicing", "pay-huge"),
    )
    assert answer.status_code == 422, answer.text
    assert [e["field"] for e in answer.json()["errors"]] == ["amount"]


def test_the_api_refuses_a_policy_in_another_currency_than_the_records(served: Served) -> None:
    context = served.context
    with pytest.raises(ConfigError, match=r"are in USD, but policy .* lends in JPY"):
        dataclasses.replace(context, policy=_policy_in("JPY"), snapshot=None)
