"""Servicing actions and their audit trail: each payment pause, resume, charge-off, goodwill
credit and reversal of one, with who took it, when and why (``store._actions``).

Loans charged off are a status of their own (``charged_off``): the column is text already.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "loan_actions",
        sa.Column("seq", _SEQ, autoincrement=True, nullable=False),
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("loan_id", sa.String(64), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("refers_to", sa.String(64), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["loan_id"], ["loans.id"], name=op.f("fk_loan_actions_loan_id_loans")
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_loan_actions")),
        sa.UniqueConstraint("id", name=op.f("uq_loan_actions_id")),
    )
    op.create_index(op.f("ix_loan_actions_loan_id"), "loan_actions", ["loan_id"])


def downgrade() -> None:
    raise NotImplementedError("the loan book is migrated forward only")
