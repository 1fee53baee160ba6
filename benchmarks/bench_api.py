"""Credit decisions over HTTP on loopback at a steady open-loop rate: latency and throughput.

``microlend serve`` runs in a subprocess (uvicorn, one process, as a user would start it) on a
fresh SQLite book (or a PostgreSQL schema, ``--postgres URL``); this process sends
``POST /v1/applications`` for random merchants on a fixed schedule (request i leaves at
``start + i / rate`` whether or not earlier ones have answered), so a slow answer cannot slow
the load down and hide itself. A request's latency runs from its
scheduled time to its answer. The features are the api's online path: the merchant's features
as of the business date (the data's end), from the snapshot the api builds at start.

Baselines measured in the same run: the same use case called in process, without HTTP
(``microlend.service.underwrite`` on its own book), and the bare LightGBM booster
predicting one row.

    .venv/bin/python benchmarks/bench_api.py --data demo-out/data --model demo-out/model
    .venv/bin/python benchmarks/bench_api.py --merchants 2500      # simulated, quick
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import httpx
import numpy as np
import pandas as pd
from sqlalchemy import make_url, text

from microlend.data import Dataset, Manifest, load_dataset, write_dataset
from microlend.dates import as_of_instant
from microlend.models import PDModel, load_artifact
from microlend.money import Money
from microlend.policy import default_policy
from microlend.service import (
    Role,
    create_api_key,
    fit_rating,
    fund_book,
    improver_of,
    model_version,
    save_rating,
    sync_merchants,
    take_snapshot,
    underwrite,
)
from microlend.simulate import SimulationConfig, simulate
from microlend.store import create_engine_for, migrate

CAPITAL = Money(Decimal("1000000000"), default_policy().currency)
READY_SECONDS = 900.0


@dataclass(frozen=True)
class Latencies:
    """Latencies in milliseconds and what they came from."""

    name: str
    ms: np.ndarray

    def row(self) -> str:
        p50, p99 = np.percentile(self.ms, [50, 99])
        return f"{self.name:<34} {p50:8.3f} {p99:8.3f} {self.ms.max():8.3f} {self.ms.size:8d}"


def _sources(args: argparse.Namespace, folder: Path) -> tuple[Path, Path]:
    """The data and model folders: the given ones, or a simulated market and a fresh fit."""
    if args.data is not None:
        return args.data, args.model
    print(f"simulating {args.merchants} merchants over {args.months} months and fitting ...")
    sim = simulate(SimulationConfig(merchants=args.merchants, months=args.months, seed=args.seed))
    data = folder / "data"
    manifest = Manifest(end=sim.end, currency=sim.config.currency, generator=sim.generator)
    write_dataset(sim.tables, data, manifest=manifest)
    fit = fit_rating(load_dataset(data))
    return data, save_rating(fit, folder / "model")


def _book(url: str, dataset: Dataset, business_date: date) -> str:
    """A migrated, funded book holding the records' merchants; a risk officer key for it."""
    engine = create_engine_for(url)
    migrate(engine)
    sync_merchants(engine, dataset)
    fund_book(engine, CAPITAL, business_date, "bench-capital")
    key = create_api_key(engine, Role.RISK_OFFICER)
    engine.dispose()
    return key


def _merchants(dataset: Dataset, business_date: date) -> list[str]:
    """Merchants onboarded before the business date: the ones the snapshot rates."""
    table = dataset.table("merchants").to_pandas()
    onboarded = pd.to_datetime(table["onboarded_at"], utc=True)
    return [str(m) for m in table.loc[onboarded < as_of_instant(business_date), "merchant_id"]]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start_server(
    data: Path, model: Path, url: str, port: int, business_date: date, threads: int | None
) -> subprocess.Popen[bytes]:
    command = [
        sys.executable, "-c", "from microlend.cli import main; main()",
        "serve", "--model", str(model), "--data", str(data), "--db", url,
        "--port", str(port), "--business-date", str(business_date),
    ]  # fmt: skip
    if threads is not None:
        command += ["--threads", str(threads)]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL)


def _wait_ready(server: subprocess.Popen[bytes], base: str) -> float:
    """Poll ``/health`` until it answers; seconds it took."""
    started = time.perf_counter()
    while time.perf_counter() - started < READY_SECONDS:
        if server.poll() is not None:
            raise SystemExit(f"microlend serve exited with status {server.returncode}")
        try:
            if httpx.get(f"{base}/health", timeout=1.0).status_code == 200:
                return time.perf_counter() - started
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"microlend serve did not answer within {READY_SECONDS:.0f} s")


@dataclass(frozen=True)
class LoadResult:
    latencies: Latencies
    rate: float
    statuses: dict[int, int]
    seconds: float
    late_ms: float
    server_cpu_ms: float | None

    @property
    def throughput(self) -> float:
        return self.statuses.get(201, 0) / self.seconds


