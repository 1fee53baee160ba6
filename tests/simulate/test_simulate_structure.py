"""The simulator's tables: contract schemas, keys, determinism, and lending bookkeeping."""

from __future__ import annotations

from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from microlend.data import CONTRACT, arrow_schema
from microlend.errors import ConfigError
from microlend.simulate import Simulation, SimulationConfig, simulate

SMALL = SimulationConfig(merchants=400, months=12, seed=7)  # as the ``small`` fixture


def test_every_table_starts_with_the_contract_columns_in_canonical_types(small: Simulation):
    assert set(small.tables) == set(CONTRACT)
    for name, table in small.tables.items():
        required = arrow_schema(name)
        head = pa.schema(list(table.schema)[: len(required)])
        assert head.equals(required), name
        assert table.num_rows > 0, name


def test_the_same_seed_gives_identical_tables(small: Simulation):
    again = simulate(SMALL)
    for name, table in small.tables.items():
        assert table.equals(again.tables[name]), name


def test_another_seed_gives_other_records(small: Simulation):
    other = simulate(SimulationConfig(merchants=400, months=12, seed=8))
    assert not small.tables["orders"].equals(other.tables["orders"])


def test_ids_are_unique_and_every_record_is_before_the_data_end(small: Simulation):
    t = small.tables
    for name, key in (
        ("orders", "order_id"),
        ("merchants", "merchant_id"),
        ("applications", "application_id"),
        ("loans", "loan_id"),
    ):
        assert pc.count_distinct(t[name][key]).as_py() == t[name].num_rows, name
    end = pa.scalar(small.end, pa.timestamp("us", tz="UTC"))
    for name, column in (
        ("orders", "created_at"),
        ("refunds", "refunded_at"),
        ("reviews", "created_at"),
        ("settlements", "settled_at"),
        ("shipments", "delivered_at"),
        ("outcomes", "default_at"),
    ):
        latest = pc.max(t[name][column]).as_py()
        assert latest is None or latest < end.as_py(), name
    assert small.end.date() == date(2024, 1, 1)


def test_money_is_exact_and_settlements_add_up(small: Simulation):
    s = small.tables["settlements"]
    assert pc.all(pc.equal(pc.subtract(s["gross"], s["fees"]), s["net"])).as_py()
    assert pc.min(small.tables["orders"]["amount"]).as_py() > 0
    ratings = small.tables["reviews"]["rating"]
    assert pc.min(ratings).as_py() >= 1
    assert pc.max(ratings).as_py() <= 5


def test_outcomes_exist_only_for_funded_applications(small: Simulation):
    t = small.tables
    funded = set(
        pc.filter(t["applications"]["application_id"], t["applications"]["funded"]).to_pylist()
    )
    assert set(t["loans"]["application_id"].to_pylist()) == funded
    assert t["outcomes"]["loan_id"].to_pylist() == t["loans"]["loan_id"].to_pylist()
    assert (
        t["truth"]["application_id"].to_pylist() == t["applications"]["application_id"].to_pylist()
    )
    pd = t["truth"]["true_pd"].to_numpy()
    assert np.all((pd >= 0) & (pd <= 1))


def test_default_dates_fall_inside_the_window_and_only_for_defaults(medium: Simulation):
    loans, outcomes = medium.tables["loans"], medium.tables["outcomes"]
    defaulted = outcomes["defaulted"].to_numpy(zero_copy_only=False)
    at = outcomes["default_at"]
    assert np.array_equal(pc.is_valid(at).to_numpy(zero_copy_only=False), defaulted)
    both = pc.filter(pa.table({"d": loans["disbursed_at"], "a": at}), pc.is_valid(at))
    assert pc.all(pc.greater(both["a"], both["d"])).as_py()
    assert pc.all(pc.less_equal(at, outcomes["observed_until"])).as_py()


def test_fraudsters_applications_have_a_true_pd_of_one(medium: Simulation):
    truth = medium.tables["truth"]
    fraud = pc.filter(truth, truth["fraud"])
    assert fraud.num_rows > 0
    assert pc.all(pc.equal(fraud["true_pd"], 1.0)).as_py()


@pytest.mark.parametrize(
    "bad", [{"merchants": 0}, {"months": 2}, {"currency": "XXX1"}, {"fraud_share": 1.5}]
)
def test_invalid_settings_raise_a_config_error(bad: dict[str, object]):
    with pytest.raises(ConfigError):
        SimulationConfig(**bad)  # type: ignore[arg-type]
