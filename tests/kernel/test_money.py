from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from microlend.errors import ConfigError
from microlend.money import Money, currency_exponent, is_currency, round_money, to_decimal


def test_round_money_is_half_even_at_the_minor_unit() -> None:
    assert round_money(Decimal("0.125"), "USD") == Decimal("0.12")
    assert round_money(Decimal("0.135"), "USD") == Decimal("0.14")
    assert round_money(Decimal("12.5"), "JPY") == Decimal("12")
    assert round_money(Decimal("1.2345"), "KWD") == Decimal("1.234")


def test_currency_codes_and_exponents() -> None:
    assert is_currency("EUR")
    assert not is_currency("eur")
    assert not is_currency("XYZ")
    assert currency_exponent("JPY") == 0
    with pytest.raises(ConfigError, match="XYZ"):
        currency_exponent("XYZ")


def test_floats_are_refused_as_money() -> None:
    with pytest.raises(TypeError):
        to_decimal(0.1)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="abc"):
        to_decimal("abc")
    with pytest.raises(ConfigError):
        to_decimal("NaN")


def test_money_arithmetic_keeps_currency_and_minor_unit() -> None:
    total = Money(Decimal("10.005"), "USD") + Money(Decimal("0.01"), "USD")
    assert total == Money(Decimal("10.01"), "USD")
    assert str(total) == "10.01 USD"
    with pytest.raises(ValueError, match="cannot mix"):
        _ = Money(Decimal(1), "USD") - Money(Decimal(1), "EUR")


@given(
    st.lists(st.decimals(min_value=-(10**9), max_value=10**9, places=2), min_size=1, max_size=30)
)
def test_sums_of_money_are_exact(amounts: list[Decimal]) -> None:
    total = Money.zero("USD")
    for amount in amounts:
        total = total + Money(amount, "USD")
    assert total.amount == sum(amounts, Decimal(0))
    assert (total - total) == Money.zero("USD")
    negated = -total
    assert -negated == total
