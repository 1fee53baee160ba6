"""Money: exact ``Decimal`` amounts in ISO 4217 currencies, rounded by one rule in one place.

Floats never carry money. Amounts are rounded to the currency's minor unit (its exponent) with
banker's rounding (half to even), which keeps sums of many roundings unbiased.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from microlend.errors import ConfigError

__all__ = [
    "CURRENCY_EXPONENTS",
    "ROUNDING",
    "Money",
    "currency_exponent",
    "is_currency",
    "round_money",
    "to_decimal",
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


def round_money(amount: Decimal, currency: str) -> Decimal:
    """Round ``amount`` to ``currency``'s minor unit, half to even: the one rounding rule."""
    return amount.quantize(Decimal(1).scaleb(-currency_exponent(currency)), rounding=ROUNDING)


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
        return f"{self.amount} {self.currency}"
