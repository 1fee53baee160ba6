"""One broken rule at a time: the error names the file, the row and the column."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest
from data_factory import END, Writer, contract_tables, edit_csv, with_value

from microlend.data import load_dataset
from microlend.errors import DataContractError

FORMATS = ["csv", "parquet"]


def broken(root: Path) -> DataContractError:
    with pytest.raises(DataContractError) as caught:
        load_dataset(root)
    return caught.value


def assert_located(
    error: DataContractError, file: str, row: int | None, column: str | None, words: str
) -> None:
    first = error.violations[0]
    assert (first.file, first.row, first.column) == (file, row, column), str(error)
    assert words in first.message
    text = str(error)
    assert file in text
    if row is not None:
        assert f"row {row}" in text
        if file.endswith(".csv"):
            assert f"(line {row + 1})" in text
    if column is not None:
        assert repr(column) in text


def test_a_valid_folder_loads(make_folder: Writer) -> None:
    dataset = load_dataset(make_folder())
    assert dataset.table("orders").num_rows == 40
    assert dataset.end == END


@pytest.mark.parametrize("fmt", FORMATS)
def test_missing_required_column(make_folder: Writer, fmt: str) -> None:
    tables = contract_tables()
    tables["reviews"] = tables["reviews"].drop_columns(["rating"])
    error = broken(make_folder(tables, fmt))
    assert_located(error, f"reviews.{fmt}", None, "rating", "required column is missing")


@pytest.mark.parametrize(
    ("table", "column", "text", "words"),
    [
        ("reviews", "rating", "seven", "expected an integer, got 'seven'"),
        ("orders", "amount", "12.345", "at most 2 decimal places, got '12.345'"),
        ("orders", "amount", "1e3", "plain decimal amount"),
        ("orders", "created_at", "yesterday", "ISO 8601 timestamp or date, got 'yesterday'"),
        ("outcomes", "defaulted", "maybe", "true or false, got 'maybe'"),
        ("truth", "true_pd", "0.1.2", "expected a number"),
    ],
)
def test_unparsable_value(
    make_folder: Writer, table: str, column: str, text: str, words: str
) -> None:
    root = make_folder()
    edit_csv(root / f"{table}.csv", 2, column, text)
    assert_located(broken(root), f"{table}.csv", 2, column, words)


@pytest.mark.parametrize("fmt", FORMATS)
def test_null_in_a_required_column(make_folder: Writer, fmt: str) -> None:
    tables = with_value(contract_tables(), "orders", 5, "buyer_id", None)
    assert_located(broken(make_folder(tables, fmt)), f"orders.{fmt}", 5, "buyer_id", "missing")


@pytest.mark.parametrize("fmt", FORMATS)
def test_value_not_allowed(make_folder: Writer, fmt: str) -> None:
    tables = with_value(contract_tables(), "orders", 3, "status", "lost")
    error = broken(make_folder(tables, fmt))
    assert_located(error, f"orders.{fmt}", 3, "status", "one of pending, completed, cancelled")


@pytest.mark.parametrize("fmt", FORMATS)
def test_above_high(make_folder: Writer, fmt: str) -> None:
    tables = with_value(contract_tables(), "reviews", 7, "rating", 7)
    error = broken(make_folder(tables, fmt))
    assert_located(error, f"reviews.{fmt}", 7, "rating", "expected an integer from 1 to 5, got 7")


def test_below_low(make_folder: Writer) -> None:
    tables = with_value(contract_tables(), "orders", 4, "amount", Decimal("-1.00"))
    error = broken(make_folder(tables))
    assert_located(error, "orders.csv", 4, "amount", "at least 0, got -1.00")


@pytest.mark.parametrize("fmt", FORMATS)
def test_primary_key_duplicated(make_folder: Writer, fmt: str) -> None:
    tables = with_value(contract_tables(), "orders", 9, "order_id", "o2")
    error = broken(make_folder(tables, fmt))
    assert_located(error, f"orders.{fmt}", 9, "order_id", "'o2' repeats row 3")


def test_unique_column_duplicated(make_folder: Writer) -> None:
    tables = with_value(contract_tables(), "reviews", 4, "order_id", "o1")
    tables = with_value(tables, "reviews", 4, "merchant_id", "m1")
    error = broken(make_folder(tables))
    assert_located(error, "reviews.csv", 4, "order_id", "'o1' repeats row 2")


def test_foreign_key(make_folder: Writer) -> None:
    tables = with_value(contract_tables(), "settlements", 2, "merchant_id", "m9")
    error = broken(make_folder(tables))
    assert_located(
        error, "settlements.csv", 2, "merchant_id", "'m9' is not a merchant_id of merchants"
    )


def test_a_refund_names_the_merchant_of_its_order(make_folder: Writer) -> None:
    tables = with_value(contract_tables(), "refunds", 3, "merchant_id", "m0")
    error = broken(make_folder(tables))
    assert_located(error, "refunds.csv", 3, "merchant_id", "not the merchant of order 'o1'")


def test_refunds_above_the_order_name_the_refund_that_crosses(make_folder: Writer) -> None:
    # o0 is 10.00 and refunded 4.00 then 5.00; 5.00 -> 7.00 crosses it at the second refund.
    tables = with_value(contract_tables(), "refunds", 2, "amount", Decimal("7.00"))
    error = broken(make_folder(tables))
    assert_located(error, "refunds.csv", 2, "amount", "reach 11.00 here, above the order's 10.00")
    assert error.total == 1


@pytest.mark.parametrize("fmt", FORMATS)
def test_timestamp_after_the_end(make_folder: Writer, fmt: str) -> None:
    later = END.replace(year=2027)
    tables = with_value(contract_tables(), "settlements", 6, "settled_at", later)
    error = broken(make_folder(tables, fmt))
    assert_located(error, f"settlements.{fmt}", 6, "settled_at", "after the data's end 2026-01-01")


def test_currency_not_iso(make_folder: Writer) -> None:
    tables = with_value(contract_tables(), "orders", 1, "currency", "usd")
    error = broken(make_folder(tables))
    assert_located(error, "orders.csv", 1, "currency", "ISO 4217 currency code, got 'usd'")


def test_settlement_net_is_gross_less_fees(make_folder: Writer) -> None:
    tables = with_value(contract_tables(), "settlements", 3, "net", Decimal("98.00"))
    error = broken(make_folder(tables))
    assert_located(error, "settlements.csv", 3, "net", "net 98.00 is not gross 100.00 - fees 3.00")


def test_delivered_before_shipped(make_folder: Writer) -> None:
    tables = contract_tables()
    shipped = tables["shipments"].column("shipped_at")[10].as_py()
    tables = with_value(tables, "shipments", 11, "delivered_at", shipped.replace(year=2023))
    error = broken(make_folder(tables))
    assert_located(error, "shipments.csv", 11, "delivered_at", "before it was shipped")


@pytest.mark.parametrize(
    ("row", "value", "words"),
    [(1, END.replace(year=2025), "did not default"), (2, None, "needs its default date")],
)
def test_default_date_present_iff_defaulted(
    make_folder: Writer, row: int, value: object, words: str
) -> None:
    tables = with_value(contract_tables(), "outcomes", row, "default_at", value)
    assert_located(broken(make_folder(tables)), "outcomes.csv", row, "default_at", words)


@pytest.mark.parametrize("terms", ["[1, 2]", "{not json", '"text"'])
def test_loan_terms_are_a_json_object(make_folder: Writer, terms: str) -> None:
    tables = with_value(contract_tables(), "loans", 2, "terms", terms)
    assert_located(broken(make_folder(tables)), "loans.csv", 2, "terms", "a JSON object")


def test_a_loan_names_the_merchant_of_its_application(make_folder: Writer) -> None:
    tables = with_value(contract_tables(), "loans", 1, "merchant_id", "m1")
    error = broken(make_folder(tables))
    assert_located(error, "loans.csv", 1, "merchant_id", "not the merchant of application 'a0'")


def test_a_required_table_absent_is_named(make_folder: Writer) -> None:
    tables = contract_tables()
    del tables["reviews"]
    error = broken(make_folder(tables))
    assert_located(error, "reviews.csv", None, None, "required table 'reviews' is missing")


def test_optional_tables_may_be_absent(make_folder: Writer) -> None:
    tables = contract_tables()
    for name in ("applications", "loans", "outcomes", "truth"):
        del tables[name]
    dataset = load_dataset(make_folder(tables))
    assert not dataset.has("loans")
    assert dataset.has("orders")


def test_csv_and_parquet_of_one_table_is_an_error(make_folder: Writer) -> None:
    root = make_folder()
    parquet = make_folder(fmt="parquet")
    (root / "orders.parquet").write_bytes((parquet / "orders.parquet").read_bytes())
    error = broken(root)
    assert "orders.csv and orders.parquet both exist" in str(error)


def test_a_line_with_too_many_fields_is_named(make_folder: Writer) -> None:
    root = make_folder()
    path = root / "merchants.csv"
    path.write_text(path.read_text() + '"m9","toys","EU","2024-01-01T00:00:00Z","x","extra"\n')
    error = broken(root)
    assert error.violations[0].file == "merchants.csv"
    assert "6 fields where the header has 5" in str(error)


def test_many_violations_are_counted_but_only_a_few_kept(make_folder: Writer) -> None:
    tables = contract_tables(orders=400)
    ratings = pa.array([9] * 400, pa.int64())
    tables["reviews"] = tables["reviews"].set_column(3, "rating", ratings)
    error = broken(make_folder(tables))
    assert error.total == 400
    assert len(error.violations) <= 5
    assert "395 more violations" in str(error)
