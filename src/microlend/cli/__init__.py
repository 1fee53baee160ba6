"""The ``microlend`` command line: the one place (with the api) that reads the clock.

Errors are translated here, once (``edge``): a ``MicrolendError`` or a database error prints
one line on stderr (the database named without its password) and exits with status 2, never a
traceback. Each command module registers its commands on the one Typer ``app``.
"""

from microlend.cli import (  # noqa: F401  (they register commands)
    _day,
    _demo,
    _export,
    _fairness,
    _fund,
    _keys,
    _lending,
    _models,
    _monitor,
    _records,
    _serve,
)
from microlend.cli._app import app

__all__ = ["app", "main"]


def main() -> None:
    app()
