"""Records that contradict each other or lie outside the contract's bounds are refused, each with
one error naming the file, the row and the column; a simulated market still loads."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest
from data_factory import DAY, END, START, Writer, contract_tables, with_value
from typer.testing import CliRunner

from microlend.cli import app
from microlend.data import batches, ingest, load_dataset, write_dataset
from microlend.errors import DataContractError
from microlend.simulate import SimulationConfig, simulate

FORMATS = ["csv", "parquet"]
Tables = dict[str, pa.Table]


@dataclass(frozen=True)
class Contradiction:
    """One corruption of the valid tables and where (and in what words) it must be reported."""

    name: str
    table: str
    row: int
    column: str
    words: str
    corrupt: Callable[[Tables], Tables]
    #: How ``ingest`` words it, where the store says it its own way; ``None``: as ``words``.
    ingest_words: str | None = None


def _set(table: str, row: int, column: str, value: object) -> Callable[[Tables], Tables]:
    return lambda tables: with_value(tables, table, row, column, value)


def _loan_currencies(tables: Tables) -> Tables:
    loans = tables["loans"]
    return {**tables, "loans": loans.append_column("currency", pa.array(["USD", "EUR"]))}


CONTRADICTIONS = [
    Contradiction(
        "an order dated 1900",
        "orders",
        3,
        "created_at",
        "1900-01-01T00:00:00Z is before 2000-01-01T00:00:00Z, the earliest date of a record",
        _set("orders", 3, "created_at", datetime(1900, 1, 1, tzinfo=UTC)),
    ),
    Contradiction(
        "an order 30 days before its merchant was onboarded",
        "orders",
        3,
        "created_at",
        "2023-12-02T00:00:00Z is more than 1 day before the onboarded_at "
        "2024-01-01T00:00:00Z of its merchant 'm0'",
        _set("orders", 3, "created_at", START - 30 * DAY),
    ),
    Contradiction(
        "a loan disbursed before its application",
        "loans",
        1,
        "disbursed_at",
        "2024-02-29T00:00:00Z is before the applied_at 2024-03-01T00:00:00Z "
        "of its application 'a0'",
        _set("loans", 1, "disbursed_at", START + 59 * DAY),
    ),
    Contradiction(
        "a default dated before its loan's disbursement",
        "outcomes",
        2,
        "default_at",
        "2024-01-11T00:00:00Z is before the disbursed_at 2024-03-03T00:00:00Z of its loan 'l1'",
        _set("outcomes", 2, "default_at", START + 10 * DAY),
    ),
    Contradiction(
        "a EUR loan in a USD data set",
        "loans",
        2,
        "currency",
        "'EUR' is not the data set's currency USD",
        _loan_currencies,
        ingest_words="'EUR' is not the store's currency USD",
    ),
    Contradiction(
        "a EUR order in a USD data set",
        "orders",
        5,
        "currency",
        "'EUR' is not the data set's currency USD",
        _set("orders", 5, "currency", "EUR"),
        ingest_words="'EUR' is not the store's currency USD",
    ),
    Contradiction(
        "loan terms with annual_rate -0.5",
        "loans",
        1,
        "terms",
        "terms.annual_rate: expected a rate from 0 to 3 (a fraction, not percent), got -0.5",
        _set("loans", 1, "terms", '{"product": "fixed_instalment", "annual_rate": -0.5}'),
    ),
    Contradiction(
        "loan terms with a rate written in percent",
        "loans",
        2,
        "terms",
        "terms.holdback_rate: expected a rate from 0 to 1 (a fraction, not percent), got 12",
        _set("loans", 2, "terms", '{"product": "share_of_sales", "holdback_rate": "12"}'),
    ),
    Contradiction(
        "an order of 999,999,999,999,999.99",
        "orders",
        3,
        "amount",
        "expected an amount of at most 1,000,000,000,000, got 999999999999999.99",
        _set("orders", 3, "amount", Decimal("999999999999999.99")),
    ),
    Contradiction(
        "a requested amount of 0",
        "applications",
        1,
        "requested_amount",
        "expected an amount of at least 0.01, got 0.00",
        _set("applications", 1, "requested_amount", Decimal("0.00")),
    ),
]


def _refused(root: Path) -> DataContractError:
    with pytest.raises(DataContractError) as caught:
        load_dataset(root)
    return caught.value


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("case", CONTRADICTIONS, ids=lambda case: case.name)
def test_a_contradiction_is_one_located_error(
    make_folder: Writer, case: Contradiction, fmt: str
) -> None:
    error = _refused(make_folder(case.corrupt(contract_tables()), fmt))
    first = error.violations[0]
    file = f"{case.table}.{fmt}"
    assert (first.file, first.row, first.column) == (file, case.row, case.column), str(error)
    assert case.words in first.message, first.message
    assert f"{file}, row {case.row}" in str(error)
    assert repr(case.column) in str(error)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("case", CONTRADICTIONS, ids=lambda case: case.name)
def test_an_ingested_contradiction_is_one_located_error(
    make_folder: Writer, tmp_path: Path, case: Contradiction, fmt: str
) -> None:
    batch = make_folder(case.corrupt(contract_tables()), fmt)
    store = tmp_path / "store.duckdb"
    with pytest.raises(DataContractError) as caught:
        ingest(store, batch, at=END)
    first = caught.value.violations[0]
    file = f"{case.table}.{fmt}"
    assert (first.file, first.row, first.column) == (file, case.row, case.column), str(caught.value)
    assert (case.ingest_words or case.words) in first.message, first.message
    assert not store.exists() or batches(store) == ()


def test_check_reports_a_default_before_the_loan(make_folder: Writer) -> None:
    tables = with_value(contract_tables(), "outcomes", 2, "default_at", START + 10 * DAY)
    result = CliRunner(env={"COLUMNS": "200"}).invoke(
        app, ["check", "--data", str(make_folder(tables))]
    )
    assert result.exit_code == 2, result.output
    assert "outcomes.csv, row 2 (line 3), column 'default_at'" in result.output
    assert "before the disbursed_at 2024-03-03T00:00:00Z of its loan 'l1'" in result.output
    assert "contract holds" not in result.output


@pytest.mark.parametrize("through", ["load", "ingest"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_an_empty_merchants_table_is_one_violation(
    make_folder: Writer, tmp_path: Path, fmt: str, through: str
) -> None:
    tables = contract_tables()
    tables["merchants"] = tables["merchants"].slice(0, 0)
    root = make_folder(tables, fmt)
    store = tmp_path / "store.duckdb"
    read: Callable[[], object] = (
        (lambda: load_dataset(root)) if through == "load" else (lambda: ingest(store, root, at=END))
    )
    with pytest.raises(DataContractError) as caught:
        read()
    error = caught.value
    assert error.total == 1, str(error)
    (only,) = error.violations
    assert (only.file, only.row, only.column) == (f"merchants.{fmt}", None, None)
    assert only.message.startswith("merchants is empty: every row of orders, ")


def test_records_of_the_onboarding_day_are_within_the_grace(make_folder: Writer) -> None:
    # Platforms stamp onboarding on approval; that day's first orders may come hours before.
    tables = with_value(contract_tables(), "orders", 3, "created_at", START - DAY / 3)
    assert load_dataset(make_folder(tables)).table("orders").num_rows == 40


@pytest.mark.parametrize("seed", [1, 2])
def test_a_simulated_market_still_loads(tmp_path: Path, seed: int) -> None:
    # Seeds 1 and 2 hold orders placed hours before their merchant's 09:00 onboarding.
    simulation = simulate(SimulationConfig(merchants=300, months=8, seed=seed))
    write_dataset(simulation.tables, tmp_path / "market", fmt="parquet")
    dataset = load_dataset(tmp_path / "market", end=simulation.end)
    assert dataset.table("orders").num_rows == simulation.tables["orders"].num_rows
