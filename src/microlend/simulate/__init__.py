"""The synthetic marketplace with known truth: seeded merchants, records, loans and outcomes.

See ``docs/simulator.md`` for the generative model and why ``truth.true_pd`` is exact.
"""

from microlend.simulate._batches import HISTORY, PLATFORM_TABLES, daily_batches
from microlend.simulate._config import SimulationConfig
from microlend.simulate._hazard import failure_probability
from microlend.simulate._simulation import (
    GENERATOR_NAME,
    GENERATOR_VERSION,
    Simulation,
    SimulationSummary,
    simulate,
)

__all__ = [
    "GENERATOR_NAME",
    "GENERATOR_VERSION",
    "HISTORY",
    "PLATFORM_TABLES",
    "Simulation",
    "SimulationConfig",
    "SimulationSummary",
    "daily_batches",
    "failure_probability",
    "simulate",
]
