from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from microlend.errors import ConfigError
from microlend.money import (
    CURRENCY_EXPONENTS,
    MAX_EXPONENT,
    Money,
    currency_exponent,
    exact,
    excess_places,
    format_money,
    is_currency,
    minor_unit,
    round_money,
    to_decimal,
    to_text,
)


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


def test_the_one_text_of_money_has_exactly_the_currencys_places() -> None:
    assert to_text(Decimal("1234.5"), "USD") == "1234.50"
    assert to_text(Decimal("1234.5000"), "USD") == "1234.50"  # as read from the book
    assert to_text(Decimal("1234"), "JPY") == "1234"
    assert to_text(Decimal("1234.000"), "JPY") == "1234"
    assert to_text(Decimal("1.2"), "KWD") == "1.200"
    assert to_text(Decimal("1E+3"), "USD") == "1000.00"  # never an exponent
    assert to_text(-Decimal("0.00"), "USD") == "0.00"  # a negated zero is zero
    assert to_text(Decimal("-12.5"), "EUR") == "-12.50"
    assert str(Money(Decimal("12.5"), "USD")) == "12.50 USD"
    assert str(Money(Decimal("12"), "KWD")) == "12.000 KWD"


def test_money_finer_than_its_currency_is_refused_never_rounded() -> None:
    for amount, currency in [("1.005", "USD"), ("12.5", "JPY"), ("1.0005", "KWD")]:
        with pytest.raises(ConfigError, match=f"not a {currency} amount"):
            to_text(Decimal(amount), currency)
        with pytest.raises(ConfigError, match="decimal places"):
            Money.exact(amount, currency)
        with pytest.raises(ConfigError):
            format_money(Decimal(amount), currency)
    assert Money.exact("1.230", "USD") == Money(Decimal("1.23"), "USD")
    assert Money.exact(1000, "JPY").amount == Decimal(1000)
    assert exact(Decimal("7.0000"), "BHD") == Decimal("7.000")
    assert str(exact(Decimal("7.0000"), "BHD")) == "7.000"


def test_money_for_people_has_the_currencys_places_separators_and_code() -> None:
    assert format_money(Decimal("1234567.5"), "USD") == "1,234,567.50 USD"
    assert format_money(Decimal("1234567"), "JPY") == "1,234,567 JPY"
    assert format_money(Decimal("1234.5"), "KWD") == "1,234.500 KWD"
    assert format_money(Decimal("-1234.5"), "EUR", code=False) == "-1,234.50"
    assert format_money(Decimal("0"), "USD") == "0.00 USD"


def test_amounts_written_with_more_places_than_the_currency_has() -> None:
    assert excess_places(Decimal("12"), "JPY") is None
    assert excess_places(Decimal("12.505"), "KWD") is None
    assert excess_places(Decimal("12.0"), "JPY") == "a JPY amount has at most 0 decimal places"
    assert excess_places(Decimal("1.0001"), "KWD") == "a KWD amount has at most 3 decimal places"


def test_every_currency_fits_the_largest_exponent() -> None:
    assert MAX_EXPONENT == 4  # CLF and UYW
    assert all(0 <= places <= MAX_EXPONENT for places in CURRENCY_EXPONENTS.values())
    assert minor_unit("KWD") == Decimal("0.001")
    assert minor_unit("JPY") == Decimal(1)


@given(
    st.sampled_from(["USD", "JPY", "KWD", "CLF"]),
    st.integers(min_value=-(10**17), max_value=10**17),
)
def test_text_reads_back_as_the_same_amount(currency: str, units: int) -> None:
    amount = Decimal(units).scaleb(-currency_exponent(currency))
    text = to_text(amount, currency)
    assert Decimal(text) == amount
    assert text.isascii()
    assert "E" not in text
    assert Money.exact(text, currency).amount == amount
    places = currency_exponent(currency)
    assert len(text.partition(".")[2]) == places
