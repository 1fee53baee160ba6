"""The ``microlend`` command line: the one place (with the api) that reads the clock.

Errors from the library are translated here, once: a ``MicrolendError`` prints one or two
lines on stderr and exits with status 2, never a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console

from microlend import __version__
from microlend.errors import MicrolendError

__all__ = ["app", "main"]

P = ParamSpec("P")
R = TypeVar("R")

app = typer.Typer(
    name="microlend",
    help="Open lending to small online merchants: records -> PD -> score -> offers -> loan book.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
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
            errors.print(str(exc), markup=False, highlight=False)
            raise typer.Exit(EXIT_ERROR) from None

    return wrapper


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


def main() -> None:
    app()
