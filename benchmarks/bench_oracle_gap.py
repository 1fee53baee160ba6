"""Oracle-gap benchmark: the PD model against the simulator's true PD, out of time, per seed.

For each seed, simulates the demo's marketplace (default 20 000 merchants, 24 months), writes
and loads it as the demo does, fits the rating with ``service.fit_rating`` (the demo's
training: the earliest 70 % of matured funded applications, tested on the rest) and prints,
on the out-of-time test: the model's AUC, the oracle's (ranking by ``truth.true_pd``), their
gap, the scorecard challenger's AUC, the mean PD, the observed default rate and the mean PD's
relative error. The issue's goals: a gap of at most 0.015 and a mean PD within 5 % of the
default rate, on each seed.

    .venv/bin/python benchmarks/bench_oracle_gap.py                          # seeds 0 1 2
    .venv/bin/python benchmarks/bench_oracle_gap.py --merchants 2500 --seeds 3   # quick check
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from microlend.data import Manifest, load_dataset, write_dataset
from microlend.service import fit_rating
from microlend.simulate import SimulationConfig, simulate

GAP_GOAL = 0.015
MEAN_PD_GOAL = 0.05


def records(folder: Path, merchants: int, months: int, seed: int) -> Path:
    """The simulated records of ``seed`` in ``folder`` (written once, reused when present)."""
    if (folder / "dataset.json").is_file():
        return folder
    sim = simulate(SimulationConfig(merchants=merchants, months=months, seed=seed))
    manifest = Manifest(end=sim.end, currency=sim.config.currency, generator=sim.generator)
    write_dataset(sim.tables, folder, manifest=manifest, overwrite=True)
    return folder


def measure(folder: Path, seed: int) -> dict[str, Any]:
    """The demo's training on the records in ``folder``, its figures out of time."""
    fit = fit_rating(load_dataset(folder), seed=seed)
    model, challenger = fit.evaluation, fit.scorecard_evaluation
    assert model.oracle_auc is not None, "simulated records carry the true PD"
    return {
        "seed": seed,
        "test_loans": model.n,
        "auc": model.auc,
        "oracle_auc": model.oracle_auc,
        "gap": model.oracle_auc - model.auc,
        "scorecard_auc": challenger.auc,
        "mean_pd": model.mean_pd,
        "default_rate": model.bad_rate,
        "mean_pd_error": model.mean_pd / model.bad_rate - 1,
    }


def _line(row: dict[str, Any]) -> str:
    goals = []
    if row["gap"] > GAP_GOAL:
        goals.append(f"gap > {GAP_GOAL}")
    if abs(row["mean_pd_error"]) > MEAN_PD_GOAL:
        goals.append(f"mean PD off by more than {MEAN_PD_GOAL:.0%}")
    return (
        f"{row['seed']:>4} {row['test_loans']:>6,} {row['auc']:>7.4f} {row['oracle_auc']:>7.4f} "
        f"{row['gap']:>7.4f} {row['scorecard_auc']:>9.4f} {row['mean_pd']:>8.2%} "
        f"{row['default_rate']:>8.2%} {row['mean_pd_error']:>+7.1%}  "
        + ("; ".join(goals) or "goals met")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--merchants", type=int, default=20_000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument(
        "--data-root",
        type=Path,
        help="keep each seed's records in DIR/s<seed> (reused when there): else a temp folder",
    )
    parser.add_argument("--json", action="store_true", help="one JSON object a seed, no table")
    args = parser.parse_args()
    if not args.json:
        print(f"{args.merchants:,} merchants, {args.months} months; out of time (latest 30 %)")
        print("seed  loans     AUC  oracle     gap scorecard  mean PD  default   error")
    with tempfile.TemporaryDirectory() as tmp:
        root = args.data_root or Path(tmp)
        for seed in args.seeds:
            began = time.perf_counter()
            folder = records(root / f"s{seed}", args.merchants, args.months, seed)
            row = measure(folder, seed)
            row["seconds"] = round(time.perf_counter() - began, 1)
            print(json.dumps(row) if args.json else _line(row), flush=True)


if __name__ == "__main__":
    main()
