"""Alembic migrations of the loan book, run by ``microlend.store.migrate`` (no alembic.ini)."""
