"""The ageing history: each loan's status and delinquency at every end of day (roll rates).

Revision ID: 0003
Revises: 0002
Create Date: 2025-01-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "loan_ageing",
        sa.Column("loan_id", sa.String(64), nullable=False),
        sa.Column("aged_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("days_past_due", sa.Integer(), nullable=False),
        sa.Column("bucket", sa.String(16), nullable=False),
        sa.ForeignKeyConstraint(
            ["loan_id"], ["loans.id"], name=op.f("fk_loan_ageing_loan_id_loans")
        ),
        sa.PrimaryKeyConstraint("loan_id", "aged_on", name=op.f("pk_loan_ageing")),
    )
    op.create_index(op.f("ix_loan_ageing_aged_on"), "loan_ageing", ["aged_on"])


def downgrade() -> None:
    op.drop_index(op.f("ix_loan_ageing_aged_on"), table_name="loan_ageing")
    op.drop_table("loan_ageing")
