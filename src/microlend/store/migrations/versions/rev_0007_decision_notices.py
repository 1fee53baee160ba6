"""Decisions keep their notice: what a declined merchant, or one offered less than it asked
for, was told in writing (the lender, the date, the principal reasons, what would raise its
score, its right to the reasons in detail), stored with the decision it explains.

Decisions stored before this revision keep none: a notice is written when its decision is made.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A frozen copy of store._types.Document at this revision.
_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.add_column("decisions", sa.Column("notice", _DOCUMENT, nullable=True))


def downgrade() -> None:
    raise NotImplementedError("the loan book is migrated forward only")
