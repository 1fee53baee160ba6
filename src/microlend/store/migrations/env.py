"""Alembic's environment: runs on the connection that ``microlend.store.migrate`` passes in."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from microlend.store._tables import Base


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        # SQLite alters tables by copying them ("batch" mode).
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def _main() -> None:
    connection = context.config.attributes.get("connection")
    if not isinstance(connection, Connection):
        raise RuntimeError("run the migrations through microlend.store.migrate(engine)")
    _run(connection)


_main()
