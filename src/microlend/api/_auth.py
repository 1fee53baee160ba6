"""Who may call what: API keys in the ``X-API-Key`` header, roles, and the idempotency key."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.security import APIKeyHeader

from microlend.api._context import Runtime
from microlend.api._problems import ProblemError
from microlend.service import Principal, Role
from microlend.store import IDEMPOTENCY_KEY_LENGTH

__all__ = [
    "Caller",
    "IdempotencyKey",
    "RiskOfficer",
    "Servicing",
    "require_merchant",
    "runtime_of",
]

_KEY_HEADER = APIKeyHeader(name="X-API-Key", auto_error=False, description="An API key.")
#: What a key can look like (``ml_<id>_<secret>``, URL-safe): anything else is refused unread.
_KEY_TEXT = re.compile(r"[A-Za-z0-9_.:-]{1,128}")
#: An idempotency key: visible ASCII, no spaces or control characters.
_IDEMPOTENCY_TEXT = r"^[!-~]+$"


def runtime_of(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


async def _caller(request: Request, key: Annotated[str | None, Depends(_KEY_HEADER)]) -> Principal:
    if not key:
        raise ProblemError(401, "send an API key in the X-API-Key header")
    if _KEY_TEXT.fullmatch(key) is None:
        raise ProblemError(401, "the API key is not valid")
    principal = await runtime_of(request).principal(key)
    if principal is None:
        raise ProblemError(401, "the API key is not valid")
    return principal


async def _servicing(caller: Annotated[Principal, Depends(_caller)]) -> Principal:
    if caller.role is not Role.SERVICING:
        raise ProblemError(403, "moving money needs a servicing key")
    return caller


async def _risk_officer(caller: Annotated[Principal, Depends(_caller)]) -> Principal:
    if caller.role is not Role.RISK_OFFICER:
        raise ProblemError(403, "this needs a risk officer key")
    return caller


def require_merchant(caller: Principal, merchant_id: str) -> None:
    """A merchant key sees only its own merchant: another's data is 'not found' to it, so
    the answer does not even tell whether it exists."""
    if not caller.may_see(merchant_id):
        raise ProblemError(404, f"no merchant {merchant_id!r} visible to this key")


Caller = Annotated[Principal, Depends(_caller)]
Servicing = Annotated[Principal, Depends(_servicing)]
RiskOfficer = Annotated[Principal, Depends(_risk_officer)]
IdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=IDEMPOTENCY_KEY_LENGTH,
        pattern=_IDEMPOTENCY_TEXT,
        description="A unique key per money movement (visible ASCII, at most "
        f"{IDEMPOTENCY_KEY_LENGTH} characters): the same key again moves nothing and answers "
        "as the first time.",
    ),
]
