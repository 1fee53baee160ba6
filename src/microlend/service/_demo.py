"""The demo: the whole rating path on the synthetic marketplace, start to finish.

Simulate -> write and re-load the records through the data contract -> features at each
application's date -> PD model and scorecard trained on earlier applications, tested on later
ones -> every merchant scored as of the data's end -> three example merchants explained.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from microlend.data import Manifest, QualityReport, load_dataset, quality_report, write_dataset
from microlend.models import save_model
from microlend.scoring import Rating, ScoreScale
from microlend.service._rating import Progress, RatingFit, _quiet, fit_rating
from microlend.service._report import ModelReport, model_report
from microlend.service._scoring import merchant_features, rate_merchants
from microlend.simulate import SimulationConfig, SimulationSummary, simulate

__all__ = ["DemoConfig", "DemoResult", "run_demo"]


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


def _examples(fit: RatingFit, population: pd.DataFrame, scale: ScoreScale) -> tuple[Rating, ...]:
    """A strong, a middling and a weak merchant of today's population, fully explained."""
    pds = pd.Series(fit.model.predict_pd(population), index=population.index).sort_values()
    picks = [pds.index[int(q * (len(pds) - 1))] for q in (0.05, 0.5, 0.97)]
    return tuple(
        rate_merchants(fit.model, population.loc[picks], reference=population, scale=scale)
    )


def run_demo(config: DemoConfig, *, progress: Progress = _quiet) -> DemoResult:
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
    save_model(fit.model, model_dir, fit.metadata, challenger=fit.scorecard, overwrite=True)
    scale = ScoreScale()
    progress("score every merchant as of the data's end", 0.0)
    population = merchant_features(dataset, dataset.end.date())
    examples = _examples(fit, population, scale)
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
    )
