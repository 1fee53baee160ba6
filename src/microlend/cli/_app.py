"""The Typer app, its consoles and the error edge shared by every command.

Imports stay lazy in the whole command line: a module here imports at its top only what the
app and the commands' signatures need (typer, rich's console, microlend's light modules), and
each command imports its heavy dependencies (pandas, LightGBM, SQLAlchemy, DuckDB, FastAPI...)
inside its body. Every command starts a fresh process, so an eager import costs every command
(and each ``--help``) its seconds, whether it needs the module or not.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import TYPE_CHECKING, NoReturn, ParamSpec, TypeGuard, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.progress import Progress as ProgressDisplay
from rich.table import Table
from rich.text import Text

from microlend import __version__
from microlend.errors import ConfigError, MicrolendError

if TYPE_CHECKING:
    from sqlalchemy.exc import SQLAlchemyError

    from microlend.types import Progress

__all__ = [
    "EXIT_ERROR",
    "app",
    "console",
    "edge",
    "errors",
    "name_database",
    "number_or_na",
    "percent_or_na",
    "progress_bar",
    "show",
    "warn",
]

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


#: The database the running command works on, as it may be shown (no password): the edge
#: names it when the database fails, however deep in the library the failure came from.
_database: ContextVar[str | None] = ContextVar("microlend_database", default=None)


def name_database(url: str) -> str:
    """Note ``url`` as the running command's database and return it without its password."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        shown = make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        # Not echoed: a URL that does not parse may still hold a password.
        raise ConfigError(
            "--db is not a database URL (e.g. sqlite:///microlend.db or "
            "postgresql+psycopg://user@host/db)"
        ) from None
    _database.set(shown)
    return shown


def edge(func: Callable[P, R]) -> Callable[P, R]:
    """Translate microlend's and the database's errors into one line and exit status 2."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        _database.set(None)
        try:
            return func(*args, **kwargs)
        except MicrolendError as exc:
            _fail(type(exc).__name__, str(exc))
        except OSError as exc:
            _fail(type(exc).__name__, str(exc))
        except Exception as exc:
            if not _is_database_error(exc):
                raise
            _fail("DatabaseError", _database_reason(exc))

    return wrapper


def _is_database_error(exc: Exception) -> TypeGuard[SQLAlchemyError]:
    # Only a command that imported SQLAlchemy can fail with its error: the others never pay
    # for importing it (and SQLAlchemy's errors are no OSError, so the order above is kept).
    loaded = sys.modules.get("sqlalchemy.exc")
    return loaded is not None and isinstance(exc, loaded.SQLAlchemyError)


def _database_reason(exc: SQLAlchemyError) -> str:
    from sqlalchemy.exc import ArgumentError, DBAPIError

    if isinstance(exc, ArgumentError):
        # Its message quotes the URL, which may hold a password.
        return "--db is not a database URL"
    # The driver's own first line says what failed; SQLAlchemy's adds the statement and a link.
    reason = str(exc.orig if isinstance(exc, DBAPIError) else exc).strip()
    first = reason.splitlines()[0] if reason else type(exc).__name__
    where = _database.get()
    return f"{where}: {first}" if where else first


def _fail(kind: str, message: str) -> NoReturn:
    # One line (a data-contract error adds its violations below it), never wrapped, no markup.
    text = Text.assemble(("error:", "bold red"), f" {kind}: {message}")
    errors.print(text, highlight=False, soft_wrap=True)
    raise typer.Exit(EXIT_ERROR) from None


def show(table: Table) -> None:
    """A table for people on a terminal (fitted to its width); in a pipe or a file, plain
    lines instead (the title, then the header and each row, cells separated by tabs), which no
    80-column default can cut and ``cut``/``awk`` can read."""
    if console.is_terminal:
        console.print(table)
        return
    lines = [str(table.title)] if table.title else []
    columns = table.columns
    lines.append("\t".join(str(column.header) for column in columns))
    for row in zip(*(list(column.cells) for column in columns), strict=True):
        lines.append("\t".join(str(cell) for cell in row))
    typer.echo("\n".join(lines))


def warn(message: str) -> None:
    """A warning on stderr: the command goes on, but what it was asked is likely not meant."""
    errors.print(Text.assemble(("warning:", "bold yellow"), f" {message}"), soft_wrap=True)


def percent_or_na(value: float | None, places: int = 1) -> str:
    """``12.3%``; ``n/a`` where there is no figure (None or NaN: nothing to divide by yet)."""
    if value is None or value != value:
        return "n/a"
    return f"{value:.{places}%}"


def number_or_na(value: float | None, places: int = 3) -> str:
    """``0.812``; ``n/a`` where there is no figure (None or NaN)."""
    if value is None or value != value:
        return "n/a"
    return f"{value:.{places}f}"


@contextmanager
def progress_bar() -> Iterator[Progress]:
    """A rich progress bar fed by the library's ``progress(step, fraction)`` callbacks.

    Each new step gets its own line, so the finished steps stay visible with their times.
    """
    columns = (TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    bar = ProgressDisplay(*columns, console=console)
    tasks: dict[str, TaskID] = {}

    def report(step: str, done: float) -> None:
        if not tasks:
            bar.start()  # on the first step: a command refused before it leaves stdout empty
        if step not in tasks:
            tasks[step] = bar.add_task(step, total=1.0)
        bar.update(tasks[step], completed=done)

    try:
        yield report
    finally:
        if tasks:
            bar.stop()


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
