"""Loan products and their terms, as data.

Two products, as the platforms that lend to online merchants offer them:

* fixed instalments: equal payments, monthly or weekly, of an annuity at an annual rate, with an
  optional origination fee due with the first instalment;
* share of sales: a fixed fee (a share of the principal, owed however fast the loan is repaid),
  collected by holding back a share of each daily settlement until principal plus fee are
  paid, with a minimum-payment covenant (Square's: at least 1/18 of the total every 60 days).

Each product names its allocation waterfall: the order in which a payment settles what is owed.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import ClassVar

from microlend.errors import ConfigError

__all__ = [
    "DEFAULT_WATERFALL",
    "Component",
    "Covenant",
    "FixedInstalmentTerms",
    "Frequency",
    "Product",
    "ShareOfSalesTerms",
    "Terms",
    "Waterfall",
    "as_waterfall",
]


class Product(StrEnum):
    """The repayment products (the data contract's ``loans.product`` values)."""

    FIXED_INSTALMENT = "fixed_instalment"
    SHARE_OF_SALES = "share_of_sales"


class Frequency(StrEnum):
    """How often a fixed-instalment loan falls due."""

    MONTHLY = "monthly"
    WEEKLY = "weekly"

    @property
    def periods_per_year(self) -> int:
        return 12 if self is Frequency.MONTHLY else 52


class Component(StrEnum):
    """The parts of what a borrower owes; a payment settles them in a waterfall's order."""

    FEES = "fees"
    INTEREST = "interest"
    PRINCIPAL = "principal"


#: An allocation waterfall: components in the order a payment settles them.
Waterfall = tuple[Component, ...]

#: Charges before principal: the usual order (Fineract's default strategy).
DEFAULT_WATERFALL: Waterfall = (Component.FEES, Component.INTEREST, Component.PRINCIPAL)


def as_waterfall(order: tuple[str, ...] | list[str]) -> Waterfall:
    """Read an order of component names; raises ``ConfigError`` on unknown or repeated names."""
    try:
        waterfall = tuple(Component(name) for name in order)
    except ValueError:
        known = ", ".join(c.value for c in Component)
        raise ConfigError(f"waterfall {list(order)!r}: components are {known}") from None
    if len(set(waterfall)) != len(waterfall):
        raise ConfigError(f"waterfall {list(order)!r} names a component twice")
    return waterfall


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ConfigError(message)


def _check_rate(name: str, value: Decimal, *, upper: Decimal) -> None:
    _require(isinstance(value, Decimal), f"{name}: expected a decimal, got {value!r}")
    _require(value.is_finite(), f"{name}: expected a finite decimal, got {value}")
    _require(Decimal(0) <= value <= upper, f"{name}: expected 0 to {upper}, got {value}")


@dataclass(frozen=True)
class Covenant:
    """Minimum payment of share-of-sales loans: by the end of the k-th period of ``period_days``
    days, at least ``k / periods`` of the total (principal plus fee) must have been paid."""

    periods: int = 18
    period_days: int = 60

    def __post_init__(self) -> None:
        _require(self.periods >= 1, f"periods: expected at least 1, got {self.periods}")
        _require(
            self.period_days >= 1,
            f"period_days: expected at least 1, got {self.period_days}",
        )


@dataclass(frozen=True)
class FixedInstalmentTerms:
    """Equal instalments of an annuity: ``count`` payments at ``annual_rate / periods_per_year``.

    ``fee_rate`` is an origination fee as a share of the principal, due with the first instalment.
    """

    annual_rate: Decimal
    count: int
    frequency: Frequency = Frequency.MONTHLY
    fee_rate: Decimal = Decimal(0)
    waterfall: Waterfall = DEFAULT_WATERFALL

    product: ClassVar[Product] = Product.FIXED_INSTALMENT

    def __post_init__(self) -> None:
        _check_rate("annual_rate", self.annual_rate, upper=Decimal(10))
        _check_rate("fee_rate", self.fee_rate, upper=Decimal(1))
        _require(self.count >= 1, f"count: expected at least 1 instalment, got {self.count}")
        _require(
            isinstance(self.frequency, Frequency), f"frequency: unknown value {self.frequency!r}"
        )
        object.__setattr__(self, "waterfall", as_waterfall(self.waterfall))

    @property
    def period_rate(self) -> Decimal:
        """The interest rate of one period (the nominal annual rate spread evenly)."""
        return self.annual_rate / self.frequency.periods_per_year


@dataclass(frozen=True)
class ShareOfSalesTerms:
    """A fixed fee (``fee_rate`` of the principal) repaid by holding back ``holdback_rate`` of
    each daily settlement's net, subject to a minimum-payment ``covenant``."""

    fee_rate: Decimal
    holdback_rate: Decimal
    covenant: Covenant = Covenant()
    waterfall: Waterfall = DEFAULT_WATERFALL

    product: ClassVar[Product] = Product.SHARE_OF_SALES

    def __post_init__(self) -> None:
        _check_rate("fee_rate", self.fee_rate, upper=Decimal(1))
        _check_rate("holdback_rate", self.holdback_rate, upper=Decimal(1))
        _require(self.holdback_rate > 0, "holdback_rate: expected more than 0")
        object.__setattr__(self, "waterfall", as_waterfall(self.waterfall))


#: The terms of any product.
Terms = FixedInstalmentTerms | ShareOfSalesTerms
