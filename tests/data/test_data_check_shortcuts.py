"""The shortcuts that make ``check`` fast on millions of rows find what the full rules find:
each violation they could skip past is still named by file, row and column (issue 16)."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest
from data_factory import Writer, contract_tables, with_value

from microlend.data import load_dataset
from microlend.errors import DataContractError, Violation

FORMATS = ["csv", "parquet"]


def _violations(root: Path) -> list[Violation]:
    with pytest.raises(DataContractError) as caught:
        load_dataset(root)
    return caught.value.violations


def _named(violations: list[Violation], file: str, row: int, column: str, words: str) -> bool:
    return any(
        (v.file, v.row, v.column) == (file, row, column) and words in v.message for v in violations
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_shipment_of_an_order_with_an_unknown_merchant_is_named_too(
    make_folder: Writer, fmt: str
) -> None:
    # The shipment agrees with its order, so only the orders' own merchant key can clear it.
    tables = with_value(contract_tables(), "orders", 3, "merchant_id", "mX")
    tables = with_value(tables, "shipments", 3, "merchant_id", "mX")
    found = _violations(make_folder(tables, fmt=fmt))
    words = "'mX' is not a merchant_id of merchants"
    assert _named(found, f"orders.{fmt}", 3, "merchant_id", words), found
    assert _named(found, f"shipments.{fmt}", 3, "merchant_id", words), found


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_shipment_without_an_order_still_has_its_merchant_checked(
    make_folder: Writer, fmt: str
) -> None:
    tables = with_value(contract_tables(), "shipments", 4, "order_id", None)
    tables = with_value(tables, "shipments", 4, "merchant_id", "mX")
    found = _violations(make_folder(tables, fmt=fmt))
    assert _named(found, f"shipments.{fmt}", 4, "order_id", "missing value"), found
    words = "'mX' is not a merchant_id of merchants"
    assert _named(found, f"shipments.{fmt}", 4, "merchant_id", words), found


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("blank", ["", " ", "\u00a0\u3000", "\t \u2003"])
def test_an_id_of_only_whitespace_is_missing(make_folder: Writer, fmt: str, blank: str) -> None:
    tables = with_value(contract_tables(), "orders", 2, "buyer_id", blank)
    found = _violations(make_folder(tables, fmt=fmt))
    assert _named(found, f"orders.{fmt}", 2, "buyer_id", "missing value"), found


def test_an_id_with_text_around_whitespace_is_not_missing(make_folder: Writer) -> None:
    tables = with_value(contract_tables(), "orders", 2, "buyer_id", " b\u00a0 ")
    dataset = load_dataset(make_folder(tables, fmt="parquet"))
    assert dataset.table("orders").column("buyer_id")[1] == pa.scalar(" b\u00a0 ")
