"""``simulate``: one seeded run of the marketplace, from merchants to loan outcomes and truth."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from sklearn.metrics import roc_auc_score

from microlend.simulate._activity import simulate_activity
from microlend.simulate._config import SimulationConfig
from microlend.simulate._groups import with_groups
from microlend.simulate._lending import lend
from microlend.simulate._orders import draw_orders
from microlend.simulate._settlements import settle
from microlend.simulate._tables import build_tables
from microlend.simulate._traits import draw_traits
from microlend.types import Progress, quiet

__all__ = ["GENERATOR_NAME", "GENERATOR_VERSION", "Simulation", "SimulationSummary", "simulate"]

log = logging.getLogger(__name__)

GENERATOR_NAME = "microlend.simulate"
#: Bumped whenever the same seed would give different records.
GENERATOR_VERSION = "2"


@dataclass(frozen=True)
class SimulationSummary:
    """Headline counts and the calibration targets of a run.

    ``default_rate`` and ``oracle_auc`` are over funded loans whose performance window ended
    before the data end (``matured``); ``oracle_auc`` ranks them by their true PD, the best any
    model can do. NaN where there is nothing to measure.
    """

    rows: dict[str, int]
    applications: int
    funded: int
    matured: int
    default_rate: float
    oracle_auc: float
    fraud_merchants: int


@dataclass(frozen=True)
class Simulation:
    """The tables of one run, its data end (exclusive) and its summary."""

    config: SimulationConfig
    tables: dict[str, pa.Table]
    end: datetime
    summary: SimulationSummary

    @property
    def generator(self) -> dict[str, str]:
        """What made the data, for a dataset manifest."""
        c = self.config
        return {
            "name": GENERATOR_NAME,
            "version": GENERATOR_VERSION,
            "seed": str(c.seed),
            "merchants": str(c.merchants),
            "months": str(c.months),
            "start": c.start.isoformat(),
        } | ({} if c.group_attribute is None else {"group_attribute": c.group_attribute})


def simulate(config: SimulationConfig, progress: Progress | None = None) -> Simulation:
    """Simulate ``config``'s marketplace; the same config gives identical tables.

    ``progress(stage, fraction)`` is called as the run advances (fraction of the whole, 0 to 1).
    """
    report = progress if progress is not None else quiet
    root = np.random.Generator(np.random.PCG64(config.seed))
    traits_rng, activity_rng, orders_rng, lending_rng = root.spawn(4)
    report("merchants", 0.0)
    traits = draw_traits(config, traits_rng)
    if config.group_attribute is not None:
        # A fifth stream of its own: the four above, and so the marketplace, stay as they were.
        (groups_rng,) = root.spawn(1)
        traits = with_groups(config.group_attribute, traits, groups_rng)
    activity = simulate_activity(
        config, traits, activity_rng, lambda done: report("sales", 0.05 + 0.45 * done)
    )
    report("orders", 0.5)
    end_seconds = config.days * 86_400
    orders = draw_orders(activity, traits, end_seconds, orders_rng)
    report("settlements", 0.65)
    settlements = settle(orders, traits, config.start, config.days)
    report("lending", 0.7)
    lending = lend(config, traits, orders, activity.fail_day, lending_rng)
    report("tables", 0.8)
    tables = build_tables(config, traits, orders, settlements, lending)
    summary = summarise(tables, int(traits.fraud.sum()))
    report("done", 1.0)
    log.info("simulated %s: %s", config, summary)
    return Simulation(config=config, tables=tables, end=config.end, summary=summary)


def summarise(tables: dict[str, pa.Table], fraud_merchants: int) -> SimulationSummary:
    """Counts, and default rate and oracle AUC over matured funded loans."""
    outcomes, loans, truth = tables["outcomes"], tables["loans"], tables["truth"]
    matured = pc.filter(outcomes, outcomes["matured"])
    defaulted = matured["defaulted"].to_numpy(zero_copy_only=False).astype(bool)
    pd_by_app = dict(
        zip(truth["application_id"].to_pylist(), truth["true_pd"].to_pylist(), strict=True)
    )
    app_by_loan = dict(
        zip(loans["loan_id"].to_pylist(), loans["application_id"].to_pylist(), strict=True)
    )
    true_pd = np.array([pd_by_app[app_by_loan[lid]] for lid in matured["loan_id"].to_pylist()])
    both = 0 < defaulted.sum() < len(defaulted)
    return SimulationSummary(
        rows={name: table.num_rows for name, table in tables.items()},
        applications=tables["applications"].num_rows,
        funded=loans.num_rows,
        matured=matured.num_rows,
        default_rate=float(defaulted.mean()) if len(defaulted) else float("nan"),
        oracle_auc=float(roc_auc_score(defaulted, true_pd)) if both else float("nan"),
        fraud_merchants=fraud_merchants,
    )
