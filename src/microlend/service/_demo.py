"""The demo: the whole rating path on the synthetic marketplace, start to finish.

Simulate -> write and re-load the records through the data contract -> features at each
application's date -> PD model and scorecard trained on earlier applications, tested on later
ones -> every merchant scored as of the data's end -> three example merchants explained.
``open_demo_book`` then readies a loan book for serving the demo's outputs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine

from microlend.data import (
    Dataset,
    Manifest,
    QualityReport,
    load_dataset,
    quality_report,
    write_dataset,
)
from microlend.features import CATALOG
from microlend.money import Money
from microlend.scoring import Rating, ScoreScale, rate
from microlend.service.access import Role, create_api_key
from microlend.service.lending import fund_book, sync_merchants
from microlend.service.rating import (
    ModelReport,
    Progress,
    RatingFit,
    fit_rating,
    merchant_features,
    model_report,
    quiet,
    save_rating,
)
from microlend.simulate import SimulationConfig, SimulationSummary, simulate
from microlend.store import create_engine_for, migrate

__all__ = ["DEMO_CAPITAL", "DemoBook", "DemoConfig", "DemoResult", "open_demo_book", "run_demo"]

#: The capital a served demo's book starts with: the lender lends only what was brought in.
DEMO_CAPITAL = Decimal("10000000")


@dataclass(frozen=True)
class DemoConfig:
    """What the demo simulates and where it writes (``out``/data, ``out``/model)."""

    out: Path
    merchants: int = 20_000
    months: int = 24
    seed: int = 0
    test_share: float = 0.3


@dataclass(frozen=True)
class DemoResult:
    config: DemoConfig
    simulation: SimulationSummary
    quality: QualityReport
    fit: RatingFit
    report: ModelReport
    population: pd.DataFrame
    examples: tuple[Rating, ...]
    data_dir: Path
    model_dir: Path
    #: The records as loaded and validated (serving the demo reuses them).
    dataset: Dataset


def _examples(
    fit: RatingFit, population: pd.DataFrame, scale: ScoreScale, currency: str
) -> tuple[Rating, ...]:
    """A strong, a middling and a weak merchant of today's population, fully explained."""
    pds = pd.Series(fit.model.predict_pd(population), index=population.index).sort_values()
    picks = [pds.index[int(q * (len(pds) - 1))] for q in (0.05, 0.5, 0.97)]
    rows = population.loc[picks]
    # The improver fitted with the model and saved with it: the served book suggests the same.
    return rate(fit.model, rows, CATALOG, scale, currency=currency, improver=fit.improver).ratings


def run_demo(config: DemoConfig, *, progress: Progress = quiet) -> DemoResult:
    """Run the whole path; writes the records and the model under ``config.out``."""
    sim = simulate(
        SimulationConfig(merchants=config.merchants, months=config.months, seed=config.seed),
        progress=progress,
    )
    data_dir, model_dir = config.out / "data", config.out / "model"
    progress("write the records", 0.0)
    manifest = Manifest(end=sim.end, currency=sim.config.currency, generator=sim.generator)
    write_dataset(sim.tables, data_dir, manifest=manifest, overwrite=True)
    progress("write the records", 1.0)
    progress("load and validate against the contract", 0.0)
    dataset = load_dataset(data_dir)
    quality = quality_report(dataset)
    progress("load and validate against the contract", 1.0)
    fit = fit_rating(dataset, test_share=config.test_share, seed=config.seed, progress=progress)
    save_rating(fit, model_dir, overwrite=True)
    scale = ScoreScale()
    progress("score every merchant as of the data's end", 0.0)
    population = merchant_features(dataset, dataset.end.date())
    examples = _examples(fit, population, scale, dataset.currency())
    progress("score every merchant as of the data's end", 1.0)
    return DemoResult(
        config=config,
        simulation=sim.summary,
        quality=quality,
        fit=fit,
        report=model_report(fit, scale),
        population=population,
        examples=examples,
        data_dir=data_dir,
        model_dir=model_dir,
        dataset=dataset,
    )


@dataclass(frozen=True)
class DemoBook:
    """A fresh loan book for serving the demo: its URL and engine, its business date (the
    data's end), the example merchant and the keys made for it (shown once), by role."""

    url: str
    engine: Engine
    business_date: date
    merchant_id: str
    keys: Mapping[Role, str]


def open_demo_book(out: Path, dataset: Dataset, *, merchant_id: str, currency: str) -> DemoBook:
    """A new SQLite book at ``out``/book.sqlite (any older one is removed: the demo rewrites its
    records, so an old book would describe other merchants), migrated, holding the records'
    merchants and ``DEMO_CAPITAL``, with a risk officer, a servicing and a merchant key."""
    path = out / "book.sqlite"
    for stale in (path, path.with_name(f"{path.name}-wal"), path.with_name(f"{path.name}-shm")):
        stale.unlink(missing_ok=True)
    url = f"sqlite:///{path}"
    engine = create_engine_for(url)
    migrate(engine)
    sync_merchants(engine, dataset)
    business_date = dataset.end.date()
    fund_book(engine, Money(DEMO_CAPITAL, currency), business_date, "demo-capital")
    keys = {
        Role.RISK_OFFICER: create_api_key(engine, Role.RISK_OFFICER),
        Role.SERVICING: create_api_key(engine, Role.SERVICING),
        Role.MERCHANT: create_api_key(engine, Role.MERCHANT, merchant_id),
    }
    return DemoBook(url, engine, business_date, merchant_id, keys)
