"""The daily cycle (``microlend day``): each step done per business date with its report, and
the pre-qualified offers of each date (``store._days``).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As ``store._types``: amounts at four places (integers of 1/10,000 on SQLite), JSON documents.
_MONEY = sa.Numeric(18, 4).with_variant(sa.BigInteger(), "sqlite")
_DOCUMENT = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "day_steps",
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("step", sa.String(16), nullable=False),
        sa.Column("report", _DOCUMENT, nullable=False),
        sa.Column(
            "done_at",
            sa.DateTime(timezone=True),
            server_default=sa.func.current_timestamp(),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("business_date", "step", name=op.f("pk_day_steps")),
    )
    op.create_table(
        "prequalified_offers",
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("merchant_id", sa.String(64), nullable=False),
        sa.Column("amount", _MONEY, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "business_date", "merchant_id", name=op.f("pk_prequalified_offers")
        ),
    )


def downgrade() -> None:
    raise NotImplementedError("the loan book is migrated forward only")
