"""Fixtures shared across packages: a small simulated marketplace, written and loaded once."""

from __future__ import annotations

from pathlib import Path

import pytest

from microlend.data import Dataset, Manifest, load_dataset, write_dataset
from microlend.simulate import SimulationConfig, simulate

#: Small enough for seconds, large enough for a few hundred matured loans.
SMALL_MARKET = SimulationConfig(merchants=2500, months=24, seed=3)


@pytest.fixture(scope="session")
def small_market_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    sim = simulate(SMALL_MARKET)
    root = tmp_path_factory.mktemp("market") / "data"
    manifest = Manifest(end=sim.end, currency=sim.config.currency, generator=sim.generator)
    write_dataset(sim.tables, root, manifest=manifest)
    return root


@pytest.fixture(scope="session")
def small_market(small_market_dir: Path) -> Dataset:
    return load_dataset(small_market_dir)
