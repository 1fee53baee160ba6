"""The optional owner group: unlinked leaves the marketplace as it was and adds a column;
linked ties the group to quality (a trait the records show) and to risk the records never show."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from microlend.errors import ConfigError
from microlend.simulate import SimulationConfig, simulate

TINY = SimulationConfig(merchants=400, months=8, seed=2)


def test_an_unlinked_group_adds_a_column_and_changes_nothing_else() -> None:
    plain = simulate(TINY)
    grouped = simulate(replace(TINY, group_attribute="unlinked"))
    assert "owner_group" not in plain.tables["merchants"].column_names
    merchants = grouped.tables["merchants"]
    assert merchants.drop_columns(["owner_group"]).equals(plain.tables["merchants"])
    for name, table in plain.tables.items():
        if name != "merchants":
            assert grouped.tables[name].equals(table), name
    assert set(merchants["owner_group"].to_pylist()) == {"A", "B"}
    assert grouped.generator["group_attribute"] == "unlinked"
    assert "group_attribute" not in plain.generator


def test_a_linked_group_is_of_lower_quality_and_higher_risk() -> None:
    sim = simulate(replace(TINY, group_attribute="linked"))
    groups = dict(
        zip(
            sim.tables["merchants"]["merchant_id"].to_pylist(),
            sim.tables["merchants"]["owner_group"].to_pylist(),
            strict=True,
        )
    )
    share_b = np.mean([g == "B" for g in groups.values()])
    assert 0.2 < share_b < 0.45
    truth = sim.tables["truth"].to_pandas()
    truth["group"] = truth["merchant_id"].map(groups)
    by_group = truth.groupby("group")[["quality", "true_pd"]].mean()
    assert by_group.loc["B", "quality"] < by_group.loc["A", "quality"] - 0.5
    assert by_group.loc["B", "true_pd"] > by_group.loc["A", "true_pd"]


def test_an_unknown_kind_of_group_is_refused() -> None:
    with pytest.raises(ConfigError, match="group_attribute: expected linked or unlinked"):
        SimulationConfig(group_attribute="maybe")
