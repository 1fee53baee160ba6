"""The command line's edge: every error is one line on stderr and exit status 2, never a
traceback, and a failed command writes nothing (no book file, nothing on stdout). Database
failures are named by their database, never with its password."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from cli_results import one_line_error
from typer.testing import CliRunner

from microlend.cli import app

runner = CliRunner()

#: Nothing listens on port 1: the connection is refused at once.
UNREACHABLE = "postgresql+psycopg://lender:s3cret@127.0.0.1:1/book"


@pytest.mark.parametrize(
    "args",
    [
        ["keys", "list"],
        ["keys", "revoke", "abc"],
        ["keys", "--role", "servicing"],
        ["fund", "--amount", "100"],
    ],
)
def test_an_unreachable_database_is_one_line_without_its_password(args: list[str]) -> None:
    line = one_line_error(runner.invoke(app, [*args, "--db", UNREACHABLE]))
    assert "DatabaseError" in line
    assert "postgresql+psycopg://lender:***@127.0.0.1:1/book" in line
    assert "s3cret" not in line


def test_a_database_without_the_books_tables_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    with sqlite3.connect(path) as other:
        other.execute("CREATE TABLE notes (text TEXT)")
    line = one_line_error(runner.invoke(app, ["keys", "list", "--db", f"sqlite:///{path}"]))
    assert "holds no loan book" in line


def test_a_database_error_deep_in_a_command_is_one_line(tmp_path: Path) -> None:
    # A book whose api_keys table has gone: the failure comes from the driver, mid-command.
    path = tmp_path / "book.sqlite"
    assert runner.invoke(app, ["fund", "--amount", "1", "--db", f"sqlite:///{path}"]).exit_code == 0
    with sqlite3.connect(path) as book:
        book.execute("DROP TABLE api_keys")
    line = one_line_error(runner.invoke(app, ["keys", "list", "--db", f"sqlite:///{path}"]))
    assert line == f"error: DatabaseError: sqlite:///{path}: no such table: api_keys"


def test_a_merchant_key_for_an_unknown_merchant_is_not_found(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'book.sqlite'}"
    assert runner.invoke(app, ["fund", "--amount", "1", "--db", url]).exit_code == 0
    args = ["keys", "--role", "merchant", "--merchant", "NOPE", "--db", url]
    line = one_line_error(runner.invoke(app, args))
    assert line == "error: NotFoundError: no merchant 'NOPE' in the book"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "merchant"], "a merchant key needs --merchant"),
        (["--role", "merchant", "--merchant", "M1"], "no loan book at"),
        (["--role", "cashier"], "--role must be one of"),
    ],
)
def test_a_refused_key_makes_no_book(tmp_path: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["keys", *args, "--db", f"sqlite:///{tmp_path / 'k.sqlite'}"])
    assert message in one_line_error(result)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("url", ["not a url", "nosuchdialect://u:pw@host/db"])
def test_a_bad_database_url_is_one_line_and_never_echoed(url: str) -> None:
    line = one_line_error(runner.invoke(app, ["keys", "list", "--db", url]))
    assert "not a database URL" in line
    assert "pw" not in line
