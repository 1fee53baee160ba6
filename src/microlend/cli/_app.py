"""The Typer app, its consoles and the error edge shared by every command."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from microlend import __version__
from microlend.errors import MicrolendError

__all__ = ["EXIT_ERROR", "app", "console", "edge", "errors", "progress_bar"]

P = ParamSpec("P")
R = TypeVar("R")

app = typer.Typer(
    name="microlend",
    help="Open lending to small online merchants: records -> PD -> score -> offers -> loan book.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",  # help paragraphs reflow to the terminal's width
)
console = Console()
errors = Console(stderr=True)

EXIT_ERROR = 2


def edge(func: Callable[P, R]) -> Callable[P, R]:
    """Translate microlend's errors into a short message and exit status 2."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except MicrolendError as exc:
            errors.print(f"[bold red]error:[/] {type(exc).__name__}", highlight=False)
            errors.print(str(exc), markup=False, highlight=False, soft_wrap=True)
            raise typer.Exit(EXIT_ERROR) from None

    return wrapper


@contextmanager
def progress_bar() -> Iterator[Callable[[str, float], None]]:
    """A rich progress bar fed by the library's ``progress(step, fraction)`` callbacks.

    Each new step gets its own line, so the finished steps stay visible with their times.
    """
    columns = (TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console) as bar:
        tasks: dict[str, TaskID] = {}

        def report(step: str, done: float) -> None:
            if step not in tasks:
                tasks[step] = bar.add_task(step, total=1.0)
            bar.update(tasks[step], completed=done)

        yield report


def _version(value: bool) -> None:
    if value:
        console.print(f"microlend {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log progress details."),
) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING)
