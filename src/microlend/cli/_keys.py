"""``microlend keys``: create an API key (``--role``), ``list`` the keys, ``revoke`` one."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from microlend.cli._app import app, console, edge
from microlend.cli._options import DEFAULT_DB, BookUrl
from microlend.errors import ConfigError

if TYPE_CHECKING:
    from microlend.service import ApiKeyRecord, Role

__all__ = ["keys_app"]

_ROLES = ("risk_officer", "servicing", "merchant")

keys_app = typer.Typer(
    name="keys",
    invoke_without_command=True,
    no_args_is_help=True,
    rich_markup_mode="markdown",
)
app.add_typer(keys_app)


@keys_app.callback()
@edge
def keys(
    ctx: typer.Context,
    role: Annotated[
        str | None,
        typer.Option("--role", help="Create a key: risk_officer, servicing or merchant."),
    ] = None,
    merchant: Annotated[
        str | None, typer.Option("--merchant", help="The merchant of a merchant key.")
    ] = None,
    db: Annotated[
        str | None, typer.Option("--db", help=f"Loan book database URL. [default: {DEFAULT_DB}]")
    ] = None,
    key_file: Annotated[
        Path | None,
        typer.Option(
            "--key-file",
            help="Where a staff key goes when stdout is not a terminal: a new file only you "
            "can read (default: BOOK-ROLE-key.txt beside a SQLite book, numbered when taken).",
        ),
    ] = None,
) -> None:
    """Create an API key with --role (only its salted hash is stored: this is the one time it
    is shown), or list and revoke keys with the commands below.

    A merchant key is printed. A risk officer or servicing key is printed only to a terminal;
    otherwise it is written to a new file only you can read, and the file's path is printed.
    """
    if ctx.invoked_subcommand is not None:
        if role is not None or merchant is not None or db is not None or key_file is not None:
            raise ConfigError(
                f"put the options after `keys {ctx.invoked_subcommand}`; --role, --merchant and "
                "--key-file create a key"
            )
        return
    if role is None:
        raise ConfigError("keys needs --role ROLE to create a key, or a command: list, revoke")
    _create(_role(role, merchant), merchant, db or DEFAULT_DB, key_file)


def _role(role: str, merchant: str | None) -> Role:
    """The role asked for, checked with its merchant before any book is opened or made."""
    from microlend.service import Role

    if role not in _ROLES:
        raise ConfigError(f"--role must be one of {', '.join(_ROLES)}, not {role!r}")
    if (role == Role.MERCHANT) != (merchant is not None):
        raise ConfigError("a merchant key needs --merchant, and only a merchant key takes one")
    return Role(role)


def _create(role: Role, merchant: str | None, db: str, key_file: Path | None) -> None:
    from microlend.cli._book import migrated_book
    from microlend.cli._keyfile import default_key_file, staff_key_sink
    from microlend.service import Role, create_api_key

    if role is Role.MERCHANT:
        # Its merchant must be in the book already, so the book must exist.
        engine = migrated_book(db, existing=True)
        console.print(create_api_key(engine, role, merchant), highlight=False, soft_wrap=True)
        return
    engine = migrated_book(db)
    path = key_file or default_key_file(db, f"{role.value}-key")
    with staff_key_sink(path, numbered=key_file is None) as sink:
        delivered = sink.deliver({role: create_api_key(engine, role)})
    shown = str(delivered.path) if delivered.path is not None else delivered.shown[role]
    console.print(shown, highlight=False, soft_wrap=True, markup=False)


@keys_app.command("list")
@edge
def list_keys(
    db: BookUrl = DEFAULT_DB,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON array.")] = False,
) -> None:
    """Every key of the book, oldest first: id, role, merchant, created, last used, revoked (in
    UTC). Never a secret: none is stored."""
    from microlend.cli._book import existing_book
    from microlend.service import list_api_keys

    engine = existing_book(db)
    found = list_api_keys(engine)
    engine.dispose()
    rows = [_row(record) for record in found]
    if as_json:
        typer.echo(json.dumps(rows))
        return
    _print_table(rows)


@keys_app.command("revoke")
@edge
def revoke_key(
    key_id: Annotated[str, typer.Argument(help="The key's id (as `keys list` shows it).")],
    db: BookUrl = DEFAULT_DB,
) -> None:
    """Revoke a key: every request and dashboard session made with it is refused from now on.
    Revoking a revoked key changes nothing."""
    from microlend.cli._book import existing_book
    from microlend.service import revoke_api_key

    engine = existing_book(db)
    record = revoke_api_key(engine, key_id, datetime.now(UTC))
    engine.dispose()
    row = _row(record)
    owner = f" of merchant {row['merchant_id']}" if row["merchant_id"] else ""
    typer.echo(f"revoked {row['role']} key {row['key_id']}{owner} at {row['revoked_at']}")


def _row(record: ApiKeyRecord) -> dict[str, str | None]:
    return {
        "key_id": record.key_id,
        "role": record.role,
        "merchant_id": record.merchant_id,
        "created_at": _utc(record.created_at),
        "last_used_at": _utc(record.last_used_at),
        "revoked_at": _utc(record.revoked_at),
    }


def _utc(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    # SQLite hands back the UTC times it stored without their zone; PostgreSQL with it.
    aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return aware.isoformat(timespec="seconds").replace("+00:00", "Z")


def _print_table(rows: list[dict[str, str | None]]) -> None:
    # Plain aligned columns, never wrapped or cut: an id is copied from here into `revoke`.
    header = ["key id", "role", "merchant", "created", "last used", "revoked"]
    cells = [header] + [[value or "-" for value in row.values()] for row in rows]
    widths = [max(len(line[i]) for line in cells) for i in range(len(header))]
    for line in cells:
        cells_text = "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True))
        typer.echo(cells_text.rstrip())
    if not rows:
        typer.echo("(no keys)")
