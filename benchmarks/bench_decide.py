"""What one online decision costs in process: milliseconds of CPU and of wall time a decision.

``service.underwrite`` (the api's decision path without HTTP: the snapshot's features, the
policy, the exposure read, superseding the merchant's older decisions, the record and its
notice, one transaction) on a fresh, funded SQLite book, for random merchants of the records.
CPU time is this process's (``time.process_time``), so the figure does not move with other
work on a shared box the way HTTP percentiles do; wall time also counts the commit's fsync.

``--tree`` runs the same measurement with another checkout's code (its ``src`` first on the
path), so that a base and a head can be compared on one data set and one machine:

    git worktree add /tmp/base ca30842
    .venv/bin/python benchmarks/bench_decide.py --data D --model M
    .venv/bin/python benchmarks/bench_decide.py --data D --model M --tree /tmp/base \\
        --base-model M0
    .venv/bin/python benchmarks/bench_decide.py --data D --model M --profile 25

``--model`` must be one the measured tree can load (train it with that tree's ``microlend
train``; ``--base-model`` names the one for ``--tree``).
"""

from __future__ import annotations

import argparse
import cProfile
import inspect
import json
import os
import pstats
import random
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="Records folder.")
    parser.add_argument("--model", type=Path, required=True, help="Model folder.")
    parser.add_argument("--tree", type=Path, help="Measure this checkout's code instead.")
    parser.add_argument("--base-model", type=Path, help="The model folder for --tree.")
    parser.add_argument("--calls", type=int, default=2000, help="Decisions measured.")
    parser.add_argument("--warmup", type=int, default=200, help="Unmeasured decisions first.")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--profile", type=int, metavar="N", help="Also profile and print the top N functions."
    )
    parser.add_argument("--json", action="store_true", help="Also print one JSON line.")
    return parser


def _in_tree(args: argparse.Namespace) -> int:
    """Run this script again with ``args.tree``'s code (and its model) and return its exit."""
    model = args.model if args.base_model is None else args.base_model
    argv = ["--data", str(args.data), "--model", str(model), "--seed", str(args.seed)]
    argv += ["--calls", str(args.calls), "--warmup", str(args.warmup)]
    if args.profile:
        argv += ["--profile", str(args.profile)]
    if args.json:
        argv.append("--json")
    env = os.environ | {"PYTHONPATH": str(args.tree.resolve() / "src")}
    return subprocess.run([sys.executable, __file__, *argv], env=env, check=False).returncode


def _setup(args: argparse.Namespace, folder: Path) -> tuple[Any, Any, Any, str, list[str]]:
    """A migrated, funded book of the records' merchants, the snapshot, the policy, the
    model's version and the merchants to decide on (in this tree's api)."""
    from microlend import service
    from microlend.data import load_dataset
    from microlend.models import load_artifact
    from microlend.money import Money
    from microlend.policy import default_policy
    from microlend.store import create_engine_for, migrate

    dataset = load_dataset(args.data)
    business_date = dataset.end.date()
    artifact = load_artifact(args.model)
    policy = default_policy()
    engine = create_engine_for(f"sqlite:///{folder / 'book.sqlite'}")
    migrate(engine)
    service.sync_merchants(engine, dataset)
    capital = Money(Decimal("1000000000"), policy.currency)
    service.fund_book(engine, capital, business_date, "bench-capital")
    extra = {}
    if "improver" in inspect.signature(service.take_snapshot).parameters:
        extra["improver"] = service.improver_of(artifact)
    snapshot = service.take_snapshot(artifact.model, dataset, business_date, **extra)
    merchants = random.Random(args.seed).choices(
        sorted(snapshot.ratings), k=args.warmup + args.calls
    )
    return engine, snapshot, policy, service.model_version(artifact), merchants


def _measure(args: argparse.Namespace) -> dict[str, Any]:
    from microlend import service

    with tempfile.TemporaryDirectory(prefix="bench-decide-") as tmp:
        engine, snapshot, policy, version, merchants = _setup(args, Path(tmp))

        def one(merchant: str) -> None:
            service.underwrite(
                engine, snapshot, policy, merchant_id=merchant, model_version=version
            )

        for merchant in merchants[: args.warmup]:
            one(merchant)
        measured = merchants[args.warmup :]
        wall, cpu = [], []
        for merchant in measured:
            w0, c0 = time.perf_counter_ns(), time.process_time_ns()
            one(merchant)
            cpu.append((time.process_time_ns() - c0) / 1e6)
            wall.append((time.perf_counter_ns() - w0) / 1e6)
        profile = None
        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            for merchant in measured:
                one(merchant)
            profiler.disable()
            profile = profiler
        engine.dispose()
    result = _summary(np.asarray(cpu), np.asarray(wall))
    if profile is not None:
        stats = pstats.Stats(profile).strip_dirs()
        for order in ("tottime", "cumulative"):
            print(f"\n--- top {args.profile} by {order} ({len(measured)} decisions) ---")
            stats.sort_stats(order).print_stats(args.profile)
    return result


def _summary(cpu: np.ndarray, wall: np.ndarray) -> dict[str, Any]:
    c50, c99 = np.percentile(cpu, [50, 99])
    w50, w99 = np.percentile(wall, [50, 99])
    return {
        "calls": int(cpu.size),
        "cpu_ms": {"mean": float(cpu.mean()), "p50": float(c50), "p99": float(c99)},
        "wall_ms": {"mean": float(wall.mean()), "p50": float(w50), "p99": float(w99)},
    }


def main() -> None:
    args = _parser().parse_args()
    if args.tree is not None:
        raise SystemExit(_in_tree(args))
    import microlend

    result = _measure(args)
    cpu, wall = result["cpu_ms"], result["wall_ms"]
    print(
        f"\n{Path(microlend.__file__).parents[2]}: {result['calls']} decisions; "
        f"CPU ms/decision mean {cpu['mean']:.3f} (p50 {cpu['p50']:.3f}, p99 {cpu['p99']:.3f}); "
        f"wall mean {wall['mean']:.3f} (p50 {wall['p50']:.3f}, p99 {wall['p99']:.3f})"
    )
    if args.json:
        print(json.dumps(result))


if __name__ == "__main__":
    main()
