"""Money: exact ``Decimal`` amounts in ISO 4217 currencies, rounded by one rule in one place.

Floats never carry money. Amounts are rounded to the currency's minor unit (its exponent) with
banker's rounding (half to even), which keeps sums of many roundings unbiased.

The currency's exponent is the one precision of money, everywhere: ``Money`` holds amounts at
it, the book stores every currency's amounts exactly (its scale is checked against
``MAX_EXPONENT`` when the store is imported), the api refuses amounts with more places, and
money becomes text in two ways only: ``to_text`` for machines (JSON documents, api bodies,
receipts, keys) and ``format_money`` for people (pages, the command line).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Final

from microlend.errors import ConfigError

__all__ = [
    "AMOUNT_DIGITS",
    "AMOUNT_LIMIT",
    "CURRENCY_EXPONENTS",
    "MAX_EXPONENT",
    "ROUNDING",
    "Money",
    "currency_exponent",
    "exact",
    "excess_places",
    "format_money",
    "is_currency",
    "minor_unit",
    "round_money",
    "to_decimal",
    "to_text",
]

ROUNDING = ROUND_HALF_EVEN

_EXPONENT_0 = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"
_EXPONENT_3 = "BHD IQD JOD KWD LYD OMR TND"
_EXPONENT_4 = "CLF UYW"
_EXPONENT_2 = (
    "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BRL BSD BTN BWP BYN "
    "BZD CAD CDF CHF CNY COP CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS "
    "GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR "
    "LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD "
    "PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN "
    "SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD UYU UZS VES WST XCD XCG YER ZAR ZMW ZWG"
)

#: Minor-unit exponent of every active ISO 4217 currency (USD: 2 -> cents).
CURRENCY_EXPONENTS: dict[str, int] = {
    code: exponent
    for exponent, codes in ((0, _EXPONENT_0), (2, _EXPONENT_2), (3, _EXPONENT_3), (4, _EXPONENT_4))
    for code in codes.split()
}

#: The most minor-unit digits of any currency (CLF and UYW have 4): a book that stores amounts
#: at this many places holds every currency's amounts exactly.
MAX_EXPONENT: Final[int] = max(CURRENCY_EXPONENTS.values())

#: Digits an amount may have before its point. Every book stores any amount below
#: ``AMOUNT_LIMIT`` exactly at ``MAX_EXPONENT`` places: 18 digits in all, within PostgreSQL's
#: ``NUMERIC(18, 4)`` and SQLite's 64-bit integers (up to 9.2 * 10**18 minor units).
AMOUNT_DIGITS: Final[int] = 14
AMOUNT_LIMIT: Final[Decimal] = Decimal(10) ** AMOUNT_DIGITS


def is_currency(code: str) -> bool:
    """Whether ``code`` is an active ISO 4217 alphabetic code (upper case, as the standard)."""
    return code in CURRENCY_EXPONENTS


def currency_exponent(currency: str) -> int:
    """The number of minor-unit digits of ``currency``; raises ``ConfigError`` if unknown."""
    try:
        return CURRENCY_EXPONENTS[currency]
    except KeyError:
        raise ConfigError(f"unknown currency {currency!r}: expected an ISO 4217 code") from None


def to_decimal(value: Decimal | int | str) -> Decimal:
    """Read an amount exactly. Floats are refused: they cannot hold most cents exactly."""
    if isinstance(value, float):
        raise TypeError("money must not be a float; pass a str, int or Decimal")
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise ConfigError(f"not an amount: {value!r}") from None
    if not amount.is_finite():
        raise ConfigError(f"not a finite amount: {value!r}")
    return amount


def minor_unit(currency: str) -> Decimal:
    """The smallest amount of ``currency``: ``0.01`` for USD, ``1`` for JPY, ``0.001`` for KWD."""
    try:
        return _MINOR_UNITS[currency]
    except KeyError:
        currency_exponent(currency)  # raises the one error of an unknown currency
        raise


# Every amount a decision prices is rounded here, tens of times per offer: looked up, not built.
_MINOR_UNITS: Final = {
    code: Decimal(1).scaleb(-places) for code, places in CURRENCY_EXPONENTS.items()
}


def round_money(amount: Decimal, currency: str) -> Decimal:
    """Round ``amount`` to ``currency``'s minor unit, half to even: the one rounding rule."""
    return amount.quantize(minor_unit(currency), rounding=ROUNDING)


def exact(amount: Decimal, currency: str) -> Decimal:
    """``amount`` written with exactly ``currency``'s places (``12.5000`` read from the book is
    ``12.50`` in USD). An amount finer than the minor unit is refused (``ConfigError``), never
    rounded: an amount that arrives finer than its currency is wrong, not to be fixed here."""
    written = round_money(amount, currency)
    if written != amount:
        places = currency_exponent(currency)
        raise ConfigError(
            f"{amount} is not a {currency} amount: {currency} has {places} decimal places"
        )
    # -0.00 (a negated zero) is 0.00: one amount, one text.
    return written.copy_abs() if written.is_zero() else written


def excess_places(amount: Decimal, currency: str) -> str | None:
    """Why ``amount``, as it was written, cannot be an amount of ``currency`` (more decimal
    places than its minor unit has: ``12.0`` is no JPY amount), or ``None`` when it can."""
    places = currency_exponent(currency)
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        return f"a {currency} amount has at most {places} decimal places"
    return None


def to_text(amount: Decimal, currency: str) -> str:
    """The one text of an amount for machines (JSON documents, api bodies, receipts, keys):
    ASCII digits, ``-`` when negative, and exactly ``currency``'s places after a ``.``; never
    an exponent (``1234.50`` in USD, ``1235`` in JPY, ``1.234`` in KWD)."""
    return format(exact(amount, currency), "f")


def format_money(amount: Decimal, currency: str, *, code: bool = True) -> str:
    """An amount for people (pages, the command line): the currency's places, thousands
    separated by commas, and the currency's code after it unless ``code`` is false
    (``1,234.50 USD``, ``1,235 JPY``)."""
    text = format(exact(amount, currency), ",f")
    return f"{text} {currency}" if code else text


@dataclass(frozen=True, order=True)
class Money:
    """An amount in one currency, always held at the currency's minor unit."""

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "amount", round_money(to_decimal(self.amount), self.currency))

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(Decimal(0), currency)

    @classmethod
    def exact(cls, amount: Decimal | int | str, currency: str) -> Money:
        """An amount that must already be at ``currency``'s minor unit (one read from the book,
        a request, a stored document): a finer one is refused (``ConfigError``), not rounded."""
        return cls(exact(to_decimal(amount), currency), currency)

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise ValueError(f"cannot mix {self.currency} and {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __mul__(self, factor: Decimal | int) -> Money:
        return Money(self.amount * to_decimal(factor), self.currency)

    def __str__(self) -> str:
        return f"{to_text(self.amount, self.currency)} {self.currency}"
