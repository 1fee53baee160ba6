"""``microlend demo``: the whole path on the synthetic marketplace, and its printed report."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.panel import Panel
from rich.table import Table

from microlend.cli._app import app, console, edge, progress_bar, show
from microlend.errors import ConfigError

if TYPE_CHECKING:
    from microlend.scoring import Rating
    from microlend.service import DemoResult


@app.command()
@edge
def demo(
    out: Annotated[Path, typer.Option("--out", help="Folder for data, model and report.")] = Path(
        "demo-out"
    ),
    merchants: Annotated[int, typer.Option("--merchants", help="Merchants to simulate.")] = 20_000,
    months: Annotated[int, typer.Option("--months", help="Months of records.")] = 24,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 0,
    serve: Annotated[
        bool,
        typer.Option(
            "--serve", help="Then serve the api and the dashboard on the outputs (Ctrl+C stops)."
        ),
    ] = False,
    host: Annotated[
        str, typer.Option("--host", help="With --serve: address to listen on.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="With --serve: port to listen on.")] = 8000,
    key_file: Annotated[
        Path | None,
        typer.Option(
            "--key-file",
            help="With --serve, when stdout is not a terminal: the new file for the staff keys "
            "(default: OUT/book-keys.txt, replaced with the book).",
        ),
    ] = None,
) -> None:
    """Run the whole rating path on the synthetic marketplace and print what it found.

    Simulates the marketplace, checks it against the data contract, trains the PD model and the
    scorecard on earlier applications, tests both on later ones (out of time) against the
    oracle, scores every merchant, explains three of them, and writes an HTML model report.

    With --serve it then serves the decision api and the dashboard on those outputs, with a new
    loan book in OUT/book.sqlite (the business date is the data's end), and prints the URLs and
    three new API keys (risk officer, servicing, the first example merchant), shown once. The
    staff keys are printed only to a terminal; otherwise they go to a new file only you can
    read (--key-file) and its path is printed.
    """
    from microlend.dashboard import write_model_report
    from microlend.service import DemoConfig, run_demo

    if serve and key_file is not None and key_file.exists():
        # Found now, not after minutes of simulating and fitting: keys never overwrite a file.
        raise ConfigError(f"{key_file} exists: name a new file with --key-file")
    config = DemoConfig(out=out, merchants=merchants, months=months, seed=seed)
    with progress_bar() as report:
        result = run_demo(config, progress=report)
        report("write the HTML model report", 0.0)
        page = write_model_report(result.report, out / "report.html")
        report("write the HTML model report", 1.0)
    _print(result)
    # Never wrapped: a path broken over two lines cannot be copied.
    console.print(
        f"data: {result.data_dir}   model: {result.model_dir}   report: {page}",
        soft_wrap=True,
        markup=False,
    )
    if serve:
        _serve(result, host, port, key_file)


def _serve(result: DemoResult, host: str, port: int, key_file: Path | None) -> None:
    from microlend.cli._keyfile import staff_key_sink
    from microlend.cli._served import demo_app, print_access, run_server
    from microlend.service import baseline_from_fit

    console.print("readying the loan book and the api ...", highlight=False)
    out = result.config.out
    if key_file is None:
        # The old book is replaced, so its keys are dead: their file goes with it.
        key_file = out / "book-keys.txt"
        key_file.unlink(missing_ok=True)
    with staff_key_sink(key_file, numbered=False) as sink:
        served = demo_app(
            out,
            result.dataset,
            result.model_dir,
            merchant_id=result.examples[0].key,
            baseline=baseline_from_fit(result.fit),
            population=result.population,
        )
        keys = sink.deliver(served.book.keys)
    book, first = served.book, served.first_decision
    console.print(
        f"book: {book.url}   business date: {book.business_date}",
        highlight=False,
        soft_wrap=True,
        markup=False,
    )
    verdict = f"{len(first.offers)} offers" if first.approved else "declined"
    console.print(f"merchant {book.merchant_id} applied once: {verdict}", highlight=False)
    print_access(host, port, keys, book.merchant_id)
    run_server(served.app, host, port)


def _print(result: DemoResult) -> None:
    s = result.simulation
    console.print(
        f"[bold]Marketplace[/]: {result.config.merchants:,} merchants, "
        f"{s.rows['orders']:,} orders; "
        f"{s.funded:,} of {s.applications:,} applications funded, {s.matured:,} matured "
        f"(default rate {s.default_rate:.1%}); the contract holds."
    )
    _print_metrics(result)
    _print_calibration(result)
    _print_bands(result)
    for rating in result.examples:
        _print_rating(rating)


def _print_metrics(result: DemoResult) -> None:
    e, c = result.fit.evaluation, result.fit.scorecard_evaluation
    table = Table("", "AUC", "Gini", "KS", "Brier", "mean PD", title="Out-of-time test")
    table.add_row(
        "PD model",
        f"{e.auc:.3f}",
        f"{e.gini:.3f}",
        f"{e.ks:.3f}",
        f"{e.brier:.4f}",
        f"{e.mean_pd:.2%}",
    )
    table.add_row(
        "scorecard",
        f"{c.auc:.3f}",
        f"{c.gini:.3f}",
        f"{c.ks:.3f}",
        f"{c.brier:.4f}",
        f"{c.mean_pd:.2%}",
    )
    if e.oracle_auc is not None:
        table.add_row(
            "oracle (true PD)", f"{e.oracle_auc:.3f}", f"{2 * e.oracle_auc - 1:.3f}", "", "", ""
        )
    table.caption = (
        f"{len(result.fit.train):,} training loans, {e.n:,} test loans, "
        f"observed default rate {e.bad_rate:.2%}"
    )
    show(table)


def _print_calibration(result: DemoResult) -> None:
    table = Table("decile", "loans", "mean PD", "observed", title="Calibration by decile of PD")
    for b in result.fit.evaluation.calibration:
        table.add_row(str(b.decile), f"{b.n:,}", f"{b.mean_pd:.2%}", f"{b.observed:.2%}")
    show(table)


def _print_bands(result: DemoResult) -> None:
    report = result.report
    table = Table("band", "from score", "test applications", title="Score distribution by band")
    for band in sorted(report.scale.bands, key=lambda b: b.floor, reverse=True):
        table.add_row(band.name, str(band.floor), f"{report.band_counts[band.name]:,}")
    show(table)
    stability = report.score_stability
    console.print(f"score PSI, test against training: {stability.psi:.3f} ({stability.verdict})")


def _print_rating(rating: Rating) -> None:
    subs = "  ".join(f"{dim}: {value}" for dim, value in rating.sub_scores.items())
    lines = [f"score [bold]{rating.score}[/] ({rating.band}), PD {rating.pd:.2%}", subs]
    lines += [f"- {reason.text}" for reason in rating.reasons] or ["- nothing holds it back"]
    if rating.improvements:
        best = rating.improvements[0]
        lines.append(f"what would raise it: {best.text} -> {best.score} ({best.band})")
    console.print(Panel("\n".join(lines), title=f"merchant {rating.key}", expand=False))
