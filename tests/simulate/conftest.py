"""Shared simulations: a small one for structure, a medium one for calibration (seconds each)."""

from __future__ import annotations

import pytest

from microlend.simulate import Simulation, SimulationConfig, simulate

SMALL = SimulationConfig(merchants=400, months=12, seed=7)
MEDIUM = SimulationConfig(merchants=6000, months=24, seed=11)


@pytest.fixture(scope="session")
def small() -> Simulation:
    return simulate(SMALL)


@pytest.fixture(scope="session")
def medium() -> Simulation:
    return simulate(MEDIUM)
