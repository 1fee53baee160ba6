"""The loan book: merchants, decisions, loans, books, transactions, postings, idempotency keys.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the column types as they were at this revision (see store._types).
_MONEY = sa.Numeric(18, 2).with_variant(sa.BigInteger(), "sqlite")
_DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
_ID = 64


def _created_at() -> sa.Column[object]:
    return sa.Column(
        "created_at",
        sa.DateTime(timezone=True),
        server_default=sa.func.current_timestamp(),
        nullable=False,
    )


def upgrade() -> None:
    op.create_table(
        "merchants",
        sa.Column("id", sa.String(_ID), nullable=False),
        sa.Column("category", sa.String(64), nullable=False),
        sa.Column("region", sa.String(64), nullable=False),
        sa.Column("onboarded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_merchants"),
    )
    op.create_table(
        "decisions",
        sa.Column("id", sa.String(_ID), nullable=False),
        sa.Column("merchant_id", sa.String(_ID), nullable=False),
        sa.Column("application_id", sa.String(_ID), nullable=True),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("policy_version", sa.String(64), nullable=False),
        sa.Column("model_version", sa.String(64), nullable=False),
        sa.Column("inputs", _DOCUMENT, nullable=False),
        sa.Column("feature_values", _DOCUMENT, nullable=False),
        sa.Column("score", _DOCUMENT, nullable=False),
        sa.Column("result", _DOCUMENT, nullable=False),
        _created_at(),
        sa.ForeignKeyConstraint(
            ["merchant_id"], ["merchants.id"], name="fk_decisions_merchant_id_merchants"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_decisions"),
    )
    op.create_index("ix_decisions_merchant_id", "decisions", ["merchant_id"])
    op.create_table(
        "loans",
        sa.Column("id", sa.String(_ID), nullable=False),
        sa.Column("merchant_id", sa.String(_ID), nullable=False),
        sa.Column("decision_id", sa.String(_ID), nullable=True),
        sa.Column("product", sa.String(32), nullable=False),
        sa.Column("terms", sa.Text(), nullable=False),
        sa.Column("principal", _MONEY, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("accepted_on", sa.Date(), nullable=False),
        sa.Column("disbursed_on", sa.Date(), nullable=True),
        sa.Column("aged_on", sa.Date(), nullable=True),
        sa.Column("days_past_due", sa.Integer(), nullable=False),
        sa.Column("bucket", sa.String(16), nullable=False),
        sa.Column("covenant", sa.String(16), nullable=True),
        sa.CheckConstraint("principal > 0", name="ck_loans_principal_positive"),
        sa.CheckConstraint("days_past_due >= 0", name="ck_loans_dpd_not_negative"),
        sa.ForeignKeyConstraint(
            ["merchant_id"], ["merchants.id"], name="fk_loans_merchant_id_merchants"
        ),
        sa.ForeignKeyConstraint(
            ["decision_id"], ["decisions.id"], name="fk_loans_decision_id_decisions"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_loans"),
    )
    op.create_index("ix_loans_merchant_id", "loans", ["merchant_id"])
    op.create_index("ix_loans_status_id", "loans", ["status", "id"])
    op.create_table(
        "books",
        sa.Column("currency", sa.String(3), nullable=False),
        sa.PrimaryKeyConstraint("currency", name="pk_books"),
    )
    op.create_table(
        "transactions",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("id", sa.String(_ID), nullable=False),
        sa.Column("loan_id", sa.String(_ID), nullable=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("idempotency_key", sa.String(256), nullable=False),
        sa.Column("reverses", sa.String(_ID), nullable=True),
        sa.ForeignKeyConstraint(["loan_id"], ["loans.id"], name="fk_transactions_loan_id_loans"),
        sa.ForeignKeyConstraint(
            ["reverses"], ["transactions.id"], name="fk_transactions_reverses_transactions"
        ),
        sa.PrimaryKeyConstraint("seq", name="pk_transactions"),
        sa.UniqueConstraint("id", name="uq_transactions_id"),
        sa.UniqueConstraint("idempotency_key", name="uq_transactions_idempotency_key"),
        sa.UniqueConstraint("reverses", name="uq_transactions_reverses"),
    )
    op.create_index("ix_transactions_loan_id", "transactions", ["loan_id"])
    op.create_table(
        "postings",
        sa.Column("transaction_id", sa.String(_ID), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("account", sa.String(32), nullable=False),
        sa.Column("amount", _MONEY, nullable=False),
        sa.CheckConstraint("amount <> 0", name="ck_postings_amount_not_zero"),
        sa.ForeignKeyConstraint(
            ["transaction_id"],
            ["transactions.id"],
            name="fk_postings_transaction_id_transactions",
        ),
        sa.PrimaryKeyConstraint("transaction_id", "line", name="pk_postings"),
    )
    op.create_index("ix_postings_account", "postings", ["account"])
    op.create_table(
        "idempotency_keys",
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("operation", sa.String(64), nullable=False),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("response", _DOCUMENT, nullable=False),
        _created_at(),
        sa.PrimaryKeyConstraint("key", name="pk_idempotency_keys"),
    )


def downgrade() -> None:
    for table in (
        "idempotency_keys",
        "postings",
        "transactions",
        "books",
        "loans",
        "decisions",
        "merchants",
    ):
        op.drop_table(table)