class _Connections:
    """Keep-alive HTTP/1.1 connections to the server, each carrying one request at a time.

    A bare client on asyncio streams: the load generator shares the 2 cores with the server,
    and a full HTTP client costs about a millisecond of CPU a request, which the server's
    latency would then pay for.
    """

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

    async def send(self, payload: bytes) -> int:
        """Send one prepared request; its status. A kept-alive connection the server closed
        meanwhile (uvicorn closes one idle for 5 s) is replaced, and the request sent again."""
        if self.idle:
            reader, writer = self.idle.pop()
            try:
                return await self._exchange(reader, writer, payload)
            except (asyncio.IncompleteReadError, ConnectionError):
                writer.close()
        reader, writer = await asyncio.open_connection(self.host, self.port)
        return await self._exchange(reader, writer, payload)

    async def _exchange(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, payload: bytes
    ) -> int:
        writer.write(payload)
        head = await reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        await reader.readexactly(length)
        self.idle.append((reader, writer))
        return int(head[9:12])

    def close(self) -> None:
        for _, writer in self.idle:
            writer.close()


def _request(key: str, merchant: str) -> bytes:
    body = json.dumps({"merchant_id": merchant}).encode()
    head = (
        "POST /v1/applications HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"X-API-Key: {key}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU of process ``pid`` so far (Linux ``/proc``; ``None`` elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _open_loop(
    port: int, payloads: Sequence[bytes], rate: float, server_pid: int
) -> LoadResult:
    """Send ``payloads`` at ``rate`` a second on a fixed schedule, never waiting for answers."""
    connections = _Connections("127.0.0.1", port)
    done = [0.0] * len(payloads)
    codes = [0] * len(payloads)
    lateness = 0.0

    async def one(i: int, due: float) -> None:
        codes[i] = await connections.send(payloads[i])
        done[i] = time.perf_counter() - due

    loop, tasks = asyncio.get_running_loop(), []
    cpu_before = _cpu_seconds(server_pid)
    start = time.perf_counter() + 0.05
    for i in range(len(payloads)):
        due = start + i / rate
        wait = due - time.perf_counter()
        if wait > 0:
            await asyncio.sleep(wait)
        lateness = max(lateness, time.perf_counter() - due)
        tasks.append(loop.create_task(one(i, due)))
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - start
    cpu_after = _cpu_seconds(server_pid)
    connections.close()
    statuses: dict[int, int] = {}
    for code in codes:
        statuses[code] = statuses.get(code, 0) + 1
    cpu_ms = None
    if cpu_before is not None and cpu_after is not None:
        cpu_ms = (cpu_after - cpu_before) * 1000.0 / len(payloads)
    latencies = Latencies(f"HTTP at {rate:g}/s", np.asarray(done) * 1000.0)
    return LoadResult(latencies, rate, statuses, elapsed, lateness * 1000.0, cpu_ms)


def _http(
    args: argparse.Namespace, data: Path, model: Path, url: str, key: str
) -> list[LoadResult]:
    """Start ``microlend serve``, warm it up, then one measured run per rate."""
    dataset = load_dataset(data)
    business_date = dataset.end.date()
    merchants = _merchants(dataset, business_date)
    del dataset
    port = _free_port()
    server = _start_server(data, model, url, port, business_date, args.threads)
    results = []
    try:
        ready = _wait_ready(server, f"http://127.0.0.1:{port}")
        print(f"microlend serve answered after {ready:.1f} s (records, snapshot, baseline)")
        picks = random.Random(args.seed)
        for rate in args.rate:
            warm = [_request(key, m) for m in picks.choices(merchants, k=int(rate * args.warmup))]
            asyncio.run(_open_loop(port, warm, rate, server.pid))
            count = int(rate * args.seconds)
            payloads = [_request(key, m) for m in picks.choices(merchants, k=count)]
            results.append(asyncio.run(_open_loop(port, payloads, rate, server.pid)))
            print(results[-1].latencies.row())
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=60)
    return results


def _in_process(args: argparse.Namespace, data: Path, model: Path, url: str) -> list[Latencies]:
    """``underwrite`` called directly, and the bare booster on one row, on the same merchants."""
    dataset = load_dataset(data)
    business_date = dataset.end.date()
    artifact = load_artifact(model)
    _book(url, dataset, business_date)
    engine = create_engine_for(url)
    snapshot = take_snapshot(artifact.model, dataset, business_date, improver=improver_of(artifact))
    policy, version = default_policy(), model_version(artifact)
    merchants = random.Random(args.seed).choices(list(snapshot.ratings), k=args.calls)
    decisions = []
    for merchant in merchants:
        began = time.perf_counter_ns()
        underwrite(engine, snapshot, policy, merchant_id=merchant, model_version=version)
        decisions.append((time.perf_counter_ns() - began) / 1e6)
    engine.dispose()
    return [
        Latencies("in process: underwrite()", np.asarray(decisions)),
        Latencies(
            "bare LightGBM: one-row predict", _bare_predict(artifact.model, snapshot.rows, args)
        ),
    ]


def _bare_predict(model: PDModel, rows: pd.DataFrame, args: argparse.Namespace) -> np.ndarray:
    """The model's LightGBM booster alone on one row of numbers (a category as its level's
    code, as LightGBM reads a pandas category)."""
    columns = {
        name: pd.Categorical(rows[name], categories=model.categories_[name]).codes
        if name in model.categories_
        else rows[name]
        for name in model.feature_names_
    }
    numbers = pd.DataFrame(columns).to_numpy(np.float64)
    picks = random.Random(args.seed).choices(range(len(numbers)), k=args.calls)
    times = []
    for i in picks:
        row = numbers[i : i + 1]
        began = time.perf_counter_ns()
        model.booster_.predict(row, num_iteration=model.best_iteration_)
        times.append((time.perf_counter_ns() - began) / 1e6)
    return np.asarray(times)


def main() -> None:
    args = _parser().parse_args()
    if (args.data is None) != (args.model is None):
        raise SystemExit("give --data and --model together, or neither (a simulated market)")
    with tempfile.TemporaryDirectory(prefix="bench-api-") as tmp:
        folder = Path(tmp)
        data, model = _sources(args, folder)
        with _books(args.postgres, folder) as (served, direct):
            dataset = load_dataset(data)
            key = _book(served, dataset, dataset.end.date())
            del dataset
            loads = _http(args, data, model, served, key)
            baselines = _in_process(args, data, model, direct)
    _report(loads, baselines, as_json=args.json)


@contextmanager
def _books(postgres: str | None, folder: Path) -> Iterator[tuple[str, str]]:
    """Two empty books, the server's and the in-process one: SQLite files in ``folder``, or
    two throwaway schemas of the ``postgres`` database (dropped at the end)."""
    if postgres is None:
        yield f"sqlite:///{folder / 'http.sqlite'}", f"sqlite:///{folder / 'direct.sqlite'}"
        return
    schemas = [f"bench_api_{os.getpid()}_{name}" for name in ("http", "direct")]
    admin = create_engine_for(postgres)
    with admin.begin() as connection:
        for schema in schemas:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        # libpq's options in the URL put each book alone on its search path.
        http, direct = (
            make_url(postgres)
            .update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False)
            for schema in schemas
        )
        yield http, direct
    finally:
        with admin.begin() as connection:
            for schema in schemas:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _report(loads: list[LoadResult], baselines: list[Latencies], *, as_json: bool) -> None:
    direct, bare = baselines
    print(f"\n{'ms':<34} {'p50':>8} {'p99':>8} {'max':>8} {'n':>8}")
    for line in (*(load.latencies for load in loads), direct, bare):
        print(line.row())
    d50, d99 = np.percentile(direct.ms, [50, 99])
    b50 = float(np.percentile(bare.ms, 50))
    body: dict[str, object] = {"cpus": os.cpu_count(), "in_process_ms": {"p50": d50, "p99": d99}}
    body["bare_predict_ms_p50"] = b50
    runs = []
    for load in loads:
        h50, h99 = np.percentile(load.latencies.ms, [50, 99])
        cpu = "n/a" if load.server_cpu_ms is None else f"{load.server_cpu_ms:.2f} ms"
        print(
            f"\nat {load.rate:g}/s: {load.throughput:.1f} decisions/s answered "
            f"(statuses {load.statuses}), server CPU {cpu} a decision, sender at most "
            f"{load.late_ms:.2f} ms behind its schedule; HTTP / in process: "
            f"p50 {h50 / d50:.1f}x, p99 {h99 / d99:.1f}x; "
            f"target p99 < 10 ms {'met' if h99 < 10.0 else 'missed'} ({h99:.2f} ms)"
        )
        runs.append(
            {
                "rate": load.rate,
                "throughput": load.throughput,
                "statuses": load.statuses,
                "p50_ms": h50,
                "p99_ms": h99,
                "max_ms": float(load.latencies.ms.max()),
                "server_cpu_ms": load.server_cpu_ms,
            }
        )
    print(f"in process / bare predict (p50): {d50 / b50:.1f}x")
    if as_json:
        print(json.dumps(body | {"http": runs}))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--data", type=Path, help="Records folder (with --model).")
    parser.add_argument("--model", type=Path, help="Model folder (with --data).")
    parser.add_argument("--merchants", type=int, default=2500, help="Simulated, without --data.")
    parser.add_argument("--months", type=int, default=24, help="Simulated months.")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--rate", type=float, nargs="+", default=[200.0], help="Decisions a second (one run each)."
    )
    parser.add_argument("--seconds", type=float, default=25.0, help="Measured seconds a rate.")
    parser.add_argument("--warmup", type=float, default=3.0, help="Unmeasured seconds first.")
    parser.add_argument("--calls", type=int, default=3000, help="In-process calls measured.")
    parser.add_argument("--threads", type=int, help="The server's --threads (default: its own).")
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="Keep the books in this PostgreSQL database (two throwaway schemas), not SQLite.",
    )
    parser.add_argument("--json", action="store_true", help="Also print one JSON line.")
    return parser


if __name__ == "__main__":
    main()
