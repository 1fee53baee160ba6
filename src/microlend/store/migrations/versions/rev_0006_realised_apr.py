"""Loans record their realised APR: the effective annual rate of the cash flows they really
had, set when a loan is repaid (none while it runs, and none on a write-off).

Loans repaid before this revision keep none: it is recorded when a loan ends.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("loans", sa.Column("realised_apr", sa.Double(), nullable=True))


def downgrade() -> None:
    raise NotImplementedError("the loan book is migrated forward only")
