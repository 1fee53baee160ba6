"""Credit control: single-use, expiring decisions, superseded by the merchant's latest;
idempotency keys per caller;
revocable API keys; closed business days.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
_OLD_KEYS = "idempotency_keys_0003"


def upgrade() -> None:
    op.add_column("decisions", sa.Column("expires_on", sa.Date(), nullable=True))
    op.add_column("merchants", sa.Column("latest_decision_id", sa.String(64), nullable=True))
    # Fails on a book where one decision already gave two loans: that book needs a person.
    op.create_index(op.f("ix_loans_decision_id"), "loans", ["decision_id"], unique=True)
    op.add_column("api_keys", sa.Column("revoked_at", sa.DateTime(timezone=True)))
    op.add_column("api_keys", sa.Column("last_used_at", sa.DateTime(timezone=True)))
    op.create_table(
        "business_days",
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column(
            "closed_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("business_date", name=op.f("pk_business_days")),
    )
    _scope_idempotency_keys()


def _scope_idempotency_keys() -> None:
    # A new primary key (scope, key): SQLite cannot alter one, so the table is rebuilt on
    # both databases. Keys stored before are the book's own (scope '').
    op.rename_table("idempotency_keys", _OLD_KEYS)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"ALTER TABLE {_OLD_KEYS} RENAME CONSTRAINT pk_idempotency_keys TO pk_{_OLD_KEYS}"
        )
    op.create_table(
        "idempotency_keys",
        sa.Column("scope", sa.String(32), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("operation", sa.String(64), nullable=False),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("response", _DOCUMENT, nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("scope", "key", name=op.f("pk_idempotency_keys")),
    )
    op.execute(
        "INSERT INTO idempotency_keys (scope, key, operation, request_hash, response, created_at) "
        f"SELECT '', key, operation, request_hash, response, created_at FROM {_OLD_KEYS}"
    )
    op.drop_table(_OLD_KEYS)


def downgrade() -> None:
    raise NotImplementedError("the loan book is migrated forward only")
