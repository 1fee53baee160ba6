"""The ``microlend`` command line: the one place (with the api) that reads the clock.

Errors from the library are translated here, once (``edge``): a ``MicrolendError`` prints one
or two lines on stderr and exits with status 2, never a traceback. Each command module
registers its commands on the one Typer ``app``.
"""

from microlend.cli import _demo, _lending, _models, _monitor, _records, _serve  # noqa: F401  (they register commands)
from microlend.cli._app import app

__all__ = ["app", "main"]


def main() -> None:
    app()
