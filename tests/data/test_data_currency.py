"""The platform's one currency: the manifest's, else that of every order; never a guess."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest
from data_factory import END, Writer, contract_tables

from microlend.data import load_dataset, one_currency
from microlend.errors import ConfigError


def test_the_manifest_names_the_currency(make_folder: Writer) -> None:
    assert load_dataset(make_folder()).currency() == "USD"


def test_without_a_manifest_the_orders_name_it(make_folder: Writer) -> None:
    dataset = load_dataset(make_folder(manifest=False), end=END)
    assert dataset.manifest is None
    assert dataset.currency() == "USD"


def test_orders_in_two_currencies_have_no_one_currency(make_folder: Writer) -> None:
    tables = contract_tables()
    orders = tables["orders"]
    codes = pa.array(["USD", "EUR"] * (orders.num_rows // 2), orders.schema.field("currency").type)
    tables["orders"] = orders.set_column(
        orders.schema.get_field_index("currency"), "currency", codes
    )
    dataset = load_dataset(make_folder(tables, manifest=False), end=END)
    with pytest.raises(ConfigError, match=r"2 currencies \(EUR, USD\)"):
        dataset.currency()


def test_one_currency_ignores_gaps_and_refuses_none() -> None:
    assert one_currency(["JPY", None, "JPY"], Path("data")) == "JPY"
    with pytest.raises(ConfigError, match="0 currencies"):
        one_currency([None], Path("data"))
