"""What a merchant is told of an offer before it accepts: a commercial-financing disclosure.

California's SB 1235 and New York's Commercial Finance Disclosure Law ask every offer of
commercial financing to state the amount funded, the total cost of financing, the total to
repay, the payment (amount and frequency, or the share of sales held back), the estimated term
and the estimated APR, and how prepayment is treated; here also the minimum-payment covenant
and when the offer expires. A ``Disclosure`` holds exactly that for one offer, with a title in
plain words that tells the offers of a menu apart. ``policy._disclose`` writes it; this module
is the record and its JSON (amounts as exact text at the currency's places).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from typing import Any

from microlend.money import exact, to_text

__all__ = ["Disclosure", "disclosure_from_dict", "disclosure_to_dict"]


@dataclass(frozen=True)
class Disclosure:
    """One offer as the merchant is told it; every amount is in ``currency``.

    ``finance_charge``: interest plus fees, the total cost of financing. Fixed instalments:
    ``payment`` (the regular instalment), ``payment_count`` and ``frequency``. Share of sales:
    ``holdback_rate`` (the share of each daily payout held back), ``estimated_daily_payment``
    (what that is expected to be), ``lookback_days`` (the history the estimates rest on) and
    the covenant's ``minimum_payment`` every ``minimum_period_days``. ``estimated_term_days``:
    days from disbursement to the last payment. ``payments``, ``apr_basis``, ``covenant`` and
    ``prepayment`` say the rest in plain words: how it is repaid, what the APR assumes, the
    minimum and what a missed payment does, what paying early costs or saves.
    ``expires_on``: the last business day the offer may be accepted.
    """

    title: str
    currency: str
    amount_funded: Decimal
    finance_charge: Decimal
    total_repayable: Decimal
    payments: str
    payment: Decimal | None
    payment_count: int | None
    frequency: str | None
    holdback_rate: Decimal | None
    estimated_daily_payment: Decimal | None
    estimated_term_days: int
    estimated_apr: float
    apr_basis: str
    lookback_days: int | None
    minimum_payment: Decimal | None
    minimum_period_days: int | None
    covenant: str
    prepayment: str
    expires_on: date


_AMOUNTS = (
    "amount_funded",
    "finance_charge",
    "total_repayable",
    "payment",
    "estimated_daily_payment",
    "minimum_payment",
)
_NAMES = tuple(field.name for field in fields(Disclosure))


def disclosure_to_dict(disclosure: Disclosure) -> dict[str, Any]:
    """JSON-ready: amounts as exact text at the currency's places, the rate as decimal text,
    the date ISO, the APR a number."""
    body: dict[str, Any] = dict(vars(disclosure))
    for name in _AMOUNTS:
        amount = body[name]
        body[name] = None if amount is None else to_text(amount, disclosure.currency)
    rate = disclosure.holdback_rate
    body["holdback_rate"] = None if rate is None else str(rate)
    body["expires_on"] = disclosure.expires_on.isoformat()
    return body


def disclosure_from_dict(body: Mapping[str, Any]) -> Disclosure:
    """The disclosure ``disclosure_to_dict`` wrote."""
    values = {name: body[name] for name in _NAMES}
    currency = values["currency"]
    for name in _AMOUNTS:
        text = values[name]
        values[name] = None if text is None else exact(Decimal(text), currency)
    rate = values["holdback_rate"]
    values["holdback_rate"] = None if rate is None else Decimal(rate)
    values["expires_on"] = date.fromisoformat(values["expires_on"])
    return Disclosure(**values)
