"""One database transaction per unit of work, retried when the database asks for it.

PostgreSQL may abort a transaction on a serialization failure or a deadlock, SQLite when its
lock wait times out: the whole transaction is rolled back and run again. A request's key is
claimed without a conflict (``LoanBookCommands.claim``), so two first uses never collide there;
a collision on a transaction's own key is still retried, as a last guard, and the retry then
sees the winner's work.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

__all__ = ["in_transaction"]

logger = logging.getLogger(__name__)

T = TypeVar("T")

_RETRY_SQLSTATES = frozenset({"40001", "40P01"})  # serialization_failure, deadlock_detected
_DEFAULT_ATTEMPTS = 5


def in_transaction(
    engine: Engine, work: Callable[[Session], T], *, attempts: int = _DEFAULT_ATTEMPTS
) -> T:
    """Run ``work`` in one database transaction: committed if it returns, rolled back if it
    raises; retried up to ``attempts`` times in all on a transient database error."""
    for attempt in range(1, attempts + 1):
        try:
            with Session(engine, expire_on_commit=False) as session, session.begin():
                return work(session)
        except DBAPIError as error:
            if attempt == attempts or not _transient(error):
                raise
            logger.info("retrying a transaction (attempt %d): %s", attempt + 1, error.orig)
    raise AssertionError("unreachable: the last attempt returns or raises")


def _transient(error: DBAPIError) -> bool:
    if isinstance(error, IntegrityError):
        # A transaction's key posted concurrently (request keys are claimed without one):
        # the retry finds the first and answers from it.
        return "idempotency_key" in str(error.orig)
    sqlstate = getattr(error.orig, "sqlstate", None)
    if sqlstate in _RETRY_SQLSTATES:
        return True
    return "database is locked" in str(error.orig)
