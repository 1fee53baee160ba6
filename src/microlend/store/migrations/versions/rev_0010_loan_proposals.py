"""Maker-checker: servicing actions proposed by one key and approved or rejected by another
(``store._proposals``); and a reversal of a book-level transaction (a funding) is recorded
among the actions with no loan, so its reason is kept (``loan_actions.loan_id`` may be null).

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As ``store._types``: amounts at four places (integers of 1/10,000 on SQLite), JSON documents.
_MONEY = sa.Numeric(18, 4).with_variant(sa.BigInteger(), "sqlite")
_DOCUMENT = sa.JSON().with_variant(JSONB(), "postgresql")
_SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "loan_proposals",
        sa.Column("seq", _SEQ, autoincrement=True, nullable=False),
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("loan_id", sa.String(64), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("amount", _MONEY, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("params", _DOCUMENT, nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("proposed_by", sa.String(64), nullable=False),
        sa.Column("proposed_on", sa.Date(), nullable=False),
        sa.Column(
            "proposed_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("decided_by", sa.String(64), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("action_id", sa.String(64), nullable=True),
        sa.ForeignKeyConstraint(
            ["loan_id"], ["loans.id"], name=op.f("fk_loan_proposals_loan_id_loans")
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_loan_proposals")),
        sa.UniqueConstraint("id", name=op.f("uq_loan_proposals_id")),
    )
    op.create_index(op.f("ix_loan_proposals_loan_id"), "loan_proposals", ["loan_id"])
    op.create_index(op.f("ix_loan_proposals_status"), "loan_proposals", ["status"])
    # SQLite alters a column only by copying the table: batch mode does that.
    with op.batch_alter_table("loan_actions") as batch:
        batch.alter_column("loan_id", existing_type=sa.String(64), nullable=True)


def downgrade() -> None:
    raise NotImplementedError("the loan book is migrated forward only")
