"""``microlend keys``: create a key (``--role``), ``list`` them, ``revoke`` one.

CliRunner's stdout is not a terminal, so a staff key goes to a file only its owner may read
and only the path is printed; a merchant key is printed.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from cli_support import filed_keys
from sqlalchemy.orm import Session
from typer.testing import CliRunner, Result

from microlend.cli import _keyfile, app
from microlend.service import Role, authenticate
from microlend.store import LoanBookCommands, MerchantRecord, create_engine_for, migrate
from microlend.types import MerchantId

runner = CliRunner()
MERCHANT = "M-keys"


def _keys(*args: str) -> Result:
    return runner.invoke(app, ["keys", *args])


def _book(path: Path) -> str:
    """A migrated SQLite book holding one merchant."""
    url = f"sqlite:///{path}"
    engine = create_engine_for(url)
    migrate(engine)
    with Session(engine) as session, session.begin():
        record = MerchantRecord(MerchantId(MERCHANT), "toys", "north", datetime(2024, 1, 1))
        LoanBookCommands(session).add_merchant(record)
    engine.dispose()
    return url


def _role_of(url: str, key: str) -> Role | None:
    engine = create_engine_for(url)
    try:
        found = authenticate(engine, key)
    finally:
        engine.dispose()
    return None if found is None else found.role


def test_a_staff_key_goes_to_a_file_only_its_owner_reads(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'book.sqlite'}"
    made = _keys("--role", "servicing", "--db", url)
    assert made.exit_code == 0, made.output
    path = Path(made.stdout.strip())
    assert path == tmp_path / "book-servicing-key.txt"
    key = filed_keys(path)["servicing"]
    assert "ml_" not in made.output
    assert _role_of(url, key) is Role.SERVICING
    # A second key never writes over the first one's file.
    again = _keys("--role", "servicing", "--db", url)
    assert again.exit_code == 0, again.output
    assert Path(again.stdout.strip()) == tmp_path / "book-servicing-key-2.txt"
    assert filed_keys(path)["servicing"] == key


def test_a_named_key_file_must_be_new(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'book.sqlite'}"
    named = tmp_path / "officer.txt"
    made = _keys("--role", "risk_officer", "--db", url, "--key-file", str(named))
    assert made.exit_code == 0, made.output
    assert made.stdout.strip() == str(named)
    assert _role_of(url, filed_keys(named)["risk_officer"]) is Role.RISK_OFFICER
    refused = _keys("--role", "risk_officer", "--db", url, "--key-file", str(named))
    assert refused.exit_code == 2
    assert "exists" in refused.stderr
    listed = json.loads(_keys("list", "--db", url, "--json").stdout)
    assert len(listed) == 1  # the refused run made no key


def test_a_staff_key_is_printed_to_a_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_keyfile, "stdout_is_terminal", lambda: True)
    url = f"sqlite:///{tmp_path / 'book.sqlite'}"
    made = _keys("--role", "risk_officer", "--db", url)
    assert made.exit_code == 0, made.output
    assert _role_of(url, made.stdout.strip()) is Role.RISK_OFFICER
    assert not list(tmp_path.glob("*.txt"))


def test_a_merchant_key_is_printed(tmp_path: Path) -> None:
    url = _book(tmp_path / "book.sqlite")
    made = _keys("--role", "merchant", "--merchant", MERCHANT, "--db", url)
    assert made.exit_code == 0, made.output
    assert _role_of(url, made.stdout.strip()) is Role.MERCHANT
    assert not list(tmp_path.glob("*.txt"))


def test_list_shows_every_key_and_no_secret(tmp_path: Path) -> None:
    url = _book(tmp_path / "book.sqlite")
    merchant_key = _keys("--role", "merchant", "--merchant", MERCHANT, "--db", url).stdout.strip()
    officer = Path(_keys("--role", "risk_officer", "--db", url).stdout.strip())
    officer_key = filed_keys(officer)["risk_officer"]
    listed = _keys("list", "--db", url, "--json")
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.stdout)
    # Oldest first; both were made within the second that orders them, so compare as a set.
    assert {(r["role"], r["merchant_id"]) for r in rows} == {
        ("merchant", MERCHANT),
        ("risk_officer", None),
    }
    assert {r["key_id"] for r in rows} == {merchant_key.split("_")[1], officer_key.split("_")[1]}
    for row in rows:
        assert set(row) == {
            "key_id", "role", "merchant_id", "created_at", "last_used_at", "revoked_at",
        }  # fmt: skip
        assert row["created_at"].endswith("Z")
        assert row["revoked_at"] is None
    table = _keys("list", "--db", url)
    assert table.exit_code == 0, table.output
    assert "last used" in table.stdout
    assert all(r["key_id"] in table.stdout for r in rows)
    for secret in (merchant_key.split("_", 2)[2], officer_key.split("_", 2)[2]):
        assert secret not in listed.stdout + table.stdout


def test_a_revoked_key_is_refused_and_listed_as_revoked(tmp_path: Path) -> None:
    url = _book(tmp_path / "book.sqlite")
    key = _keys("--role", "merchant", "--merchant", MERCHANT, "--db", url).stdout.strip()
    key_id = key.split("_")[1]
    revoked = _keys("revoke", key_id, "--db", url)
    assert revoked.exit_code == 0, revoked.output
    assert f"revoked merchant key {key_id} of merchant {MERCHANT}" in revoked.stdout
    assert _role_of(url, key) is None
    (row,) = json.loads(_keys("list", "--db", url, "--json").stdout)
    assert row["revoked_at"] is not None
    unknown = _keys("revoke", "nope", "--db", url)
    assert unknown.exit_code == 2
    assert unknown.stderr.strip() == "error: NotFoundError: no API key 'nope' in the book"


@pytest.mark.parametrize("command", [["list"], ["revoke", "abc"]])
def test_list_and_revoke_never_make_a_book(tmp_path: Path, command: list[str]) -> None:
    path = tmp_path / "absent.sqlite"
    result = _keys(*command, "--db", f"sqlite:///{path}")
    assert result.exit_code == 2
    assert "no loan book at" in result.stderr
    assert result.stdout == ""
    assert list(tmp_path.iterdir()) == []


def test_keys_help_names_the_commands_and_the_key_file() -> None:
    result = runner.invoke(app, ["keys", "--help"], terminal_width=200)
    assert result.exit_code == 0
    for text in ("--role", "--merchant", "--db", "--key-file", "list", "revoke", "terminal"):
        assert text in result.output


def test_keys_without_role_or_command_says_what_it_needs(tmp_path: Path) -> None:
    result = _keys("--db", f"sqlite:///{tmp_path / 'k.sqlite'}")
    assert result.exit_code == 2
    assert "keys needs --role" in result.stderr
    assert list(tmp_path.iterdir()) == []
