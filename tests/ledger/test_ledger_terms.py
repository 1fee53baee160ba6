import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from microlend.errors import ConfigError
from microlend.ledger import (
    Component,
    Covenant,
    FixedInstalmentTerms,
    Frequency,
    ShareOfSalesTerms,
    as_waterfall,
    terms_from_json,
    terms_to_json,
)

rates = st.decimals(min_value=0, max_value=1, places=4)
waterfalls = st.permutations(list(Component)).map(tuple)
fixed_terms = st.builds(
    FixedInstalmentTerms,
    annual_rate=rates,
    count=st.integers(1, 60),
    frequency=st.sampled_from(Frequency),
    fee_rate=st.decimals(min_value=0, max_value=Decimal("0.2"), places=4),
    waterfall=waterfalls,
)
share_terms = st.builds(
    ShareOfSalesTerms,
    fee_rate=st.decimals(min_value=0, max_value=Decimal("0.3"), places=4),
    holdback_rate=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("0.3"), places=4),
    covenant=st.builds(Covenant, periods=st.integers(1, 24), period_days=st.integers(1, 90)),
    waterfall=waterfalls,
)


@given(st.one_of(fixed_terms, share_terms))
def test_terms_survive_a_json_round_trip(terms: FixedInstalmentTerms | ShareOfSalesTerms) -> None:
    text = terms_to_json(terms)
    assert terms_from_json(text) == terms
    assert terms_from_json(text, terms.product.value) == terms


def test_json_numbers_are_read_exactly_and_defaults_fill_in() -> None:
    terms = terms_from_json('{"annual_rate": 0.1, "count": 6}', "fixed_instalment")
    assert terms == FixedInstalmentTerms(annual_rate=Decimal("0.1"), count=6)
    assert terms.frequency is Frequency.MONTHLY
    share = terms_from_json('{"fee_rate": "0.12", "holdback_rate": "0.1"}', "share_of_sales")
    assert isinstance(share, ShareOfSalesTerms)
    assert share.covenant == Covenant(periods=18, period_days=60)


@pytest.mark.parametrize(
    ("text", "product", "field"),
    [
        ("[1]", None, "terms: expected a JSON object"),
        ("{", None, "terms: not JSON"),
        ('{"count": 6}', None, "terms.product: missing"),
        ('{"product": "payday"}', None, "terms.product"),
        ('{"product": "share_of_sales"}', "fixed_instalment", "terms.product"),
        ('{"count": 6}', "fixed_instalment", "terms.annual_rate: missing"),
        ('{"annual_rate": "x", "count": 6}', "fixed_instalment", "terms.annual_rate"),
        ('{"annual_rate": "-0.1", "count": 6}', "fixed_instalment", "terms.annual_rate"),
        ('{"annual_rate": "0.1", "count": 0}', "fixed_instalment", "terms.count"),
        ('{"annual_rate": "0.1", "count": 6.5}', "fixed_instalment", "terms.count"),
        (
            '{"annual_rate": "0.1", "count": 6, "frequency": "daily"}',
            "fixed_instalment",
            "terms.frequency",
        ),
        ('{"annual_rate": "0.1", "count": 6, "rate": 1}', "fixed_instalment", "terms.rate"),
        ('{"fee_rate": "0.1", "holdback_rate": "0"}', "share_of_sales", "terms.holdback_rate"),
        (
            '{"fee_rate": "0.1", "holdback_rate": "0.1", "covenant": {"periods": 0}}',
            "share_of_sales",
            "terms.covenant.periods",
        ),
        (
            '{"fee_rate": "0.1", "holdback_rate": "0.1", "waterfall": ["fees", "tips"]}',
            "share_of_sales",
            "terms.waterfall",
        ),
    ],
)
def test_bad_terms_raise_config_error_naming_the_field(
    text: str, product: str | None, field: str
) -> None:
    with pytest.raises(ConfigError, match=rf"^{field}"):
        terms_from_json(text, product)


def test_written_terms_are_exact_strings() -> None:
    terms = FixedInstalmentTerms(
        annual_rate=Decimal("0.1999"), count=12, frequency=Frequency.WEEKLY
    )
    body = json.loads(terms_to_json(terms))
    assert body["annual_rate"] == "0.1999"
    assert body["frequency"] == "weekly"
    assert body["product"] == "fixed_instalment"


def test_a_waterfall_names_each_component_once() -> None:
    assert as_waterfall(["principal", "fees"]) == (Component.PRINCIPAL, Component.FEES)
    with pytest.raises(ConfigError, match="twice"):
        as_waterfall(["fees", "fees"])
